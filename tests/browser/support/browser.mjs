// Debian's chromium, headless, in a fresh profile that close() removes. The
// flags keep it off the network: this machine refuses outside connections,
// and without them chromium retries its background services many at a time.
// `args` adds flags of the test's own (e.g. the certificate it trusts).
//
// Every Content-Security-Policy violation in any page of the context lands in
// `cspViolations`: a `securitypolicyviolation` listener is added to each new
// document before the page's own scripts run, and reports through a binding
// (which the CSP does not govern); console messages that mention the policy
// are added too, as { console: text }.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function launchBrowser(chromium, executablePath, { args = [] } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args],
  });
  const cspViolations = [];
  await context.exposeFunction('__telehubCspViolation', v => cspViolations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', e => {
      window.__telehubCspViolation({
        directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
        line: e.lineNumber, sample: e.sample, disposition: e.disposition, page: location.href,
      });
    }, true);
  });
  context.on('console', msg => {
    if (/content[- ]security[- ]policy/i.test(msg.text())) cspViolations.push({ console: msg.text() });
  });
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(e.message));
  const close = async () => {
    try { await context.close(); } finally { fs.rmSync(profile, { recursive: true, force: true }); }
  };
  return { context, page, pageErrors, cspViolations, close };
}

// How many px the page is wider than the window (0 when it fits): a layout
// that does not fit a narrow window makes the whole page scroll sideways.
export function pageOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

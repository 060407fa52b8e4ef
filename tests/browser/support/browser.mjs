// Debian's chromium, headless, in a fresh profile that close() removes. The
// flags keep it off the network: this machine refuses outside connections,
// and without them chromium retries its background services many at a time.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function launchBrowser(chromium, executablePath) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(e.message));
  const close = async () => {
    try { await context.close(); } finally { fs.rmSync(profile, { recursive: true, force: true }); }
  };
  return { context, page, pageErrors, close };
}

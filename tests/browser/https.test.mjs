// The dashboard over HTTPS, in a real browser, under the hub's
// Content-Security-Policy: the hub makes its self-signed certificate in a
// throwaway --data-dir, one real agent streams to it over wss:// pinned by
// --hub-fingerprint, and chromium trusts exactly that certificate's key
// (--ignore-certificate-errors-spki-list), nothing else.
//
//   TELEHUB_HUB_BIN=build/hub/telehub TELEHUB_AGENT_BIN=build/agent/telehub-agent \
//     node --test tests/browser/https.test.mjs
//
// Every CSP violation the page meets is collected by support/browser.mjs
// from the moment each document starts (a `securitypolicyviolation` listener
// added before the page's own scripts) and from the console; the last test
// shows that the same collector does see one.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './support/browser.mjs';
import { chromium, chromiumBin, webRoot, artifacts, hubBin, agentBin } from './support/setup.mjs';
import { freePort, start, stopAll, waitFor } from './support/processes.mjs';

const HOST = 'browser-tls';
const ADMIN = 'browser-tls-admin-token-0123';
const T = 15000;

const row = id => `#hosts-table tbody tr[data-key="${id}"]`;

// GET over TLS trusting only the hub's own certificate (it names 127.0.0.1).
function httpsGet(url, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers: { Authorization: `Bearer ${ADMIN}` } }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', d => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
  });
}

describe('dashboard over HTTPS under the CSP', { timeout: 120000 }, () => {
  let port, base, dataDir, hub, agent, certPem, spki, browser, page, pageErrors = [];
  let violations = [];     // CSP violations, collected by launchBrowser
  const consoleErrors = [];
  const sockets = [];      // { url, frames }

  const procs = () => [hub, agent].filter(Boolean);

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    port = await freePort();
    base = `https://127.0.0.1:${port}`;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-tls-data-'));
    hub = start('hub', hubBin, ['--listen', `127.0.0.1:${port}`, '--self-signed-tls', '--data-dir', dataDir,
      '--web-root', webRoot, '--quiet', '--admin-token', ADMIN]);
    const certFile = path.join(dataDir, 'tls', 'hub-cert.pem');
    await waitFor('the hub to answer /healthz over TLS', async () => {
      if (!fs.existsSync(certFile)) return false;
      certPem = fs.readFileSync(certFile, 'utf8');
      return (await httpsGet(`${base}/healthz`, certPem)).status === 200;
    }, { procs: procs() });

    const cert = new crypto.X509Certificate(certPem);
    // What chromium matches: base64 of SHA-256 over the DER SubjectPublicKeyInfo.
    spki = crypto.createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    // What the agent pins: SHA-256 over the whole certificate, as the hub prints it.
    const fingerprint = `sha256:${cert.fingerprint256.replace(/:/g, '').toLowerCase()}`;
    await waitFor('the hub to print the certificate fingerprint', () => hub.tail.some(l => l.includes(fingerprint)), { procs: procs() });

    agent = start(`agent ${HOST}`, agentBin, ['--hub', `wss://127.0.0.1:${port}/ws/agent`, '--hub-fingerprint', fingerprint,
      '--host-id', HOST, '--interval', '1']);
    await waitFor('the agent to be online over wss', async () => {
      const res = await httpsGet(`${base}/api/hosts`, certPem);
      return res.status === 200 && JSON.parse(res.body).hosts.some(h => h.host_id === HOST && h.online && h.seq >= 2);
    }, { procs: procs() });

    browser = await launchBrowser(chromium, chromiumBin, { args: [`--ignore-certificate-errors-spki-list=${spki}`] });
    ({ page, pageErrors, cspViolations: violations } = browser);
    page.on('console', msg => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
    page.on('websocket', ws => {
      const rec = { url: ws.url(), frames: 0 };
      sockets.push(rec);
      ws.on('framereceived', () => { rec.frames++; });
    });
  });

  after(async () => {
    try { await browser?.close(); } finally {
      await stopAll();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the page loads over https with the security headers, and live data arrives over wss', async () => {
    const res = await page.goto(`${base}/?token=${ADMIN}`);
    assert.ok(res.ok(), `GET / answered ${res.status()}`);
    assert.ok(res.url().startsWith(`https://127.0.0.1:${port}/`), res.url());
    const tls = await res.securityDetails();
    assert.ok(tls && /^TLS 1\.[23]$/.test(tls.protocol), `TLS details: ${JSON.stringify(tls)}`);

    const hdr = await res.allHeaders();
    const csp = hdr['content-security-policy'] || '';
    assert.match(csp, /(^|;)\s*script-src 'self'\s*(;|$)/, `CSP: ${csp}`);
    assert.match(csp, /(^|;)\s*default-src 'none'/, `CSP: ${csp}`);
    assert.match(csp, /(^|;)\s*connect-src 'self'/, `CSP: ${csp}`);
    assert.equal(hdr['referrer-policy'], 'no-referrer');
    assert.equal(hdr['x-content-type-options'], 'nosniff');
    assert.equal(hdr['x-frame-options'], 'DENY');
    assert.match(hdr['strict-transport-security'] || '', /max-age=\d+/);

    assert.deepEqual(await page.evaluate(() => [location.protocol, window.isSecureContext]), ['https:', true]);
    assert.ok(!page.url().includes(ADMIN), `the token is dropped from the address bar: ${page.url()}`);

    await page.locator(row(HOST)).waitFor({ timeout: T });
    await page.waitForFunction(() => document.getElementById('conn').dataset.state === 'open', null, { timeout: T });
    const live = sockets.find(s => s.url.startsWith(`wss://127.0.0.1:${port}/ws/live`));
    assert.ok(live, `WebSocket URLs: ${sockets.map(s => s.url)}`);
    // Summaries come every second: two more frames mean the stream is live, not a one-off snapshot.
    const seen = live.frames;
    await waitFor('two more frames on the wss:// live socket', () => live.frames >= seen + 2, { procs: procs() });
    await page.waitForFunction(sel => /^\d/.test(document.querySelector(sel)?.textContent || ''), `${row(HOST)} .cpu-value`, { timeout: T });
    await page.screenshot({ path: path.join(artifacts, 'https-overview.png') });
  });

  test('plain HTTP from 127.0.0.1 on the same port carries the same policy, without HSTS', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') || '', /script-src 'self'/);
    assert.equal(res.headers.get('strict-transport-security'), null);
  });

  test('a host page draws its uPlot charts and live samples under the CSP', async () => {
    await page.locator(row(HOST)).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/host/${HOST}`, { timeout: T });
    await page.locator('#cpu-chart canvas').waitFor({ state: 'visible', timeout: T });
    await page.locator('#cpu-chart .u-legend').waitFor({ timeout: T });
    await page.locator('#churn-chart canvas').waitFor({ state: 'visible', timeout: T });
    await page.locator('#churn-chart .u-legend', { hasText: 'TCP opens/s (exact)' }).waitFor({ timeout: T });
    // uPlot has drawn series, not just an empty canvas (its sizing goes through element.style, which the policy allows).
    await page.waitForFunction(() => {
      const c = document.querySelector('#cpu-chart canvas');
      if (!c || !c.width || !c.height) return false;
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) return true;
      return false;
    }, null, { timeout: T });
    const box = await page.locator('#cpu-chart .u-over').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `uPlot plot area ${JSON.stringify(box)}`);
    await page.locator('.bars .bar-row').first().waitFor({ timeout: T });

    // Live samples over wss keep the page moving.
    const seq = () => page.evaluate(() => (document.querySelector('.host-meta')?.textContent || '').match(/seq ([\d,]+)/)?.[1]);
    await page.waitForFunction(() => /seq \d/.test(document.querySelector('.host-meta')?.textContent || ''), null, { timeout: T });
    const before = await seq();
    await page.waitForFunction(s => {
      const m = (document.querySelector('.host-meta')?.textContent || '').match(/seq ([\d,]+)/);
      return m && m[1] !== s;
    }, before, { timeout: T });

    // History over the REST API, redrawn into the same chart.
    await page.getByRole('button', { name: '15 min' }).click();
    assert.equal(await page.getByRole('button', { name: '15 min' }).getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => document.querySelector('#cpu-chart canvas') && !/loading/.test(document.querySelector('.panel-head .card-meta')?.textContent || ''), null, { timeout: T });
    await page.screenshot({ path: path.join(artifacts, 'https-host.png'), fullPage: true });

    // A CSV report: fetched with the Bearer token and handed over as a blob: download.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: T }),
      page.getByRole('button', { name: 'Sockets CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${HOST}-sockets.csv`);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(csv.split('\n').length > 1 && csv.split('\n')[0].includes(','), `CSV starts: ${csv.slice(0, 200)}`);

    assert.deepEqual(violations, [], 'no CSP violation (event or console message) on the overview or the host page');
    assert.deepEqual(consoleErrors, [], 'no console errors');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  test('the violation collector does see a violation (an inline style attribute)', async () => {
    const n = violations.length;
    await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.setAttribute('style', 'color: red');
      document.body.append(probe);
      probe.remove();
    });
    const fresh = () => violations.slice(n);
    await waitFor('the securitypolicyviolation event and the console message',
      () => fresh().some(v => v.directive) && fresh().some(v => v.console), { timeoutMs: 5000 });
    const event = fresh().find(v => v.directive);
    assert.equal(event.directive, 'style-src-attr', JSON.stringify(event));
    assert.equal(event.disposition, 'enforce');
    assert.match(fresh().find(v => v.console).console, /style-src 'self'/);
  });
});

// Alerts and the fleet's processes in a real browser, against a real hub and
// a real agent reading this machine's /proc: fixture-busy spins a core, a
// rule on its CPU (`for = 2`) fires, and the alerts bar counts it, lists it
// with the loop among the culprits and links to the host; the overview
// marks the host; the "Processes across the fleet" page lists the loop with
// a link to its host. From the list, an admin makes a silence and ends it (a
// viewer's attempt is refused, with the hub's reason shown), and the alert's
// host link opens the host page at the alert's moment, marked on the chart,
// with "Back to live". The loop runs as a copy of fixture-busy under a name
// of this run's own: the agent sees every process on the machine, and other
// tests run fixture-busy too.
//
//   TELEHUB_HUB_BIN=build/hub/telehub TELEHUB_AGENT_BIN=build/agent/telehub-agent \
//   TELEHUB_FIXTURE_DIR=build/tests node --test tests/browser/alerts.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, pageOverflow } from './support/browser.mjs';
import { chromium, chromiumBin, webRoot, artifacts, hubBin, agentBin } from './support/setup.mjs';
import { freePort, start, stopAll, waitFor } from './support/processes.mjs';

const HOST = 'browser-alerts';
const VIEWER = 'browser-viewer-token-alerts';
const ADMIN = 'browser-admin-token-alerts';
// Generous: the machine may be busy with builds beside this test.
const T = 30000;
const busyBin = path.join(process.env.TELEHUB_FIXTURE_DIR || '', 'fixture-busy');
if (!process.env.TELEHUB_FIXTURE_DIR || !fs.existsSync(busyBin))
  throw new Error(`no busy loop at '${busyBin}': set TELEHUB_FIXTURE_DIR to <build>/tests and build fixture-busy`);

// At most 15 characters: the kernel's comm, which the agent reports.
const BUSY = `busyui-${process.pid.toString(16).slice(-4)}${Math.floor(Math.random() * 0x100).toString(16)}`;
// A share of one core the loop gets even on a two-core machine loaded
// well past its cores (it got 13 % beside a load average of 14).
const RULES = `[[rule]]
name = "busy-loop"
hosts = "browser-*"
metric = "process.cpu"
process = "${BUSY}"
threshold = 10
clear = 5
for = 2
severity = "critical"
`;

describe('alerts bar and fleet processes', { timeout: 150000 }, () => {
  let base, dir, busy, hub, agent, browser, page, pageErrors = [], cspViolations = [];
  const api = async target => {
    const res = await fetch(`${base}${target}`, { headers: { Authorization: `Bearer ${VIEWER}` } });
    return { status: res.status, body: await res.json() };
  };

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-alerts-'));
    const rules = path.join(dir, 'rules.toml');
    fs.writeFileSync(rules, RULES);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const busyCopy = path.join(dir, BUSY);
    fs.copyFileSync(busyBin, busyCopy);
    fs.chmodSync(busyCopy, 0o755);
    busy = start(BUSY, busyCopy, []);
    hub = start('hub', hubBin, ['--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--quiet',
      '--viewer-token', VIEWER, '--admin-token', ADMIN, '--rules', rules, '--data-dir', dir]);
    await waitFor('the hub to answer /healthz', async () => (await fetch(`${base}/healthz`)).ok, { procs: [hub] });
    // --top 30: beside a busy build the loop stays among the listed processes.
    agent = start(`agent ${HOST}`, agentBin, ['--hub', `ws://127.0.0.1:${port}/ws/agent`, '--host-id', HOST, '--interval', '1', '--top', '30']);
    await waitFor('the busy-loop rule to fire', async () => {
      const { status, body } = await api('/api/alerts');
      return status === 200 && body.alerts.some(a => a.rule === 'busy-loop' && a.host_id === HOST && a.state === 'firing');
    }, { timeoutMs: 2 * T, procs: [hub, agent, busy] });
    browser = await launchBrowser(chromium, chromiumBin);
    ({ page, pageErrors, cspViolations } = browser);
  });

  after(async () => {
    try { await browser?.close(); } finally {
      await stopAll();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the alerts bar counts the firing alert and lists it with the busy loop as the culprit', async () => {
    await page.goto(`${base}/?token=${VIEWER}#/`);
    const critical = page.locator('#alerts-critical');
    await page.waitForFunction(() => document.getElementById('alerts-critical')?.textContent === '1', null, { timeout: T });
    assert.equal(await critical.textContent(), '1');
    assert.equal(await page.locator('#alerts-warning').textContent(), '0');

    // The overview marks the host with the firing alert, in words as well as colour.
    const row = page.locator(`#hosts-table tbody tr[data-key="${HOST}"]`);
    await row.waitFor({ timeout: T });
    await page.waitForFunction(host => document.querySelector(`#hosts-table tr[data-key="${host}"]`)?.classList.contains('alerting'), HOST, { timeout: T });
    assert.equal(await row.locator('.tag-alert').isVisible(), true);
    assert.equal(await row.locator('.tag-alert').getAttribute('title'), 'Firing: busy-loop');

    await page.locator('#alerts-toggle').click();
    const item = page.locator(`.alert-item[data-rule="busy-loop"][data-host="${HOST}"][data-state="firing"]`);
    await item.waitFor({ timeout: T });
    assert.equal(await item.locator('.tag-sev').textContent(), 'CRITICAL');
    const culprit = item.locator('table.culprit-top tbody tr', { hasText: BUSY });
    await culprit.waitFor({ timeout: T });
    const cells = await culprit.locator('td').allTextContents();
    assert.equal(cells[0], BUSY);
    assert.equal(cells[1], String(busy.child.pid));
    assert.ok(Number(cells[3]) >= 10, `the culprit's CPU: ${cells.join(' | ')}`);
    await page.screenshot({ path: path.join(artifacts, 'alerts-panel.png') });

    // The host link opens the host page and closes the list.
    await item.locator('a.alert-host').click();
    await page.waitForURL(`**/#/host/${HOST}?at=*`, { timeout: T });
    await page.locator('#host-title').waitFor({ timeout: T });
    assert.equal(await page.locator('#alerts-panel').isHidden(), true);
    // The bar is on the host page too.
    assert.equal(await page.locator('#alerts-critical').textContent(), '1');
  });

  test('the fleet processes page lists the busy loop with its host, once a second', async () => {
    // Left open if the test before failed half way.
    if (await page.locator('#alerts-panel').isVisible()) await page.locator('#alerts-close').click();
    // Through the REST route first: what the page shows must come from there.
    // Waited for: on a machine this loaded the agent's sample can be late
    // enough for the hub to count the host offline a moment, and an offline
    // host's processes leave the view until its next sample.
    const row = await waitFor(`${BUSY} in /api/fleet/processes`, async () => {
      const { status, body } = await api('/api/fleet/processes?sort=cpu&limit=10');
      return status === 200 && body.processes.find(p => p.name === BUSY);
    }, { timeoutMs: T, procs: [hub, agent, busy] });
    assert.equal(row.hosts, 1);
    assert.equal(row.host_list[0].host_id, HOST);
    assert.equal((await api('/api/fleet/processes?sort=mem')).status, 400);

    await page.locator('#nav-processes').click();
    await page.waitForURL('**/#/processes', { timeout: T });
    const tr = page.locator(`#fleet-table tbody tr[data-key="${BUSY}"]`);
    await tr.waitFor({ timeout: T });
    assert.equal(await tr.locator('td[data-col="hosts"]').textContent(), '1');
    assert.ok(Number(await tr.locator('td[data-col="cpu"]').textContent()) > 0);
    const link = tr.locator(`a.host-link[data-host="${HOST}"]`);
    await link.waitFor({ timeout: T });
    assert.equal(await page.locator('#nav-processes').getAttribute('aria-current'), 'page');
    // Live: the note's time moves on without a reload.
    const note = await page.locator('#fleet-note').textContent();
    await page.waitForFunction(before => document.getElementById('fleet-note').textContent !== before, note, { timeout: T });
    await page.screenshot({ path: path.join(artifacts, 'fleet-processes.png'), fullPage: true });
    // Sorting by sockets asks the hub for the top names by sockets.
    await page.locator('#fleet-table thead button.sort', { hasText: 'Sockets' }).click();
    await page.waitForFunction(() => / by sockets /.test(document.getElementById('fleet-note').textContent), null, { timeout: T });
    await tr.waitFor({ timeout: T });

    // On a phone the table is wider than the window: its last column, the
    // host links, is reached by scrolling the table sideways (not clipped).
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const over = await pageOverflow(page);
      assert.equal(over, 0, `the fleet page is ${over} px wider than a 390 px window`);
      await link.click({ timeout: T });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    await page.waitForURL(`**/#/host/${HOST}`, { timeout: T });
    await page.locator('#host-title').waitFor({ timeout: T });
    assert.equal(await page.locator('#view-fleet').isHidden(), true);

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(cspViolations, [], 'nothing broke the hub\'s Content-Security-Policy');
  });

  // Opens the list and asks for a silence of the busy-loop alert with `comment`.
  async function silenceFromList(comment) {
    if (!(await page.locator('#alerts-panel').isVisible())) await page.locator('#alerts-toggle').click();
    const item = page.locator(`.alert-item[data-rule="busy-loop"][data-host="${HOST}"]`);
    await item.locator('button.silence-open').click({ timeout: T });
    const dialog = page.locator('dialog[open]');
    await dialog.locator('input[name="comment"]').fill(comment);
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'detached', timeout: T });
    return item;
  }

  test('a silence is made from the list and ended there; a viewer token is refused with the hub\'s reason', async () => {
    await page.goto(`${base}/?token=${VIEWER}#/`);
    let item = await silenceFromList('refused: viewers may not');
    const message = item.locator('.alert-message');
    await message.waitFor({ timeout: T });
    assert.match(await message.textContent(), /Could not silence: .*admin token/);
    assert.deepEqual((await api('/api/silences')).body.silences, []);

    await page.goto(`${base}/?token=${ADMIN}#/`);
    item = await silenceFromList('browser test maintenance');
    const listed = await waitFor('the silence in GET /api/silences', async () => {
      const { status, body } = await api('/api/silences');
      return status === 200 && body.silences.length === 1 && body.silences[0];
    }, { timeoutMs: T, procs: [hub] });
    assert.equal(listed.comment, 'browser test maintenance');
    assert.equal(listed.rule, 'busy-loop');
    assert.equal(listed.host, HOST);
    assert.ok(listed.until_ms > Date.now() + 3 * 3600 * 1000, `until_ms ${listed.until_ms}: the default 4 hours`);
    await page.waitForFunction(host => document.querySelector(`.alert-item[data-rule="busy-loop"][data-host="${host}"]`)?.dataset.silenced === 'yes', HOST, { timeout: T });
    assert.match(await item.locator('.silenced').textContent(), /Silenced until .*browser test maintenance/);
    await page.screenshot({ path: path.join(artifacts, 'alerts-silenced.png') });

    await item.locator('button.silence-end').click();
    await waitFor('the silence to end', async () => (await api('/api/silences')).body.silences.length === 0, { timeoutMs: T, procs: [hub] });
    await page.waitForFunction(host => document.querySelector(`.alert-item[data-rule="busy-loop"][data-host="${host}"]`)?.dataset.silenced === 'no', HOST, { timeout: T });
    assert.equal(await item.locator('button.silence-open').isVisible(), true);
  });

  test('the alert\'s host link opens the host page at its moment, marked, and "Back to live" returns', async () => {
    const { body } = await api('/api/alerts');
    const alert = body.alerts.find(a => a.rule === 'busy-loop' && a.host_id === HOST && a.state === 'firing');
    assert.ok(alert, 'the busy-loop alert still fires');
    await page.goto(`${base}/?token=${VIEWER}#/`);
    await page.locator('#alerts-toggle').click();
    await page.locator(`.alert-item[data-rule="busy-loop"][data-host="${HOST}"] a.alert-host`).click({ timeout: T });
    await page.waitForURL(`**/#/host/${HOST}?at=${alert.fired_ms}`, { timeout: T });
    const marker = page.locator('#cpu-chart .moment-marker');
    await marker.waitFor({ state: 'visible', timeout: T });
    assert.equal(await marker.getAttribute('data-at'), String(alert.fired_ms));
    const chart = page.locator('#cpu-chart');
    const [xMin, xMax] = [Number(await chart.getAttribute('data-x-min')), Number(await chart.getAttribute('data-x-max'))];
    assert.ok(xMin <= alert.fired_ms / 1000 && alert.fired_ms / 1000 <= xMax, `fired ${alert.fired_ms / 1000} in [${xMin}, ${xMax}]`);
    assert.equal(await page.locator('#moment-bar').isVisible(), true);
    assert.equal(await page.locator('#churn-chart .moment-marker').count(), 1);
    await page.screenshot({ path: path.join(artifacts, 'host-at-alert-moment.png') });

    await page.locator('#back-to-live').click();
    await page.waitForURL(url => url.hash === `#/host/${HOST}`, { timeout: T });
    await marker.waitFor({ state: 'detached', timeout: T });
    assert.equal(await page.locator('#moment-bar').isHidden(), true);
    // Live again: the window ends at the present.
    await page.waitForFunction(() => Number(document.getElementById('cpu-chart').dataset.xMax) > Date.now() / 1000 - 10, null, { timeout: T });

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(cspViolations, [], 'nothing broke the hub\'s Content-Security-Policy');
  });
});

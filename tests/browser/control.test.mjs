// Process control from the dashboard, in a real browser against a real hub
// and a real agent on this machine's /proc: a `sleep` the test starts is
// found in the host page's process table, killed through the confirmation
// dialog, and disappears from the table and from the machine.
//
//   TELEHUB_HUB_BIN=build/hub/telehub TELEHUB_AGENT_BIN=build/agent/telehub-agent \
//     node --test tests/browser/control.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './support/browser.mjs';
import { chromium, chromiumBin, webRoot, artifacts, hubBin, agentBin } from './support/setup.mjs';
import { freePort, start, stopAll, waitFor } from './support/processes.mjs';

const HOST = 'browser-ctl';
const ADMIN = 'browser-admin-token-0123';
const VIEWER = 'browser-viewer-token-0123';
const T = 15000;

describe('process control from the dashboard', { timeout: 120000 }, () => {
  let base, hub, agent, auditDir, browser, context, page, pageErrors = [], cspViolations = [];

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-audit-'));
    const audit = path.join(auditDir, 'audit.jsonl');
    hub = start('hub', hubBin, ['--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--quiet',
      '--admin-token', ADMIN, '--viewer-token', VIEWER, '--audit-log', audit, '--data-dir', auditDir]);
    await waitFor('the hub to answer /healthz', async () => (await fetch(`${base}/healthz`)).ok, { procs: [hub] });
    agent = start(`agent ${HOST}`, agentBin, ['--hub', `ws://127.0.0.1:${port}/ws/agent`, '--host-id', HOST, '--interval', '1']);
    await waitFor('the agent to be online', async () => {
      const res = await fetch(`${base}/api/hosts`, { headers: { Authorization: `Bearer ${VIEWER}` } });
      return res.ok && (await res.json()).hosts.some(h => h.host_id === HOST && h.online);
    }, { procs: [hub, agent] });

    browser = await launchBrowser(chromium, chromiumBin);
    ({ context, page, pageErrors, cspViolations } = browser);
  });

  after(async () => {
    try { await browser?.close(); } finally {
      await stopAll();
      if (auditDir) fs.rmSync(auditDir, { recursive: true, force: true });
    }
  });

  test('a process is killed from its row after confirming, and disappears', async () => {
    // A duration no other process on the machine has in its command line:
    // searching by pid alone also matches command lines that hold those
    // digits (the hub's and agent's port, for one).
    const mark = `600.${crypto.randomInt(100000, 999999)}`;
    const sleeper = start('sleeper', '/bin/sleep', [mark]);
    const pid = sleeper.child.pid;
    const row = `#control tbody tr[data-key="${pid}"]`;

    await page.goto(`${base}/?token=${ADMIN}#/host/${HOST}`);
    await page.locator('#control').waitFor({ timeout: T });
    // Without --allow-exec the agent does not offer exec, so neither does the page.
    await page.waitForFunction(() => document.querySelector('#control tbody tr'), null, { timeout: T });
    assert.equal(await page.getByRole('button', { name: 'Run command…' }).isVisible(), false);

    await page.getByLabel('Search processes').fill(mark);
    await page.locator(row).waitFor({ timeout: T });
    assert.equal(await page.locator('#control tbody tr').count(), 1, 'the search keeps only the sleeper');
    assert.equal(await page.locator(`${row} .proc-name`).textContent(), 'sleep');

    // Cancelling sends nothing: the process lives on.
    await page.locator(`${row} button[data-action="kill"]`).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor({ timeout: T });
    assert.match(await dialog.locator('.dialog-title').textContent(), new RegExp(`Kill sleep \\(pid ${pid}\\)`));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: T });
    assert.equal(sleeper.exit, null, 'cancel must not kill');

    await page.locator(`${row} button[data-action="kill"]`).click();
    await dialog.waitFor({ timeout: T });
    await page.screenshot({ path: path.join(artifacts, 'control-confirm.png') });
    await dialog.getByRole('button', { name: 'Kill sleep' }).click();

    const exit = await Promise.race([sleeper.exited, new Promise(r => setTimeout(r, T, 'timeout'))]);
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    await page.locator(row).waitFor({ state: 'detached', timeout: T });
    await page.locator('.control-message', { hasText: `Killed sleep (pid ${pid})` }).waitFor({ timeout: T });
    await page.screenshot({ path: path.join(artifacts, 'control-killed.png'), fullPage: true });
    // The dashboard's kill is audited like any other command.
    const audit = await (await fetch(`${base}/api/audit`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json();
    assert.ok(audit.entries.some(e => e.op === 'signal' && e.args?.pid === pid && e.status === 200 && e.host === HOST), JSON.stringify(audit.entries));
  });

  test('the agent\'s refusal is shown, not swallowed', async () => {
    await page.getByLabel('Search processes').fill(String(agent.child.pid));
    const row = `#control tbody tr[data-key="${agent.child.pid}"]`;
    await page.locator(row).waitFor({ timeout: T });
    await page.locator(`${row} button[data-action="kill"]`).click();
    await page.locator('dialog[open]').getByRole('button', { name: /^Kill / }).click();
    const refusal = page.locator('.control-message.is-error', { hasText: /refused/ });
    await refusal.waitFor({ timeout: T });
    assert.match(await refusal.textContent(), /agent itself/);
    // The list is fetched again right after the answer and then every few
    // seconds; the refusal must outlive those refreshes, not flash by.
    const listFetched = r => r.request().method() === 'GET' && new URL(r.url()).pathname.endsWith('/ps');
    for (let i = 0; i < 2; i++) await page.waitForResponse(listFetched, { timeout: T });
    assert.ok(await refusal.isVisible(), 'the refusal is still shown after the list refreshed');
    assert.equal(agent.exit, null, 'the agent must not kill itself');
  });

  test('a viewer token sees the hosts but is told control needs the admin token', async () => {
    const tab = await context.newPage();
    try {
      await tab.goto(`${base}/?token=${VIEWER}#/host/${HOST}`);
      await tab.locator('.control-message.is-error').waitFor({ timeout: T });
      assert.match(await tab.locator('.control-message').textContent(), /view/i);
    } finally {
      await tab.close();
    }
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(cspViolations, [], 'nothing broke the hub\'s Content-Security-Policy');
  });
});

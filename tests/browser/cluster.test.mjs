// The dashboard of a hub in a cluster, in a real browser: a redis-server of
// the test's own on a loopback port (nothing saved, its own folder), two hubs
// joined to it with --cluster, one real agent on each. The dashboard on hub A
// lists both hosts, each naming the hub that holds it under its status, and its top bar says
// which hub it is on and how many of the cluster's hubs it hears; once Redis
// is killed it says the cluster is down. Every process and folder made here
// is removed here.
//
//   TELEHUB_HUB_BIN=build/hub/telehub TELEHUB_AGENT_BIN=build/agent/telehub-agent \
//     node --test tests/browser/cluster.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, pageOverflow } from './support/browser.mjs';
import { chromium, chromiumBin, webRoot, artifacts, hubBin, agentBin } from './support/setup.mjs';
import { freePort, start, stop, stopAll, waitFor } from './support/processes.mjs';

const T = 15000;
const REDIS_BIN = '/usr/bin/redis-server';
const row = id => `#hosts-table tbody tr[data-key="${id}"]`;

describe('dashboard of a hub in a cluster', { timeout: 150000 }, () => {
  let redis, redisDir, browser, page, pageErrors = [], violations = [];
  const hubs = {};
  const agents = [];
  const procs = () => [redis, ...Object.values(hubs), ...agents].filter(Boolean);

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    assert.ok(fs.existsSync(REDIS_BIN), `${REDIS_BIN} is missing: install redis-server (scripts/setup)`);
    redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-browser-redis-'));
    const redisPort = await freePort();
    redis = start('redis', REDIS_BIN, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', redisDir, '--daemonize', 'no']);
    await waitFor('redis to say it is ready', () => redis.tail.some(l => /Ready to accept connections/.test(l)), { procs: procs() });
    for (const name of ['hub-a', 'hub-b']) {
      const port = await freePort();
      const proc = start(name, hubBin, ['--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--quiet', '--no-persist',
        '--cluster', `redis://127.0.0.1:${redisPort}`, '--hub-name', name]);
      hubs[name] = Object.assign(proc, { base: `http://127.0.0.1:${port}`, port });
    }
    for (const [name, hub] of Object.entries(hubs)) {
      await waitFor(`${name} to join the cluster`, async () => {
        const res = await fetch(`${hub.base}/healthz`);
        return res.ok && (await res.json()).cluster?.state === 'up';
      }, { procs: procs() });
      agents.push(start(`agent on ${name}`, agentBin, ['--hub', `ws://127.0.0.1:${hub.port}/ws/agent`,
        '--host-id', `host-of-${name}`, '--interval', '1']));
    }
    await waitFor('hub A to list both hosts online, each with its hub', async () => {
      const list = await (await fetch(`${hubs['hub-a'].base}/api/hosts`)).json();
      return ['hub-a', 'hub-b'].every(n => list.hosts.some(h => h.host_id === `host-of-${n}` && h.online && h.hub === n));
    }, { procs: procs() });
    browser = await launchBrowser(chromium, chromiumBin);
    ({ page, pageErrors, cspViolations: violations } = browser);
  });

  after(async () => {
    try { await browser?.close(); } finally {
      await stopAll();
      if (redisDir) fs.rmSync(redisDir, { recursive: true, force: true });
    }
  });

  test('each row names the hub that holds its host, and the top bar the cluster', async () => {
    await page.goto(`${hubs['hub-a'].base}/`);
    for (const name of ['hub-a', 'hub-b']) {
      await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent === want,
        [`${row(`host-of-${name}`)} .status-hub`, `on ${name}`], { timeout: T });
      assert.equal(await page.textContent(`${row(`host-of-${name}`)} .status-text`), 'Online');
    }
    assert.equal(await page.locator(`${row('host-of-hub-b')} .status-hub`).getAttribute('title'), 'Held by hub hub-b');
    // Seen whole, not cut by the column's width.
    assert.ok(await page.$eval(`${row('host-of-hub-b')} [data-col="status"]`, el => el.scrollWidth <= el.clientWidth));
    const cluster = page.locator('#cluster');
    await cluster.waitFor({ state: 'visible', timeout: T });
    assert.equal(await page.textContent('#cluster-text'), 'hub-a · 2 of 2 hubs');
    assert.equal(await cluster.getAttribute('data-state'), 'up');
    assert.match(await cluster.getAttribute('title'), /hub-b: 1 online host, last heard/);
    await page.screenshot({ path: path.join(artifacts, 'cluster-overview.png') });
    // The top bar wraps on a phone rather than widening the page.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      assert.equal(await cluster.isVisible(), true);
      const over = await pageOverflow(page);
      assert.equal(over, 0, `the page is ${over} px wider than a 390 px window`);
      await page.screenshot({ path: path.join(artifacts, 'cluster-phone.png') });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  test('with Redis gone the top bar says the cluster is down, and the hub still serves its own host', async () => {
    await stop(redis);
    await page.waitForFunction(() => document.getElementById('cluster')?.dataset.state === 'down', null, { timeout: 25000 });
    assert.equal(await page.textContent('#cluster-text'), 'hub-a · cluster down');
    assert.match(await page.locator('#cluster').getAttribute('title'), /Redis is unreachable.*only its own hosts/s);
    await page.waitForFunction(sel => document.querySelector(sel)?.textContent === 'Online',
      `${row('host-of-hub-a')} .status-text`, { timeout: T });
    // Hub B's host: offline here, still named with its hub, both in full.
    await page.waitForFunction(sel => document.querySelector(sel)?.textContent.startsWith('Offline'),
      `${row('host-of-hub-b')} .status-text`, { timeout: T });
    assert.ok(await page.$eval(`${row('host-of-hub-b')} [data-col="status"]`, el => el.scrollWidth <= el.clientWidth),
      await page.textContent(`${row('host-of-hub-b')} [data-col="status"]`));
    assert.equal(await page.getAttribute('#conn', 'data-state'), 'open');
    await page.screenshot({ path: path.join(artifacts, 'cluster-down.png') });
  });

  test('no script error and no Content-Security-Policy violation', () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(violations, []);
  });
});

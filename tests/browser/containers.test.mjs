// The host page's Containers panel in a real browser, against a real hub and
// a real agent reading the real /proc. The test makes two cgroups of its own
// (v2 under the unified mount; v1 cpuacct and memory where mounted), named as
// systemd services so the agent reports them as containers, puts a busy loop
// in one and a socket holder in the other, and removes both at the end.
// Needs root (making cgroups); skipped otherwise.
//
//   TELEHUB_HUB_BIN=build/hub/telehub TELEHUB_AGENT_BIN=build/agent/telehub-agent \
//   TELEHUB_FIXTURE_DIR=build/tests node --test tests/browser/containers.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './support/browser.mjs';
import { chromium, chromiumBin, webRoot, artifacts, hubBin, agentBin } from './support/setup.mjs';
import { freePort, start, stopAll, waitFor } from './support/processes.mjs';

const HOST = 'browser-containers';
const T = 20000;
const fixtures = process.env.TELEHUB_FIXTURE_DIR || '';
const isRoot = process.getuid?.() === 0;

// Where the cgroup hierarchies are mounted and this process's own v1 paths.
function cgroupMounts() {
  const m = { v2: null, cpuacct: null, memory: null, own: {} };
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [head, tail] = line.split(' - ');
    if (!tail) continue;
    const f = head.split(' '), [fstype, , options = ''] = tail.split(' ');
    if (f[3] !== '/') continue;
    const opts = options.split(',');
    if (fstype === 'cgroup2') m.v2 ??= f[4];
    if (fstype === 'cgroup' && opts.includes('cpuacct')) m.cpuacct ??= f[4];
    if (fstype === 'cgroup' && opts.includes('memory')) m.memory ??= f[4];
  }
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers = '', p] = line.split(':');
    for (const c of controllers.split(',')) if (p) m.own[c] = p === '/' ? '' : p;
  }
  return m;
}

class TestCgroup {
  constructor(m, name) {
    this.name = name;
    this.dirs = [];
    if (m.v2) this.dirs.push(path.join(m.v2, name));
    if (m.cpuacct) this.dirs.push(path.join(m.cpuacct, m.own.cpuacct ?? '', name));
    if (m.memory) this.dirs.push(path.join(m.memory, m.own.memory ?? '', name));
    for (const d of this.dirs) fs.mkdirSync(d);
  }
  add(pid) { for (const d of this.dirs) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid)); }
  async remove() {
    for (const d of this.dirs.reverse())
      await waitFor(`cgroup ${d} to be removable`, () => { try { fs.rmdirSync(d); return true; } catch (e) { return e.code === 'ENOENT'; } });
  }
}

describe('containers', { timeout: 120000, skip: isRoot ? false : 'needs root to make cgroups' }, () => {
  let base, browser, page, pageErrors = [];
  const groups = [];
  let busyGroup, idleGroup, holder, dataDir;

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // A data folder of its own: without one the hub keeps its history in ~/.local/state.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-containers-data-'));
    const hub = start('hub', hubBin, ['--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--quiet', '--data-dir', dataDir]);
    await waitFor('the hub to answer /healthz', async () => (await fetch(`${base}/healthz`)).ok, { procs: [hub] });

    const m = cgroupMounts();
    busyGroup = new TestCgroup(m, `telehub-bt-${process.pid}-busy.service`);
    groups.push(busyGroup);
    idleGroup = new TestCgroup(m, `telehub-bt-${process.pid}-idle.service`);
    groups.push(idleGroup);
    const busy = start('busy loop', path.join(fixtures, 'fixture-busy'), []);
    holder = start('socket holder', path.join(fixtures, 'fixture-sockets'), ['--own-netns', '--established', '6', '--close-wait', '0']);
    await waitFor('the fixtures to be ready', () => [busy, holder].every(p => p.tail.some(l => l.startsWith('READY'))), { procs: [busy, holder] });
    busyGroup.add(busy.child.pid);
    idleGroup.add(holder.child.pid);

    const agent = start('agent', agentBin, ['--hub', `ws://127.0.0.1:${port}/ws/agent`, '--host-id', HOST, '--interval', '1',
      '--top', '1000', '--top-sockets', '1000', '--top-containers', '1000']);
    await waitFor('the agent to report both test containers', async () => {
      const res = await fetch(`${base}/api/hosts/${HOST}`);
      if (!res.ok) return false;
      const names = ((await res.json()).sample?.containers || []).map(c => c.name);
      return names.includes(busyGroup.name) && names.includes(idleGroup.name);
    }, { procs: [hub, agent], timeoutMs: T });

    browser = await launchBrowser(chromium, chromiumBin);
    ({ page, pageErrors } = browser);
  });

  after(async () => {
    try { await browser?.close(); } finally {
      try { await stopAll(); } finally {
        for (const g of groups) await g.remove();
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });

  test('GET /api/hosts?container=NAME lists the hosts running it', async () => {
    const hosts = async q => (await (await fetch(`${base}/api/hosts?container=${encodeURIComponent(q)}`)).json()).hosts.map(h => h.host_id);
    assert.deepEqual(await hosts(idleGroup.name), [HOST]);
    assert.deepEqual(await hosts('no-such-container.service'), []);
    const res = await fetch(`${base}/api/hosts?container=`);
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /container/);
    const all = (await (await fetch(`${base}/api/hosts`)).json()).hosts;
    assert.ok(all.find(h => h.host_id === HOST).containers >= 2, 'the summary counts the containers');
  });

  test('the host page shows the Containers panel and filters the tables by one', async () => {
    await page.goto(`${base}/#/host/${HOST}`);
    const panel = page.locator('#containers-panel');
    const rowOf = name => panel.locator(`tbody tr[data-key="${name}"]`);
    await rowOf(busyGroup.name).waitFor({ timeout: T });
    await rowOf(idleGroup.name).waitFor({ timeout: T });
    // The busy loop's container shows its CPU from the cgroup's accounting.
    await page.waitForFunction(sel => Number(document.querySelector(sel)?.textContent) > 30,
      `#containers-panel tbody tr[data-key="${busyGroup.name}"] td[data-col="cpu"]`, { timeout: T });

    await rowOf(idleGroup.name).click();
    const procRows = page.locator('table.procs tbody tr');
    await page.waitForFunction(pid => {
      const rows = [...document.querySelectorAll('table.procs tbody tr')];
      return rows.length === 1 && rows[0].dataset.key === String(pid);
    }, holder.child.pid, { timeout: T });
    assert.match(await procRows.first().locator('td[data-col="container"]').textContent(), new RegExp(idleGroup.name.replace(/\./g, '\\.')));
    const sockRows = await page.$$eval('table.socks tbody tr', trs => trs.map(tr => tr.dataset.key));
    assert.deepEqual(sockRows, [String(holder.child.pid)]);
    await page.screenshot({ path: path.join(artifacts, 'containers.png'), fullPage: true });

    // Clicking it again shows every process.
    await rowOf(idleGroup.name).click();
    await page.waitForFunction(() => document.querySelectorAll('table.procs tbody tr').length > 1, null, { timeout: T });
    assert.deepEqual(pageErrors, []);
  });
});

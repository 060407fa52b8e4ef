// The dashboard in a real browser against a real hub and two real agents.
//
//   TELEHUB_HUB_BIN=build/hub/telehub TELEHUB_AGENT_BIN=build/agent/telehub-agent \
//     node --test tests/browser/dashboard.test.mjs
//
// Both agents run on this machine, so they would measure the same CPU; each
// gets its own --proc-root whose /proc/stat the test writes (one ~96 % busy,
// one ~4 %), with real processes linked in so the process tables are real.
// Debian's chromium is driven by playwright-core; no browser is downloaded.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, pageOverflow } from './support/browser.mjs';
import { chromium, chromiumBin, webRoot, artifacts, hubBin, agentBin } from './support/setup.mjs';
import { freePort, start, stop, stopAll, waitFor } from './support/processes.mjs';
import { FakeProcRoot } from './support/fake_proc.mjs';

const HOT = 'browser-hot';
const COOL = 'browser-cool';
const T = 15000; // deadline for anything the page or the hub should do

// A real socket leak for the leak badge: fixture-socket-leaker opens a TCP
// connection every 100 ms and never closes it.
const leakerBin = path.join(process.env.TELEHUB_FIXTURE_DIR || '', 'fixture-socket-leaker');
if (!process.env.TELEHUB_FIXTURE_DIR || !fs.existsSync(leakerBin))
  throw new Error(`no socket leaker at '${leakerBin}': set TELEHUB_FIXTURE_DIR to <build>/tests and build fixture-socket-leaker`);

const row = id => `#hosts-table tbody tr[data-key="${id}"]`;

describe('dashboard', { timeout: 180000 }, () => {
  let port, hub, base;
  const agents = [];
  const roots = [];
  let browser, context, page, pageErrors = [], cspViolations = [];

  const procs = () => [hub, ...agents].filter(Boolean);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-dashboard-data-'));

  async function startHub() {
    // One host a summaries frame: every set is in parts, which the page must put together.
    hub = start('hub', hubBin, ['--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--quiet', '--threads', '2',
      '--data-dir', dataDir, '--live-part-hosts', '1']);
    await waitFor('the hub to answer /healthz', async () => (await fetch(`${base}/healthz`)).ok, { procs: procs() });
  }

  async function hubHosts() {
    const res = await fetch(`${base}/api/hosts`);
    assert.equal(res.status, 200, 'GET /api/hosts');
    return (await res.json()).hosts;
  }

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startHub();

    const leaker = start('socket leaker', leakerBin, ['--period-ms', '100']);
    await waitFor('the socket leaker to be ready', () => leaker.tail.some(l => l.startsWith('READY')), { procs: [leaker] });
    const pids = [process.pid, hub.child.pid];
    // Only the hot host's proc root shows the leaker, so only it reports a suspect.
    const hot = new FakeProcRoot({ busy: 0.96, pids: [...pids, leaker.child.pid] });
    const cool = new FakeProcRoot({ busy: 0.04, pids });
    roots.push(hot, cool);
    for (const [id, root] of [[HOT, hot], [COOL, cool]]) {
      const leakArgs = id === HOT ? ['--leak-window', '3', '--leak-min', '10'] : [];
      agents.push(start(`agent ${id}`, agentBin, ['--hub', `ws://127.0.0.1:${port}/ws/agent`, '--host-id', id, '--interval', '1', '--proc-root', root.dir, ...leakArgs]));
    }
    await waitFor('both agents to be online at the hub', async () => {
      const hosts = await hubHosts();
      return [HOT, COOL].every(id => hosts.some(h => h.host_id === id && h.online && h.seq >= 2));
    }, { procs: procs() });

    browser = await launchBrowser(chromium, chromiumBin);
    ({ context, page, pageErrors, cspViolations } = browser);
  });

  after(async () => {
    try { await browser?.close(); } finally {
      await stopAll();
      for (const r of roots) r.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('overview lists both hosts with live figures', async () => {
    await page.goto(`${base}/`);
    await page.locator(row(HOT)).waitFor({ timeout: T });
    await page.locator(row(COOL)).waitFor({ timeout: T });
    await page.waitForFunction(() => document.getElementById('conn').dataset.state === 'open', null, { timeout: T });

    const cpuOf = id => page.locator(`${row(id)} .cpu-value`).textContent();
    const coolBefore = await cpuOf(COOL);
    // The figures are live: the next summaries frames bring new values.
    await page.waitForFunction(([sel, before]) => {
      const t = document.querySelector(sel)?.textContent;
      return t && t !== before && t !== '–';
    }, [`${row(COOL)} .cpu-value`, coolBefore], { timeout: T });
    const hotCpu = Number(await cpuOf(HOT));
    const coolCpu = Number(await cpuOf(COOL));
    assert.ok(hotCpu > 85, `hot host shows ${hotCpu} % CPU`);
    assert.ok(coolCpu < 15, `cool host shows ${coolCpu} % CPU`);

    // Hot stands out by a tag as well as by colour.
    assert.ok(await page.locator(row(HOT)).evaluate(tr => tr.classList.contains('hot')));
    assert.equal(await page.locator(`${row(HOT)} .tag-hot`).isVisible(), true);
    assert.equal(await page.locator(`${row(COOL)} .tag-hot`).isVisible(), false);
    assert.match(await page.locator(`${row(COOL)} td[data-col="status"]`).textContent(), /Online/);
    assert.ok(Number((await page.locator('#count-online').textContent()).replace(/,/g, '')) >= 2);

    // The sparkline canvas has been drawn on.
    await page.waitForFunction(sel => {
      const c = document.querySelector(sel);
      if (!c || !c.width) return false;
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) return true;
      return false;
    }, `${row(HOT)} canvas.spark`, { timeout: T });

    // Sorting by CPU, descending then ascending.
    const order = () => page.$$eval('#hosts-table tbody tr', trs => trs.map(tr => tr.dataset.key).filter(k => k.startsWith('browser-')));
    const cpuHeader = page.locator('#hosts-table thead th', { hasText: 'CPU %' });
    await cpuHeader.locator('button').focus();
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press('Enter');
      const dir = await cpuHeader.getAttribute('aria-sort');
      assert.ok(dir === 'ascending' || dir === 'descending', `aria-sort is ${dir}`);
      assert.deepEqual(await order(), dir === 'descending' ? [HOT, COOL] : [COOL, HOT]);
    }
    await page.screenshot({ path: path.join(artifacts, 'overview.png') });
  });

  test('the overview fits the window at every layout width: each table row and top-bar pill on one line', async () => {
    await page.goto(`${base}/`);
    await page.locator(row(HOT)).waitFor({ timeout: T });
    // The rows are not a table (style.css): nothing but the stylesheet keeps
    // a row on one line and its cells under their headers. A row is one line
    // when its shown cells run left to right and all cross one horizontal
    // line (cells are centred, so their tops differ a little); a cell is in
    // its column when it starts and ends where its header does.
    const misplaced = () => page.$$eval('#hosts-table tr', trs => {
      const header = new Map([...trs[0].children].map(th => [th.dataset.col, th.getBoundingClientRect()]));
      return trs.flatMap(tr => {
        const line = tr.getBoundingClientRect();
        const cells = [...tr.children].filter(cell => getComputedStyle(cell).display !== 'none')
          .map(cell => ({ col: cell.dataset.col, box: cell.getBoundingClientRect() }));
        const lowestTop = Math.max(...cells.map(c => c.box.top));
        const highestBottom = Math.min(...cells.map(c => c.box.bottom));
        const where = c => `${tr.dataset.key || 'header'} ${c.col}: at x ${Math.round(c.box.left - line.left)}, ${Math.round(c.box.top - line.top)} px down`;
        const outOfLine = cells.filter((c, i) => (i > 0 && c.box.left < cells[i - 1].box.right - 1) || c.box.right > line.right + 1 ||
                                                 (lowestTop >= highestBottom && c.box.top === lowestTop)).map(where);
        const outOfColumn = cells.filter(c => Math.abs(c.box.left - header.get(c.col).left) > 1 ||
                                              Math.abs(c.box.right - header.get(c.col).right) > 1)
          .map(c => `${where(c)}, not under its header (x ${Math.round(header.get(c.col).left - line.left)})`);
        return [...outOfLine, ...outOfColumn];
      });
    });
    const shown = () => page.$$eval('#hosts-table thead th', ths => ths.filter(th => getComputedStyle(th).display !== 'none').map(th => th.dataset.col));
    // The top bar's pills each on one line (squeezed, "Hot ≥ 80 %" once took four).
    const squeezedPills = () => page.evaluate(() => {
      const found = [];
      for (const el of document.querySelectorAll('.count, .alerts-toggle, .nav a, .conn')) {
        const style = getComputedStyle(el);
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.25;  // 'normal' is not a number
        const lines = el.getBoundingClientRect().height / line;
        if (lines > 1.9) found.push(`'${el.textContent.trim()}' takes ${lines.toFixed(1)} lines`);
      }
      return found;
    });
    try {
      // One width in each of the stylesheet's layouts.
      for (const width of [1440, 1200, 1060, 800, 390]) {
        await page.setViewportSize({ width, height: 900 });
        assert.deepEqual(await misplaced(), [], `at ${width} px`);
        assert.equal(await pageOverflow(page), 0, `at ${width} px the page is wider than the window (actual: by how many px)`);
        assert.deepEqual(await squeezedPills(), [], `at ${width} px`);
        const cols = await shown();
        assert.ok(['host', 'status', 'cpu'].every(c => cols.includes(c)), `at ${width} px the table shows ${cols}`);
        if (width === 1440) assert.equal(cols.length, 11, `at 1440 px: ${cols}`);
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  test('a host with a socket leak shows a leak badge; a clean one does not', async () => {
    await page.goto(`${base}/`);
    const badge = id => `${row(id)} .tag-leak`;
    await page.waitForFunction(sel => {
      const el = document.querySelector(sel);
      return el && !el.hidden && /\d+ leaks?/.test(el.textContent);
    }, badge(HOT), { timeout: 30000 });
    assert.match(await page.locator(badge(HOT)).getAttribute('title'), /leak suspect/);
    assert.equal(await page.locator(badge(COOL)).isVisible(), false);
    const res = await fetch(`${base}/api/leaks`);
    const leaks = (await res.json()).leaks;
    assert.ok(leaks.some(l => l.host_id === HOT && l.reason === 'growth' && l.name.includes('socket')), JSON.stringify(leaks));
    assert.ok(!leaks.some(l => l.host_id === COOL), JSON.stringify(leaks));
  });

  test('the high-CPU filter and the search go to the hub and shrink the table', async () => {
    const keys = () => page.$$eval('#hosts-table tbody tr', trs => trs.map(tr => tr.dataset.key));
    const waitKeys = async (want, what) => {
      await page.waitForFunction(w => {
        const k = [...document.querySelectorAll('#hosts-table tbody tr')].map(tr => tr.dataset.key).sort();
        return JSON.stringify(k) === JSON.stringify(w);
      }, [...want].sort(), { timeout: T }).catch(async e => {
        throw new Error(`${what}: table shows ${JSON.stringify(await keys())}, expected ${JSON.stringify(want)} (${e.message})`);
      });
    };
    // Only the two test hosts are at this hub.
    await waitKeys([HOT, COOL], 'before filtering');

    // Threshold 50 %, then "only hot hosts".
    await page.locator('#filter-threshold').evaluate(el => {
      el.value = '50';
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    assert.equal(await page.locator('#filter-threshold-value').textContent(), '50 %');
    await page.getByLabel('Only hot hosts').check();
    await waitKeys([HOT], 'only hot hosts at 50 %');
    assert.match(await page.locator('#shown').textContent(), /^1 of 2 hosts$/);
    // Stays filtered across further summaries frames (the hub filters, not a one-off).
    const seen = await page.locator(`${row(HOT)} .cpu-value`).textContent();
    await page.waitForFunction(([sel, before]) => document.querySelector(sel)?.textContent !== before, [`${row(HOT)} .cpu-value`, seen], { timeout: T });
    await waitKeys([HOT], 'a later summaries frame');
    await page.screenshot({ path: path.join(artifacts, 'filtered.png') });

    await page.getByLabel('Only hot hosts').uncheck();
    await waitKeys([HOT, COOL], 'filter off');

    await page.locator('#filter-q').fill(COOL);
    await waitKeys([COOL], `search "${COOL}"`);
    await page.locator('#filter-q').fill('');
    await waitKeys([HOT, COOL], 'search cleared');
  });

  test('Enter opens a host page with its chart and tables; Escape goes back', async () => {
    await page.locator(row(COOL)).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/host/${COOL}`, { timeout: T });
    await page.locator('#host-title').waitFor({ timeout: T });
    assert.equal(await page.locator('#view-overview').isHidden(), true);

    // uPlot draws on a canvas inside the chart box.
    await page.locator('#cpu-chart canvas').waitFor({ state: 'visible', timeout: T });
    // The sockets section charts exact TCP opens beside sampled opens/closes.
    await page.locator('#churn-chart canvas').waitFor({ state: 'visible', timeout: T });
    await page.locator('#churn-chart .u-legend', { hasText: 'TCP opens/s (exact)' }).waitFor({ timeout: T });
    await page.locator('.procs tbody tr').first().waitFor({ timeout: T });
    assert.ok(await page.locator('.procs tbody tr').count() > 0);
    assert.equal(await page.locator('.bars .bar-row').count(), 11, 'every TCP state has a bar');
    // A table with rows has its header; an empty one (no containers on these
    // hosts) shows none under its "none on this host".
    assert.equal(await page.locator('table.procs thead').isVisible(), true);
    await page.waitForFunction(() => document.querySelector('table.containers')?.classList.contains('is-empty'), null, { timeout: T });
    assert.equal(await page.locator('table.containers thead').isVisible(), false);

    // Live detail samples keep coming while the page is open.
    const meta = async () => (await page.locator('.host-meta').textContent()).match(/seq ([\d,]+)/)?.[1];
    await page.waitForFunction(() => /seq \d/.test(document.querySelector('.host-meta')?.textContent || ''), null, { timeout: T });
    const seq = await meta();
    await page.waitForFunction(s => {
      const m = (document.querySelector('.host-meta')?.textContent || '').match(/seq ([\d,]+)/);
      return m && m[1] !== s;
    }, seq, { timeout: T });
    const chartPoints = () => page.evaluate(() => document.querySelector('#cpu-chart .u-over') !== null);
    assert.ok(await chartPoints(), 'uPlot overlay present');

    await page.getByRole('button', { name: '15 min' }).click();
    assert.equal(await page.getByRole('button', { name: '15 min' }).getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => document.querySelector('#cpu-chart canvas') && !/loading/.test(document.querySelector('.panel-head .card-meta')?.textContent || ''), null, { timeout: T });
    await page.screenshot({ path: path.join(artifacts, 'host.png'), fullPage: true });

    // On a phone or a half-screen window the page still fits: wide tables
    // scroll inside their panels, the top bar wraps.
    try {
      for (const width of [800, 390]) {
        await page.setViewportSize({ width, height: 900 });
        const over = await pageOverflow(page);
        assert.equal(over, 0, `at ${width} px the host page is ${over} px wider than the window`);
      }
      await page.screenshot({ path: path.join(artifacts, 'host-narrow.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }

    await page.keyboard.press('Escape');
    await page.locator(row(COOL)).waitFor({ timeout: T });
    assert.equal(await page.locator('#view-host').isHidden(), true);
    assert.equal(await page.evaluate(id => document.activeElement?.dataset?.key, COOL), COOL, 'focus returns to the host row');
  });

  test('a ?token= is kept for the tab and sent as Bearer and as the WebSocket token parameter', async () => {
    const tab = await context.newPage();
    try {
      const auth = [];
      const sockets = [];
      tab.on('request', r => { if (new URL(r.url()).pathname.startsWith('/api/')) auth.push(r.headers().authorization); });
      tab.on('websocket', ws => sockets.push(ws.url()));
      await tab.goto(`${base}/?token=t0k3n-42#/host/${COOL}`);
      await tab.locator('.procs tbody tr').first().waitFor({ timeout: T });
      assert.ok(auth.length > 0, 'the host page called the REST API');
      assert.deepEqual([...new Set(auth)], ['Bearer t0k3n-42']);
      assert.ok(sockets.some(u => new URL(u).searchParams.get('token') === 't0k3n-42'), `WebSocket URLs: ${sockets}`);
      assert.ok(!tab.url().includes('t0k3n'), `the token is dropped from the address bar: ${tab.url()}`);
      // Still there after a reload, from sessionStorage.
      sockets.length = 0;
      await tab.reload();
      await tab.waitForFunction(() => document.getElementById('conn').dataset.state === 'open', null, { timeout: T });
      assert.ok(sockets.some(u => new URL(u).searchParams.get('token') === 't0k3n-42'), `after reload: ${sockets}`);
    } finally {
      await tab.close();
    }
  });

  test('a hub restart shows the banner, and the page reconnects and resubscribes by itself', async () => {
    // A filter that must survive the reconnect.
    await page.locator('#filter-q').fill(HOT);
    await page.waitForFunction(id => document.querySelectorAll('#hosts-table tbody tr').length === 1
      && document.querySelector('#hosts-table tbody tr').dataset.key === id, HOT, { timeout: T });
    // A host page open through the outage too.
    const tab = await context.newPage();
    const hostStatus = () => tab.locator('#view-host .host-title .status-text').textContent();
    try {
      await tab.goto(`${base}/#/host/${HOT}`);
      await tab.waitForFunction(() => document.querySelector('#view-host .host-title .status-text')?.textContent === 'Online', null, { timeout: T });

      await stop(hub);
      await page.locator('#banner').waitFor({ state: 'visible', timeout: T });
      assert.match(await page.locator('#banner-text').textContent(), /hub/i);
      // The rows' ages keep counting without frames ("just now" all through an
      // outage, before), and past the 5 s a silent host is called offline
      // after, the host page says its state is unknown, not that it is offline.
      const seen = `#hosts-table tbody tr[data-key="${HOT}"] td[data-col="seen"]`;
      await page.waitForFunction(sel => /^([6-9]|\d\d+) s ago$/.test(document.querySelector(sel)?.textContent || ''), seen, { timeout: T });
      await tab.locator('.notice', { hasText: 'The hub is unreachable' }).waitFor({ timeout: T });
      assert.equal(await hostStatus(), 'Unknown · hub unreachable');
      await page.screenshot({ path: path.join(artifacts, 'disconnected.png') });

      await startHub();
      await page.locator('#banner').waitFor({ state: 'hidden', timeout: 30000 });
      await tab.waitForFunction(() => document.querySelector('#view-host .host-title .status-text')?.textContent === 'Online', null, { timeout: 30000 });
    } finally {
      await tab.close();
    }
    // Agents reconnect on their own; the page's filter is sent again.
    await page.locator(row(HOT)).waitFor({ timeout: 30000 });
    await page.waitForFunction(() => document.getElementById('conn').dataset.state === 'open', null, { timeout: T });
    await waitFor('the cool agent back at the hub', async () => (await hubHosts()).some(h => h.host_id === COOL && h.online), { procs: procs(), timeoutMs: 30000 });
    // The cool host is online again but the filter still keeps it out.
    assert.equal(await page.locator('#hosts-table tbody tr').count(), 1);
    await page.locator('#filter-q').fill('');
    await page.locator(row(COOL)).waitFor({ timeout: T });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.deepEqual(cspViolations, [], 'nothing broke the hub\'s Content-Security-Policy');
  });
});

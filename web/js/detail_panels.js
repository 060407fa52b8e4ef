// The parts of the host page that redraw from each sample: headline figures,
// the TCP state bars, the top-process table and the per-process socket table.
// Each is built once and then updated in place.

import { h, setText, setAttr } from './dom.js';
import { DataTable } from './table.js';
import { pct, int, bytes, fixed, isNum } from './format.js';

export const TCP_STATES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];

// A headline card: a label, a big number, and a line of detail under it.
function stat(label, title) {
  const value = h('div', { class: 'stat-value' });
  const unit = h('span', { class: 'stat-unit' });
  const sub = h('div', { class: 'stat-sub' });
  const meter = h('div', { class: 'meter', hidden: true }, h('span'));
  const el = h('div', { class: 'stat card', title }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-main' }, value, unit), meter, sub);
  return { el, value, unit, sub, meter };
}

function setMeter(m, fraction, warn) {
  m.meter.hidden = false;
  const w = `${Math.max(0, Math.min(1, fraction || 0)) * 100}%`;
  const bar = m.meter.firstChild;
  if (bar.style.width !== w) bar.style.width = w;
  m.meter.classList.toggle('warn', !!warn);
}

export class Headline {
  constructor(threshold) {
    this.threshold = threshold;
    this.cpu = stat('CPU', 'Busy % of all cores over the last interval');
    this.load = stat('Load', '1, 5 and 15-minute load averages');
    this.mem = stat('Memory', 'Used = MemTotal − MemAvailable');
    this.procs = stat('Processes');
    this.sockets = stat('Sockets', 'Host-wide sockets of every family');
    this.unattr = stat('Unattributed', 'Sockets in the kernel tables whose owning process could not be read (another user\'s process, read without privileges)');
    this.el = h('div', { class: 'stats' }, this.cpu.el, this.load.el, this.mem.el, this.procs.el, this.sockets.el, this.unattr.el);
  }

  update(s, cores) {
    const c = s.cpu || {};
    setText(this.cpu.value, pct(c.total));
    setText(this.cpu.unit, '%');
    setText(this.cpu.sub, `user ${pct(c.user)} · sys ${pct(c.system)} · iowait ${pct(c.iowait)}${c.steal > 0 ? ` · steal ${pct(c.steal)}` : ''}`);
    setMeter(this.cpu, (c.total || 0) / 100, c.total >= this.threshold());
    this.cpu.el.classList.toggle('is-hot', isNum(c.total) && c.total >= this.threshold());

    const l = Array.isArray(s.load) ? s.load : [];
    setText(this.load.value, fixed(l[0]));
    setText(this.load.unit, '');
    setText(this.load.sub, `5 min ${fixed(l[1])} · 15 min ${fixed(l[2])}`);
    this.load.el.title = cores ? `1, 5 and 15-minute load averages, on ${cores} cores` : '1, 5 and 15-minute load averages';

    const m = s.mem || {};
    const used = isNum(m.total) && isNum(m.available) ? m.total - m.available : null;
    setText(this.mem.value, bytes(used));
    setText(this.mem.unit, '');
    setText(this.mem.sub, `of ${bytes(m.total)} · ${bytes(m.available)} available`);
    setMeter(this.mem, used != null && m.total > 0 ? used / m.total : 0, used != null && m.total > 0 && used / m.total > 0.9);

    const p = s.procs || {};
    setText(this.procs.value, int(p.total));
    setText(this.procs.sub, `${int(p.running)} running`);

    const k = s.sockets || {};
    const tcp = k.tcp && typeof k.tcp === 'object' ? Object.values(k.tcp).reduce((a, b) => a + (isNum(b) ? b : 0), 0) : null;
    const total = [tcp, k.udp, k.unix, k.raw].reduce((a, b) => a + (isNum(b) ? b : 0), 0);
    setText(this.sockets.value, int(total));
    setText(this.sockets.sub, `tcp ${int(tcp)} · udp ${int(k.udp)} · unix ${int(k.unix)} · raw ${int(k.raw)}`);

    setText(this.unattr.value, int(k.unattributed));
    setText(this.unattr.sub, k.source ? `counted via ${k.source}` : '');
    this.unattr.el.classList.toggle('is-warn', k.unattributed > 0);
  }
}

export class TcpBars {
  constructor() {
    this.rows = new Map();
    this.list = h('ul', { class: 'bars' });
    for (const st of TCP_STATES) {
      const fill = h('span', { class: 'bar-fill' });
      const count = h('span', { class: 'bar-count' });
      const li = h('li', { class: 'bar-row', dataset: { state: st } },
        h('span', { class: 'bar-label' }, st), h('span', { class: 'bar-track' }, fill), count);
      this.rows.set(st, { li, fill, count });
      this.list.append(li);
    }
    this.total = h('span', { class: 'card-meta' });
    this.el = h('section', { class: 'card panel', 'aria-label': 'TCP states' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'TCP states'), this.total), this.list);
  }

  update(tcp) {
    const counts = tcp && typeof tcp === 'object' ? tcp : {};
    let max = 0, sum = 0;
    for (const st of TCP_STATES) { const v = counts[st]; if (isNum(v)) { max = Math.max(max, v); sum += v; } }
    for (const [st, r] of this.rows) {
      const v = isNum(counts[st]) ? counts[st] : 0;
      setText(r.count, int(v));
      // A square-root scale keeps a handful of CLOSE_WAITs visible next to
      // thousands of ESTABLISHED.
      const w = max > 0 ? `${(Math.sqrt(v) / Math.sqrt(max)) * 100}%` : '0%';
      if (r.fill.style.width !== w) r.fill.style.width = w;
      r.li.classList.toggle('zero', v === 0);
    }
    setText(this.total, `${int(sum)} sockets`);
  }
}

// Processes of the host carry no container.
function inContainer(rows, name) {
  return name ? rows.filter(p => (p.container || '') === name) : rows;
}

function sockSum(s) {
  if (!s || typeof s !== 'object') return null;
  return (s.tcp || 0) + (s.udp || 0) + (s.unix || 0);
}

export class ProcessTable {
  constructor() {
    const table = h('table', { class: 'grid procs' }, h('thead', {}, h('tr')), h('tbody'));
    this.count = h('span', { class: 'card-meta' });
    this.el = h('section', { class: 'card panel', 'aria-label': 'Top processes' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Top processes'), this.count), h('div', { class: 'scroll-x' }, table));
    this.table = new DataTable(table, {
      key: p => String(p.pid),
      sort: { col: 'cpu', dir: 'desc' },
      columns: [
        { id: 'pid', label: 'PID', numeric: true, sortValue: p => p.pid, text: p => String(p.pid ?? '–') },
        {
          id: 'name', label: 'Name', sortValue: p => p.name,
          create: td => { const n = h('span', { class: 'proc-name' }); const c = h('span', { class: 'cmdline' }); td.append(n, c); return { n, c }; },
          update: (td, p, st) => { setText(st.n, p.name ?? '–'); setText(st.c, p.cmdline && p.cmdline !== p.name ? p.cmdline : ''); setAttr(td, 'title', p.cmdline || null); },
        },
        { id: 'container', label: 'Container', sortValue: p => p.container || '', text: p => p.container || 'host' },
        { id: 'user', label: 'User', sortValue: p => p.user, text: p => p.user ?? '–' },
        { id: 'cpu', label: 'CPU %', numeric: true, title: '100 % is one full core', sortValue: p => p.cpu, text: p => pct(p.cpu) },
        { id: 'rss', label: 'RSS', numeric: true, sortValue: p => p.rss, text: p => bytes(p.rss) },
        { id: 'threads', label: 'Threads', numeric: true, sortValue: p => p.threads, text: p => int(p.threads) },
        { id: 'nice', label: 'Nice', numeric: true, sortValue: p => p.nice, text: p => (isNum(p.nice) ? String(p.nice) : '–') },
        { id: 'state', label: 'State', sortValue: p => p.state, text: p => p.state ?? '–' },
        {
          id: 'sockets', label: 'Sockets', numeric: true, title: 'TCP + UDP + Unix sockets the process holds', sortValue: p => sockSum(p.sockets),
          update: (td, p) => {
            setText(td, int(sockSum(p.sockets)));
            const s = p.sockets || {};
            setAttr(td, 'title', `tcp ${int(s.tcp)} · udp ${int(s.udp)} · unix ${int(s.unix)}`);
          },
        },
      ],
    });
  }

  // name: show only the processes of that container (null: all).
  setFilter(name) { this.filter = name; }

  update(top) {
    const all = Array.isArray(top) ? top.filter(p => p && isNum(p.pid)) : [];
    const rows = inContainer(all, this.filter);
    this.table.setRecords(rows);
    this.table.render();
    setText(this.count, this.filter ? `${rows.length} of the top ${all.length} in ${this.filter}` : rows.length ? `top ${rows.length} by CPU` : 'no process data');
  }
}

// "ESTABLISHED 98 · LISTEN 2": the states in use, most first.
export function tcpStates(tcp) {
  if (!tcp || typeof tcp !== 'object') return '–';
  const parts = Object.entries(tcp).filter(([, v]) => isNum(v) && v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${int(v)}`);
  return parts.length ? parts.join(' · ') : '–';
}

export class SocketTable {
  constructor() {
    const table = h('table', { class: 'grid socks' }, h('thead', {}, h('tr')), h('tbody'));
    this.meta = h('span', { class: 'card-meta' });
    this.el = h('section', { class: 'card panel', 'aria-label': 'Sockets by process' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Sockets by process'), this.meta), h('div', { class: 'scroll-x' }, table));
    this.table = new DataTable(table, {
      key: p => String(p.pid),
      sort: { col: 'total', dir: 'desc' },
      columns: [
        { id: 'pid', label: 'PID', numeric: true, sortValue: p => p.pid, text: p => String(p.pid ?? '–') },
        { id: 'name', label: 'Name', sortValue: p => p.name, text: p => p.name ?? '–' },
        { id: 'container', label: 'Container', sortValue: p => p.container || '', text: p => p.container || 'host' },
        { id: 'total', label: 'Total', numeric: true, sortValue: p => p.total, text: p => int(p.total) },
        { id: 'tcp', label: 'TCP states', sortable: false, text: p => tcpStates(p.tcp) },
        { id: 'udp', label: 'UDP', numeric: true, sortValue: p => p.udp, text: p => int(p.udp) },
        { id: 'unix', label: 'Unix', numeric: true, sortValue: p => p.unix, text: p => int(p.unix) },
      ],
    });
  }

  setFilter(name) { this.filter = name; }

  update(sockets) {
    const rows = inContainer(Array.isArray(sockets?.by_process) ? sockets.by_process.filter(p => p && isNum(p.pid)) : [], this.filter);
    this.table.setRecords(rows);
    this.table.render();
    const un = sockets?.unattributed;
    setText(this.meta, isNum(un) && un > 0 ? `${int(un)} unattributed` : rows.length ? `top ${rows.length} by count` : 'no socket data');
  }
}

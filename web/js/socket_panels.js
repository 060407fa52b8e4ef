// The host page's socket-lifecycle parts, redrawn from each sample: the
// per-process churn table (sockets.churn_by_process) and the leak suspects
// with their evidence (sample.leaks). Text goes in through textContent only.

import { h, setText } from './dom.js';
import { DataTable } from './table.js';
import { int, ago, isNum } from './format.js';

const FAMILIES = ['tcp', 'udp', 'unix', 'other'];

function families(c) {
  if (!c) return '–';
  const parts = FAMILIES.filter(f => isNum(c[f]) && c[f] > 0).map(f => `${f} ${int(c[f])}`);
  return parts.length ? parts.join(' · ') : '0';
}

function sum(c) {
  return c ? FAMILIES.reduce((n, f) => n + (isNum(c[f]) ? c[f] : 0), 0) : 0;
}

export class ChurnTable {
  constructor() {
    const table = h('table', { class: 'grid churn' }, h('thead', {}, h('tr')), h('tbody'));
    this.meta = h('span', { class: 'card-meta' });
    this.el = h('section', { class: 'card panel', 'aria-label': 'Socket churn by process' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Socket churn by process'), this.meta), h('div', { class: 'scroll-x' }, table));
    this.table = new DataTable(table, {
      key: p => String(p.pid),
      sort: { col: 'opened', dir: 'desc' },
      columns: [
        { id: 'pid', label: 'PID', numeric: true, sortValue: p => p.pid, text: p => String(p.pid ?? '–') },
        { id: 'name', label: 'Name', sortValue: p => p.name, text: p => p.name ?? '–' },
        { id: 'opened', label: 'Opened', title: 'Sockets that appeared this interval (sampled), by family', sortValue: p => sum(p.opened), text: p => families(p.opened) },
        { id: 'closed', label: 'Closed', title: 'Sockets that left this interval (sampled), by family', sortValue: p => sum(p.closed), text: p => families(p.closed) },
        { id: 'opened_total', label: 'Opened total', numeric: true, sortValue: p => p.opened_total, text: p => int(p.opened_total) },
        { id: 'closed_total', label: 'Closed total', numeric: true, sortValue: p => p.closed_total, text: p => int(p.closed_total) },
        { id: 'open', label: 'Open now', title: 'Sockets held now, by family', sortValue: p => sum(p.open), text: p => families(p.open) },
      ],
    });
  }

  update(sockets) {
    const rows = Array.isArray(sockets?.churn_by_process) ? sockets.churn_by_process.filter(p => p && isNum(p.pid)) : [];
    this.table.setRecords(rows);
    this.table.render();
    const c = sockets?.churn;
    setText(this.meta, c ? `${c.exact ? `${int((c.tcp_active_opens || 0) + (c.tcp_passive_opens || 0))} TCP opens (exact)` : 'counters not read yet'} · sampled opened ${int(c.opened)} closed ${int(c.closed)} this interval` : 'no churn data');
  }
}

export class LeakList {
  constructor() {
    this.list = h('ul', { class: 'leaks' });
    this.meta = h('span', { class: 'card-meta' });
    this.el = h('section', { class: 'card panel', 'aria-label': 'Leak suspects' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Leak suspects'), this.meta), this.list);
  }

  update(leaks, nowMs) {
    const rows = Array.isArray(leaks) ? leaks.filter(l => l && isNum(l.pid)) : [];
    setText(this.meta, rows.length ? `${rows.length} suspect${rows.length === 1 ? '' : 's'}` : 'none');
    this.list.replaceChildren(...rows.map(l => h('li', { class: 'leak' },
      h('div', { class: 'leak-head' },
        h('span', { class: 'tag-leak' }, l.reason === 'close_wait' ? 'CLOSE_WAIT' : 'growth'),
        h('span', { class: 'proc-name' }, `${l.name ?? '?'} (pid ${l.pid})`),
        h('span', { class: 'card-meta' }, `${int(l.count)} sockets · since ${isNum(l.since_ms) ? ago(l.since_ms, nowMs) : '–'}`)),
      h('div', { class: 'leak-evidence' }, l.evidence ?? ''))));
  }
}

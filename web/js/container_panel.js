// The host page's Containers panel: one row per container the latest sample
// lists (its top by CPU and any with a leak suspect), sortable by CPU,
// memory, sockets and leaks. Clicking a row filters the process and socket
// tables to that container; clicking it again, or "all", clears the filter.

import { h, setText, setAttr } from './dom.js';
import { DataTable } from './table.js';
import { pct, int, bytes, isNum } from './format.js';
import { tcpStates } from './detail_panels.js';

export class ContainerPanel {
  constructor(onSelect) {
    this.onSelect = onSelect;
    this.selected = null;
    const table = h('table', { class: 'grid containers' }, h('thead', {}, h('tr')), h('tbody'));
    this.meta = h('span', { class: 'card-meta' });
    this.clear = h('button', { type: 'button', class: 'btn btn-ghost', hidden: true }, 'Show all processes');
    this.clear.addEventListener('click', () => this.select(null));
    this.el = h('section', { class: 'card panel', 'aria-label': 'Containers', id: 'containers-panel' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Containers'), this.meta, h('div', { class: 'panel-tools' }, this.clear)),
      h('div', { class: 'scroll-x' }, table));
    this.table = new DataTable(table, {
      key: c => c.name,
      sort: { col: 'cpu', dir: 'desc' },
      onActivate: key => this.select(this.selected === key ? null : key),
      decorateRow: (tr, c) => {
        tr.classList.toggle('is-selected', c.name === this.selected);
        setAttr(tr, 'aria-selected', String(c.name === this.selected));
        setAttr(tr, 'title', `Show only the processes of ${c.name}`);
      },
      columns: [
        { id: 'name', label: 'Container', sortValue: c => c.name, text: c => c.name ?? '–' },
        { id: 'runtime', label: 'Runtime', sortValue: c => c.runtime, text: c => c.runtime ?? '–' },
        { id: 'cpu', label: 'CPU %', numeric: true, title: 'From the cgroup\'s own accounting; 100 % is one full core', sortValue: c => c.cpu, text: c => (isNum(c.cpu) ? pct(c.cpu) : '–') },
        { id: 'mem', label: 'Memory', numeric: true, title: 'Charged to the cgroup, and its limit if it has one; – where the cgroup\'s memory is not accounted', sortValue: c => c.mem ?? null, text: c => (!isNum(c.mem) ? '–' : c.mem_limit > 0 ? `${bytes(c.mem)} / ${bytes(c.mem_limit)}` : bytes(c.mem)) },
        { id: 'procs', label: 'Procs', numeric: true, sortValue: c => c.procs, text: c => int(c.procs) },
        { id: 'sockets', label: 'Sockets', numeric: true, sortValue: c => c.sockets, text: c => int(c.sockets) },
        { id: 'tcp', label: 'TCP states', sortable: false, text: c => tcpStates(c.tcp) },
        { id: 'churn', label: 'Opened / closed', numeric: true, title: 'Sockets its processes opened and closed in the last interval (sampled)', sortValue: c => (c.opened || 0) + (c.closed || 0), text: c => `${int(c.opened)} / ${int(c.closed)}` },
        { id: 'leaks', label: 'Leaks', numeric: true, sortValue: c => c.leaks, text: c => int(c.leaks) },
      ],
    });
  }

  select(name) {
    this.selected = name;
    this.clear.hidden = name == null;
    this.onSelect(name);
    this.table.render();
  }

  update(sample) {
    const rows = Array.isArray(sample?.containers) ? sample.containers.filter(c => c && typeof c.name === 'string') : [];
    this.table.setRecords(rows);
    this.table.render();
    const total = isNum(sample?.containers_total) ? sample.containers_total : rows.length;
    setText(this.meta, total === 0 ? 'none on this host' : rows.length < total ? `${rows.length} of ${int(total)} listed` : `${int(total)}`);
  }
}

// "Processes across the fleet" (#/processes): every host's top processes and
// socket holders grouped by process name (GET /api/fleet/processes, read
// once a second while the page is open), with links to the hosts running
// each. Sorting by sockets asks the hub for the top names by sockets.

import { h, setText } from './dom.js';
import { DataTable } from './table.js';
import { Poller } from './poll.js';
import { pct, int, dateTime, DASH } from './format.js';

const POLL_MS = 1000;
const LIMIT = 100;
const HOST_LINKS = 5; // hosts linked in a row; the count says how many run it

export class FleetPage {
  constructor() {
    this.section = document.getElementById('view-fleet');
    this.note = document.getElementById('fleet-note');
    this.empty = document.getElementById('fleet-empty');
    this.serverSort = 'cpu';
    this.table = new DataTable(document.getElementById('fleet-table'), {
      columns: fleetColumns(),
      key: rec => rec.name,
      sort: { col: 'cpu', dir: 'desc' },
      label: rec => `${rec.name}: ${rec.hosts} hosts, ${rec.processes ? `CPU ${pct(rec.cpu_total)} percent` : 'not among top processes by CPU'}, ${rec.sockets?.total ?? 0} sockets`,
    });
    this.table.onSort = sort => {
      const want = sort.col === 'sockets' ? 'sockets' : 'cpu';
      if (want === this.serverSort) return;
      this.serverSort = want;
      this.poller.path = this.path();
      this.poller.now();
    };
    this.poller = new Poller(this.path(), POLL_MS, {
      onData: data => this.update(data),
      onError: e => setText(this.note, e.status === 401 || e.status === 403 ? 'The fleet processes need a viewer token.' : `Fleet processes unavailable: ${e.message}`),
    });
  }

  path() { return `api/fleet/processes?sort=${this.serverSort}&limit=${LIMIT}`; }

  show() {
    this.section.hidden = false;
    this.poller.start();
  }

  hide() {
    this.section.hidden = true;
    this.poller.stop();
  }

  update(data) {
    const rows = data.processes || [];
    this.table.setRecords(rows);
    this.table.render();
    this.empty.hidden = rows.length > 0;
    setText(this.empty, 'No host has sent its processes yet.');
    const plural = (n, one) => `${int(n)} ${one}${n === 1 ? '' : 's'}`;
    setText(this.note, `${plural(data.names, 'process name')} on ${plural(data.hosts, 'host')} · top ${int(rows.length)} by ${data.sort === 'sockets' ? 'sockets' : 'CPU'} · ${dateTime(Date.now())}`);
  }
}

// The table's columns. A name that is only among hosts' top socket holders,
// not their top processes by CPU, has no CPU figures: a dash, not a 0 that
// would read as measured idle.
export function fleetColumns() {
  return [
    { id: 'name', label: 'Process', sortValue: r => r.name, text: r => r.name },
    { id: 'hosts', label: 'Hosts', numeric: true, title: 'Hosts whose latest sample lists it', sortValue: r => r.hosts, text: r => int(r.hosts) },
    { id: 'processes', label: 'Processes', numeric: true, title: 'Processes of that name among the hosts\' top processes', sortValue: r => r.processes, text: r => (r.processes ? int(r.processes) : DASH) },
    { id: 'cpu', label: 'CPU % total', numeric: true, title: 'Summed over every host; 100 % is one full core', sortValue: r => r.cpu_total, text: r => (r.processes ? pct(r.cpu_total) : DASH) },
    { id: 'cpu_max', label: 'CPU % max', numeric: true, title: 'The busiest single process of that name', sortValue: r => r.cpu_max, text: r => (r.processes ? pct(r.cpu_max) : DASH) },
    { id: 'sockets', label: 'Sockets', numeric: true, title: 'Held by its processes among each host\'s top socket holders', sortValue: r => r.sockets?.total ?? 0, text: r => int(r.sockets?.total) },
    {
      id: 'states', label: 'TCP states', sortable: false,
      text: r => {
        const states = Object.entries(r.sockets?.tcp || {}).sort((a, b) => b[1] - a[1]).slice(0, 3);
        const rest = [r.sockets?.udp ? `UDP ${r.sockets.udp}` : null, r.sockets?.unix ? `UNIX ${r.sockets.unix}` : null].filter(Boolean);
        // No-break spaces: the list wraps between states, never inside one.
        return [...states.map(([s, n]) => `${s}\u00a0${n}`), ...rest.map(x => x.replace(' ', '\u00a0'))].join('\u00a0· ') || '–';
      },
    },
    {
      id: 'leaks', label: 'Leaks', numeric: true, title: 'Hosts where a process of that name is a socket leak suspect', sortValue: r => r.leak_hosts,
      create: td => { const tag = h('span', { class: 'tag-leak', hidden: true }); td.append(tag); return { tag }; },
      update: (td, r, st) => {
        st.tag.hidden = !r.leak_hosts;
        setText(st.tag, r.leak_hosts === 1 ? '1 host' : `${r.leak_hosts} hosts`);
        st.tag.title = r.leak_hosts ? `A socket leak suspect on ${(r.leak_host_ids || []).join(', ')}${r.leak_hosts > (r.leak_host_ids || []).length ? ', …' : ''}` : '';
      },
    },
    {
      id: 'on', label: 'Running on', sortable: false,
      create: td => { const box = h('span', { class: 'fleet-hosts' }); td.append(box); return { box, key: null }; },
      update: (td, r, st) => {
        const list = (r.host_list || []).slice(0, HOST_LINKS);
        const key = JSON.stringify(list.map(x => [x.host_id, x.hostname, x.cpu, x.sockets])) + r.hosts;
        if (key === st.key) return;
        st.key = key;
        const links = list.map(x => h('a', {
          class: 'host-link', href: `#/host/${encodeURIComponent(x.host_id)}`, dataset: { host: x.host_id },
          title: `${x.host_id}: ${pct(x.cpu)} % CPU, ${x.sockets} sockets${x.leak ? ', leak suspect' : ''}`,
        }, x.hostname || x.host_id));
        const more = r.hosts - list.length;
        st.box.replaceChildren(...links.flatMap((a, i) => (i ? [', ', a] : [a])), more > 0 ? ` and ${int(more)} more` : '');
      },
    },
  ];
}

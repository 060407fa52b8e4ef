// Process control on the host page: every process on the host (asked of the
// agent through the hub, refreshed every few seconds while the page is open),
// searchable and sortable, with kill, signal and renice per row; a users view
// with each user's tasks; "Run command" when the agent allows exec; and the
// sockets and top-N reports as CSV downloads. Needs the admin token; without
// it the panel says how to get one instead of showing empty tables.

import { h, setText } from './dom.js';
import { getJson, sendJson, download } from './auth.js';
import { DataTable } from './table.js';
import { confirmKill, chooseSignal, chooseNice, askCommand } from './control_dialogs.js';
import { bytes, int, isNum, pct } from './format.js';

const REFRESH_MS = 5000;  // the full list costs the agent a /proc walk: not every second

export class ControlPanel {
  constructor({ id, hostLabel }) {
    this.id = id;
    this.hostLabel = hostLabel;
    this.base = `api/hosts/${encodeURIComponent(id)}`;
    this.capabilities = null;
    this.processes = [];
    this.view = 'processes';
    this.userFilter = null;
    this.abort = new AbortController();
    this.build();
  }

  build() {
    this.search = h('input', { type: 'search', placeholder: 'Search name, command, user or pid', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Search processes' });
    this.search.addEventListener('input', () => this.render());
    this.tabs = ['processes', 'users'].map(v => {
      const b = h('button', { type: 'button', class: 'seg', 'aria-pressed': String(v === this.view), dataset: { view: v } }, v === 'processes' ? 'Processes' : 'Users');
      b.addEventListener('click', () => this.setView(v));
      return b;
    });
    this.runButton = h('button', { type: 'button', class: 'btn btn-small', hidden: true }, 'Run command…');
    this.runButton.addEventListener('click', () => this.run());
    const dl = (label, path, file) => {
      const b = h('button', { type: 'button', class: 'btn btn-small' }, label);
      b.addEventListener('click', () => download(`${this.base}/${path}`, `${this.id}-${file}`).catch(e => this.flash(`Download failed: ${e.message}`, true)));
      return b;
    };
    this.meta = h('span', { class: 'card-meta' }, 'asking the agent…');  // the first list takes a round trip to the host
    this.message = h('p', { class: 'notice control-message', role: 'status', hidden: true });
    this.userNote = h('p', { class: 'user-note', hidden: true });

    const procTable = h('table', { class: 'grid all-procs' }, h('thead', {}, h('tr')), h('tbody'));
    this.procTable = new DataTable(procTable, { key: p => String(p.pid), sort: { col: 'cpu', dir: 'desc' }, columns: this.processColumns() });
    const userTable = h('table', { class: 'grid users' }, h('thead', {}, h('tr')), h('tbody'));
    this.userTable = new DataTable(userTable, {
      key: u => u.username,
      sort: { col: 'running', dir: 'desc' },
      onActivate: name => this.showTasks(name),
      columns: [
        { id: 'username', label: 'User', sortValue: u => u.username, text: u => u.username },
        { id: 'running', label: 'Processes', numeric: true, sortValue: u => u.running, text: u => int(u.running) },
      ],
      decorateRow: tr => { tr.title = 'Show this user’s tasks'; },
    });
    this.procBox = h('div', { class: 'scroll-x control-procs' }, procTable);
    this.userBox = h('div', { class: 'scroll-x', hidden: true }, userTable);

    this.el = h('section', { class: 'card panel control', id: 'control', 'aria-label': 'Processes and control' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'All processes'), this.meta,
        h('div', { class: 'panel-tools' },
          h('div', { class: 'segmented', role: 'group', 'aria-label': 'View' }, ...this.tabs),
          this.runButton, dl('Sockets CSV', 'sockets?format=csv', 'sockets.csv'), dl('Top CSV', 'top?n=50&format=csv', 'top.csv'))),
      h('div', { class: 'control-bar' }, h('label', { class: 'search' }, this.search), this.userNote),
      this.message, this.procBox, this.userBox);
  }

  processColumns() {
    const action = (label, cls, fn, cap) => ({ label, cls, fn, cap });
    const actions = [
      action('Kill', 'btn-danger-ghost', p => this.kill(p), 'signal'),
      action('Signal…', '', p => this.signal(p), 'signal'),
      action('Renice…', '', p => this.renice(p), 'renice'),
    ];
    return [
      { id: 'pid', label: 'PID', numeric: true, sortValue: p => p.pid, text: p => String(p.pid) },
      {
        id: 'name', label: 'Name', sortValue: p => p.name,
        create: td => { const n = h('span', { class: 'proc-name' }); const c = h('span', { class: 'cmdline' }); td.append(n, c); return { n, c }; },
        update: (td, p, st) => { const cmd = cmdline(p); setText(st.n, p.name ?? '–'); setText(st.c, cmd && cmd !== p.name ? cmd : ''); td.title = cmd || ''; },
      },
      { id: 'user', label: 'User', sortValue: p => p.username, text: p => p.username ?? '–' },
      { id: 'cpu', label: 'CPU %', numeric: true, sortValue: p => p.cpu_percent, text: p => pct(p.cpu_percent) },
      { id: 'mem', label: 'RSS', numeric: true, sortValue: p => p.memory_info?.rss, text: p => bytes(p.memory_info?.rss) },
      { id: 'nice', label: 'Nice', numeric: true, sortValue: p => p.nice, text: p => (isNum(p.nice) ? String(p.nice) : '–') },
      { id: 'status', label: 'State', sortValue: p => p.status, text: p => p.status ?? '–' },
      { id: 'threads', label: 'Threads', numeric: true, sortValue: p => p.num_threads, text: p => int(p.num_threads) },
      { id: 'fds', label: 'FDs', numeric: true, title: 'null when the agent may not read it', sortValue: p => p.num_fds, text: p => int(p.num_fds) },
      {
        id: 'actions', label: 'Actions', sortable: false,
        create: td => {
          const buttons = actions.map(a => {
            const b = h('button', { type: 'button', class: `btn btn-small ${a.cls}`, dataset: { action: a.label.replace('…', '').toLowerCase() } }, a.label);
            b.addEventListener('click', () => a.fn(state.rec));
            return b;
          });
          const state = { buttons, rec: null };
          td.append(...buttons);
          return state;
        },
        update: (td, p, st) => {
          st.rec = p;
          st.buttons.forEach((b, i) => { b.hidden = !this.allows(actions[i].cap); });
        },
      },
    ];
  }

  // Called with the agent's hello once the host page has it.
  setCapabilities(caps) {
    this.capabilities = Array.isArray(caps) ? caps : null;
    this.runButton.hidden = !this.allows('exec');
    this.procTable.render({ force: true });
  }

  allows(op) {
    return !this.capabilities || this.capabilities.includes(op);
  }

  start() {
    this.refresh();
    this.timer = setInterval(() => { if (!document.hidden && !document.querySelector('dialog[open]')) this.refresh(); }, REFRESH_MS);
  }

  async refresh() {
    try {
      if (this.view === 'users') {
        const u = await getJson(`${this.base}/users`, { signal: this.abort.signal });
        this.userTable.setRecords(u.users || []);
        this.userTable.render();
      }
      const path = this.userFilter ? `${this.base}/users/${encodeURIComponent(this.userFilter)}/tasks` : `${this.base}/ps`;
      const r = await getJson(path, { signal: this.abort.signal });
      this.processes = Array.isArray(r.processes) ? r.processes.filter(p => p && isNum(p.pid)) : [];
      this.loaded = true;
      // Only a failed refresh's message is over once a refresh works: an
      // action's answer (the agent's refusal above all) stays until the next.
      if (this.shownFrom === 'refresh') this.flash(null);
      this.render();
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.flash(explain(e), true, 'refresh');
    }
  }

  render() {
    const q = this.search.value.trim().toLowerCase();
    const shown = q ? this.processes.filter(p => matches(p, q)) : this.processes;
    this.procTable.setRecords(shown);
    this.procTable.render();
    setText(this.meta, this.loaded ? `${int(shown.length)} of ${int(this.processes.length)} processes${this.userFilter ? ` of ${this.userFilter}` : ''}` : 'asking the agent…');
  }

  setView(v) {
    this.view = v;
    for (const b of this.tabs) b.setAttribute('aria-pressed', String(b.dataset.view === v));
    this.userBox.hidden = v !== 'users';
    if (v === 'processes') this.showTasks(null);
    else this.refresh();
  }

  showTasks(name) {
    this.userFilter = name;
    this.userNote.hidden = !name;
    if (name) {
      this.userNote.replaceChildren(`Tasks of ${name} · `, h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => this.showTasks(null) }, 'all users'));
    }
    this.refresh();
  }

  async act(what, method, body) {
    try {
      const r = await sendJson(method, `${this.base}/ps`, body);
      this.flash(what(r), false);
    } catch (e) {
      this.flash(explain(e), true);
    }
    this.refresh();
  }

  async kill(p) {
    if (!(await confirmKill(p))) return;
    this.act(r => `Killed ${r.name ?? p.name} (pid ${r.pid ?? p.pid}).`, 'DELETE', { pid: p.pid });
  }

  async signal(p) {
    const sig = await chooseSignal(p);
    if (!sig) return;
    this.act(r => `Sent ${r.signal_name ?? sig} to ${r.name ?? p.name} (pid ${p.pid}).`, 'DELETE', { pid: p.pid, signal: sig });
  }

  async renice(p) {
    const nice = await chooseNice(p);
    if (nice == null) return;
    this.act(r => `${r.name ?? p.name} (pid ${p.pid}) now runs at nice ${r.nice ?? nice}${isNum(r.previous) ? ` (was ${r.previous})` : ''}.`, 'PATCH', { pid: p.pid, priority: nice });
  }

  async run() {
    const c = await askCommand(this.hostLabel(), null);
    if (!c) return;
    this.act(r => `Started ${c.cmd} as pid ${r.pid}.`, 'POST', c);
  }

  flash(text, isError, from = 'action') {
    this.shownFrom = text ? from : null;
    this.message.hidden = !text;
    this.message.classList.toggle('is-error', !!isError);
    setText(this.message, text || '');
  }

  destroy() {
    this.abort.abort();
    clearInterval(this.timer);
  }
}

function cmdline(p) {
  return Array.isArray(p.cmdline) ? p.cmdline.join(' ') : '';
}

function matches(p, q) {
  return String(p.pid) === q || (p.name || '').toLowerCase().includes(q) || (p.username || '').toLowerCase().includes(q)
    || cmdline(p).toLowerCase().includes(q);
}

// The agent's and hub's errors are shown as they said them, with what to do
// for the two a dashboard user can fix.
function explain(e) {
  if (e.status === 401) return 'Process control needs the admin token: open the dashboard URL with ?token= that the hub printed at start.';
  if (e.status === 403 && e.code === 'forbidden') return `This token may only view: ${e.message}`;
  return `${e.message}${e.status ? ` (${e.status} ${e.code})` : ''}`;
}

// The overview: every host matching the filter in one sortable table, with
// counts, a name search and a high-CPU filter that the hub applies (the
// filter travels in the subscribe message, so the hub sends only matches).

import { h, setText, setAttr, toggleClass } from './dom.js';
import { DataTable } from './table.js';
import { drawSparkline, sizeCanvas, SPARK_POINTS } from './sparkline.js';
import { pct, int, fixed, ago, dateTime, isNum } from './format.js';

const SPARK_W = 120, SPARK_H = 26;
const ROW_H = 44; // px; must match .hosts tbody tr in style.css
const PREFS_KEY = 'telehub.overview';

export class Overview {
  // alertsOn(id): the names of the rules firing on that host (empty: none).
  constructor({ store, onFilter, onOpen, alertsOn = () => [] }) {
    this.store = store;
    this.alertsOn = alertsOn;
    this.onFilter = onFilter;
    this.onOpen = onOpen;
    this.section = document.getElementById('view-overview');
    this.empty = document.getElementById('hosts-empty');
    this.shownEl = document.getElementById('shown');
    this.q = document.getElementById('filter-q');
    this.threshold = document.getElementById('filter-threshold');
    this.thresholdOut = document.getElementById('filter-threshold-value');
    this.hotOnly = document.getElementById('filter-hot');
    this.prefs = loadPrefs();
    this.thresholdTouched = this.prefs.threshold != null;

    this.table = new DataTable(document.getElementById('hosts-table'), {
      columns: this.columns(),
      key: rec => rec.id,
      rowHeight: ROW_H,
      sort: this.prefs.sort || { col: 'cpu', dir: 'desc' },
      onActivate: id => this.onOpen(id),
      decorateRow: (tr, rec) => {
        toggleClass(tr, 'hot', this.isHot(rec));
        toggleClass(tr, 'offline', !rec.summary.online);
        toggleClass(tr, 'alerting', this.alertsOn(rec.id).length > 0);
      },
      label: rec => `${rec.summary.hostname || rec.id}, ${rec.summary.online ? 'online' : 'offline'}, CPU ${pct(rec.summary.cpu)} percent${this.isHot(rec) ? ', hot' : ''}${this.alertsOn(rec.id).length ? ', alert firing' : ''}`,
    });
    this.table.onRowsShown = () => this.drawSparks();
    this.table.onSort = sort => { this.prefs.sort = sort; savePrefs(this.prefs); };
    this.q.value = this.prefs.q || '';
    this.hotOnly.checked = !!this.prefs.hotOnly;
    this.setThreshold(this.prefs.threshold ?? 80);
    let qTimer = 0;
    this.q.addEventListener('input', () => {
      clearTimeout(qTimer);
      qTimer = setTimeout(() => this.filterChanged(), 180);
    });
    this.q.addEventListener('keydown', e => {
      if (e.key === 'Escape' && this.q.value) { e.stopPropagation(); this.q.value = ''; this.filterChanged(); }
      if (e.key === 'ArrowDown') { e.preventDefault(); this.table.tbody.firstElementChild?.focus(); }
    });
    this.threshold.addEventListener('input', () => {
      this.thresholdTouched = true;
      this.setThreshold(+this.threshold.value);
      for (const row of this.table.rows.values()) {
        const canvas = row.tr.querySelector('canvas');
        if (canvas) canvas.__dirty = true;
      }
      this.render();
    });
    // The hub is asked again only when the slider settles.
    this.threshold.addEventListener('change', () => this.filterChanged());
    this.hotOnly.addEventListener('change', () => this.filterChanged());
  }

  columns() {
    return [
      {
        id: 'host', label: 'Host', sortValue: rec => rec.summary.hostname || rec.id,
        create: td => {
          const name = h('span', { class: 'host-name' });
          const leaks = h('span', { class: 'tag-leak', hidden: true });
          const alert = h('span', { class: 'tag-alert', hidden: true }, 'ALERT');
          const sub = h('span', { class: 'host-id' });
          td.append(name, alert, leaks, sub);
          return { name, alert, leaks, sub };
        },
        update: (td, rec, st) => {
          const name = rec.summary.hostname || rec.id;
          setText(st.name, name);
          setText(st.sub, name === rec.id ? '' : rec.id);
          // The summary carries only the count; the reasons and evidence are on the host page.
          const n = isNum(rec.summary.leaks) ? rec.summary.leaks : 0;
          if (st.leaks.hidden !== (n === 0)) st.leaks.hidden = n === 0;
          setText(st.leaks, n === 1 ? '1 leak' : `${n} leaks`);
          const rules = this.alertsOn(rec.id);
          if (st.alert.hidden !== (rules.length === 0)) st.alert.hidden = rules.length === 0;
          setAttr(st.alert, 'title', rules.length ? `Firing: ${rules.join(', ')}` : null);
          setAttr(st.leaks, 'title', n ? `${n} socket leak suspect${n === 1 ? '' : 's'} (growth or CLOSE_WAIT); open the host's Sockets section for the evidence` : null);
        },
      },
      {
        id: 'status', label: 'Status', sortValue: rec => (rec.summary.online ? 1 : 0),
        create: td => {
          const pill = h('span', { class: 'status' }, h('span', { class: 'status-dot', 'aria-hidden': 'true' }), h('span', { class: 'status-text' }));
          const hub = h('span', { class: 'status-hub', hidden: true });
          td.append(pill, hub);
          return { pill, text: pill.lastChild, hub };
        },
        update: (td, rec, st) => {
          const s = rec.summary;
          toggleClass(st.pill, 'is-offline', !s.online);
          setText(st.text, s.online ? 'Online' : `Offline · ${ago(s.last_seen_ms, this.store.now())}`);
          // With --cluster every row names the hub that holds the host, under its status.
          if (st.hub.hidden !== !s.hub) st.hub.hidden = !s.hub;
          setText(st.hub, s.hub ? `on ${s.hub}` : '');
          setAttr(st.hub, 'title', s.hub ? `Held by hub ${s.hub}` : null);
        },
      },
      {
        id: 'cpu', label: 'CPU %', numeric: true, title: 'Busy % of all cores over the last interval',
        sortValue: rec => (rec.summary.online ? rec.summary.cpu : null),
        create: td => {
          const tag = h('span', { class: 'tag-hot', hidden: true }, 'HOT');
          const value = h('span', { class: 'cpu-value' });
          td.append(tag, value);
          return { tag, value };
        },
        update: (td, rec, st) => {
          setText(st.value, rec.summary.online ? pct(rec.summary.cpu) : '–');
          const hot = this.isHot(rec);
          if (st.tag.hidden === hot) st.tag.hidden = !hot;
        },
      },
      {
        id: 'trend', label: 'Trend', title: `CPU over the last ${SPARK_POINTS} samples (3 minutes at 1 s)`, sortable: false,
        create: td => {
          const canvas = h('canvas', { class: 'spark', width: SPARK_W, height: SPARK_H, 'aria-hidden': 'true' });
          td.append(canvas);
          return { canvas };
        },
        update: (td, rec, st) => {
          const hot = this.isHot(rec), off = !rec.summary.online;
          if (rec.sparkDirty || st.hot !== hot || st.off !== off) {
            st.canvas.__dirty = true;
            st.hot = hot;
            st.off = off;
          }
          st.canvas.__rec = rec;
        },
      },
      {
        id: 'top', label: 'Top process', sortValue: rec => rec.summary.top?.cpu ?? null,
        title: 'The busiest process; 100 % is one full core',
        create: td => {
          const name = h('span', { class: 'proc-name' });
          const val = h('span', { class: 'proc-cpu' });
          td.append(name, val);
          return { name, val };
        },
        update: (td, rec, st) => {
          const t = rec.summary.online ? rec.summary.top : null;
          setText(st.name, t ? t.name : '–');
          setText(st.val, t && isNum(t.cpu) ? `${pct(t.cpu)} %` : '');
          setAttr(td, 'title', t ? `pid ${t.pid}` : null);
        },
      },
      { id: 'est', label: 'TCP est.', numeric: true, title: 'TCP connections in ESTABLISHED', sortValue: rec => rec.summary.tcp_established, text: rec => int(rec.summary.tcp_established) },
      { id: 'listen', label: 'Listen', numeric: true, title: 'TCP sockets in LISTEN', sortValue: rec => rec.summary.tcp_listen, text: rec => int(rec.summary.tcp_listen) },
      { id: 'opens', label: 'Opens/s', numeric: true, title: 'Sockets opened per second: exact TCP opens when the kernel counters were read, else sampled opens', sortValue: rec => (rec.summary.online ? rec.summary.opens_per_s ?? null : null), text: rec => (rec.summary.online && isNum(rec.summary.opens_per_s) ? fixed(rec.summary.opens_per_s, 1) : '–') },
      { id: 'containers', label: 'Containers', numeric: true, title: 'Containers on the host (Docker, containerd, Podman, Kubernetes, systemd services)', sortValue: rec => rec.summary.containers ?? null, text: rec => int(rec.summary.containers) },
      { id: 'sockets', label: 'Sockets', numeric: true, title: 'All sockets: TCP, UDP, Unix, raw', sortValue: rec => rec.summary.sockets_total, text: rec => int(rec.summary.sockets_total) },
      {
        id: 'seen', label: 'Last seen', numeric: true, sortValue: rec => rec.summary.last_seen_ms,
        update: (td, rec) => {
          setText(td, ago(rec.summary.last_seen_ms, this.store.now()));
          setAttr(td, 'title', dateTime(rec.summary.last_seen_ms));
        },
      },
    ];
  }

  isHot(rec) {
    const s = rec.summary;
    return !!s.online && isNum(s.cpu) && s.cpu >= this.thresholdValue;
  }

  setThreshold(v) {
    this.thresholdValue = v;
    this.threshold.value = String(v);
    this.thresholdOut.textContent = `${v} %`;
  }

  filter() {
    const f = {};
    const q = this.q.value.trim();
    if (q) f.q = q;
    if (this.hotOnly.checked) f.min_cpu = this.thresholdValue;
    return f;
  }

  filterChanged() {
    this.prefs.q = this.q.value.trim();
    this.prefs.hotOnly = this.hotOnly.checked;
    if (this.thresholdTouched) this.prefs.threshold = this.thresholdValue;
    savePrefs(this.prefs);
    this.onFilter(this.filter());
  }

  // The hub's threshold is the default until the user picks their own.
  hubThreshold(v) {
    if (!this.thresholdTouched && isNum(v) && v !== this.thresholdValue) {
      this.setThreshold(Math.round(v));
      if (this.hotOnly.checked) this.filterChanged();
    }
  }

  focusRow(id) {
    const tr = this.table.rowFor(id);
    if (tr) { tr.focus({ preventScroll: false }); return true; }
    return false;
  }

  render() {
    const store = this.store;
    this.table.setRecords(store.shown);
    this.table.render();
    this.drawSparks();
    const total = store.counts?.total;
    const n = store.shown.length;
    const filtered = !!(this.q.value.trim() || this.hotOnly.checked);
    setText(this.shownEl, !store.loaded ? '' : filtered && isNum(total) ? `${int(n)} of ${int(total)} hosts` : `${int(n)} hosts`);
    if (!store.loaded) {
      this.showEmpty('Waiting for the hub…');
    } else if (n === 0) {
      this.showEmpty(filtered ? 'No host matches this filter.' : `No agent has connected yet. Start one with: telehub-agent --hub ${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent`);
    } else {
      this.showEmpty(null);
    }
  }

  showEmpty(text) {
    if (text == null) { if (!this.empty.hidden) this.empty.hidden = true; return; }
    setText(this.empty, text);
    this.empty.hidden = false;
  }

  // Only rows on (or near) the screen draw their sparkline; the others keep
  // it marked dirty and draw when they scroll into view (onRowsShown).
  drawSparks() {
    const trend = this.table.columns.findIndex(c => c.id === 'trend');
    for (const row of this.table.rows.values()) {
      if (!row.visible) continue;
      const canvas = row.states[trend].canvas;
      if (!canvas.__dirty || !canvas.__rec) continue;
      const rec = canvas.__rec;
      const dpr = sizeCanvas(canvas, SPARK_W, SPARK_H);
      drawSparkline(canvas, rec.spark, { hot: this.isHot(rec), offline: !rec.summary.online, threshold: this.thresholdValue, dpr });
      canvas.__dirty = false;
      rec.sparkDirty = false;
    }
  }
}

function loadPrefs() {
  try { return JSON.parse(localStorage.getItem(PREFS_KEY)) || {}; } catch { return {}; }
}
function savePrefs(p) {
  try { localStorage.setItem(PREFS_KEY, JSON.stringify(p)); } catch { /* storage disabled */ }
}

// The alerts bar in the header of every page: firing alerts counted by
// severity (and the pending ones), and a panel listing each alert with the
// culprit the hub kept when it fired: the top processes, the socket holders,
// the leak suspects and their containers (GET /api/alerts, docs/alerts.md).
// Each alert can be silenced from the list (alert_silence.js), and its host
// link opens the host page at the alert's moment (#/host/ID?at=MS).

import { h, setText, toggleClass } from './dom.js';
import { Poller } from './poll.js';
import { pct, int, fixed, dateTime } from './format.js';
import { askSilence, createSilence, endSilence, silenceControls, silenceFor } from './alert_silence.js';

const SEVERITIES = ['critical', 'warning', 'info'];
const POLL_MS = 2000;

export class AlertsBar {
  constructor({ onChange }) {
    this.onChange = onChange;
    this.alerts = [];
    this.byHost = new Map(); // host id -> names of its firing rules
    this.lastText = null;
    this.error = null;
    this.silences = [];
    this.messages = new Map(); // "rule host" -> the outcome of the last silence attempt on it
    this.toggle = document.getElementById('alerts-toggle');
    this.panel = document.getElementById('alerts-panel');
    this.list = document.getElementById('alerts-list');
    this.note = document.getElementById('alerts-note');
    this.countEls = new Map(SEVERITIES.map(s => [s, document.getElementById(`alerts-${s}`)]));
    this.pendingEl = document.getElementById('alerts-pending');
    this.toggle.addEventListener('click', () => this.setOpen(this.panel.hidden));
    document.getElementById('alerts-close').addEventListener('click', () => this.setOpen(false));
    // Opening a host from the list closes it, so the host page is not hidden behind.
    this.list.addEventListener('click', e => {
      if (e.target.closest('a')) return this.setOpen(false);
      const open = e.target.closest('button.silence-open');
      if (open) return this.silence(this.alerts.find(a => a.rule === open.dataset.rule && a.host_id === open.dataset.host));
      const end = e.target.closest('button.silence-end');
      if (end) this.endSilence(end.dataset.silence);
    });
    document.addEventListener('keydown', e => {
      // An open dialog (a silence being asked for) takes its own Escape.
      if (e.key === 'Escape' && !this.panel.hidden && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        this.setOpen(false);
        this.toggle.focus();
      }
    });
    this.poller = new Poller('api/alerts', POLL_MS, {
      onData: data => this.update(data.alerts || [], null),
      onError: e => this.update(this.alerts, e.status === 401 || e.status === 403 ? 'alerts need a viewer token' : `alerts unavailable: ${e.message}`),
    });
    this.silencePoller = new Poller('api/silences', POLL_MS, {
      onData: data => this.setSilences(data.silences || []),
      onError: () => this.setSilences([]),
    });
  }

  start() {
    this.poller.start();
    this.silencePoller.start();
  }

  setSilences(silences) {
    const changed = JSON.stringify(silences) !== JSON.stringify(this.silences);
    this.silences = silences;
    if (changed && !this.panel.hidden) this.renderList();
  }

  async silence(alert) {
    if (!alert) return;
    const key = `${alert.rule} ${alert.host_id}`;
    const body = await askSilence(alert);
    if (!body) return;
    try {
      await createSilence(body);
      this.messages.delete(key);
    } catch (e) {
      this.messages.set(key, `Could not silence: ${e.message}${e.status === 401 || e.status === 403 ? ' (silences need an admin token)' : ''}`);
    }
    this.renderList();
    this.silencePoller.now();
  }

  async endSilence(id) {
    try {
      await endSilence(id);
      this.silences = this.silences.filter(s => String(s.id) !== String(id));
    } catch (e) {
      setText(this.note, `Could not end the silence: ${e.message}`);
    }
    this.renderList();
    this.silencePoller.now();
  }

  // Names of the rules firing on `hostId` (empty when none).
  firingOn(hostId) { return this.byHost.get(hostId) || []; }

  setOpen(open) {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      this.renderList();
      this.poller.now();
    }
  }

  update(alerts, error) {
    const text = JSON.stringify(alerts);
    if (text === this.lastText && error === this.error) return;
    this.lastText = text;
    this.error = error;
    this.alerts = alerts;
    this.byHost = new Map();
    const counts = { critical: 0, warning: 0, info: 0 };
    let pending = 0;
    for (const a of alerts) {
      if (a.state !== 'firing') { pending++; continue; }
      if (a.severity in counts) counts[a.severity]++;
      const rules = this.byHost.get(a.host_id) || [];
      rules.push(a.rule);
      this.byHost.set(a.host_id, rules);
    }
    for (const [sev, el] of this.countEls) {
      setText(el, int(counts[sev]));
      toggleClass(el.parentElement, 'has-alerts', counts[sev] > 0);
    }
    setText(this.pendingEl, int(pending));
    const firing = counts.critical + counts.warning + counts.info;
    toggleClass(this.toggle, 'is-firing', firing > 0);
    this.toggle.setAttribute('aria-label', `Alerts: ${counts.critical} critical, ${counts.warning} warning, ${counts.info} info firing, ${pending} pending. Show the list`);
    if (!this.panel.hidden) this.renderList();
    this.onChange?.();
  }

  renderList() {
    setText(this.note, this.error || (this.alerts.length ? '' : 'No alert is firing or pending.'));
    this.list.replaceChildren(...this.alerts.map(a =>
      alertItem(a, silenceFor(a, this.silences), this.messages.get(`${a.rule} ${a.host_id}`))));
  }
}

function alertItem(a, silence, message) {
  const name = a.hostname || a.host_id;
  const firing = a.state === 'firing';
  const head = h('header', { class: 'alert-head' },
    h('span', { class: 'tag-sev', dataset: { sev: a.severity } }, String(a.severity).toUpperCase()),
    h('span', { class: 'alert-rule' }, a.rule),
    h('span', { class: 'alert-state' }, a.state),
    h('span', { class: 'alert-on' }, 'on'),
    // The host page at the moment it fired (or began to hold, while pending).
    h('a', { class: 'alert-host', href: `#/host/${encodeURIComponent(a.host_id)}?at=${firing ? a.fired_ms : a.since_ms}`, title: `Open ${a.host_id} at the alert's moment` }, name),
    h('span', { class: 'alert-value' },
      `${fixed(a.value, 1)} vs ${fixed(a.threshold, 1)} · ${firing ? `firing since ${dateTime(a.fired_ms)}` : `pending since ${dateTime(a.since_ms)}`}`));
  const item = h('article', { class: 'alert-item', dataset: { rule: a.rule, host: a.host_id, state: a.state, silenced: silence ? 'yes' : 'no' } }, head,
    silenceControls(a, silence, message));
  if (firing && a.culprit) item.append(...culprit(a.culprit));
  return item;
}

function culprit(c) {
  const parts = [];
  if (c.top_cpu?.length) {
    parts.push(h('h3', { class: 'culprit-title' }, 'Top processes when it fired'),
      table('culprit-top', ['Process', 'PID', 'User', 'CPU %', 'Container', 'Command line'], c.top_cpu.map(p =>
        [p.name, String(p.pid), p.user, pct(p.cpu), p.container || 'host', p.cmdline])));
  }
  if (c.top_sockets?.length) {
    parts.push(h('h3', { class: 'culprit-title' }, 'Socket holders'),
      table('culprit-sockets', ['Process', 'PID', 'Sockets', 'TCP states', 'UDP', 'UNIX', 'Container'], c.top_sockets.map(p =>
        [p.name, String(p.pid), int(p.total), tcpText(p.tcp), int(p.udp), int(p.unix), p.container || 'host'])));
  }
  if (c.leaks?.length) {
    parts.push(h('h3', { class: 'culprit-title' }, 'Leak suspects'),
      h('ul', { class: 'culprit-leaks' }, ...c.leaks.map(l =>
        h('li', {}, h('span', { class: 'proc-name' }, l.name), ` (pid ${l.pid}${l.container ? `, ${l.container}` : ''}): ${l.reason}, ${int(l.count)} sockets. `, l.evidence))));
  }
  if (!parts.length) parts.push(h('p', { class: 'culprit-none' }, 'No process figures in the sample that fired it (an offline host).'));
  return parts;
}

function tcpText(tcp) {
  const states = Object.entries(tcp || {}).sort((a, b) => b[1] - a[1]);
  return states.length ? states.map(([s, n]) => `${s} ${n}`).join(' · ') : '–';
}

function table(cls, heads, rows) {
  return h('table', { class: `grid culprit ${cls}` },
    h('thead', {}, h('tr', {}, ...heads.map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map(r => h('tr', {}, ...r.map(v => h('td', {}, v ?? '–'))))));
}

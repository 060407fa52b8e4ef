// The host page (#/host/ID): identity and status, headline figures, the
// live CPU chart with its 5/15/60-minute windows, top processes, TCP states
// and sockets by process. While it is open the dashboard subscribes to this
// host in detail and every sample the agent sends arrives here. Opened at a
// moment (#/host/ID?at=MS, from an alert) the charts show the history around
// it with a marker there and stay still until "Back to live"; the panels
// below them stay live.

import { h, setText, frameScheduler } from './dom.js';
import { getJson } from './auth.js';
import { ChurnChart } from './churn_chart.js';
import { ControlPanel } from './control.js';
import { CpuChart } from './cpu_chart.js';
import { Headline, TcpBars, ProcessTable, SocketTable } from './detail_panels.js';
import { ChurnTable, LeakList } from './socket_panels.js';
import { ContainerPanel } from './container_panel.js';
import { ago, dateTime, duration, int, isNum } from './format.js';

const WINDOWS = [[300, '5 min'], [900, '15 min'], [3600, '60 min']];

export class HostPage {
  constructor({ section, id, at = null, store, threshold, onBack }) {
    this.section = section;
    this.id = id;
    this.at = at;
    this.store = store;
    this.threshold = threshold;
    this.onBack = onBack;
    this.abort = new AbortController();
    this.latest = null;
    this.hello = null;
    this.summary = store.hosts.get(id)?.summary || null;
    this.windowS = Number(sessionStorage.getItem('telehub.window')) || 300;
    this.historyLoading = null;
    this.pendingSamples = [];
    this.schedule = frameScheduler(() => this.render());
    this.build();
    this.tick = setInterval(() => this.renderStatus(), 1000);
    this.load();
  }

  build() {
    this.title = h('h1', { id: 'host-title', tabindex: '-1' });
    this.sub = h('span', { class: 'host-id' });
    this.statusText = h('span', { class: 'status-text' });
    this.status = h('span', { class: 'status' }, h('span', { class: 'status-dot', 'aria-hidden': 'true' }), this.statusText);
    this.hotTag = h('span', { class: 'tag-hot', hidden: true }, 'HOT');
    this.meta = h('p', { class: 'host-meta' });
    this.error = h('p', { class: 'notice', role: 'alert', hidden: true });
    this.stale = h('p', { class: 'notice', role: 'status', hidden: true });
    const back = h('button', { type: 'button', class: 'btn btn-ghost back', title: 'Back to all hosts (Escape)' }, '← All hosts');
    back.addEventListener('click', () => this.onBack());

    this.headline = new Headline(this.threshold);
    this.windowButtons = WINDOWS.map(([s, label]) => {
      const b = h('button', { type: 'button', class: 'seg', 'aria-pressed': String(s === this.windowS), dataset: { seconds: s } }, label);
      b.addEventListener('click', () => this.setWindow(s));
      return b;
    });
    const coresBox = h('input', { type: 'checkbox', checked: true });
    coresBox.addEventListener('change', () => this.chart.setShowCores(coresBox.checked));
    this.chartNote = h('span', { class: 'card-meta' });
    const plotBox = h('div', { class: 'chart', id: 'cpu-chart' });
    const live = h('button', { type: 'button', class: 'btn btn-small', id: 'back-to-live' }, 'Back to live');
    live.addEventListener('click', () => { location.hash = `#/host/${encodeURIComponent(this.id)}`; });
    this.momentText = h('span', {});
    this.momentBar = h('p', { class: 'moment-bar', id: 'moment-bar', role: 'status', hidden: true }, this.momentText, live);
    const chartCard = h('section', { class: 'card panel', 'aria-label': 'CPU over time' },
      h('header', { class: 'panel-head' },
        h('h2', {}, 'CPU'), this.chartNote,
        h('div', { class: 'panel-tools' },
          h('label', { class: 'check' }, coresBox, h('span', {}, 'Per core')),
          h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time window' }, ...this.windowButtons))),
      this.momentBar,
      plotBox);
    this.tcp = new TcpBars();
    this.procs = new ProcessTable();
    this.socks = new SocketTable();
    this.containers = new ContainerPanel(name => {
      this.procs.setFilter(name);
      this.socks.setFilter(name);
      this.schedule();
    });
    this.control = new ControlPanel({ id: this.id, hostLabel: () => this.summary?.hostname || this.hello?.hostname || this.id });
    this.churn = new ChurnTable();
    this.leaks = new LeakList();
    const churnBox = h('div', { class: 'chart', id: 'churn-chart' });
    const churnCard = h('section', { class: 'card panel', 'aria-label': 'Socket opens and closes per second' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Opens and closes per second')),
      churnBox);

    this.section.replaceChildren(
      h('div', { class: 'host-head' },
        back,
        h('div', { class: 'host-title' }, this.title, this.sub, this.status, this.hotTag),
        this.meta),
      this.error,
      this.stale,
      this.headline.el,
      chartCard,
      this.containers.el,
      this.procs.el,
      this.control.el,
      h('div', { class: 'two-col' }, this.tcp.el, this.socks.el),
      h('h2', { class: 'section-title', id: 'sockets-section' }, 'Sockets'),
      this.leaks.el,
      churnCard,
      this.churn.el,
    );
    setText(this.title, this.summary?.hostname || this.id);
    this.chart = new CpuChart(plotBox, () => this.store.now());
    this.chart.setWindow(this.windowS);
    this.churnChart = new ChurnChart(churnBox, () => this.store.now());
    this.churnChart.setWindow(this.windowS);
    this.showMoment();
    this.renderStatus();
  }

  // Opens the charts at `at` (ms), or back to the live window (null).
  setMoment(at) {
    this.at = at;
    this.showMoment();
    this.loadHistory();
  }

  showMoment() {
    this.chart.setMoment(this.at);
    this.churnChart.setMoment(this.at);
    this.momentBar.hidden = this.at == null;
    if (this.at != null) setText(this.momentText, `The charts show ${dateTime(this.at)}, the alert's moment (marked); the panels below are live. `);
  }

  // How far back the history must reach: the live window, or the window around the moment.
  historySeconds() {
    if (this.at == null) return this.windowS;
    const start = this.at - this.windowS * 750;
    return Math.max(this.windowS, Math.ceil((this.store.now() - start) / 1000));
  }

  async load() {
    const path = `api/hosts/${encodeURIComponent(this.id)}`;
    try {
      const info = await getJson(path, { signal: this.abort.signal });
      this.hello = info.hello || null;
      this.control.setCapabilities(this.hello?.capabilities);
      if (info.host) this.summary = info.host;
      if (info.sample && (!this.latest || info.sample.ts_ms > this.latest.ts_ms)) this.latest = info.sample;
      this.showError(null);
      this.schedule();
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.showError(e.status === 404 ? `The hub knows no host “${this.id}”.` : `Could not load this host: ${e.message}.`);
    }
    this.loadHistory();
    this.control.start();
  }

  async loadHistory() {
    const seconds = this.historySeconds();
    const windowS = this.windowS;
    const req = {};
    this.historyLoading = req;
    this.pendingSamples = [];
    this.historyError = null;
    setText(this.chartNote, 'loading…');
    try {
      const hist = await getJson(`api/hosts/${encodeURIComponent(this.id)}/history?seconds=${seconds}`, { signal: this.abort.signal });
      if (this.historyLoading !== req) return;
      this.chart.setWindow(windowS);
      this.chart.load(hist);
      this.churnChart.setWindow(windowS);
      this.churnChart.load(hist);
      // Samples that arrived while the history was in flight.
      this.appendLive(this.pendingSamples);
    } catch (e) {
      if (e.name === 'AbortError' || this.historyLoading !== req) return;
      this.historyError = `history unavailable: ${e.message}`;
      this.chart.setWindow(windowS);
      this.chart.load({});
      this.churnChart.setWindow(windowS);
      this.churnChart.load({});
      this.appendLive(this.pendingSamples);
    } finally {
      if (this.historyLoading === req) { this.historyLoading = null; this.pendingSamples = []; }
      this.renderStatus();
    }
  }

  setWindow(seconds) {
    if (seconds === this.windowS && !this.historyLoading) return;
    this.windowS = seconds;
    try { sessionStorage.setItem('telehub.window', String(seconds)); } catch { /* storage disabled */ }
    for (const b of this.windowButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.seconds) === seconds));
    this.loadHistory();
  }

  // At a moment the charts hold still.
  appendLive(samples) {
    if (this.at != null) return;
    for (const s of samples) { this.chart.append(s); this.churnChart.append(s); }
  }

  onSample(s) {
    if (this.historyLoading) this.pendingSamples.push(s);
    else this.appendLive([s]);
    if (!this.latest || !(s.ts_ms < this.latest.ts_ms)) this.latest = s;
    this.schedule();
  }

  onSummary(summary) {
    this.summary = summary;
    this.schedule();
  }

  render() {
    const s = this.latest;
    if (s) {
      const cores = this.hello?.cores || this.summary?.cores || s.cpu?.per_core?.length;
      this.headline.update(s, cores);
      this.tcp.update(s.sockets?.tcp);
      this.containers.update(s);
      this.procs.update(s.top);
      this.socks.update(s.sockets);
      this.churn.update(s.sockets);
      this.leaks.update(s.leaks, this.store.now());
    }
    this.renderStatus();
  }

  renderStatus() {
    const sum = this.summary, hello = this.hello, s = this.latest;
    setText(this.title, sum?.hostname || hello?.hostname || this.id);
    setText(this.sub, (sum?.hostname || hello?.hostname || this.id) === this.id ? '' : this.id);
    const now = this.store.now();
    const lastMs = Math.max(sum?.last_seen_ms || 0, s?.ts_ms || 0);
    const interval = s?.interval_ms || sum?.interval_ms || 1000;
    // The summary says offline once the hub decides so; a silent feed says
    // it sooner when this host is outside the overview's filter.
    const silent = lastMs > 0 && now - lastMs > Math.max(5000, 5 * interval);
    // With the hub unreachable, silence says nothing about the host.
    const unknown = !this.store.connected && this.store.loaded && lastMs > 0;
    const online = !unknown && (sum ? sum.online && !silent : !!s && !silent);
    this.status.classList.toggle('is-offline', !online && !unknown);
    this.status.classList.toggle('is-unknown', unknown);
    this.section.classList.toggle('is-stale', !online && !!s);
    const age = ago(lastMs, now).replace(' ago', '');
    if (unknown) this.showStale(`The hub is unreachable: this host's state is unknown. The figures below are from its last sample, ${age} old.`);
    else if (!online && s) this.showStale(`No samples from this host for ${age}; the figures below are from its last sample.`);
    else this.showStale(null);
    const lastX = this.chart.lastTime();
    const empty = this.at == null ? lastX != null && lastX < now / 1000 - this.windowS : lastX == null;
    setText(this.chartNote, this.historyLoading ? 'loading…' : this.historyError ? this.historyError : empty ? 'no samples in this window' : '');
    setText(this.statusText, unknown ? 'Unknown · hub unreachable' : online ? 'Online' : lastMs ? `Offline · last seen ${ago(lastMs, now)}` : 'No data yet');
    const hot = online && isNum(s?.cpu?.total) && s.cpu.total >= this.threshold();
    if (this.hotTag.hidden === hot) this.hotTag.hidden = !hot;

    const parts = [];
    if (hello?.kernel) parts.push(`kernel ${hello.kernel}`);
    const cores = hello?.cores || sum?.cores;
    if (cores) parts.push(`${cores} cores`);
    if (hello?.boot_time) parts.push(`up ${duration(now / 1000 - hello.boot_time)}`);
    if (hello?.agent_version) parts.push(`agent ${hello.agent_version}`);
    parts.push(`every ${interval / 1000} s`);
    if (s) parts.push(`seq ${int(s.seq)}`);
    if (isNum(sum?.gaps) && sum.gaps > 0) parts.push(`${int(sum.gaps)} samples missed`);
    if (lastMs) parts.push(`last sample ${dateTime(lastMs)}`);
    setText(this.meta, parts.join(' · '));
  }

  showStale(text) {
    if (this.stale.hidden !== (text == null)) this.stale.hidden = text == null;
    if (text != null) setText(this.stale, text);
  }

  showError(text) {
    this.error.hidden = text == null;
    setText(this.error, text || '');
  }

  focus() {
    this.title.focus({ preventScroll: true });
  }

  destroy() {
    this.abort.abort();
    clearInterval(this.tick);
    this.control.destroy();
    this.chart.destroy();
    this.churnChart?.destroy();
    this.section.replaceChildren();
  }
}

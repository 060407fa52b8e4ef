// The host page's socket churn chart: TCP opens per second from the kernel's
// exact counters beside sockets opened and closed per second as sampled from
// the processes' fd tables (docs/sockets.md says why they differ).

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { clock } from './cpu_chart.js';

const HEIGHT = 200;
const SERIES = [
  { key: 'opens_exact', label: 'TCP opens/s (exact)', stroke: '#5eb3ff', width: 2 },
  { key: 'opened', label: 'opened/s (sampled)', stroke: '#7dd3a8', width: 1 },
  { key: 'closed', label: 'closed/s (sampled)', stroke: '#ff9fb2', width: 1 },
];

export class ChurnChart {
  constructor(container, now = () => Date.now()) {
    this.container = container;
    this.now = now;
    this.windowS = 300;
    this.xs = [];
    this.cols = SERIES.map(() => []);
    this.plot = null;
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(container);
  }

  destroy() {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  setWindow(seconds) {
    this.windowS = seconds;
  }

  // history: the REST /history answer; counts per interval become rates.
  load(history) {
    const perS = 1000 / (history.interval_ms > 0 ? history.interval_ms : 1000);
    const ts = Array.isArray(history.ts_ms) ? history.ts_ms : [];
    this.xs = ts.map(t => t / 1000);
    this.cols = SERIES.map(s => {
      const col = Array.isArray(history[s.key]) ? history[s.key] : [];
      return ts.map((_, i) => (typeof col[i] === 'number' ? col[i] * perS : null));
    });
    this.rebuild();
  }

  // sample: a live `sample` frame for this host.
  append(sample) {
    const churn = sample.sockets?.churn;
    if (!churn || typeof sample.ts_ms !== 'number') return;
    const x = sample.ts_ms / 1000;
    if (this.xs.length && x <= this.xs[this.xs.length - 1]) return; // backfill already drawn
    const perS = 1000 / (sample.interval_ms > 0 ? sample.interval_ms : 1000);
    const exact = churn.exact ? (churn.tcp_active_opens ?? 0) + (churn.tcp_passive_opens ?? 0) : null;
    const values = [exact, churn.opened, churn.closed];
    this.xs.push(x);
    values.forEach((v, i) => this.cols[i].push(typeof v === 'number' ? v * perS : null));
    const min = x - this.windowS;
    let n = 0;
    while (n < this.xs.length && this.xs[n] < min) n++;
    if (n > 0) {
      this.xs.splice(0, n);
      for (const c of this.cols) c.splice(0, n);
    }
    if (this.plot) this.plot.setData([this.xs, ...this.cols]);
    else this.rebuild();
  }

  rebuild() {
    this.plot?.destroy();
    const axis = {
      stroke: '#8b95a3',
      grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
      ticks: { stroke: 'rgba(255,255,255,0.10)', width: 1, size: 4 },
      font: '12px system-ui, sans-serif',
    };
    const rate = (u, v) => (v == null ? '–' : v.toFixed(1));
    const opts = {
      width: Math.max(300, this.container.clientWidth),
      height: HEIGHT,
      series: [{ value: (u, v) => (v == null ? '–' : clock(v, true)) }, ...SERIES.map(s => ({ label: s.label, stroke: s.stroke, width: s.width, value: rate, points: { show: false } }))],
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (u, lo, hi) => { const end = Math.max(hi ?? 0, this.now() / 1000); return [end - this.windowS, end]; } },
        y: { range: (u, lo, hi) => [0, Math.max(1, hi ?? 1)] },
      },
      axes: [{ ...axis, space: 90, values: (u, splits, ax, space, incr) => splits.map(v => clock(v, incr < 60)) }, { ...axis, size: 44 }],
    };
    this.plot = new uPlot(opts, [this.xs, ...this.cols], this.container);
  }

  fit() {
    if (!this.plot) return;
    const width = Math.max(300, this.container.clientWidth);
    if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }
}

// The host page's socket churn chart: TCP opens per second from the kernel's
// exact counters beside sockets opened and closed per second as sampled from
// the processes' fd tables (docs/sockets.md says why they differ).

import { TimeChart } from './time_chart.js';

const HEIGHT = 200;
const SERIES = [
  { key: 'opens_exact', label: 'TCP opens/s (exact)', stroke: '#5eb3ff', width: 2 },
  { key: 'opened', label: 'opened/s (sampled)', stroke: '#7dd3a8', width: 1 },
  { key: 'closed', label: 'closed/s (sampled)', stroke: '#ff9fb2', width: 1 },
];

export class ChurnChart extends TimeChart {
  constructor(container, now = () => Date.now()) {
    super(container, now, HEIGHT);
    this.cols = SERIES.map(() => []);
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
    if (this.isReplay(x)) return;
    const perS = 1000 / (sample.interval_ms > 0 ? sample.interval_ms : 1000);
    const exact = churn.exact ? (churn.tcp_active_opens ?? 0) + (churn.tcp_passive_opens ?? 0) : null;
    this.pushRow(x, [exact, churn.opened, churn.closed].map(v => (typeof v === 'number' ? v * perS : null)));
    this.trim();
    this.redraw();
  }

  options() {
    const rate = (u, v) => (v == null ? '–' : v.toFixed(1));
    return {
      series: SERIES.map(s => ({ label: s.label, stroke: s.stroke, width: s.width, value: rate, points: { show: false } })),
      // A quiet host still gets a visible axis rather than a flat 0..0.
      yScale: { range: (u, lo, hi) => [0, Math.max(1, hi ?? 1)] },
    };
  }
}

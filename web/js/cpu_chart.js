// The host page's CPU chart: total and per-core busy % over a sliding
// window. History comes from the REST columns, then live samples are
// appended; a gap in time longer than a few intervals is drawn as a gap,
// not a straight line across it.

import { TimeChart } from './time_chart.js';

const TOTAL_COLOR = '#5eb3ff';
const CORE_COLORS = ['#7dd3a8', '#c9a0ff', '#f2c46d', '#ff9fb2', '#6fd6e8', '#b4c66a', '#f59f72', '#9fb3ff'];
const HEIGHT = 280;

// this.cols: the total, then one column per core.
export class CpuChart extends TimeChart {
  constructor(container, now = () => Date.now()) {
    super(container, now, HEIGHT);
    this.intervalMs = 1000;
    this.showCores = true;
    this.cols = [[]];
  }

  setShowCores(on) {
    this.showCores = on;
    if (!this.plot) return;
    // Column i is series i + 1: series 0 is time, column 0 the total.
    for (let i = 1; i < this.cols.length; i++) this.plot.setSeries(i + 1, { show: on });
  }

  // history: the REST /history answer (columns, oldest first).
  load(history) {
    this.intervalMs = history.interval_ms > 0 ? history.interval_ms : 1000;
    const ts = Array.isArray(history.ts_ms) ? history.ts_ms : [];
    const cpu = Array.isArray(history.cpu) ? history.cpu : [];
    const perCore = Array.isArray(history.per_core) ? history.per_core : [];
    this.xs = [];
    this.cols = [[], ...perCore.map(() => [])];
    for (let i = 0; i < ts.length; i++) {
      this.push(ts[i], cpu[i], perCore.map(col => (Array.isArray(col) ? col[i] : null)));
    }
    this.rebuild();
  }

  // sample: a live `sample` frame for this host.
  append(sample) {
    const pc = Array.isArray(sample.cpu?.per_core) ? sample.cpu.per_core : [];
    if (sample.interval_ms > 0) this.intervalMs = sample.interval_ms;
    if (this.isReplay(sample.ts_ms / 1000)) return;
    const [total, ...cores] = this.cols;
    // A core count change (or the first sample) needs new series.
    const newSeries = pc.length !== cores.length;
    if (newSeries) this.cols = [total, ...pc.map((_, i) => cores[i] || this.xs.map(() => null))];
    this.push(sample.ts_ms, sample.cpu?.total, pc);
    this.trim();
    if (newSeries) this.rebuild();
    else this.redraw();
  }

  push(tsMs, total, perCore) {
    if (typeof tsMs !== 'number') return;
    const x = tsMs / 1000;
    const step = this.intervalMs / 1000;
    const last = this.lastTime();
    // uPlot breaks a line only at a null, so a missed stretch gets one.
    if (last != null && x - last > 2.5 * step) this.pushRow(last + step, this.cols.map(() => null));
    this.pushRow(x, [num(total), ...this.cols.slice(1).map((_, i) => num(perCore[i]))]);
  }

  options() {
    return {
      series: [
        { label: 'Total', stroke: TOTAL_COLOR, width: 2, fill: 'rgba(94,179,255,0.10)', value: fmt, points: { show: false } },
        ...this.cols.slice(1).map((_, i) => ({
          label: `cpu${i}`, stroke: CORE_COLORS[i % CORE_COLORS.length] + '99', width: 1, value: fmt,
          show: this.showCores, points: { show: false },
        })),
      ],
      cursor: { points: { size: 6 } },
      legend: { live: true },
      // Off the chart, the legend shows the latest values rather than dashes.
      hooks: { setCursor: [u => { if (u.cursor.idx == null) this.showLatest(); }] },
      yScale: { range: [0, 100] },
      yAxis: { values: (u, ticks) => ticks.map(v => `${v}%`), splits: () => [0, 25, 50, 75, 100] },
    };
  }

  drawn() {
    this.showLatest();
  }

  showLatest() {
    const u = this.plot;
    if (!u || !this.xs.length || u.cursor.idx != null) return;
    u.setLegend({ idx: this.xs.length - 1 });
  }
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function fmt(u, v) {
  return v == null ? '–' : `${v.toFixed(1)}%`;
}

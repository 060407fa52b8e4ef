// The host page's CPU chart: total and per-core busy % over a sliding
// window, drawn by uPlot. History comes from the REST columns, then live
// samples are appended; a gap in time longer than a few intervals is drawn
// as a gap, not a straight line across it.

import uPlot from '../vendor/uplot/uPlot.esm.js';

const TOTAL_COLOR = '#5eb3ff';
const CORE_COLORS = ['#7dd3a8', '#c9a0ff', '#f2c46d', '#ff9fb2', '#6fd6e8', '#b4c66a', '#f59f72', '#9fb3ff'];
const HEIGHT = 280;

export class CpuChart {
  // now(): the hub's clock in ms, so the window ends at the present even
  // when the host has gone quiet.
  constructor(container, now = () => Date.now()) {
    this.container = container;
    this.now = now;
    this.windowS = 300;
    this.intervalMs = 1000;
    this.showCores = true;
    this.xs = [];
    this.total = [];
    this.cores = [];
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

  setShowCores(on) {
    this.showCores = on;
    if (!this.plot) return;
    for (let i = 0; i < this.cores.length; i++) this.plot.setSeries(i + 2, { show: on });
  }

  // history: the REST /history answer (columns, oldest first).
  load(history) {
    this.intervalMs = history.interval_ms > 0 ? history.interval_ms : 1000;
    const ts = Array.isArray(history.ts_ms) ? history.ts_ms : [];
    const cpu = Array.isArray(history.cpu) ? history.cpu : [];
    const perCore = Array.isArray(history.per_core) ? history.per_core : [];
    this.xs = [];
    this.total = [];
    this.cores = perCore.map(() => []);
    for (let i = 0; i < ts.length; i++) {
      this.push(ts[i], cpu[i], perCore.map(col => (Array.isArray(col) ? col[i] : null)));
    }
    this.rebuild();
  }

  // sample: a live `sample` frame for this host.
  append(sample) {
    const pc = Array.isArray(sample.cpu?.per_core) ? sample.cpu.per_core : [];
    if (sample.interval_ms > 0) this.intervalMs = sample.interval_ms;
    const last = this.xs.length ? this.xs[this.xs.length - 1] : null;
    if (last != null && sample.ts_ms / 1000 <= last) return; // replayed backfill already drawn
    let rebuild = false;
    if (pc.length !== this.cores.length) {
      // A core count change (or the first sample) needs new series.
      this.cores = pc.map((_, i) => this.cores[i] || this.xs.map(() => null));
      rebuild = true;
    }
    this.push(sample.ts_ms, sample.cpu?.total, pc);
    this.trim();
    if (rebuild || !this.plot) this.rebuild();
    else {
      this.plot.setData(this.data());
      this.showLatest();
    }
  }

  push(tsMs, total, perCore) {
    if (typeof tsMs !== 'number') return;
    const x = tsMs / 1000;
    const last = this.xs.length ? this.xs[this.xs.length - 1] : null;
    if (last != null && x - last > 2.5 * this.intervalMs / 1000) {
      this.xs.push(last + this.intervalMs / 1000);
      this.total.push(null);
      for (const c of this.cores) c.push(null);
    }
    this.xs.push(x);
    this.total.push(num(total));
    for (let i = 0; i < this.cores.length; i++) this.cores[i].push(num(perCore[i]));
  }

  trim() {
    if (!this.xs.length) return;
    const min = this.xs[this.xs.length - 1] - this.windowS;
    let n = 0;
    while (n < this.xs.length && this.xs[n] < min) n++;
    if (n > 0) {
      this.xs.splice(0, n);
      this.total.splice(0, n);
      for (const c of this.cores) c.splice(0, n);
    }
  }

  lastTime() {
    return this.xs.length ? this.xs[this.xs.length - 1] : null;
  }

  data() {
    return [this.xs, this.total, ...this.cores];
  }

  rebuild() {
    this.plot?.destroy();
    const width = Math.max(300, this.container.clientWidth);
    const axisStyle = {
      stroke: '#8b95a3',
      grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
      ticks: { stroke: 'rgba(255,255,255,0.10)', width: 1, size: 4 },
      font: '12px system-ui, sans-serif',
    };
    const series = [
      { value: (u, v) => (v == null ? '–' : clock(v, true)) },
      { label: 'Total', stroke: TOTAL_COLOR, width: 2, fill: 'rgba(94,179,255,0.10)', value: fmt, points: { show: false } },
      ...this.cores.map((_, i) => ({
        label: `cpu${i}`, stroke: CORE_COLORS[i % CORE_COLORS.length] + '99', width: 1, value: fmt,
        show: this.showCores, points: { show: false },
      })),
    ];
    const opts = {
      width,
      height: HEIGHT,
      series,
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      legend: { live: true },
      // Off the chart, the legend shows the latest values rather than dashes.
      hooks: { setCursor: [u => { if (u.cursor.idx == null) this.showLatest(); }] },
      scales: {
        x: {
          time: true,
          // Always the whole window, so a young host shows how little it has.
          range: (u, min, max) => {
            const end = Math.max(max ?? 0, this.now() / 1000);
            return [end - this.windowS, end];
          },
        },
        y: { range: [0, 100] },
      },
      axes: [
        // 24-hour clock; seconds only when the ticks are under a minute apart.
        { ...axisStyle, space: 90, values: (u, splits, ax, space, incr) => splits.map(v => clock(v, incr < 60)) },
        { ...axisStyle, size: 44, values: (u, ticks) => ticks.map(v => `${v}%`), splits: () => [0, 25, 50, 75, 100] },
      ],
    };
    this.plot = new uPlot(opts, this.data(), this.container);
    this.showLatest();
  }

  showLatest() {
    const u = this.plot;
    if (!u || !this.xs.length || u.cursor.idx != null) return;
    u.setLegend({ idx: this.xs.length - 1 });
  }

  fit() {
    if (!this.plot) return;
    const width = Math.max(300, this.container.clientWidth);
    if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function clock(sec, withSeconds) {
  const d = new Date(sec * 1000);
  const p = n => String(n).padStart(2, '0');
  return withSeconds ? `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : `${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fmt(u, v) {
  return v == null ? '–' : `${v.toFixed(1)}%`;
}

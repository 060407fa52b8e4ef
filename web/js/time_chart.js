// What the host page's uPlot charts share: a rolling window of points on a
// 24-hour time axis that always spans the whole window, drawn at the
// container's width. A chart subclasses TimeChart, keeps its y columns in
// this.cols (one per series, aligned with this.xs) and says in options()
// what differs: its series, its y scale and axis, and any extra uPlot options.

import uPlot from '../vendor/uplot/uPlot.esm.js';

const MIN_WIDTH = 300;
const AXIS = {
  stroke: '#8b95a3',
  grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.10)', width: 1, size: 4 },
  font: '12px system-ui, sans-serif',
};

export class TimeChart {
  // now(): the hub's clock in ms, so the window ends at the present even
  // when the host has gone quiet.
  constructor(container, now, height) {
    this.container = container;
    this.now = now;
    this.height = height;
    this.windowS = 300;
    this.xs = [];
    this.cols = [];
    this.plot = null;
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(container);
  }

  destroy() {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  // Takes effect at the next draw: the x range asks for it each time.
  setWindow(seconds) {
    this.windowS = seconds;
  }

  lastTime() {
    return this.xs.length ? this.xs[this.xs.length - 1] : null;
  }

  // A live sample at or before the last point was already drawn from history.
  isReplay(x) {
    const last = this.lastTime();
    return last != null && x <= last;
  }

  pushRow(x, values) {
    this.xs.push(x);
    this.cols.forEach((c, i) => c.push(values[i]));
  }

  // Keeps memory bounded by what the window can show.
  trim() {
    const last = this.lastTime();
    if (last == null) return;
    const min = last - this.windowS;
    let n = 0;
    while (n < this.xs.length && this.xs[n] < min) n++;
    if (n > 0) {
      this.xs.splice(0, n);
      for (const c of this.cols) c.splice(0, n);
    }
  }

  data() {
    return [this.xs, ...this.cols];
  }

  // New points on the same series are cheap; a new plot only when there is none.
  redraw() {
    if (!this.plot) return this.rebuild();
    this.plot.setData(this.data());
    this.drawn();
  }

  // Called after each draw; a chart that shows more than uPlot does overrides it.
  drawn() {}

  // Whole new plot: needed whenever the set of series changes.
  rebuild() {
    this.plot?.destroy();
    const { series, yScale, yAxis, cursor, ...rest } = this.options();
    const opts = {
      ...rest,
      width: this.width(),
      height: this.height,
      series: [{ value: (u, v) => (v == null ? '–' : clock(v, true)) }, ...series],
      cursor: { ...cursor, drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          // Always the whole window, so a young host shows how little it has.
          range: (u, min, max) => {
            const end = Math.max(max ?? 0, this.now() / 1000);
            return [end - this.windowS, end];
          },
        },
        y: yScale,
      },
      axes: [
        // 24-hour clock; seconds only when the ticks are under a minute apart.
        { ...AXIS, space: 90, values: (u, splits, ax, space, incr) => splits.map(v => clock(v, incr < 60)) },
        { ...AXIS, size: 44, ...yAxis },
      ],
    };
    this.plot = new uPlot(opts, this.data(), this.container);
    this.drawn();
  }

  width() {
    return Math.max(MIN_WIDTH, this.container.clientWidth);
  }

  fit() {
    if (!this.plot) return;
    const width = this.width();
    if (width !== this.plot.width) this.plot.setSize({ width, height: this.height });
  }
}

export function clock(sec, withSeconds) {
  const d = new Date(sec * 1000);
  const p = n => String(n).padStart(2, '0');
  return withSeconds ? `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : `${p(d.getHours())}:${p(d.getMinutes())}`;
}

// What the host page's uPlot charts share: a rolling window of points on a
// 24-hour time axis that always spans the whole window, drawn at the
// container's width. A chart subclasses TimeChart, keeps its y columns in
// this.cols (one per series, aligned with this.xs) and says in options()
// what differs: its series, its y scale and axis, and any extra uPlot options.
// With a moment set (the host page opened at an alert, #/host/ID?at=MS) the
// window is placed around that moment instead of ending now, and a marker
// stands at it.

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
    this.momentS = null;
    this.marker = null;
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

  // A past moment (ms) to show, or null for the live window. Takes effect at the next draw.
  setMoment(ms) {
    this.momentS = ms == null ? null : ms / 1000;
  }

  // Three quarters of the window before the moment, a quarter after (but not past now).
  range() {
    const now = this.now() / 1000;
    if (this.momentS == null) {
      const last = this.lastTime();
      const end = Math.max(last ?? 0, now);
      return [end - this.windowS, end];
    }
    const end = Math.min(this.momentS + this.windowS / 4, Math.max(now, this.momentS));
    return [end - this.windowS, end];
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
    if (last == null || this.momentS != null) return;
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
    const { series, yScale, yAxis, cursor, hooks, ...rest } = this.options();
    this.marker = null;
    const opts = {
      ...rest,
      hooks: { ...hooks, draw: [...(hooks?.draw || []), u => this.placeMarker(u)] },
      width: this.width(),
      height: this.height,
      series: [{ value: (u, v) => (v == null ? '–' : clock(v, true)) }, ...series],
      cursor: { ...cursor, drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          // Always the whole window, so a young host shows how little it has.
          range: () => this.range(),
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

  // The moment's marker: an element over the plot (so a test or a screen
  // reader can find it), and the drawn range on the container for the same reason.
  placeMarker(u) {
    this.container.dataset.xMin = String(u.scales.x.min);
    this.container.dataset.xMax = String(u.scales.x.max);
    if (this.momentS == null) {
      this.marker?.remove();
      this.marker = null;
      return;
    }
    if (!this.marker) {
      this.marker = document.createElement('div');
      this.marker.className = 'moment-marker';
      this.marker.setAttribute('role', 'img');
      u.over.append(this.marker);
    }
    this.marker.dataset.at = String(Math.round(this.momentS * 1000));
    this.marker.setAttribute('aria-label', `The alert's moment, ${clock(this.momentS, true)}`);
    this.marker.style.left = `${Math.round(u.valToPos(this.momentS, 'x'))}px`;
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

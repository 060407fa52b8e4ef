// A CPU sparkline on a small <canvas>: one path, no library, so a table of
// 1,000 rows can hold one each. Values are 0..100; null marks a gap.

export const SPARK_POINTS = 180; // last 3 minutes at the default 1 s interval

export function sizeCanvas(canvas, cssWidth, cssHeight) {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = Math.round(cssWidth * dpr), hgt = Math.round(cssHeight * dpr);
  if (canvas.width !== w || canvas.height !== hgt) {
    canvas.width = w;
    canvas.height = hgt;
  }
  return dpr;
}

// values: array-like of numbers (oldest first); hot: colour for a hot host.
export function drawSparkline(canvas, values, { hot = false, offline = false, threshold = null, dpr = 1 } = {}) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, hgt = canvas.height;
  ctx.clearRect(0, 0, w, hgt);
  const n = values.length;
  if (n === 0) return;
  const pad = 1.5 * dpr;
  const step = (w - 2 * pad) / Math.max(1, SPARK_POINTS - 1);
  const x0 = w - pad - (n - 1) * step;
  const y = v => hgt - pad - (Math.max(0, Math.min(100, v)) / 100) * (hgt - 2 * pad);
  const stroke = offline ? '#5b6472' : hot ? '#ff8a4c' : '#5eb3ff';
  const fill = offline ? 'rgba(91,100,114,0.12)' : hot ? 'rgba(255,138,76,0.18)' : 'rgba(94,179,255,0.14)';

  if (threshold != null) {
    ctx.strokeStyle = 'rgba(255,138,76,0.28)';
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    const ty = Math.round(y(threshold)) + 0.5;
    ctx.moveTo(pad, ty);
    ctx.lineTo(w - pad, ty);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // Filled area under the line, then the line, one segment per run of values.
  ctx.lineJoin = 'round';
  ctx.lineWidth = dpr * 1.25;
  let start = -1;
  const flush = end => {
    if (start < 0) return;
    ctx.beginPath();
    ctx.moveTo(x0 + start * step, hgt);
    for (let i = start; i < end; i++) ctx.lineTo(x0 + i * step, y(values[i]));
    ctx.lineTo(x0 + (end - 1) * step, hgt);
    ctx.closePath();
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.beginPath();
    for (let i = start; i < end; i++) {
      if (i === start) ctx.moveTo(x0 + i * step, y(values[i]));
      else ctx.lineTo(x0 + i * step, y(values[i]));
    }
    ctx.strokeStyle = stroke;
    ctx.stroke();
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) flush(i);
    else if (start < 0) start = i;
  }
  flush(n);
  // The latest value as a dot, so the eye finds "now".
  const last = values[n - 1];
  if (last != null && Number.isFinite(last)) {
    ctx.fillStyle = stroke;
    ctx.beginPath();
    ctx.arc(x0 + (n - 1) * step, y(last), 1.6 * dpr, 0, Math.PI * 2);
    ctx.fill();
  }
}

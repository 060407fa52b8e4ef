// Number and time formatting for the dashboard. Every function accepts
// missing or non-numeric input and answers '–' rather than 'NaN'.

export const DASH = '–';
const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

export function pct(v, digits = 1) {
  return isNum(v) ? v.toFixed(digits) : DASH;
}

export function int(v) {
  return isNum(v) ? intFmt.format(v) : DASH;
}

export function fixed(v, digits = 2) {
  return isNum(v) ? v.toFixed(digits) : DASH;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export function bytes(v) {
  if (!isNum(v) || v < 0) return DASH;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[i]}`;
}

// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago".
export function ago(tsMs, nowMs = Date.now()) {
  if (!isNum(tsMs) || tsMs <= 0) return 'never';
  const s = Math.max(0, Math.round((nowMs - tsMs) / 1000));
  if (s < 3) return 'just now';
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min ago`;
  const hr = Math.round(m / 60);
  if (hr < 36) return `${hr} h ago`;
  return `${Math.round(hr / 24)} d ago`;
}

export function dateTime(tsMs) {
  if (!isNum(tsMs) || tsMs <= 0) return DASH;
  const d = new Date(tsMs);
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function duration(seconds) {
  if (!isNum(seconds) || seconds < 0) return DASH;
  const d = Math.floor(seconds / 86400);
  const hr = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${hr} h`;
  if (hr > 0) return `${hr} h ${m} min`;
  return `${m} min`;
}

// What the dashboard knows about hosts, fed by /ws/live snapshot and
// summaries frames. Records outlive the filter: a host that leaves the
// current view keeps its sparkline, and gets a gap when it comes back.

import { SPARK_POINTS } from './sparkline.js';

export class HostStore {
  constructor() {
    this.hosts = new Map();   // host_id -> {summary, spark, lastSeq, sparkDirty, version}
    this.shown = [];          // records in the latest frame, i.e. matching the filter
    this.counts = null;
    this.highCpu = null;
    this.clockOffsetMs = 0;   // hub clock minus this browser's clock
    this.loaded = false;
    this.connected = false;   // the live connection is open: figures are current
  }

  now() {
    return Date.now() + this.clockOffsetMs;
  }

  applySnapshot(msg) {
    this.frameMeta(msg);
    const shown = [];
    for (const s of hostsOf(msg)) {
      const rec = this.record(s);
      if (Array.isArray(s.spark)) {
        rec.spark = s.spark.slice(-SPARK_POINTS).map(v => (typeof v === 'number' ? v : null));
        if (!s.online) rec.spark.push(null);
      }
      rec.summary = s;
      rec.lastSeq = s.seq;
      rec.sparkDirty = true;
      shown.push(rec);
    }
    this.shown = shown;
    this.loaded = true;
  }

  applySummaries(msg) {
    this.frameMeta(msg);
    const before = new Set(this.shown);
    const shown = [];
    for (const s of hostsOf(msg)) {
      const rec = this.record(s);
      const prev = rec.summary;
      if (s.online && s.seq !== rec.lastSeq) {
        // A host coming back into view, or back online, missed samples here.
        const missed = !before.has(rec) && rec.lastSeq != null && s.seq > rec.lastSeq + 1;
        if (missed && rec.spark.length) rec.spark.push(null);
        rec.spark.push(typeof s.cpu === 'number' ? s.cpu : null);
        rec.sparkDirty = true;
      } else if (!s.online && prev && prev.online) {
        rec.spark.push(null);
        rec.sparkDirty = true;
      }
      if (rec.spark.length > SPARK_POINTS) rec.spark.splice(0, rec.spark.length - SPARK_POINTS);
      rec.summary = s;
      rec.lastSeq = s.seq;
      shown.push(rec);
    }
    this.shown = shown;
    this.loaded = true;
  }

  frameMeta(msg) {
    if (typeof msg.ts_ms === 'number') this.clockOffsetMs = msg.ts_ms - Date.now();
    if (msg.counts && typeof msg.counts === 'object') this.counts = msg.counts;
    if (typeof msg.high_cpu === 'number') this.highCpu = msg.high_cpu;
  }

  record(s) {
    let rec = this.hosts.get(s.host_id);
    if (!rec) {
      rec = { id: s.host_id, summary: s, spark: [], lastSeq: null, sparkDirty: true };
      this.hosts.set(s.host_id, rec);
    }
    return rec;
  }
}

function hostsOf(msg) {
  return Array.isArray(msg.hosts) ? msg.hosts.filter(s => s && typeof s.host_id === 'string') : [];
}

// The hub sends a fleet's once-a-second summaries in parts (`part` of
// `parts`, same `ts_ms`) so that a followed host's samples are not held
// behind megabytes of summaries. This puts a set back together: the view
// changes once per set, never to half a fleet. A set missing a part (the hub
// drops what a slow dashboard has not been sent yet when a newer set is
// ready) is skipped whole.

export class SummariesAssembler {
  constructor() {
    this.reset();
  }

  // After a snapshot or a reconnect, a set begun before it is stale.
  reset() {
    this.pending = null;
  }

  // Returns the whole set as one summaries message once its last part is
  // in, else null. A frame without parts is a whole set.
  take(msg) {
    const { part, parts } = msg;
    if (!Number.isInteger(part) || !Number.isInteger(parts) || parts <= 1) {
      this.reset();
      return msg;
    }
    if (part === 0) {
      this.pending = { ts: msg.ts_ms, parts, hosts: [] };
    } else if (!this.pending || this.pending.ts !== msg.ts_ms || this.pending.parts !== parts ||
               this.pending.next !== part) {
      this.reset();
      return null;
    }
    const p = this.pending;
    for (const h of Array.isArray(msg.hosts) ? msg.hosts : []) p.hosts.push(h);
    p.next = part + 1;
    if (p.next < parts) return null;
    this.reset();
    return { ...msg, hosts: p.hosts };
  }
}

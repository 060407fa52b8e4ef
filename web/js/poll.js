// A REST route read again every `everyMs` while someone looks: the next
// request leaves only after the last one answered (a slow hub is never asked
// twice at once), and stop() abandons the one in flight.

import { getJson } from './auth.js';

export class Poller {
  constructor(path, everyMs, { onData, onError }) {
    this.path = path;
    this.everyMs = everyMs;
    this.onData = onData;
    this.onError = onError;
    this.timer = 0;
    this.abort = null;
  }

  get running() { return this.abort != null; }

  start() {
    if (this.running) return;
    this.abort = new AbortController();
    this.run(this.abort);
  }

  stop() {
    clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = null;
  }

  // Ask now (a changed path, a click) rather than at the next tick.
  now() {
    if (!this.running) return;
    this.stop();
    this.start();
  }

  async run(abort) {
    try {
      const data = await getJson(this.path, { signal: abort.signal });
      if (abort.signal.aborted) return;
      this.onData(data);
    } catch (e) {
      if (e.name === 'AbortError' || abort.signal.aborted) return;
      this.onError?.(e);
    }
    if (!abort.signal.aborted) this.timer = setTimeout(() => this.run(abort), this.everyMs);
  }
}

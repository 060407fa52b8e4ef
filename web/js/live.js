// The /ws/live connection: one WebSocket, reconnected with exponential
// backoff (plus jitter, so many dashboards do not return in lock-step after a
// hub restart), and the current subscription re-sent after every (re)connect.

import { liveUrl } from './auth.js';
import { SummariesAssembler } from './summaries_parts.js';

const MIN_DELAY_MS = 500;
// Low enough that a dashboard is back within seconds of a hub restart; a
// refused attempt every ~5 s per dashboard costs the hub nothing worth saving.
const MAX_DELAY_MS = 5000;
// Summaries arrive every second; this long without any frame means the
// connection is dead even if the socket has not noticed yet.
const STALL_MS = 10000;

export class LiveConnection {
  constructor({ onMessage, onState }) {
    this.onMessage = onMessage;
    this.onState = onState;
    this.subscription = { filter: {}, detail: [] };
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = 0;
    this.stallTimer = 0;
    this.retryAt = 0;
    this.stopped = false;
    this.parts = new SummariesAssembler();  // onMessage gets whole summaries sets
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stallTimer);
    if (this.ws) this.ws.close(1000, 'page closed');
  }

  // Replaces the filter and the detail set, as the protocol's subscribe does.
  subscribe(filter, detail) {
    this.subscription = { filter: { ...filter }, detail: [...detail] };
    this.send();
  }

  send() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'subscribe', ...this.subscription }));
    }
  }

  retryNow() {
    if (this.ws) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  connect() {
    this.retryTimer = 0;
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(liveUrl());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.parts.reset();
    ws.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      this.send();
      this.armStall();
    };
    ws.onmessage = ev => {
      this.armStall();
      if (typeof ev.data !== 'string') return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { console.warn('live: frame is not JSON'); return; }
      if (!msg || typeof msg.type !== 'string') return;
      if (msg.type === 'snapshot') this.parts.reset();
      if (msg.type === 'summaries') msg = this.parts.take(msg);
      if (msg) this.onMessage(msg);
    };
    ws.onclose = ev => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.stallTimer);
      if (this.stopped) return;
      this.lastClose = { code: ev.code, reason: ev.reason };
      this.scheduleRetry();
    };
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => {};
  }

  armStall() {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (this.ws) this.ws.close(4001, 'no frames');
      // The close event can take a while on a dead link; do not wait for it.
      const ws = this.ws;
      if (ws) { ws.onclose({ code: 4001, reason: 'no frames from the hub' }); }
    }, STALL_MS);
  }

  scheduleRetry() {
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.retryAt = Date.now() + delay;
    this.setState('waiting');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  setState(state) {
    this.state = state;
    this.onState(state, this);
  }
}

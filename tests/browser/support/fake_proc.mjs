// A proc root for an agent (--proc-root) whose host CPU the test decides.
// `stat` is rewritten a few times a second with counters advancing at the
// chosen busy fraction; everything else links to the real /proc, and the
// processes listed are real ones (linked by pid) so the top-process and
// socket tables have real rows.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TICKS_PER_S = 100;
const CORES = 2;

export class FakeProcRoot {
  // busy: 0..1, the host CPU the agent should report; jitter: ± around it,
  // so the figures on the dashboard change from second to second.
  constructor({ busy, jitter = 0.02, pids = [] }) {
    this.busy = busy;
    this.jitter = jitter;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telehub-fakeproc-'));
    for (const name of ['meminfo', 'loadavg', 'version', 'uptime', 'net', 'sys']) {
      fs.symlinkSync(`/proc/${name}`, path.join(this.dir, name));
    }
    for (const pid of pids) {
      if (pid && fs.existsSync(`/proc/${pid}`)) fs.symlinkSync(`/proc/${pid}`, path.join(this.dir, String(pid)));
    }
    this.cores = Array.from({ length: CORES }, () => ({ busy: 1000, idle: 1000 }));
    this.lastMs = Date.now();
    this.btime = Math.floor(Date.now() / 1000) - 3600;
    this.write();
    this.timer = setInterval(() => this.advance(), 200);
  }

  advance() {
    const now = Date.now();
    const ticks = ((now - this.lastMs) / 1000) * TICKS_PER_S;
    this.lastMs = now;
    for (const c of this.cores) {
      const f = Math.min(1, Math.max(0, this.busy + (Math.random() * 2 - 1) * this.jitter));
      c.busy += ticks * f;
      c.idle += ticks * (1 - f);
    }
    this.write();
  }

  write() {
    const line = (label, cs) => {
      const busy = Math.round(cs.reduce((a, c) => a + c.busy, 0));
      const idle = Math.round(cs.reduce((a, c) => a + c.idle, 0));
      const user = Math.round(busy * 0.8);
      return `${label} ${user} 0 ${busy - user} ${idle} 0 0 0 0 0 0`;
    };
    const text = [
      line('cpu ', this.cores),
      ...this.cores.map((c, i) => line(`cpu${i}`, [c])),
      `btime ${this.btime}`,
      'processes 1000',
      'procs_running 2',
      'procs_blocked 0',
      '',
    ].join('\n');
    // Replaced whole, so the agent never reads a half-written file.
    const tmp = path.join(this.dir, '.stat.tmp');
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(this.dir, 'stat'));
  }

  close() {
    clearInterval(this.timer);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

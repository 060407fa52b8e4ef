// Child processes for the browser test: started on 127.0.0.1 only, their
// output kept (last lines) for the failure message, and every one stopped
// by its pid when the test ends.

import { spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';

const children = new Set();

export function requireExecutable(envName) {
  const path = process.env[envName];
  if (!path) {
    throw new Error(`${envName} is not set: point it at the built binary, e.g. ${envName}=$PWD/build/${envName === 'TELEHUB_HUB_BIN' ? 'hub/telehub' : 'agent/telehub-agent'}`);
  }
  try {
    fs.accessSync(path, fs.constants.X_OK);
  } catch {
    throw new Error(`${envName}=${path} is not an executable file (build it first)`);
  }
  return path;
}

// A port that was free a moment ago on 127.0.0.1.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function start(name, file, args) {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = chunk => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 200) tail.shift();  // room for a whole sanitizer report
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc = {
    name, child, tail,
    exited: new Promise(resolve => child.once('exit', (code, signal) => { proc.exit = { code, signal }; resolve(proc.exit); })),
    exit: null,
    describe: (lines = 15) => `${name} (pid ${child.pid}${proc.exit ? `, exited ${JSON.stringify(proc.exit)}` : ''}):\n  ${tail.slice(-lines).join('\n  ') || '(no output)'}`,
  };
  child.once('error', err => { tail.push(`spawn failed: ${err.message}`); });
  children.add(proc);
  return proc;
}

// Under scripts/test --sanitize the hub and agents exit with TELEHUB_SANITIZER_EXITCODE at their
// first report, and LeakSanitizer's report comes only at a clean exit: a process this test stops
// must get the time to exit by itself (the SIGKILL fallback would hide the report) and its exit code
// is checked here, where no test looks, so a report at shutdown cannot pass unseen.
const sanitizerExitCode = process.env.TELEHUB_SANITIZER_EXITCODE ? Number(process.env.TELEHUB_SANITIZER_EXITCODE) : null;

function checkSanitizerExit(proc) {
  if (sanitizerExitCode !== null && proc.exit?.code === sanitizerExitCode) {
    throw new Error(`${proc.name} exited with the sanitizer exit code ${sanitizerExitCode}: ${proc.describe(proc.tail.length)}`);
  }
}

// SIGTERM by pid, then SIGKILL if it has not exited within the deadline.
export async function stop(proc, deadlineMs = sanitizerExitCode === null ? 3000 : 30000) {
  children.delete(proc);
  if (proc.child.pid == null) return;
  if (!proc.exit) {
    try { process.kill(proc.child.pid, 'SIGTERM'); } catch { /* exited just now: its code is checked below */ }
    const timer = new Promise(resolve => setTimeout(resolve, deadlineMs, 'timeout'));
    if ((await Promise.race([proc.exited, timer])) === 'timeout') {
      try { process.kill(proc.child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await proc.exited;
  }
  checkSanitizerExit(proc);
}

// Stops every child, even when one of them fails the sanitizer check, then reports the failures.
export async function stopAll() {
  const results = await Promise.allSettled([...children].map(p => stop(p)));
  const failed = results.filter(r => r.status === 'rejected').map(r => r.reason.message);
  if (failed.length) throw new Error(failed.join('\n'));
}

// Polls `check` until it returns a truthy value or the deadline passes.
export async function waitFor(what, check, { timeoutMs = 15000, everyMs = 100, procs = [] } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    const dead = procs.find(p => p.exit);
    if (dead) throw new Error(`while waiting for ${what}, ${dead.describe()}`);
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}\n${procs.map(p => p.describe()).join('\n')}`);
    }
    await new Promise(r => setTimeout(r, everyMs));
  }
}

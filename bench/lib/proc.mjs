// Child processes with a hard time limit. Every child is started in its own process group so a
// timeout ends the whole tree it started (and nothing else).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

// GNU time, when present, reports the peak resident set of the command and of the children it waited
// for (buf's plugins, sh's commands). Its own cost is a fork+exec, the same for every contestant.
const GNU_TIME = process.platform === 'linux' && existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
let seq = 0;

// Children still running. If this process is told to stop, their process groups go with it (each child
// runs detached, in its own group, so nothing else would end them).
const active = new Set();
let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const child of active) killGroup(child, 'SIGKILL');
  });
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.on(sig, () => {
      for (const child of active) killGroup(child, 'SIGKILL');
      process.exit(code);
    });
  }
}

const TAIL = 4000;

/**
 * Run a command once and measure its wall time, from spawn to exit.
 * Resolves (never rejects) with { ok, code, signal, timedOut, ms, stdout, stderr, peakRss (bytes or null) }.
 * stdout/stderr keep only their last few KB (a generator can print a lot).
 */
export function run(cmd, args, { cwd, env, timeoutMs = 600_000, input, inherit = false, peakRss = false } = {}) {
  let rssFile = null;
  if (peakRss && GNU_TIME) {
    rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${++seq}.txt`);
    args = ['-f', 'MAXRSS=%M', '-o', rssFile, cmd, ...args];
    cmd = GNU_TIME;
  }
  const readRss = () => {
    if (!rssFile) return null;
    try {
      const m = /MAXRSS=(\d+)/.exec(readFileSync(rssFile, 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    } finally {
      rmSync(rssFile, { force: true });
    }
  };
  return new Promise((resolve) => {
    const start = performance.now();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(cmd, args, {
        cwd,
        env: { ...process.env, ...env },
        stdio: inherit ? ['ignore', 'inherit', 'inherit'] : [input == null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        detached: true, // own process group: killable as a whole on timeout
      });
    } catch (error) {
      resolve({ ok: false, code: null, signal: null, timedOut, ms: 0, stdout, stderr: String(error) });
      return;
    }
    const keep = (prev, chunk) => (prev + chunk).slice(-TAIL);
    child.stdout?.on('data', (d) => (stdout = keep(stdout, d)));
    child.stderr?.on('data', (d) => (stderr = keep(stderr, d)));
    if (input != null) child.stdin.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
    }, timeoutMs);
    installHandlers();
    active.add(child);
    child.on('error', (error) => {
      stderr = keep(stderr, String(error));
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - start;
      clearTimeout(timer);
      active.delete(child);
      resolve({ ok: code === 0 && !timedOut, code, signal, timedOut, ms, stdout, stderr, peakRss: readRss() });
    });
  });
}

function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Last non-empty lines of a child's output, for error messages. */
export function tail(text, lines = 6) {
  return String(text ?? '')
    .split('\n')
    .filter((l) => l.trim())
    .slice(-lines)
    .join('\n');
}

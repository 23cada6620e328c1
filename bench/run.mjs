#!/usr/bin/env node
// npm run bench  (= npm run build && node bench/run.mjs)
//
//   node bench/run.mjs                          all: bench/codegen-*.mjs, then every bench/*.bench.mjs
//   node bench/run.mjs codegen-proto            one bench (file name without .mjs / .bench.mjs)
//   node bench/run.mjs codegen-proto:pubsub,typecheck codegen-openapi:help    parts of a bench
//   node bench/run.mjs queue                    any other bench/<name>.mjs, by name
//
// Each bench runs in its own child process (stdout/stderr passed through), one after the other, with a
// time limit. Peers are installed into bench/node_modules (`npm ci --prefix bench`) when missing.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH, envInt, machineInfo, NM, QUIET_CAVEAT, ROOT } from './lib/env.mjs';
import { fmtMs } from './lib/timing.mjs';

function runChild(cmd, args, { timeoutMs, cwd = ROOT }) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: 'inherit', detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }, 3000).unref();
    }, timeoutMs);
    const stop = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    };
    // Interrupted: let the bench stop its own children (SIGTERM), then make sure of it.
    const interrupt = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      setTimeout(() => (stop(), process.exit(130)), 3000);
      child.once('close', () => process.exit(130));
    };
    process.once('exit', stop);
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    child.on('error', (error) => console.error(String(error)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', stop);
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
      resolve({ code, signal, timedOut, ms: performance.now() - start });
    });
  });
}

function discover() {
  const files = readdirSync(BENCH)
    .filter((f) => f.endsWith('.mjs'))
    .sort();
  const codegen = files.filter((f) => /^codegen-.+\.mjs$/.test(f));
  const runtime = files.filter((f) => f.endsWith('.bench.mjs'));
  const others = files.filter((f) => f !== 'run.mjs' && !codegen.includes(f) && !runtime.includes(f));
  return { codegen, runtime, others };
}

const nameOf = (file) => file.replace(/\.bench\.mjs$|\.mjs$/, '');

async function main() {
  const { codegen, runtime, others } = discover();
  const byName = new Map([...codegen, ...runtime, ...others].map((f) => [nameOf(f), f]));
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(
      `usage: node bench/run.mjs [name[:part,part]]...\n  default: ${[...codegen, ...runtime].map(nameOf).join(' ')}\n  also by name: ${others.map(nameOf).join(' ') || '-'}`,
    );
    return 0;
  }
  const selected = [];
  for (const arg of args) {
    const [name, parts] = arg.split(':');
    const file = byName.get(name) ?? byName.get(nameOf(name));
    if (!file) {
      console.error(`unknown bench "${name}"; known: ${[...byName.keys()].join(', ')}`);
      return 2;
    }
    selected.push({ file, parts: parts ? parts.split(',').filter(Boolean) : [] });
  }
  if (!selected.length) for (const file of [...codegen, ...runtime]) selected.push({ file, parts: [] });

  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    console.error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`.');
    return 1;
  }
  if (!existsSync(path.join(NM, '.package-lock.json'))) {
    console.log('bench/node_modules missing: npm ci --prefix bench');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const res = await runChild(npm, ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], { timeoutMs: 20 * 60_000 });
    if (res.code !== 0) {
      console.error('npm ci --prefix bench failed');
      return 1;
    }
  }

  console.log('create-service-link benchmarks');
  for (const line of machineInfo()) console.log(line);
  console.log(QUIET_CAVEAT);
  console.log(
    `running: ${selected.map((s) => nameOf(s.file) + (s.parts.length ? `:${s.parts.join(',')}` : '')).join(', ')}`,
  );

  const codegenTimeout = envInt('BENCH_CODEGEN_LIMIT', 60, { max: 600 }) * 60_000;
  const runtimeTimeout = envInt('BENCH_RUNTIME_LIMIT', 20, { max: 600 }) * 60_000;
  const summary = [];
  for (const { file, parts } of selected) {
    const isCodegen = codegen.includes(file);
    console.log(`\n======== ${file}${parts.length ? ` (${parts.join(', ')})` : ''} ========`);
    const res = await runChild(process.execPath, [path.join(BENCH, file), ...parts], {
      timeoutMs: isCodegen ? codegenTimeout : runtimeTimeout,
    });
    const status = res.timedOut
      ? `stopped after ${fmtMs(isCodegen ? codegenTimeout : runtimeTimeout)}`
      : res.code === 0
        ? 'ok'
        : `exit ${res.code ?? res.signal}`;
    summary.push({ file, status, ms: res.ms });
  }
  console.log('\n======== summary ========');
  for (const s of summary) console.log(`${s.file.padEnd(28)} ${s.status.padEnd(24)} ${fmtMs(s.ms)}`);
  const skipped = others.filter((f) => !selected.some((s) => s.file === f));
  if (skipped.length && !args.length) {
    console.log(
      `other bench/*.mjs (scripts or helpers), not run by default; name a script to run it: ${skipped.map(nameOf).join(', ')}`,
    );
  }
  console.log('machine at the end: ' + machineInfo().join(' '));
  return summary.every((s) => s.status === 'ok') ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error?.stack ?? error);
    process.exitCode = 1;
  },
);

// Paths, peer binaries, scratch projects and machine facts shared by the benches.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.dirname(BENCH);
export const NM = path.join(BENCH, 'node_modules');
/** Scratch space (git-ignored). Projects live here so generated code resolves bench/node_modules
 * and then the root node_modules (@grpc/grpc-js, protobufjs, @types/node) like a real project. */
export const WORK = path.join(BENCH, '.work');
export const OUR_BIN = path.join(ROOT, 'bin', 'create-service-link.js');

export function ensureBuilt() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench`, which builds)');
  }
}

export function ensurePeers() {
  if (!existsSync(path.join(NM, '.package-lock.json'))) {
    throw new Error('bench/node_modules is missing: run `npm ci --prefix bench` (bench/run.mjs does it for you)');
  }
}

/** The JavaScript file behind node_modules/.bin/<name>, so every tool runs on the same `node`. */
export function binJs(name) {
  const link = path.join(NM, '.bin', name);
  if (!existsSync(link)) throw new Error(`peer binary ${name} not found in bench/node_modules/.bin`);
  return realpathSync(link);
}

/** Command to run a Node CLI of bench/node_modules with this process's node. */
export const nodeBin = (name, args) => ({ cmd: process.execPath, args: [binJs(name), ...args] });

/** buf's native binary (skipping its node launcher when the platform package is there). */
export function bufBinary() {
  const platform = {
    'linux-x64': 'buf-linux-x64',
    'linux-arm64': 'buf-linux-aarch64',
    'darwin-arm64': 'buf-darwin-arm64',
    'darwin-x64': 'buf-darwin-x64',
  }[`${process.platform}-${process.arch}`];
  if (platform) {
    const native = path.join(NM, '@bufbuild', platform, 'bin', 'buf');
    if (existsSync(native)) return native;
  }
  return path.join(NM, '.bin', 'buf');
}

export function version(pkg) {
  try {
    return JSON.parse(readText(path.join(NM, pkg, 'package.json'))).version;
  } catch {
    return '?';
  }
}

export const readText = (file) => readFileSync(file, 'utf8');

export function rmrf(p) {
  rmSync(p, { recursive: true, force: true, maxRetries: 3 });
}

export function mkdirp(p) {
  mkdirSync(p, { recursive: true });
  return p;
}

/** A minimal TypeScript project (ESM, NodeNext, strict) in `dir`, emptied first. */
export function freshProject(dir, { name = 'bench-app' } = {}) {
  rmrf(dir);
  mkdirp(path.join(dir, 'src'));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module' }, null, 2) + '\n',
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['src'],
      },
      null,
      2,
    ) + '\n',
  );
  return dir;
}

/** Total bytes and file count under a folder (bounded walk). */
export function dirSize(dir, { max = 200_000 } = {}) {
  let bytes = 0;
  let files = 0;
  const stack = [dir];
  while (stack.length && files < max) {
    const d = stack.pop();
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') stack.push(p);
      } else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  }
  return { bytes, files };
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const describeDir = (dir) => {
  const { bytes, files } = dirSize(dir);
  return `out ${fmtBytes(bytes)} in ${files} file${files === 1 ? '' : 's'}`;
};

export function machineInfo() {
  const cpus = os.cpus();
  return [
    `node ${process.version} on ${process.platform}-${process.arch}, ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model?.trim() ?? '?'}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  ];
}

export const QUIET_CAVEAT =
  'Wall times of whole processes. Figures are only comparable within one run on a quiet machine: other work on the ' +
  'machine (tests, builds) inflates them; the per-round ratios resist that better than the absolute times.';

/** Integer from an environment variable, bounded. */
export function envInt(name, fallback, { min = 1, max = 1000 } = {}) {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

/** Save results for later reading (bench/.work/results/<name>.json). */
export function saveResults(name, data) {
  const dir = mkdirp(path.join(WORK, 'results'));
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), ...data }, null, 2) + '\n',
  );
  return file;
}

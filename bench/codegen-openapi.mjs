#!/usr/bin/env node
// Code generation from GitHub's REST description (@octokit/openapi, OpenAPI 3.0, ~13 MB): our `rest`
// pattern against openapi-typescript (types only), orval (fetch client) and @hey-api/openapi-ts (types +
// SDK + fetch client), same file, interleaved rounds. Then the start-up cost: `--help` of each CLI.
//
//   node bench/codegen-openapi.mjs [github] [help]      (default: both)
//   BENCH_OPENAPI_ROUNDS=3 BENCH_HELP_ROUNDS=10 BENCH_TIMEOUT=300
import { copyFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  binJs,
  describeDir,
  ensureBuilt,
  ensurePeers,
  envInt,
  fmtBytes,
  mkdirp,
  NM,
  OUR_BIN,
  QUIET_CAVEAT,
  rmrf,
  saveResults,
  version,
  WORK,
} from './lib/env.mjs';
import { oursRegenerate, oursScaffold } from './lib/ours.mjs';
import { compare, printTable } from './lib/timing.mjs';

const WORKDIR = path.join(WORK, 'openapi');
const SPEC_SRC = path.join(NM, '@octokit', 'openapi', 'generated', 'api.github.com.json');

function githubContestants(spec) {
  const setup = (dir) => {
    mkdirp(path.join(dir, 'openapi'));
    copyFileSync(spec, path.join(dir, 'openapi', 'github.json')); // ours wants the contract inside the project
  };
  const createArgs = ['rest', 'github', '--openapi', 'openapi/github.json'];
  const peer = (name, bin, args, note) => {
    const out = path.join(WORKDIR, name.replace(/[^a-z0-9]+/gi, '-'));
    return {
      name,
      note,
      prepare: () => {
        rmrf(out);
        mkdirp(out);
      },
      command: () => ({
        cmd: process.execPath,
        args: [binJs(bin), ...args(out)],
        cwd: out,
        env: { NO_COLOR: '1', CI: '1' },
      }),
      check: () => (describeDir(out).startsWith('out 0 B') ? `no output in ${out}` : undefined),
      describe: () => describeDir(out),
    };
  };
  return [
    oursScaffold({
      dir: path.join(WORKDIR, 'ours'),
      createArgs,
      setup,
      linkDir: 'src/links/github',
      note: 'types + client; fresh project per run',
    }),
    oursRegenerate({
      dir: path.join(WORKDIR, 'ours-regen'),
      createArgs,
      setup,
      note: 'generate --force after deleting generated files',
    }),
    peer(
      'openapi-typescript',
      'openapi-typescript',
      (out) => [spec, '-o', path.join(out, 'schema.d.ts')],
      'types only',
    ),
    peer(
      'orval',
      'orval',
      (out) => ['-i', spec, '-o', path.join(out, 'github.ts'), '--client', 'fetch'],
      'client fetch',
    ),
    peer(
      '@hey-api/openapi-ts',
      'openapi-ts',
      (out) => ['-i', spec, '-o', out],
      'default plugins: types, sdk, client-fetch',
    ),
  ];
}

function helpContestants() {
  const help = (name, cmdArgs, ours = false) => ({
    name,
    ours,
    command: () => ({ cmd: process.execPath, args: cmdArgs, cwd: WORKDIR, env: { NO_COLOR: '1' } }),
  });
  return [
    help('create-service-link --help', [OUR_BIN, '--help'], true),
    help('create-service-link rest --help', [OUR_BIN, 'rest', '--help']),
    help('openapi-typescript --help', [binJs('openapi-typescript'), '--help']),
    help('orval --help', [binJs('orval'), '--help']),
    help('openapi-ts --help', [binJs('openapi-ts'), '--help']),
    help('node -e 0 (floor)', ['-e', '0']),
  ];
}

async function main() {
  ensureBuilt();
  ensurePeers();
  const which = new Set(process.argv.slice(2));
  const all = which.size === 0;
  const rounds = envInt('BENCH_OPENAPI_ROUNDS', 3, { max: 50 });
  const helpRounds = envInt('BENCH_HELP_ROUNDS', 10, { max: 100 });
  const timeoutMs = envInt('BENCH_TIMEOUT', 300, { max: 3600 }) * 1000;
  mkdirp(WORKDIR);
  console.log(
    `Peers: openapi-typescript ${version('openapi-typescript')}, orval ${version('orval')}, @hey-api/openapi-ts ${version('@hey-api/openapi-ts')}; ` +
      `spec from @octokit/openapi ${version('@octokit/openapi')}`,
  );
  const results = {};
  if (all || which.has('github')) {
    if (!existsSync(SPEC_SRC)) throw new Error(`GitHub's description not found at ${SPEC_SRC}`);
    const spec = path.join(WORKDIR, 'api.github.com.json');
    copyFileSync(SPEC_SRC, spec);
    console.log(
      `\n# GitHub REST description: ${path.relative(NM, SPEC_SRC)} (${fmtBytes(statSync(spec).size)}, OpenAPI 3.0)`,
    );
    const res = await compare({
      title: "Generate from GitHub's REST description",
      contestants: githubContestants(spec),
      rounds,
      warmup: 0,
      timeoutMs,
    });
    printTable(res);
    results.github = res;
  }
  if (all || which.has('help')) {
    console.log('\n# start-up: `--help` of each CLI (process spawn to exit)');
    const res = await compare({
      title: 'Start-up (--help)',
      contestants: helpContestants(),
      rounds: helpRounds,
      warmup: 1,
      timeoutMs: 60_000,
    });
    printTable(res);
    results.help = res;
  }
  console.log(QUIET_CAVEAT);
  const file = saveResults('codegen-openapi', results);
  console.log(`results: ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exitCode = 1;
});

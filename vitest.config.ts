import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// generate remembers each contract in the user's cache folder (src/cli/contract-changes.ts); tests and the
// CLIs they start use a throwaway one instead of the real ~/.cache.
const cache = mkdtempSync(path.join(tmpdir(), 'csl-cache-'));
// The built CLI (dist/), when a test runs it in its own process (test/helpers/in-process.ts), loads as
// Node loads it for a user, not through Vite's transforms.
const dist = new RegExp(`^${path.join(import.meta.dirname, 'dist').replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}/`);

// The longest files (measured, longest first) start first, so no worker is left running one of them alone
// at the end. Without vitest's results cache (a fresh clone) it would start the largest files first, and
// some of the longest are short files that wait on a peer. The other files follow in vitest's order.
const LONGEST = [
  'strictest',
  'regen-e2e-grpc',
  'regen-e2e-queue',
  'queue',
  'regen-rest-e2e',
  'pack',
  'bench',
  'rest-server',
  'edges',
  'runtime',
  'grpc-cli',
  'typescript7',
];
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST.indexOf(path.basename(file.moduleId, '.test.ts'));
      return at < 0 ? LONGEST.length : at;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    // Three workers on two cores: part of the suite waits on peers, terminals and poll intervals, and a
    // third file fills that time (whole suite on a quiet 2-core machine: 263 s, against 278 s with two).
    maxWorkers: 3,
    // One process per worker for every file it runs: the compiler, ts-morph and the built CLI load once,
    // and the .d.ts files test/helpers/in-process.ts parsed stay parsed. per-file.ts restores the
    // environment each file changed.
    isolate: false,
    setupFiles: ['test/helpers/per-file.ts'],
    sequence: { sequencer: LongestFirst },
    env: { XDG_CACHE_HOME: cache },
    server: { deps: { external: [dist] } },
  },
});

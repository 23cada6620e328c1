import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// generate remembers each contract in the user's cache folder (src/cli/contract-changes.ts); tests and the
// CLIs they start use a throwaway one instead of the real ~/.cache.
const cache = mkdtempSync(path.join(tmpdir(), 'csl-cache-'));
// The built CLI (dist/), when a test runs it in its own process (test/helpers/in-process.ts), loads as
// Node loads it for a user, not through Vite's transforms.
const dist = new RegExp(`^${path.join(import.meta.dirname, 'dist').replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}/`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // One process per worker for every file it runs: the compiler, ts-morph and the built CLI load once,
    // and the .d.ts files test/helpers/in-process.ts parsed stay parsed. per-file.ts restores the
    // environment each file changed.
    isolate: false,
    setupFiles: ['test/helpers/per-file.ts'],
    env: { XDG_CACHE_HOME: cache },
    server: { deps: { external: [dist] } },
  },
});

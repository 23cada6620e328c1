import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// generate remembers each contract in the user's cache folder (src/cli/contract-changes.ts); tests and the
// CLIs they start use a throwaway one instead of the real ~/.cache.
const cache = mkdtempSync(path.join(tmpdir(), 'csl-cache-'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    env: { XDG_CACHE_HOME: cache },
  },
});

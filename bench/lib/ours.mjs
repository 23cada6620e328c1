// Our tool as a contestant: a full scaffold into a fresh project per run, and a full regeneration
// (`generate --force` after deleting every generated file, so it must rebuild and rewrite them all).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describeDir, freshProject, OUR_BIN, rmrf } from './env.mjs';
import { run, tail } from './proc.mjs';

function generatedFiles(dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'service-link.json'), 'utf8'));
  const files = [];
  for (const link of Object.values(manifest.links ?? {})) files.push(...Object.keys(link.files ?? {}));
  return files;
}

function checkGenerated(dir) {
  if (!existsSync(path.join(dir, 'service-link.json'))) return 'no service-link.json written';
  const files = generatedFiles(dir);
  if (!files.length) return 'the manifest lists no generated file';
  const missing = files.filter((f) => !existsSync(path.join(dir, f)));
  return missing.length ? `missing after the run: ${missing.join(', ')}` : undefined;
}

/**
 * `create-service-link <createArgs...> --yes --no-install` in a fresh project each run.
 * `setup(dir)` runs (untimed) after the project is made, e.g. to copy a contract into it.
 */
export function oursScaffold({ name = 'create-service-link', dir, createArgs, setup, linkDir, note }) {
  return {
    name,
    ours: true,
    note,
    prepare() {
      freshProject(dir);
      setup?.(dir);
    },
    command: () => ({ cmd: process.execPath, args: [OUR_BIN, ...createArgs, '--yes', '--no-install'], cwd: dir }),
    check: () => checkGenerated(dir),
    describe: () => describeDir(path.join(dir, linkDir)),
  };
}

/**
 * `create-service-link generate --force` in a project scaffolded once (untimed), after deleting every
 * generated file before each run. User-owned files (handlers) stay, so the merge into them is timed too.
 */
export function oursRegenerate({ name = 'create-service-link generate', dir, createArgs, setup, note }) {
  rmrf(dir); // scaffolded afresh by this build of the tool, on first use
  return {
    name,
    note,
    async prepare() {
      if (!existsSync(path.join(dir, 'service-link.json'))) {
        freshProject(dir);
        setup?.(dir);
        const res = await run(process.execPath, [OUR_BIN, ...createArgs, '--yes', '--no-install'], {
          cwd: dir,
          timeoutMs: 600_000,
        });
        if (!res.ok) throw new Error(`scaffold before regenerate failed: ${tail(res.stderr || res.stdout)}`);
      }
      for (const f of generatedFiles(dir)) rmSync(path.join(dir, f), { force: true });
    },
    command: () => ({ cmd: process.execPath, args: [OUR_BIN, 'generate', '--force'], cwd: dir }),
    check: () => checkGenerated(dir),
  };
}

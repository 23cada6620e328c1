// Golden files: what one link of each pattern writes into a fresh ESM project, byte for byte, so a change
// to generated code shows up as a reviewable diff of test/golden/ in the same commit.
// After a deliberate change: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts, and review the diff.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, removeProject, runCli } from './helpers/project.js';

const GOLDEN = path.join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The scaffold command of each golden project; the same commands produced the committed files. */
const GOLDEN_LINKS: Record<string, string[]> = {
  grpc: ['grpc', 'user', '--rpc', 'GetUser:unary', '--rpc', 'ListUsers:server-stream'],
  rest: ['rest', 'billing', '--resource', 'invoices:id=string,total=number,paid?=boolean'],
  'rest-server': [
    'rest',
    'billing',
    '--resource',
    'invoices:id=string,total=number,paid?=boolean',
    '--server',
    '--client',
  ],
  queue: [
    'queue',
    'orders',
    '--message',
    'OrderCreated:orderId=string,total=number',
    '--message',
    'OrderCancelled:orderId=string,reason?=string',
  ],
};

/** Project files the tool wrote (not the project's own package.json, tsconfig, lockfile). */
async function written(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) out.push(...(await written(root, child)));
    // .gitattributes stays out: inside test/golden git would read it as the folder's own attributes.
    else if (!['package.json', 'tsconfig.json', 'package-lock.json', 'src/index.ts', '.gitattributes'].includes(child))
      out.push(child);
  }
  return out.sort();
}

/** Files that are not code the tool lays out: the contracts, the manifest, and Ajv's standalone validators. */
const NOT_LAID_OUT =
  /(^|\/)(validators\.ts|validate-params\.ts|validate-bodies\.ts|service-link\.json)$|\.(proto|ya?ml)$/;

/** Lines of `text` over 120 columns, as `line N (length)`. */
function longLines(text: string): string[] {
  return text.split('\n').flatMap((line, i) => (line.length > 120 ? [`line ${i + 1} (${line.length})`] : []));
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeProject));
});

describe('golden output', () => {
  for (const [pattern, args] of Object.entries(GOLDEN_LINKS)) {
    it(`${pattern}: ${args.join(' ')}`, async () => {
      const dir = await makeProject();
      dirs.push(dir);
      const r = await runCli([...args, '--yes', '--no-install'], dir);
      expect(r.exitCode, r.stderr).toBe(0);
      const files = await written(dir);
      const golden = path.join(GOLDEN, pattern);
      if (UPDATE) {
        await rm(golden, { recursive: true, force: true });
        for (const f of files) {
          await mkdir(path.dirname(path.join(golden, f)), { recursive: true });
          await writeFile(path.join(golden, f), await readFile(path.join(dir, f)));
        }
      }
      expect(files).toEqual(await written(golden));
      for (const f of files)
        expect(await readFile(path.join(dir, f), 'utf8'), f).toBe(await readFile(path.join(golden, f), 'utf8'));
      // Generated code is read: it stays within the 120 columns of the repo's own formatting.
      for (const f of files.filter((name) => !NOT_LAID_OUT.test(name)))
        expect(longLines(await readFile(path.join(dir, f), 'utf8')), f).toEqual([]);
    });
  }
});

describe('what every index offers', () => {
  it("each pattern's index.ts exports the shared runtime API under the same names", async () => {
    const shared = ['runWithRequestContext', 'currentRequestContext', 'outgoingRequestContext', 'useMiddleware'];
    const types = ['RequestContext', 'Middleware', 'Call'];
    for (const pattern of Object.keys(GOLDEN_LINKS)) {
      const links = path.join(GOLDEN, pattern, 'src', 'links');
      const link = (await readdir(links)).find((name) => name !== '_runtime')!;
      const index = await readFile(path.join(links, link, 'index.ts'), 'utf8');
      for (const name of shared)
        expect(index, `${pattern}: ${name}`).toMatch(new RegExp(`export \\{[^}]*\\b${name}\\b[^}]*\\}`));
      for (const name of types) expect(index, `${pattern}: ${name}`).toMatch(new RegExp(`type ${name}\\b`));
    }
  });
});

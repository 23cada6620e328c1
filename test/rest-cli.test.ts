// The REST pattern through the built CLI: create, compile, edit the contract, regenerate, bad documents.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compile, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

let dir: string;
beforeAll(async () => {
  dir = await makeProject({ module: 'esm' });
});
afterAll(async () => {
  await removeProject(dir);
});

test('create, compile, edit the document, regenerate; a broken document exits 1 with its location and writes nothing', async () => {
  const created = await runCli(
    ['rest', 'user', '--resource', 'users:id=string,email=string', '--yes', '--no-install'],
    dir,
  );
  expect(created.stderr).toBe('');
  expect(created.exitCode).toBe(0);
  expect(await compile(dir)).toEqual({ ok: true, output: '' });

  // The user adds a field to the schema; generate rewrites only generated files.
  const docPath = path.join(dir, 'openapi', 'user.yaml');
  const doc = await readFile(docPath, 'utf8');
  const edited = doc.replace('        email:\n', '        nickname:\n          type: string\n        email:\n');
  expect(edited).not.toBe(doc);
  await writeFile(docPath, edited);
  const before = await snapshot(dir);
  const regenerated = await runCli(['generate'], dir);
  expect(regenerated.exitCode).toBe(0);
  const after = await snapshot(dir);
  const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k)).sort();
  expect(changed).toEqual(['service-link.json', 'src/links/user/types.ts']);
  expect(after.get('src/links/user/types.ts')).toContain('  nickname?: string;');
  expect(after.get('openapi/user.yaml')).toBe(edited);

  // A dangling $ref: exit 1, file:line:column inside the document, nothing written.
  await writeFile(docPath, edited.replace('#/components/schemas/UserPage', '#/components/schemas/UserPages'));
  const snap = await snapshot(dir);
  const broken = await runCli(['generate'], dir);
  expect(broken.exitCode).toBe(1);
  expect(broken.stderr).toMatch(/openapi\/user\.yaml:\d+:\d+: dangling \$ref "#\/components\/schemas\/UserPages"/);
  expect(await snapshot(dir)).toEqual(snap);

  const badFlag = await runCli(['rest', 'other', '--auth', 'basic', '--yes', '--no-install'], dir);
  expect(badFlag.exitCode).toBe(2);
  expect(badFlag.stderr).toContain('--auth must be "bearer" or "none"');
});

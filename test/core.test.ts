import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installCommand, packageName, versionProblems } from '../src/cli/install.js';
import { detectProject } from '../src/project/detect.js';
import { linkNameProblem, safeIdentifier } from '../src/util/names.js';
import { jsDoc, stringLiteral } from '../src/util/text.js';
import { commit } from '../src/vfs/commit.js';
import { InterruptedError } from '../src/errors.js';
import { errorCode } from '../src/cli/exit.js';
import { emptyManifest, hash } from '../src/vfs/manifest.js';
import { Plan, planLink, planMeta } from '../src/vfs/plan.js';
import { GENERATED_HEADER } from '../src/util/text.js';
import { makeProject, removeProject, snapshot } from './helpers/project.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'csl-core-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('names', () => {
  it('refuses names that would escape a folder or break an identifier', () => {
    for (const bad of ['', '../x', 'a/b', 'a\\b', '..', 'class', 'delete', 'User', '1user', 'user_svc', 'a--b'])
      expect(linkNameProblem(bad), bad).toBeDefined();
    for (const good of ['user', 'order-events', 'v2'.replace('v2', 'billing2')])
      expect(linkNameProblem(good)).toBeUndefined();
  });
  it('makes reserved and odd names into valid identifiers', () => {
    expect(safeIdentifier('class')).toBe('class_');
    expect(safeIdentifier('__proto__')).toBe('__proto___');
    expect(safeIdentifier('2fa')).toBe('_2fa');
  });
  it('escapes contract text so it cannot end a comment or a string', () => {
    const doc = jsDoc('evil */ console.log(1) /* `${x}`');
    expect(doc).not.toMatch(/\*\/ console/);
    expect(doc.trim().endsWith('*/')).toBe(true);
    // biome-ignore lint/security/noGlobalEval: evaluating the literal is the test: the text must come back unchanged.
    expect(eval(stringLiteral('a"b`${c}\u2028'))).toBe('a"b`${c}\u2028');
  });
});

describe('install', () => {
  it('compares package names without their version range', () => {
    expect(packageName('protobufjs@^8.8.1')).toBe('protobufjs');
    expect(packageName('@grpc/grpc-js@^1.10.0')).toBe('@grpc/grpc-js');
    expect(packageName('@aws-sdk/client-sqs')).toBe('@aws-sdk/client-sqs');
  });
  it('names runtime packages whose installed or declared version the generated code cannot use', async () => {
    const d = await tempDir();
    const fake = async (name: string, version: string): Promise<void> => {
      await mkdir(path.join(d, 'node_modules', name), { recursive: true });
      await writeFile(path.join(d, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
    };
    await writeFile(path.join(d, 'package.json'), '{}');
    await fake('protobufjs', '8.0.0'); // declared ^8.0.0: same major, but older than wire.ts needs
    await fake('@grpc/grpc-js', '1.14.3');
    const declared = new Map([
      ['protobufjs', '^8.0.0'],
      ['@grpc/grpc-js', '^1.12.0'],
      ['long', '^4.0.0'], // declared, not installed: the ranges are compared
      ['@aws-sdk/client-sqs', 'latest'],
    ]);
    const wanted = ['protobufjs@^8.8.1', '@grpc/grpc-js@^1.10.0', 'long@^5.2.0', '@aws-sdk/client-sqs'];
    expect(await versionProblems(d, declared, wanted, 'pnpm')).toEqual([
      'protobufjs 8.0.0 is installed; the generated code needs ^8.8.1: run `pnpm add protobufjs@^8.8.1` when you can',
      'long is declared as "^4.0.0"; the generated code needs ^5.2.0: run `pnpm add long@^5.2.0` when you can',
    ]);
    await fake('protobufjs', '8.9.0');
    await fake('long', '5.3.2'); // installed wins over the declared range
    expect(await versionProblems(d, declared, wanted)).toEqual([]);
  });
  it("uses each package manager's own verb", () => {
    expect(installCommand('npm', ['a'])).toEqual(['npm', 'install', 'a']);
    expect(installCommand('pnpm', ['a'])).toEqual(['pnpm', 'add', 'a']);
    expect(installCommand('yarn', ['a'])).toEqual(['yarn', 'add', 'a']);
    expect(installCommand('bun', ['a'])).toEqual(['bun', 'add', 'a']);
  });
});

describe('project detection', () => {
  it('reads package manager, module system, import suffix and source folder', async () => {
    const esm = await makeProject({ module: 'esm', packageManager: 'pnpm' });
    const cjs = await makeProject({ module: 'cjs', packageManager: 'npm' });
    dirs.push(esm, cjs);
    expect(detectProject(esm)).toMatchObject({
      packageManager: 'pnpm',
      moduleSystem: 'esm',
      importSuffix: '.js',
      srcDir: 'src',
    });
    expect(detectProject(cjs)).toMatchObject({
      packageManager: 'npm',
      moduleSystem: 'cjs',
      importSuffix: '',
      srcDir: 'src',
    });
    // found from a sub-folder too
    expect(detectProject(path.join(esm, 'src')).root).toBe(esm);
  });
  it('follows tsconfig extends with comments, and bundler resolution has no suffix', async () => {
    const d = await tempDir();
    await writeFile(path.join(d, 'package.json'), '{"type":"module"}');
    await writeFile(path.join(d, 'yarn.lock'), '');
    await writeFile(
      path.join(d, 'tsconfig.base.json'),
      '{ // base\n "compilerOptions": { "module": "ESNext", "moduleResolution": "Bundler", },\n}',
    );
    await writeFile(path.join(d, 'tsconfig.json'), '{ "extends": "./tsconfig.base.json", "include": ["lib/**/*"] }');
    await mkdir(path.join(d, 'lib'));
    expect(detectProject(d)).toMatchObject({
      packageManager: 'yarn',
      moduleSystem: 'esm',
      importSuffix: '',
      srcDir: 'lib',
    });
  });
  it('follows extends into packages (@tsconfig/strictest style) and lists of configs, later ones winning', async () => {
    const d = await tempDir();
    await writeFile(path.join(d, 'package.json'), '{"type":"module"}');
    await mkdir(path.join(d, 'node_modules', '@tsconfig', 'strictest'), { recursive: true });
    await writeFile(
      path.join(d, 'node_modules', '@tsconfig', 'strictest', 'tsconfig.json'),
      '{"compilerOptions":{"noUnusedParameters":true,"module":"commonjs"}}',
    );
    await mkdir(path.join(d, 'node_modules', '@tsconfig', 'node20'), { recursive: true });
    await writeFile(
      path.join(d, 'node_modules', '@tsconfig', 'node20', 'tsconfig.json'),
      '{"compilerOptions":{"module":"NodeNext"}}',
    );
    await writeFile(
      path.join(d, 'tsconfig.json'),
      '{ "extends": ["@tsconfig/strictest/tsconfig.json", "@tsconfig/node20"] }',
    );
    expect(detectProject(d)).toMatchObject({ moduleSystem: 'esm', importSuffix: '.js', noUnusedParameters: true });
    await writeFile(
      path.join(d, 'tsconfig.json'),
      '{ "extends": "@tsconfig/node20/tsconfig.json", "compilerOptions": { "noUnusedParameters": false } }',
    );
    expect(detectProject(d)).toMatchObject({ importSuffix: '.js', noUnusedParameters: false });
  });
  it('an ESM package with no module settings gets .js suffixes (Node runs it as emitted)', async () => {
    const d = await tempDir();
    await writeFile(path.join(d, 'package.json'), '{"type":"module"}');
    expect(detectProject(d)).toMatchObject({ moduleSystem: 'esm', importSuffix: '.js', packageManager: 'npm' });
    await writeFile(path.join(d, 'package.json'), '{}');
    expect(detectProject(d)).toMatchObject({ moduleSystem: 'cjs', importSuffix: '' });
  });
  it('a folder with no package.json is a clear usage error', async () => {
    const d = await tempDir();
    expect(() => detectProject(d)).toThrow(/No package.json found.*\n.*npm init/);
  });
});

describe('atomic commit', () => {
  it('writes, updates and deletes files', async () => {
    const d = await tempDir();
    await writeFile(path.join(d, 'old.txt'), 'old');
    await writeFile(path.join(d, 'gone.txt'), 'gone');
    await commit(d, [
      { type: 'write', path: 'a/b/c.txt', content: 'c' },
      { type: 'write', path: 'old.txt', content: 'new' },
      { type: 'delete', path: 'gone.txt' },
    ]);
    const after = await snapshot(d);
    expect([...after.keys()].sort()).toEqual(['a/', 'a/b/', 'a/b/c.txt', 'old.txt']);
    expect(after.get('old.txt')).toBe('new');
  });
  it('leaves the tree exactly as it was when a path component is a file', async () => {
    const d = await tempDir();
    await writeFile(path.join(d, 'keep.txt'), 'keep');
    await writeFile(path.join(d, 'blocker'), 'i am a file');
    const before = await snapshot(d);
    await expect(
      commit(d, [
        { type: 'write', path: 'keep.txt', content: 'changed' },
        { type: 'write', path: 'new/deep/file.txt', content: 'x' },
        { type: 'write', path: 'blocker/inside.txt', content: 'x' },
      ]),
    ).rejects.toThrow();
    expect(await snapshot(d)).toEqual(before);
  });
  it('rolls back renames already done when a later one fails', async () => {
    const d = await tempDir();
    await writeFile(path.join(d, 'one.txt'), 'one');
    await writeFile(path.join(d, 'two.txt'), 'two');
    const before = await snapshot(d);
    await expect(
      commit(
        d,
        [
          { type: 'write', path: 'one.txt', content: 'ONE' },
          { type: 'delete', path: 'two.txt' },
          { type: 'write', path: 'sub/three.txt', content: 'three' },
        ],
        {
          beforeApply(i) {
            if (i === 2) throw new Error('disk full');
          },
        },
      ),
    ).rejects.toThrow('disk full');
    expect(await snapshot(d)).toEqual(before);
  });
  it('Ctrl-C during a commit: every file is written first, then it reports the interrupt (the CLI exits 130)', async () => {
    const d = await tempDir();
    const others = process.listeners('SIGINT');
    for (const l of others) process.off('SIGINT', l);
    try {
      const committing = commit(
        d,
        [
          { type: 'write', path: 'a.txt', content: 'a' },
          { type: 'write', path: 'b.txt', content: 'b' },
        ],
        { beforeApply: (i) => void (i === 0 && process.emit('SIGINT')) },
      );
      await expect(committing).rejects.toThrow(InterruptedError);
    } finally {
      for (const l of others) process.on('SIGINT', l);
    }
    expect([...(await snapshot(d)).keys()].sort()).toEqual(['a.txt', 'b.txt']);
    expect(errorCode(new InterruptedError('Interrupted: the files were written completely before stopping.'))).toBe(
      130,
    );
  });
});

describe('plan: ownership and conflicts', () => {
  const gen = (p: string, body: string) => ({
    kind: 'generated' as const,
    path: p,
    content: `${GENERATED_HEADER}\n${body}\n`,
  });
  const entry = { pattern: 'grpc' as const, contracts: ['c.proto'], out: 'src/links/x', options: {} };

  it('creates, then updates our own files, refuses hand-edited and foreign ones', async () => {
    const d = await tempDir();
    const m = emptyManifest();
    const first = new Plan(d, m);
    await planLink(first, {
      name: 'x',
      entry,
      files: [gen('g.ts', '1'), { kind: 'user', path: 'u.ts', content: 'stub' }],
      force: false,
    });
    await planMeta(first);
    expect(first.conflicts).toEqual([]);
    expect(first.changes.map((e) => `${e.action} ${e.path}`).sort()).toEqual([
      'create .gitattributes',
      'create g.ts',
      'create service-link.json',
      'create u.ts',
    ]);
    await commit(d, first.operations());
    expect(await readFile(path.join(d, '.gitattributes'), 'utf8')).toContain('/g.ts linguist-generated=true');
    const m2 = first.manifest;
    expect(m2.links.x!.files['g.ts']).toBe(hash(`${GENERATED_HEADER}\n1\n`));

    // unchanged contract: nothing to write
    const again = new Plan(d, m2);
    await planLink(again, {
      name: 'x',
      entry,
      files: [gen('g.ts', '1'), { kind: 'user', path: 'u.ts', content: 'stub' }],
      force: false,
    });
    await planMeta(again);
    expect(again.changes).toEqual([]);

    // hand edit: refused, unless forced
    await writeFile(path.join(d, 'g.ts'), 'edited');
    const edited = new Plan(d, m2);
    await planLink(edited, { name: 'x', entry, files: [gen('g.ts', '2')], force: false });
    expect(edited.conflicts.map((c) => c.reason)).toEqual(['edited']);
    const forced = new Plan(d, m2);
    await planLink(forced, { name: 'x', entry, files: [gen('g.ts', '2')], force: true });
    expect(forced.conflicts).toEqual([]);

    // a file we never created: refused even with --force
    await writeFile(path.join(d, 'theirs.ts'), 'theirs');
    const foreign = new Plan(d, m2);
    await planLink(foreign, { name: 'x', entry, files: [gen('theirs.ts', '1')], force: true });
    expect(foreign.conflicts.map((c) => c.reason)).toEqual(['foreign']);
  });

  it('merges user files and deletes generated files that are no longer produced', async () => {
    const d = await tempDir();
    const first = new Plan(d, emptyManifest());
    await planLink(first, {
      name: 'x',
      entry,
      files: [gen('a.ts', 'a'), gen('b.ts', 'b'), { kind: 'user', path: 'u.ts', content: 'stub\n' }],
      force: false,
    });
    await planMeta(first);
    await commit(d, first.operations());
    await writeFile(path.join(d, 'u.ts'), 'stub\nmy code\n');
    const next = new Plan(d, first.manifest);
    await planLink(next, {
      name: 'x',
      entry,
      files: [gen('a.ts', 'a'), { kind: 'user', path: 'u.ts', content: 'stub\n', merge: (t) => `${t}// new stub\n` }],
      force: false,
    });
    expect(next.changes.map((e) => `${e.action} ${e.path}`).sort()).toEqual(['delete b.ts', 'update u.ts']);
    expect(next.changes.find((e) => e.path === 'u.ts')!.after).toBe('stub\nmy code\n// new stub\n');
  });
});

describe('temp projects', () => {
  it('makeProject gives a real package.json and tsconfig', async () => {
    const d = await makeProject();
    try {
      expect(JSON.parse(await readFile(path.join(d, 'package.json'), 'utf8')).type).toBe('module');
    } finally {
      await removeProject(d);
    }
  });
});

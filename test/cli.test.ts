// The CLI as users run it, without a terminal: help, usage errors, exit codes, nothing written on error.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, TOOL_ROOT, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

let project: string;
beforeAll(async () => {
  project = await makeProject();
});
afterAll(async () => {
  await removeProject(project);
});

describe('help and start-up', () => {
  it('documents every command and flag with an example', async () => {
    const root = await runCli(['--help'], project);
    expect(root.exitCode).toBe(0);
    for (const cmd of ['rest', 'grpc', 'queue', 'generate', 'list', 'recommend'])
      expect(root.stdout).toMatch(new RegExp(`\\n  ${cmd} `));
    expect(root.stdout).toContain('Examples:');
    for (const cmd of ['generate', 'list', 'recommend', 'grpc', 'rest', 'queue']) {
      const r = await runCli([cmd, '--help'], project);
      expect(r.exitCode, cmd).toBe(0);
      expect(r.stdout, cmd).toMatch(/e\.g\.|Example/);
    }
  });

  it('--help loads no heavy module (ts-morph, typescript, protobufjs, handlebars, yaml, prompts)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'csl-trace-'));
    const trace = path.join(dir, 'trace.txt');
    await writeFile(trace, '');
    const r = await execa(
      'node',
      ['--import', path.join(TOOL_ROOT, 'test/fixtures/trace-imports.mjs'), CLI, '--help'],
      {
        env: { CSL_TRACE_FILE: trace },
        reject: false,
      },
    );
    expect(r.exitCode).toBe(0);
    const loaded = await readFile(trace, 'utf8');
    await rm(dir, { recursive: true, force: true });
    expect(loaded).toContain('commander');
    for (const heavy of ['ts-morph', '/typescript/', 'protobufjs', 'handlebars', '/yaml/', '@inquirer'])
      expect(loaded).not.toContain(heavy);
  });
});

describe('usage errors exit 2 and write nothing', () => {
  it('no terminal and no pattern: names what is missing instead of prompting', async () => {
    const before = await snapshot(project);
    const r = await runCli([], project);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Missing: <pattern>.*<name>/);
    expect(await snapshot(project)).toEqual(before);
  });

  it('refuses names that reach a path or are reserved words', async () => {
    const before = await snapshot(project);
    for (const name of ['../x', 'a/b', 'class', 'Bad_Name']) {
      const r = await runCli(['grpc', name, '--yes', '--no-install'], project);
      expect(r.exitCode, name).toBe(2);
      expect(r.stderr, name).toMatch(/invalid link name/);
    }
    const empty = await runCli(['rest', '', '--yes'], project);
    expect(empty.exitCode).toBe(2);
    expect(await snapshot(project)).toEqual(before);
  });

  it('an --out outside the project is refused', async () => {
    const r = await runCli(['grpc', 'user', '--out', '../elsewhere', '--yes', '--no-install'], project);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });

  it('a folder without package.json gets a clear error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'csl-nopkg-'));
    const r = await runCli(['grpc', 'user', '--yes'], dir);
    await rm(dir, { recursive: true, force: true });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/No package\.json found.*\n.*npm init/);
  });

  it('generate with no links says how to create one', async () => {
    const r = await runCli(['generate'], project);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no links yet/);
  });

  it('an unknown command or flag exits 2', async () => {
    expect((await runCli(['frobnicate'], project)).exitCode).toBe(2);
    expect((await runCli(['generate', '--nope'], project)).exitCode).toBe(2);
  });
});

describe('recommend: the matrix without prompts', () => {
  it('prints the pattern and reasons, or JSON', async () => {
    const text = await runCli(['recommend', '--no-needs-response', '--fan-out'], project);
    expect(text.stdout.split('\n')[0]).toBe('queue');
    const json = await runCli(['recommend', '--streaming', '--json'], project);
    expect(JSON.parse(json.stdout)).toMatchObject({ pattern: 'grpc' });
  });
});

describe('unknown commands', () => {
  it('names the known commands', async () => {
    const r = await runCli(['bogus'], project);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /unknown command 'bogus' \(commands: rest, grpc, queue, generate, list, breaking, bench, recommend/,
    );
  });
});

// A temp project as a user edits it in the regeneration sequences (test/regen-*.test.ts): the lines the
// user wrote are recorded and checked after every step. A step runs `generate` and the compiler inside the
// test's process unless it asks for the real processes (`'cli'`): the sequences do that for their first
// and last steps, so both ways are proven on every pattern.
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { compileInProcess, runCliInProcess } from './in-process.js';
import { compileWithTsc, runCli } from './project.js';

/** `cli`: a `node` process for `create-service-link` and one for `tsc`; `in-process`: the same code, in here. */
export type Via = 'cli' | 'in-process';

/** A project with the lines the user wrote, checked after every step. */
export class UserProject {
  readonly written: [file: string, line: string][] = [];
  constructor(readonly dir: string) {}

  read(file: string): Promise<string> {
    return readFile(path.join(this.dir, file), 'utf8');
  }

  /** The user replaces `find` with `code` in `file`; its lines are theirs from now on. */
  async edit(file: string, find: string | RegExp, code: string): Promise<void> {
    const text = await this.read(file);
    const next = text.replace(find, code);
    expect(next, `${file}: ${String(find)}`).not.toBe(text);
    await writeFile(path.join(this.dir, file), next);
    for (const line of code.split('\n')) if (line.trim()) this.written.push([file, line]);
  }

  /** The user deletes `line` from `file` (code the contract no longer allows); it is no longer checked. */
  async remove(file: string, line: string): Promise<void> {
    const text = await this.read(file);
    expect(text, file).toContain(`${line}\n`);
    await writeFile(path.join(this.dir, file), text.replace(`${line}\n`, ''));
    const at = this.written.findIndex(([f, l]) => f === file && l === line);
    if (at >= 0) this.written.splice(at, 1);
  }

  /** The user rewrites a line of theirs in place (the contract changed under it): the first after `after`. */
  async rewrite(file: string, line: string, next: string, after = ''): Promise<void> {
    const at = this.written.findIndex(([f, l]) => f === file && l === line);
    expect(at, `${file}: ${line}`).toBeGreaterThanOrEqual(0);
    this.written.splice(at, 1);
    const text = await this.read(file);
    const start = text.indexOf(after);
    const from = start < 0 ? -1 : text.indexOf(line, start);
    expect(from, `${file}: ${line} after ${after}`).toBeGreaterThanOrEqual(0);
    await writeFile(path.join(this.dir, file), text.slice(0, from) + next + text.slice(from + line.length));
    for (const mine of next.split('\n')) if (mine.trim()) this.written.push([file, mine]);
  }

  /** `create-service-link <args>` in the project. */
  cli(args: string[], via: Via = 'in-process') {
    return via === 'cli' ? runCli(args, this.dir) : runCliInProcess(args, this.dir);
  }

  /** `tsc -p` of the project. */
  async compile(via: Via = 'in-process') {
    return via === 'cli' ? compileWithTsc(this.dir) : compileInProcess(this.dir);
  }

  /** generate alone (exit 0); returns what it printed. */
  async generate(args: string[] = [], via: Via = 'in-process'): Promise<string> {
    const run = await this.cli(['generate', ...args], via);
    expect(run.exitCode, run.stderr).toBe(0);
    return `${run.stdout}\n${run.stderr}`;
  }

  /** generate, tsc, generate --check; returns what generate printed. Every user line still there. */
  async step(args: string[] = [], via: Via = 'in-process'): Promise<string> {
    const printed = await this.generate(args, via);
    const built = await this.compile(via);
    expect(built.output).toBe('');
    const check = await this.cli(['generate', '--check'], via);
    expect(check.exitCode, check.stdout).toBe(0);
    for (const [file, line] of this.written) expect(await this.read(file), file).toContain(line);
    return printed;
  }

  async run(program: string, args: unknown, env: Record<string, string> = {}): Promise<unknown> {
    const r = await execa('node', [path.join(this.dir, 'dist', program), JSON.stringify(args)], {
      cwd: this.dir,
      reject: false,
      timeout: 30_000,
      env,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  }
}

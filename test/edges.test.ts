// The edges a newcomer hits (issue 15): every bad input gives one line and the documented exit code,
// never a stack trace; a failed install after writing is a warning naming the command; contracts may
// live outside the project.
import { execa } from 'execa';
import { access, copyFile, mkdir, mkdtemp, readFile, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSystemError, errorCode } from '../src/cli/exit.js';
import { files } from '../src/cli/output.js';
import { CLI, makeProject, removeProject, runCli, snapshot } from './helpers/project.js';

const STACK = /\n\s+at /;
const dirs: string[] = [];
async function project(options: Parameters<typeof makeProject>[0] = {}): Promise<string> {
  const dir = await makeProject(options);
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await removeProject(dir);
});

/** The CLI's answer, with the checks every error shares: no stack, one line of cause, nothing written. */
async function refused(args: string[], cwd: string, code: number): Promise<string> {
  const before = await snapshot(cwd);
  const r = await runCli(args, cwd);
  expect(r.exitCode, r.stderr).toBe(code);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/This is a bug/);
  expect(await snapshot(cwd)).toEqual(before);
  return r.stderr;
}

describe('file-system and environment errors: one line, documented exit code', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project({ files: { 'protos/user.proto': 'syntax = "proto3";\npackage u;\n' } });
  });

  it('--out through a file is a usage error (2) naming the file', async () => {
    const err = await refused(['rest', 'user', '--out', 'src/index.ts', '--yes', '--no-install'], dir, 2);
    expect(err).toMatch(/--out src\/index\.ts: src\/index\.ts is a file, not a folder/);
  });

  it('--proto naming a folder is a usage error (2) saying to name a file', async () => {
    const err = await refused(['grpc', 'user', '--proto', 'protos/', '--yes', '--no-install'], dir, 2);
    expect(err).toMatch(/--proto protos\/: is a folder; name the contract file in it/);
  });

  it('a manifest entry with an unknown pattern names it (2), for generate, list and breaking', async () => {
    const odd = await project({
      files: {
        'service-link.json': `${JSON.stringify({ version: 1, links: { user: { pattern: 'soap', contracts: ['a.wsdl'], out: 'src/links/user' } } })}\n`,
      },
    });
    for (const args of [['generate'], ['generate', '--check']]) {
      const err = await refused(args, odd, 2);
      expect(err).toMatch(
        /link "user" has pattern "soap", which this release does not know \(known: rest, grpc, queue\)/,
      );
    }
  });

  it('bench with a bad --payload or --concurrency is a usage error (2) before anything starts', async () => {
    expect(await refused(['bench', 'user', '--payload', 'huge'], dir, 2)).toMatch(
      /--payload huge: use small, medium, large or a byte count/,
    );
    expect(await refused(['bench', 'user', '--concurrency', '1,x'], dir, 2)).toMatch(
      /--concurrency x: use a whole number from 1 to/,
    );
  });

  it('a real file-system error (src/links a dangling symlink) is one line with exit 1, nothing written', async () => {
    const odd = await project();
    await symlink(path.join(odd, 'gone'), path.join(odd, 'src', 'links'));
    // (snapshot() cannot read a dangling link: check the files the link would have written instead.)
    const r = await runCli(['rest', 'user', '--yes', '--no-install'], odd);
    expect(r.exitCode).toBe(1);
    for (const file of ['service-link.json', 'openapi'])
      await expect(access(path.join(odd, file)), file).rejects.toThrow(/ENOENT/);
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: src/links/user: no such file or folder (ENOENT). Nothing was written.',
    ]);
  });

  it('service-link.json that is a folder is named, with what to do (2)', async () => {
    const odd = await project();
    await mkdir(path.join(odd, 'service-link.json'));
    const err = await refused(['generate'], odd, 2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/service-link\.json: .*EISDIR.*Fix or restore it from git/);
  });

  it('EACCES and ENOTDIR on a temp name read as the file, what it means and what to do', () => {
    // Tests run as root here, where chmod cannot make a folder unwritable: the error itself is fed in.
    const eacces = Object.assign(
      new Error("EACCES: permission denied, open '/p/src/links/user/.client.ts.0123abcd.tmp'"),
      {
        code: 'EACCES',
        syscall: 'open',
        path: '/p/src/links/user/.client.ts.0123abcd.tmp',
      },
    );
    expect(describeSystemError(eacces, '/p')).toBe(
      'src/links/user/client.ts: permission denied: make it writable (check its owner and mode) or run where you may write (EACCES)',
    );
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(errorCode(eacces)).toBe(1);
      expect(errorCode(new TypeError("Cannot read properties of undefined (reading 'load')"))).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    const text = lines.join('');
    expect(text).toMatch(/permission denied.*Nothing was written/);
    expect(text).toMatch(/reading 'load'\)\n {2}This is a bug in create-service-link: run again with CSL_DEBUG=1/);
    expect(text).not.toMatch(STACK);
  });
});

describe('usage wording', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project();
  });

  it('an unknown pattern lists the three that exist', async () => {
    const err = await refused(['graphql', 'user'], dir, 2);
    expect(err).toMatch(
      /unknown pattern or command 'graphql': the patterns are rest, grpc, queue; other commands: generate, list/,
    );
    expect(err).not.toMatch(/too many arguments/);
  });

  it('--yes without the inputs says nothing is asked because of --yes, not "no terminal"', async () => {
    const err = await refused(['--yes'], dir, 2);
    expect(err).toMatch(/^.*with --yes nothing is asked/m);
    expect(err).not.toMatch(/no terminal/);
    expect(await refused(['grpc', '--yes'], dir, 2)).toMatch(/missing required input \(with --yes nothing is asked\)/);
  });

  it('"1 file", "2 files"', () => {
    expect(files(1)).toBe('1 file');
    expect(files(2)).toBe('2 files');
  });

  it('recommend in text says when REST and gRPC are close, as --json does with borderline', async () => {
    const close = await runCli(['recommend', '--high-volume'], dir);
    expect(close.exitCode).toBe(0);
    expect(close.stdout).toMatch(/REST and gRPC are close here: `create-service-link bench <link>`/);
    const clear = await runCli(['recommend'], dir);
    expect(clear.stdout).not.toMatch(/close here/);
  });

  it('an explicit --token-env is the only variable read; the default reads the link’s own first', async () => {
    const r = await runCli(
      ['rest', 'user', '--auth', 'bearer', '--token-env', 'MY_TOKEN', '--yes', '--no-install'],
      dir,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const client = await readFile(path.join(dir, 'src/links/user/client.ts'), 'utf8');
    expect(client).toContain("'MY_TOKEN'");
    expect(client).not.toContain('USER_SERVICE_TOKEN');
    const r2 = await runCli(['rest', 'order', '--auth', 'bearer', '--yes', '--no-install'], dir);
    expect(r2.exitCode, r2.stderr).toBe(0);
    const order = await readFile(path.join(dir, 'src/links/order/client.ts'), 'utf8');
    expect(order.indexOf("'ORDER_SERVICE_TOKEN'")).toBeGreaterThan(-1);
    expect(order.indexOf("'ORDER_SERVICE_TOKEN'")).toBeLessThan(order.indexOf("'SERVICE_TOKEN'"));
  });
});

describe('installs: files written means exit 0 and the command to run', () => {
  it('pnpm missing: exit 0, a warning naming `pnpm add ...`; generate and list then say what to run', async () => {
    const dir = await project({ packageManager: 'pnpm' });
    // A PATH with node and nothing else: pnpm is not found.
    const bin = await mkdtemp(path.join(tmpdir(), 'csl-bin-'));
    dirs.push(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    const r = await runCli(['grpc', 'user', '--rpc', 'GetUser:unary', '--yes'], dir, { PATH: bin });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote \d+ files\./);
    expect(r.stderr).toMatch(/pnpm is not installed or not on PATH/);
    expect(r.stderr).toMatch(/The files are written; run `pnpm add @grpc\/grpc-js@[^`]* protobufjs@[^`]*` yourself/);
    expect(r.stderr).not.toMatch(/warning:\s*\n/);

    // The dependency is neither declared nor installed (no node_modules): both commands notice.
    await unlink(path.join(dir, 'node_modules'));
    for (const args of [['list'], ['generate']]) {
      const g = await runCli(args, dir);
      expect(g.exitCode, g.stderr).toBe(0);
      expect(g.stderr).toMatch(
        /@grpc\/grpc-js, @grpc\/reflection, grpc-health-check, protobufjs are not installed \(the generated code imports them\): run `pnpm add @grpc\/grpc-js@/,
      );
    }
  });
});

describe('contracts outside the project (a monorepo’s shared folder)', () => {
  let repo: string;
  let dir: string;
  beforeAll(async () => {
    repo = await mkdtemp(path.join(tmpdir(), 'csl-mono-'));
    dirs.push(repo);
    // The project moves into the repository, next to the shared contracts folder.
    dir = path.join(repo, 'service');
    await rename(await project(), dir);
    await mkdir(path.join(repo, 'contracts'), { recursive: true });
    await writeFile(
      path.join(repo, 'contracts', 'events.yaml'),
      [
        'asyncapi: 3.0.0',
        'info: { title: Orders, version: 1.0.0 }',
        'channels:',
        '  orders:',
        '    address: orders',
        '    messages:',
        '      OrderPlaced:',
        '        payload:',
        '          type: object',
        '          required: [id]',
        '          properties: { id: { type: string } }',
        'operations:',
        '  sendOrderPlaced:',
        '    action: send',
        "    channel: { $ref: '#/channels/orders' }",
        '',
      ].join('\n'),
    );
  });

  it('rest --openapi and queue --asyncapi take ../contracts files, stored relative; generate, --check, list work', async () => {
    const cwd = dir;
    const openapi = await readFile(path.join(import.meta.dirname, 'fixtures/rest/pets/openapi.yaml'), 'utf8').catch(
      () => undefined,
    );
    expect(openapi, 'fixture test/fixtures/rest/pets/openapi.yaml').toBeDefined();
    await writeFile(path.join(repo, 'contracts', 'api.yaml'), openapi!);
    // Its $ref to a sibling file resolves next to the contract, outside the project too.
    await copyFile(
      path.join(import.meta.dirname, 'fixtures/rest/pets/common.yaml'),
      path.join(repo, 'contracts', 'common.yaml'),
    );
    const rest = await runCli(['rest', 'pets', '--openapi', '../contracts/api.yaml', '--yes', '--no-install'], cwd);
    expect(rest.exitCode, rest.stderr).toBe(0);
    const queue = await runCli(
      ['queue', 'orders', '--asyncapi', '../contracts/events.yaml', '--yes', '--no-install'],
      cwd,
    );
    expect(queue.exitCode, queue.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
    expect(manifest.links.pets.contracts).toEqual(['../contracts/api.yaml']);
    expect(manifest.links.orders.contracts).toEqual(['../contracts/events.yaml']);

    expect((await runCli(['generate', '--check'], cwd)).exitCode).toBe(0);
    const list = await runCli(['list'], cwd);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/pets .*current/);
    // A change to the shared contract makes the link stale, and generate brings it back.
    await writeFile(path.join(repo, 'contracts', 'api.yaml'), openapi!.replace(/title: .*/, 'title: Pets renamed'));
    const stale = await runCli(['generate', '--check'], cwd);
    expect(stale.exitCode, stale.stdout).not.toBe(0);
    expect((await runCli(['generate'], cwd)).exitCode).toBe(0);
    expect((await runCli(['generate', '--check'], cwd)).exitCode).toBe(0);
  });
});

describe('Ctrl-C during the install', () => {
  it('exits 130 and names the command that finishes the install', async () => {
    const dir = await project({ packageManager: 'pnpm' });
    // A PATH with node and a pnpm that never ends.
    const bin = await mkdtemp(path.join(tmpdir(), 'csl-bin-'));
    dirs.push(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    await writeFile(path.join(bin, 'pnpm'), '#!/bin/sh\nexec /bin/sleep 60\n', { mode: 0o755 });
    const child = execa('node', [CLI, 'grpc', 'user', '--rpc', 'GetUser:unary', '--yes'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      env: { NO_COLOR: '1', PATH: bin },
    });
    let seen = '';
    let sent = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      // One Ctrl-C, as a user presses it (a second one after the report would end node by its default).
      if (seen.includes('Installing') && !sent) sent = child.kill('SIGINT');
    });
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toMatch(
      /interrupted: the files are written, but @grpc\/grpc-js, @grpc\/reflection, grpc-health-check, protobufjs are not installed/,
    );
    expect(r.stderr).toMatch(
      /Run `pnpm add @grpc\/grpc-js@\^1\.10\.0 @grpc\/reflection@\^1\.0\.4 grpc-health-check@\^2\.1\.0 protobufjs@\^8\.8\.1` to finish/,
    );
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('questionable input is taken with a warning saying what was assumed', () => {
  it('no tsconfig, two lockfiles, a resource with no fields, a --field message no RPC uses', async () => {
    const dir = await project({ files: { 'yarn.lock': '' } });
    await unlink(path.join(dir, 'tsconfig.json'));
    const rest = await runCli(['rest', 'user', '--resource', 'users', '--yes', '--no-install'], dir);
    expect(rest.exitCode, rest.stderr).toBe(0);
    expect(rest.stderr).toMatch(/warning: no tsconfig\.json in .*: assuming ESM .* with `\.js` suffixes/);
    expect(rest.stderr).toMatch(/warning: yarn\.lock and package-lock\.json are both here: using yarn/);
    expect(rest.stderr).toMatch(/warning: --resource users has no fields: its schema gets only `id: string`/);
    const grpc = await runCli(
      ['grpc', 'billing', '--rpc', 'Charge:unary', '--field', 'Nope.x:string', '--yes', '--no-install'],
      dir,
    );
    expect(grpc.exitCode, grpc.stderr).toBe(0);
    expect(grpc.stderr).toMatch(/warning: --field Nope\.\*: no RPC uses message Nope.*ChargeRequest, ChargeResponse/);
  });
});

describe('--help', () => {
  it('gives each command its examples once: option lines show only their own flag', async () => {
    for (const cmd of ['rest', 'grpc', 'queue']) {
      const r = await runCli([cmd, '--help'], tmpdir());
      expect(r.exitCode).toBe(0);
      const [head, examples] = r.stdout.split('\nExamples:\n');
      const options = head!.split('\nOptions:\n')[1];
      expect(options, cmd).not.toContain('create-service-link ');
      expect(options, cmd).toMatch(/\(e\.g\. --/);
      const lines = examples!.split('\n').filter((l) => l.includes('$ create-service-link'));
      expect(lines.length, cmd).toBeGreaterThan(0);
      expect(new Set(lines).size, cmd).toBe(lines.length);
    }
  });
});

describe('warnings from inside the generators: the input is taken, the warning says what was assumed', () => {
  it('a .proto with no service, a proto2 default, a duplicate operationId: on create and on every generate', async () => {
    const dir = await project({
      files: {
        'protos/only.proto':
          'syntax = "proto2";\npackage only;\n\nmessage Only {\n  optional int32 retries = 1 [default = 5];\n}\n',
        'specs/dup.yaml': [
          'openapi: 3.0.3',
          "info: { title: dup, version: '1' }",
          'paths:',
          '  /a:',
          '    get:',
          '      operationId: getA',
          "      responses: { '200': { description: ok } }",
          '  /b:',
          '    get:',
          '      operationId: getA',
          "      responses: { '200': { description: ok } }",
          '',
        ].join('\n'),
      },
    });
    const noService =
      /warning: only: protos\/only\.proto: no service, so the link has its messages but no client or server/;
    const ignored =
      /warning: only: protos\/only\.proto:5: Only\.retries \[default = 5\] is ignored: an absent field reads as its type's zero value/;
    const renamed =
      /warning: dup: specs\/dup\.yaml:10: GET \/b would be getA, which another operation already is; it is called getA2/;
    const grpc = await runCli(['grpc', 'only', '--proto', 'protos/only.proto', '--yes', '--no-install'], dir);
    expect(grpc.exitCode, grpc.stderr).toBe(0);
    expect(grpc.stderr).toMatch(noService);
    expect(grpc.stderr).toMatch(ignored);
    const rest = await runCli(['rest', 'dup', '--openapi', 'specs/dup.yaml', '--yes', '--no-install'], dir);
    expect(rest.exitCode, rest.stderr).toBe(0);
    expect(rest.stderr).toMatch(renamed);
    // What the warning says is what was generated.
    expect(await readFile(path.join(dir, 'src/links/dup/client.ts'), 'utf8')).toMatch(/^ {2}getA2\(options/m);
    const again = await runCli(['generate'], dir);
    expect(again.exitCode, again.stderr).toBe(0);
    for (const warning of [noService, ignored, renamed]) expect(again.stderr).toMatch(warning);
    expect(again.stderr).not.toMatch(STACK);
  });
});

describe("Node's types not visible to the project: one warning saying what to add", () => {
  const TOOL_MODULES = path.resolve(import.meta.dirname, '..', 'node_modules');
  /** A project whose node_modules holds only the given packages (links to the tool's own copies). */
  async function withModules(packages: Record<string, string>): Promise<string> {
    const dir = await project();
    await unlink(path.join(dir, 'node_modules'));
    for (const [name, from] of Object.entries(packages)) {
      await mkdir(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
      await symlink(path.join(TOOL_MODULES, from), path.join(dir, 'node_modules', name), 'dir');
    }
    return dir;
  }
  async function setTypes(dir: string, types: string[] | undefined): Promise<void> {
    const file = path.join(dir, 'tsconfig.json');
    const tsconfig = JSON.parse(await readFile(file, 'utf8')) as { compilerOptions: Record<string, unknown> };
    tsconfig.compilerOptions.types = types;
    await writeFile(file, `${JSON.stringify(tsconfig, null, 2)}\n`);
  }
  const tsc = (dir: string) =>
    execa('node', [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir, '--noEmit'], { reject: false });

  it('TypeScript 7 with no "types": says to add "types": ["node"], and with it the link compiles', async () => {
    const dir = await withModules({ typescript: 'typescript7', '@types/node': '@types/node' });
    await setTypes(dir, undefined);
    const r = await runCli(['rest', 'user', '--resource', 'users:id=string', '--yes', '--no-install'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: TypeScript 7\.\d+\.\d+ loads no @types package unless tsconfig\.json names it, and it sets no "types": add "types": \["node"\]/,
    );
    // The warning is right: without the line tsc 7 cannot see node:http; with it, it compiles.
    const before = await tsc(dir);
    expect(before.exitCode).not.toBe(0);
    expect(before.stdout).toMatch(/TS2591/);
    await setTypes(dir, ['node']);
    const after = await tsc(dir);
    expect(`${after.stdout}${after.stderr}`).toBe('');
    expect(after.exitCode).toBe(0);
  });

  it('a "types" list without "node", or no @types/node at all: says which line or package to add', async () => {
    const dir = await withModules({ '@types/node': '@types/node' });
    await setTypes(dir, ['vitest']);
    const listed = await runCli(['rest', 'user', '--yes', '--no-install'], dir);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stderr).toMatch(
      /warning: tsconfig\.json sets "types": \["vitest"\] without "node": the generated code uses Node's types; add "node" to compilerOptions\.types/,
    );
    // generate writes the same code, so it says the same (once), whether or not it writes anything.
    const again = await runCli(['generate'], dir);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr.match(/warning: tsconfig\.json sets "types": \["vitest"\] without "node"/g)).toHaveLength(1);
    const missing = await withModules({});
    const none = await runCli(['rest', 'user', '--yes', '--no-install'], missing);
    expect(none.exitCode, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/warning: @types\/node is not installed: .* add it with `npm install -D @types\/node`/);
    const check = await runCli(['generate', '--check'], missing);
    expect(check.exitCode, check.stdout).toBe(0);
    expect(check.stderr).toMatch(
      /warning: @types\/node is not installed: .* add it with `npm install -D @types\/node`/,
    );
    // A project that sees them hears nothing about it, on create or generate.
    const fine = await project();
    const quiet = await runCli(['rest', 'user', '--yes', '--no-install'], fine);
    expect(quiet.stderr).not.toMatch(/@types|"types"/);
    const regenerated = await runCli(['generate'], fine);
    expect(regenerated.exitCode, regenerated.stderr).toBe(0);
    expect(regenerated.stderr).toBe('');
  });
});

describe('after writing: what to do next, and the wizard command replayable from a shell', () => {
  it('each pattern says which files are yours, how to start it and the environment it reads', async () => {
    const dir = await project();
    const next = async (args: string[]) => {
      const r = await runCli([...args, '--yes', '--no-install'], dir);
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout.slice(r.stdout.indexOf('\nNext:'));
    };
    const client = await next(['rest', 'user']);
    expect(client).toMatch(/Use it from your code: import from src\/links\/user\/index\.ts/);
    expect(client).toMatch(
      /Environment it reads: USER_SERVICE_URL, USER_SERVICE_TOKEN, USER_SERVICE_TIMEOUT_MS, SERVICE_TOKEN/,
    );
    expect(client).toMatch(/Your API grows: edit openapi\/user\.yaml, then run `npx create-service-link generate`/);
    const grpc = await next(['grpc', 'account']);
    expect(grpc).toMatch(/Yours to edit: src\/links\/account\/handlers\.ts, src\/links\/account\/server\.ts/);
    expect(grpc).toMatch(
      /Start the account gRPC server: build \(npx tsc\), then `node dist\/links\/account\/server\.js`/,
    );
    expect(grpc).toMatch(
      /Environment it reads: .*ACCOUNT_SERVICE_ADDR.*ACCOUNT_SERVICE_LISTEN.*ACCOUNT_SERVICE_TLS_CERT/,
    );
    const queue = await next(['queue', 'order', '--message', 'OrderCreated:orderId=string']);
    expect(queue).toMatch(/Yours to edit: src\/links\/order\/handlers\.ts/);
    expect(queue).toMatch(/Start it from your code: startOrderConsumer\(\) \(src\/links\/order\/consumer\.ts\)/);
    expect(queue).toMatch(/Environment it reads: ORDER_QUEUE_URL, SQS_ENDPOINT/);
  });

  it('the printed command quotes what a shell would read ([], spaces, quotes), and runs as printed', async () => {
    const { equivalentCommand, shellQuote } = await import('../src/cli/equivalent.js');
    const { PATTERNS } = await import('../src/patterns/index.js');
    expect(shellQuote("it's a b")).toBe(`'it'\\''s a b'`);
    const values = {
      resource: ['users:id=string,tags=string[]'],
      baseUrlEnv: 'USERS_URL',
      client: true,
      server: false,
    };
    const command = equivalentCommand('rest', 'user', PATTERNS.rest!.options, values, { out: 'src/clients/user' });
    expect(command).toBe(
      "npx create-service-link rest user --resource 'users:id=string,tags=string[]' --base-url-env USERS_URL --client --out src/clients/user --yes",
    );
    const dir = await project();
    const r = await execa('sh', ['-c', command.replace('npx create-service-link', `node ${CLI}`) + ' --no-install'], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'openapi/user.yaml'), 'utf8')).toMatch(/tags:\s+type: array/);
    expect(JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8')).links.user.out).toBe(
      'src/clients/user',
    );
  });
});

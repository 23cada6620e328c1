// `create-service-link breaking` in a real git repository, and the changes every `generate` prints.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, removeProject, runCli } from './helpers/project.js';

const git = (cwd: string, ...args: string[]) =>
  execa('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', ...args], { cwd });

let project: string;
let cache: string;
/** Each run gets a cache folder of its own, so snapshots of other runs never leak in. */
const run = (args: string[], cwd = project) => runCli(args, cwd, { XDG_CACHE_HOME: cache });

async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(path.join(project, file), 'utf8');
  const next = text.replace(from, to);
  expect(next, `edit of ${file}`).not.toBe(text);
  await writeFile(path.join(project, file), next);
}

beforeAll(async () => {
  cache = await mkdtemp(path.join(tmpdir(), 'csl-cache-'));
  project = await makeProject();
  for (const args of [
    ['grpc', 'user', '--rpc', 'GetUser:unary', '--yes', '--no-install'],
    ['queue', 'orders', '--message', 'OrderCreated:orderId=string', '--yes', '--no-install'],
  ]) {
    const r = await run(args);
    expect(r.exitCode, r.stderr).toBe(0);
  }
  await git(project, 'init', '-q');
  await git(project, 'add', '-A');
  await git(project, 'commit', '-qm', 'links');
}, 120_000);

afterAll(async () => {
  await removeProject(project);
  await rm(cache, { recursive: true, force: true });
});

describe('breaking', () => {
  it('a clean tree has no changes: exit 0', async () => {
    const r = await run(['breaking']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/user \(grpc, proto\/user\.proto\) against HEAD \([0-9a-f]+\):\n {2}no contract changes/);
    expect(r.stdout).toMatch(/0 wire-breaking, 0 source-breaking, 0 safe/);
  });

  it('a deleted field without reservation exits 1 with the fix; --json has the same', async () => {
    await edit('proto/user.proto', /\n {2}string name = 2;/, '');
    const r = await run(['breaking', 'user']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/wire-breaking +field user\.v1\.GetUserResponse\.name \(2\)/);
    expect(r.stdout).toMatch(/fix: add "reserved 2;" to message GetUserResponse/);
    const j = await run(['breaking', '--json']);
    expect(j.exitCode).toBe(1);
    const report = JSON.parse(j.stdout) as {
      against: string;
      commit: string;
      counts: Record<string, number>;
      links: { name: string; compared: boolean; changes: { severity: string; rule: string; fix?: string }[] }[];
    };
    expect(report.against).toBe('HEAD');
    expect(report.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(report.counts).toEqual({ 'wire-breaking': 1, 'source-breaking': 0, safe: 0 });
    expect(report.links.map((l) => l.name).sort()).toEqual(['orders', 'user']);
    const user = report.links.find((l) => l.name === 'user')!;
    expect(user.changes).toMatchObject([{ severity: 'wire-breaking', rule: 'FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED' }]);
  });

  it('reserving the number makes it pass; a queue turned FIFO fails', async () => {
    await edit('proto/user.proto', 'message GetUserResponse {', 'message GetUserResponse {\n  reserved 2;');
    const ok = await run(['breaking', 'user']);
    expect(ok.exitCode, ok.stdout).toBe(0);
    const contract = 'asyncapi/orders.yaml';
    const text = await readFile(path.join(project, contract), 'utf8');
    const address = /address: (\S+)/.exec(text)?.[1];
    expect(address).toBeDefined();
    await edit(contract, `address: ${address}`, `address: ${address}.fifo`);
    const r = await run(['breaking', 'orders']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/wire-breaking +queue \S+: standard became FIFO: SQS cannot convert a queue/);
  });

  it('--against an older commit compares with it; the committed change is then seen', async () => {
    await git(project, 'commit', '-qam', 'reserve 2, fifo');
    expect((await run(['breaking', 'user'])).exitCode).toBe(0);
    const r = await run(['breaking', 'user', '--against', 'HEAD~1']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/source-breaking +field user\.v1\.GetUserResponse\.name \(2\): its number is reserved/);
  });

  it('an unknown revision or a folder outside git is a usage error (exit 2) naming the problem', async () => {
    const r = await run(['breaking', '--against', 'no-such-branch']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown git revision "no-such-branch"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const outside = await makeProject();
    try {
      expect((await run(['grpc', 'user', '--rpc', 'GetUser:unary', '--yes', '--no-install'], outside)).exitCode).toBe(
        0,
      );
      const o = await run(['breaking'], outside);
      expect(o.exitCode).toBe(2);
      expect(o.stderr).toMatch(/not inside a git repository/);
    } finally {
      await removeProject(outside);
    }
  });
});

describe('generate prints the contract changes since the last generate', () => {
  it('first against git HEAD, then against the last generate', async () => {
    await edit(
      'proto/user.proto',
      /rpc GetUser\(GetUserRequest\) returns \(GetUserResponse\);/,
      'rpc GetUser(GetUserRequest) returns (stream GetUserResponse);',
    );
    const first = await run(['generate', 'user']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Contract changes in user since git HEAD \(1 wire-breaking/);
    expect(first.stdout).toMatch(/wire-breaking +rpc user\.v1\.UserService\.GetUser: server streaming added/);
    const again = await run(['generate', 'user']);
    expect(again.stdout).not.toMatch(/Contract changes/);
    await edit('proto/user.proto', 'message GetUserRequest {', 'message GetUserRequest {\n  string tenant = 9;');
    const next = await run(['generate', 'user']);
    expect(next.stdout).toMatch(
      /Contract changes in user since the last generate \(0 wire-breaking, 0 source-breaking, 1 safe\)/,
    );
    expect(next.stdout).toMatch(/safe +field user\.v1\.GetUserRequest\.tenant \(9\)/);
    expect(next.stdout).not.toMatch(/server streaming/);
  });

  it('--dry-run prints the changes but keeps the baseline', async () => {
    await edit('proto/user.proto', /\n {2}string tenant = 9;/, '');
    const dry = await run(['generate', 'user', '--dry-run']);
    expect(dry.stdout).toMatch(/wire-breaking +field user\.v1\.GetUserRequest\.tenant \(9\)/);
    const real = await run(['generate', 'user']);
    expect(real.stdout).toMatch(/wire-breaking +field user\.v1\.GetUserRequest\.tenant \(9\)/);
  });
});

describe('breaking follows imports into the revision', () => {
  it('an edit to an imported .proto in a subfolder of --proto-path is compared with the committed import', async () => {
    const dir = await makeProject({
      files: {
        'protos/shop/item.proto':
          'syntax = "proto3";\npackage shop.v1;\nimport "shop/common/money.proto";\n\nservice ItemService {\n  rpc Price(PriceRequest) returns (shop.common.Money);\n}\n\nmessage PriceRequest {\n  string id = 1;\n}\n',
        'protos/shop/common/money.proto':
          'syntax = "proto3";\npackage shop.common;\n\nmessage Money {\n  string currency = 1;\n  int64 units = 2;\n}\n',
      },
    });
    try {
      const created = await run(
        ['grpc', 'item', '--proto', 'protos/shop/item.proto', '--proto-path', 'protos', '--yes', '--no-install'],
        dir,
      );
      expect(created.exitCode, created.stderr).toBe(0);
      await git(dir, 'init', '-q');
      await git(dir, 'add', '-A');
      await git(dir, 'commit', '-qm', 'item');
      const money = path.join(dir, 'protos/shop/common/money.proto');
      await writeFile(money, (await readFile(money, 'utf8')).replace('int64 units = 2;', 'double units = 2;'));
      const r = await run(['breaking', '--cwd', dir]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/wire-breaking +field shop\.common\.Money\.units \(2\): type int64 became double/);
    } finally {
      await removeProject(dir);
    }
  });
});

describe('issue 11, item 7: generate names every wire-breaking edit that used to pass in silence', () => {
  it('field removed without reserved, package renamed, RPC removed, unary -> streaming, standard -> FIFO', async () => {
    const dir = await makeProject();
    const inDir = (args: string[]) => run([...args, '--cwd', dir]);
    const change = async (file: string, from: string | RegExp, to: string) => {
      const abs = path.join(dir, file);
      const text = await readFile(abs, 'utf8');
      expect(text.replace(from, to), file).not.toBe(text);
      await writeFile(abs, text.replace(from, to));
    };
    try {
      for (const args of [
        ['grpc', 'user', '--rpc', 'GetUser:unary', '--rpc', 'ListUsers:server-stream', '--yes', '--no-install'],
        ['queue', 'orders', '--message', 'OrderCreated:orderId=string', '--yes', '--no-install'],
      ])
        expect((await inDir(args)).exitCode).toBe(0);
      expect((await inDir(['generate'])).stdout).not.toMatch(/Contract changes/);
      const steps: [string, string | RegExp, string, RegExp][] = [
        [
          'proto/user.proto',
          /\n {2}string name = 2;\n\}\n\nmessage ListUsersRequest/,
          '\n}\n\nmessage ListUsersRequest',
          /wire-breaking +field user\.v1\.GetUserResponse\.name \(2\)[^\n]*\n +fix: add "reserved 2;"/,
        ],
        [
          'proto/user.proto',
          'package user.v1;',
          'package user.v2;',
          /wire-breaking +package of user\.proto: package "user\.v1" became "user\.v2"[^\n]*\/user\.v1\.UserService\/GetUser -> \/user\.v2\.UserService\/GetUser/,
        ],
        [
          'proto/user.proto',
          /\n {2}rpc ListUsers[^\n]*/,
          '',
          /wire-breaking +rpc user\.v2\.UserService\.ListUsers: deployed callers[^\n]*UNIMPLEMENTED/,
        ],
        [
          'proto/user.proto',
          'returns (GetUserResponse);',
          'returns (stream GetUserResponse);',
          /wire-breaking +rpc user\.v2\.UserService\.GetUser: server streaming added/,
        ],
        [
          'asyncapi/orders.yaml',
          /address: (\S+)/,
          'address: $1.fifo',
          /wire-breaking +queue \S+: standard became FIFO: SQS cannot convert a queue \(FIFO names end in "\.fifo"\)/,
        ],
      ];
      for (const [file, from, to, expected] of steps) {
        await change(file, from, to);
        const r = await inDir(['generate']);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toMatch(expected);
        expect(r.stdout).toMatch(/Contract changes in \w+ since the last generate \(1 wire-breaking/);
      }
    } finally {
      await removeProject(dir);
    }
  }, 120_000);
});

describe('breaking on a REST link', () => {
  it('a removed operation and a removed response property exit 1', async () => {
    const dir = await makeProject();
    try {
      const created = await run([
        'rest',
        'users',
        '--resource',
        'users:id=string,email=string',
        '--yes',
        '--no-install',
        '--cwd',
        dir,
      ]);
      expect(created.exitCode, created.stderr).toBe(0);
      await git(dir, 'init', '-q');
      await git(dir, 'add', '-A');
      await git(dir, 'commit', '-qm', 'users');
      const file = path.join(dir, 'openapi/users.yaml');
      const text = await readFile(file, 'utf8');
      const edited = text
        .replace(/\n {4}delete:\n[\s\S]*?(?=\ncomponents:)/, '')
        .replace('required: ["id", "email"]', 'required: ["id"]');
      expect(edited).not.toBe(text);
      await writeFile(file, edited.replace(/\n {8}email:\n {10}type: string/, ''));
      const r = await run(['breaking', '--cwd', dir]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/wire-breaking +DELETE \/users\/\{id\}: deployed clients calling it get 404 or 405/);
      expect(r.stdout).toMatch(
        /wire-breaking +schema User\.email: deployed clients read it \[RESPONSE_PROPERTY_REMOVED\]/,
      );
      expect(r.stdout).toMatch(/source-breaking +schema User\.email: code that sets or reads it stops compiling/);
    } finally {
      await removeProject(dir);
    }
  });
});

// `generate --watch` follows every file a contract reads, not only the contract's own folder: a .proto
// imported from a subfolder of --proto-path, an import added while watching, an OpenAPI `$ref` to a
// file in another folder. The CLI runs as a child process in a temp project; every check polls.
import { execa, type ResultPromise } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, makeProject, removeProject, runCli } from './helpers/project.js';

const projects: string[] = [];
afterAll(async () => {
  await Promise.all(projects.map(removeProject));
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await makeProject({ files });
  projects.push(dir);
  return dir;
}

const read = (dir: string, file: string) => readFile(path.join(dir, file), 'utf8');
const write = async (dir: string, file: string, text: string) => {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), text);
};

/** A running `generate --watch`, its output so far, and a poll that fails with that output. */
function startWatch(dir: string) {
  const child: ResultPromise<{ all: true; reject: false }> = execa('node', [CLI, 'generate', '--watch'], {
    cwd: dir,
    reject: false,
    env: { NO_COLOR: '1' },
    all: true,
  });
  let output = '';
  child.all.on('data', (d: Buffer) => (output += d.toString()));
  const until = async (pred: () => Promise<boolean> | boolean, what: string): Promise<void> => {
    // Generous: a regeneration loads protobufjs/ts-morph on a shared machine.
    for (let i = 0; i < 600; i++) {
      if (
        await Promise.resolve()
          .then(pred)
          .catch(() => false)
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; output:\n${output}`);
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
  };
  return { until, stop, output: () => output };
}

const SHOP = `syntax = "proto3";
package acme.shop.v1;
import "acme/common/money.proto";
service ShopService {
  rpc GetPrice(GetPriceRequest) returns (acme.common.Money);
}
message GetPriceRequest { string id = 1; }
`;
const MONEY = `syntax = "proto3";
package acme.common;
message Money { string currency_code = 1; int64 units = 2; }
`;

describe('generate --watch follows imports', () => {
  it('regenerates when a .proto imported from a subfolder of --proto-path changes, and follows new imports', async () => {
    const dir = await project({ 'protos/acme/shop/v1/shop.proto': SHOP, 'protos/acme/common/money.proto': MONEY });
    const created = await runCli(
      ['grpc', 'shop', '--proto', 'protos/acme/shop/v1/shop.proto', '--proto-path', 'protos', '--yes', '--no-install'],
      dir,
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const messages = 'src/links/shop/messages.ts';
    expect(await read(dir, messages)).toContain('currencyCode');
    const w = startWatch(dir);
    try {
      await w.until(() => w.output().includes('Watching'), 'the watcher');
      await write(
        dir,
        'protos/acme/common/money.proto',
        MONEY.replace('int64 units = 2;', 'int64 units = 2; int32 nanos = 3;'),
      );
      await w.until(
        async () => (await read(dir, messages)).includes('nanos'),
        'regeneration after editing money.proto',
      );

      // An import added while watching, from a folder nobody watched before: followed from then on.
      await write(
        dir,
        'protos/acme/extra/note.proto',
        'syntax = "proto3";\npackage acme.extra;\nmessage Note { string text = 1; }\n',
      );
      await write(
        dir,
        'protos/acme/shop/v1/shop.proto',
        SHOP.replace(
          'import "acme/common/money.proto";',
          'import "acme/common/money.proto";\nimport "acme/extra/note.proto";',
        ).replace('string id = 1; }', 'string id = 1; acme.extra.Note note = 2; }'),
      );
      await w.until(async () => (await read(dir, messages)).includes('interface Note'), 'the new import');
      await write(
        dir,
        'protos/acme/extra/note.proto',
        'syntax = "proto3";\npackage acme.extra;\nmessage Note { string text = 1; string author = 2; }\n',
      );
      await w.until(
        async () => (await read(dir, messages)).includes('author'),
        'regeneration after editing note.proto',
      );

      // An import written before its file: the run fails, and the file appearing is noticed.
      const shop = await read(dir, 'protos/acme/shop/v1/shop.proto');
      await write(
        dir,
        'protos/acme/shop/v1/shop.proto',
        `${shop.replace('package acme.shop.v1;', 'package acme.shop.v1;\nimport "acme/common/tax.proto";')}message Taxed { acme.common.Tax tax = 1; }\n`,
      );
      await w.until(() => w.output().includes('import "acme/common/tax.proto" not found'), 'the missing import');
      await write(
        dir,
        'protos/acme/common/tax.proto',
        'syntax = "proto3";\npackage acme.common;\nmessage Tax { int32 rate_bp = 1; }\n',
      );
      await w.until(async () => (await read(dir, messages)).includes('rateBp'), 'regeneration once tax.proto exists');
    } finally {
      await w.stop();
    }
  });

  it('regenerates when a file an OpenAPI $ref points to changes in another folder', async () => {
    const api = `openapi: 3.0.3
info: { title: Pets, version: 1.0.0 }
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: the pet
          content:
            application/json:
              schema: { $ref: "../schemas/pet.yaml#/components/schemas/Pet" }
`;
    const pet = (extra: string) =>
      `components:\n  schemas:\n    Pet:\n      type: object\n      required: [id]\n      properties:\n        id: { type: string }\n${extra}`;
    const dir = await project({ 'openapi/pets.yaml': api, 'schemas/pet.yaml': pet('') });
    const created = await runCli(['rest', 'pets', '--openapi', 'openapi/pets.yaml', '--yes', '--no-install'], dir);
    expect(created.exitCode, created.stderr + created.stdout).toBe(0);
    const files = Object.keys(JSON.parse(await read(dir, 'service-link.json')).links.pets.files) as string[];
    const types = files.find((f) => f.endsWith('types.ts'))!;
    expect(await read(dir, types)).toContain('export type Pet = {');
    const w = startWatch(dir);
    try {
      await w.until(() => w.output().includes('Watching'), 'the watcher');
      await write(dir, 'schemas/pet.yaml', pet('        nickname: { type: string }\n'));
      await w.until(async () => (await read(dir, types)).includes('nickname'), 'regeneration after editing pet.yaml');
    } finally {
      await w.stop();
    }
  });
});

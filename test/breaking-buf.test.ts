// Our proto wire-breaking verdict against `buf breaking --use WIRE` itself, on every before/after pair
// of test/fixtures/breaking/proto. buf is a dev dependency (@bufbuild/buf): without it this fails.
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { protoModel } from '../src/breaking/proto-model.js';
import { diffProtoModels } from '../src/breaking/proto.js';
import { loadProtos } from '../src/contracts/proto.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'test/fixtures/breaking/proto');
const BUF = path.join(ROOT, 'node_modules/.bin/buf');
const WIRE = JSON.stringify({ version: 'v2', breaking: { use: ['WIRE'] } });

/**
 * Where we deliberately say wire-breaking and buf's WIRE category does not (README, "Where we differ
 * from buf"): buf files RPC and service deletion under FILE, but a deployed caller of a deleted RPC
 * gets UNIMPLEMENTED, which is exactly "deployed peers break".
 */
const DISAGREEMENTS: Record<string, { ours: boolean; buf: boolean }> = {
  'rpc-deleted': { ours: true, buf: false },
  'service-deleted': { ours: true, buf: false },
  'service-renamed': { ours: true, buf: false },
};

async function ours(dir: string): Promise<{ breaking: boolean; rules: string[] }> {
  const load = async (side: string) => {
    const folder = path.join(dir, side);
    const loaded = await loadProtos(
      ['contract.proto'],
      ['.'],
      { read: (f) => readFile(path.join(folder, f), 'utf8').catch(() => undefined) },
      folder,
    );
    return protoModel(loaded);
  };
  const changes = diffProtoModels(await load('before'), await load('after'));
  const wire = changes.filter((c) => c.severity === 'wire-breaking');
  return { breaking: wire.length > 0, rules: [...new Set(wire.map((c) => c.rule))].sort() };
}

async function buf(dir: string): Promise<{ breaking: boolean; rules: string[] }> {
  const r = await execa(BUF, ['breaking', '.', '--against', '../before', '--config', WIRE, '--error-format', 'json'], {
    cwd: path.join(dir, 'after'),
    reject: false,
  });
  if (r.exitCode !== 0 && r.exitCode !== 100) throw new Error(`buf failed (${r.exitCode}): ${r.stderr}`);
  const rules = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { type: string }).type);
  return { breaking: r.exitCode === 100, rules: [...new Set(rules)].sort() };
}

describe('proto wire-breaking verdicts equal buf breaking --use WIRE', () => {
  const cases = readdirSync(CORPUS).sort();

  it('has buf and a corpus of at least 40 pairs', () => {
    expect(existsSync(BUF), `${BUF} is missing: npm install (devDependency @bufbuild/buf)`).toBe(true);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it('agrees on every pair but the documented disagreements', { timeout: 120_000 }, async () => {
    const rows: { name: string; ours: Awaited<ReturnType<typeof ours>>; buf: Awaited<ReturnType<typeof buf>> }[] = [];
    // A few buf processes at a time: the machine is shared.
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      const results = await Promise.all(
        batch.map(async (name) => {
          const dir = path.join(CORPUS, name);
          return { name, ours: await ours(dir), buf: await buf(dir) };
        }),
      );
      rows.push(...results);
    }
    const verdicts = Object.fromEntries(rows.map((r) => [r.name, { ours: r.ours.breaking, buf: r.buf.breaking }]));
    const expected = Object.fromEntries(
      rows.map((r) => [r.name, DISAGREEMENTS[r.name] ?? { ours: r.buf.breaking, buf: r.buf.breaking }]),
    );
    expect(verdicts).toEqual(expected);
    // Both sides must find breaking and safe pairs, or the comparison proves nothing.
    expect(rows.filter((r) => r.buf.breaking).length).toBeGreaterThanOrEqual(15);
    expect(rows.filter((r) => !r.buf.breaking).length).toBeGreaterThanOrEqual(15);
    // Where buf breaks, we name the same rule (ours may add rules buf keeps outside WIRE).
    for (const r of rows) for (const rule of r.buf.rules) expect(r.ours.rules, r.name).toContain(rule);
  });
});

// The real wizard through a pseudo-terminal: keys in, screen out.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, spawnCli, type PtySession } from './helpers/pty.js';
import { compile, makeProject, snapshot } from './helpers/project.js';

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
    await s.waitFor('Run a 10-second bench on your message before choosing?');
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
    await s.waitFor('base URL');
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
    await s.waitFor('base URL');
    await acceptDefaultsUntilConfirm(s);
    s.write(KEY.ctrlC);
    expect(await s.exit).toBe(130);
    expect(await snapshot(dir)).toEqual(before);
  });
});

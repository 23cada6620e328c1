// The engine's generate step for harnesses that write planned files themselves: the link's files plus
// the shared runtime modules it imports, with the link's state carried from one run to the next the way
// service-link.json carries it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateContext, patternOf } from '../../src/core/engine.js';
import { defaultRuntimeDir, runtimeFiles } from '../../src/core/runtime.js';
import type { LinkConfig, LinkState, PlannedFile, ProjectInfo } from '../../src/core/types.js';
import { perLink } from '../../src/patterns/types.js';

const states = new Map<string, LinkState | undefined>();

export type Reader = (file: string) => Promise<string | undefined>;

export function diskReader(root: string): Reader {
  return (file) => readFile(path.resolve(root, file), 'utf8').catch(() => undefined);
}

export async function generateFiles(
  project: ProjectInfo,
  link: LinkConfig,
  read: Reader = diskReader(project.root),
): Promise<PlannedFile[]> {
  const key = `${project.root}\0${link.name}`;
  const spec = patternOf(link);
  const runtimeDir = defaultRuntimeDir(project);
  const ctx = generateContext({ project, link, runtimeDir, previousState: states.get(key), read });
  const result = await (await spec.load()).generate(ctx);
  states.set(key, result.state);
  return [...runtimeFiles(perLink(spec.runtimeModules, link.options), runtimeDir, project), ...result.files];
}

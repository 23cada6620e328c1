// The one code path from contracts to a plan: used by the first run (scaffold) and every `generate`.
import path from 'node:path';
import { UsageError } from '../errors.js';
import { CREATE_USAGE, PATTERNS } from '../patterns/index.js';
import { perLink, type GenerateContext, type PatternSpec } from '../patterns/types.js';
import { linkConfig, type Manifest } from '../vfs/manifest.js';
import { Plan, planLink, planMeta, planRuntime, readText } from '../vfs/plan.js';
import { legacyShims } from './legacy.js';
import { defaultRuntimeDir, runtimeFiles, runtimeSpecifier } from './runtime.js';
import type { LinkConfig, LinkState, PlannedFile, ProjectInfo } from './types.js';
import { TOOL_VERSION } from './version.js';

export interface LinkJob {
  link: LinkConfig;
  /** Contract files created by this run; readable by the generator before they exist on disk. */
  newContracts?: { path: string; content: string }[];
  /** `generate --rename old=new`. */
  renames?: ReadonlyMap<string, string>;
  /** Told every file the generator asks for, found or not (`generate --watch` follows them). */
  onRead?: ((file: string) => void) | undefined;
}

/** The registry entry of a pattern, or a clear error for a manifest naming one this release lacks. */
export function patternOf(link: LinkConfig): PatternSpec {
  const spec = PATTERNS[link.pattern];
  if (!spec) {
    throw new UsageError(
      `service-link.json: link "${link.name}" has pattern "${link.pattern}", which this release does not know (known: ${Object.keys(PATTERNS).join(', ')}). Fix the entry, or use the release that wrote it.`,
    );
  }
  return spec;
}

export interface ContextInput {
  project: ProjectInfo;
  link: LinkConfig;
  runtimeDir: string;
  previousState?: LinkState | undefined;
  /** A project-relative or absolute path's text; undefined when there is no such file. */
  read(file: string): Promise<string | undefined>;
  renames?: ReadonlyMap<string, string> | undefined;
  note?: (text: string) => void;
  renameApplies?: (old: string) => void;
}

/** What a generator sees of the world: the project, its link, files to read, the runtime's place. */
export function generateContext(input: ContextInput): GenerateContext {
  const { project, link } = input;
  const out = link.out.replace(/\/+$/, '');
  return {
    project,
    link,
    previousState: input.previousState,
    runtime: (module) => runtimeSpecifier(out, input.runtimeDir, module, project.importSuffix),
    renames: input.renames ?? new Map(),
    note: input.note ?? (() => {}),
    renameApplies: input.renameApplies ?? (() => {}),
    async readFile(file) {
      const text = await input.read(file);
      if (text === undefined)
        throw new UsageError(
          `${file}: file not found (link "${link.name}" reads it). Restore it or fix service-link.json.`,
        );
      return text;
    },
    async exists(file) {
      return (await input.read(file)) !== undefined;
    },
  };
}

/** A link's generated and user files plus the runtime modules it imports: for tools that write them directly. */
export async function generateStandalone(input: ContextInput): Promise<PlannedFile[]> {
  const spec = patternOf(input.link);
  const { files } = await (await spec.load()).generate(generateContext(input));
  return [...runtimeFiles(perLink(spec.runtimeModules, input.link.options), input.runtimeDir, input.project), ...files];
}

export async function planLinks(
  project: ProjectInfo,
  manifest: Manifest,
  jobs: LinkJob[],
  force: boolean,
): Promise<Plan> {
  const plan = new Plan(project.root, structuredClone(manifest));
  const runtimeDir = manifest.runtime?.dir ?? defaultRuntimeDir(project);
  for (const job of jobs) {
    const overlay = new Map((job.newContracts ?? []).map((c) => [c.path, c.content]));
    const previous = manifest.links[job.link.name];
    const spec = patternOf(job.link);
    const ctx = generateContext({
      project,
      link: job.link,
      runtimeDir,
      previousState: previous?.state,
      renames: job.renames,
      note: (text) => plan.notes.push(`${job.link.name}: ${text}`),
      renameApplies: (old) => plan.renamesApplied.add(old),
      read: async (file) => {
        job.onRead?.(file);
        // An absolute path (an import root outside the project) is read where it is.
        const rel = path.isAbsolute(file) ? path.relative(project.root, file) : file;
        return overlay.get(file) ?? (await readText(project.root, rel));
      },
    });
    const result = await (await spec.load()).generate(ctx);
    for (const warning of result.warnings ?? []) plan.warnings.push(`${job.link.name}: ${warning}`);
    const files = [
      ...result.files,
      ...(await legacyShims({ spec, link: job.link, project, manifest, files: result.files, ctx })),
    ];
    const { name, pattern, contracts, out, options } = job.link;
    const entry = { pattern, contracts, out, options, ...(result.state ? { state: result.state } : {}) };
    await planLink(plan, { name, entry, files, newContracts: job.newContracts, force });
  }
  // The runtime serves every link in the project, also those this run did not regenerate.
  // A link of a pattern this release does not know keeps every module already there: it may need them.
  const recorded = Object.keys(manifest.runtime?.files ?? {}).map((f) => path.posix.basename(f, '.ts'));
  const modules = Object.values(plan.manifest.links).flatMap((l) => {
    const spec = PATTERNS[l.pattern];
    return spec ? perLink(spec.runtimeModules, l.options) : recorded;
  });
  await planRuntime(plan, runtimeDir, TOOL_VERSION, runtimeFiles(modules, runtimeDir, project), force);
  await planMeta(plan);
  return plan;
}

/** The manifest's links, or the named ones; unknown names are a usage error. */
export function selectLinks(manifest: Manifest, names: string[]): LinkConfig[] {
  const all = Object.keys(manifest.links);
  if (all.length === 0) {
    throw new UsageError(`service-link.json has no links yet. Create one with \`${CREATE_USAGE}\`.`);
  }
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length)
    throw new UsageError(
      `unknown link${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${all.join(', ')})`,
    );
  return (names.length ? names : all).map((n) => linkConfig(n, manifest.links[n]!));
}

// The one code path from contracts to a plan: used by the first run (scaffold) and every `generate`.
import { UsageError } from '../errors.js';
import { PATTERNS } from '../patterns/index.js';
import type { GenerateContext, LinkConfig, ProjectInfo } from '../patterns/types.js';
import { linkConfig, type Manifest } from '../vfs/manifest.js';
import { Plan, planLink, planMeta, readText } from '../vfs/plan.js';

export interface LinkJob {
  link: LinkConfig;
  /** Contract files created by this run; readable by the generator before they exist on disk. */
  newContracts?: { path: string; content: string }[];
}

export async function planLinks(project: ProjectInfo, manifest: Manifest, jobs: LinkJob[], force: boolean): Promise<Plan> {
  const plan = new Plan(project.root, structuredClone(manifest));
  for (const job of jobs) {
    const overlay = new Map((job.newContracts ?? []).map((c) => [c.path, c.content]));
    const ctx: GenerateContext = {
      project,
      link: job.link,
      async readFile(file) {
        const planned = overlay.get(file);
        if (planned !== undefined) return planned;
        const text = await readText(project.root, file);
        if (text === undefined) throw new UsageError(`${file}: file not found (link "${job.link.name}" reads it). Restore it or fix service-link.json.`);
        return text;
      },
      async exists(file) {
        return overlay.has(file) || (await readText(project.root, file)) !== undefined;
      },
    };
    const generator = await PATTERNS[job.link.pattern].load();
    const files = await generator.generate(ctx);
    const { name, pattern, contracts, out, options } = job.link;
    await planLink(plan, { name, entry: { pattern, contracts, out, options }, files, newContracts: job.newContracts, force });
  }
  await planMeta(plan);
  return plan;
}

/** The manifest's links, or the named ones; unknown names are a usage error. */
export function selectLinks(manifest: Manifest, names: string[]): LinkConfig[] {
  const all = Object.keys(manifest.links);
  if (all.length === 0) {
    throw new UsageError('service-link.json has no links yet. Create one with `create-service-link <rest|grpc|queue> <name>`.');
  }
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new UsageError(`unknown link${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${all.join(', ')})`);
  return (names.length ? names : all).map((n) => linkConfig(n, manifest.links[n]!));
}

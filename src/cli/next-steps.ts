// The closing message after a link is written: which files are the user's to edit, how to start what
// it runs, which environment variables it reads. Read from the files just planned (their own header
// comments and code), so it says what this pattern and these options actually wrote.
import type { LinkConfig } from '../core/types.js';
import type { Plan } from '../vfs/plan.js';

/** `// Runs the user gRPC server: \`node dist/links/user/server.js\`.` -> the command. */
const RUNS = /^\/\/ Runs (?:the )?([^:]+): `([^`]+)`/m;
/** A generated entry point the user's code calls, e.g. `export function startOrderConsumer(`. */
const START = /^export (?:async )?function (start[A-Z]\w*)\(/m;
/** Environment variable names as the generated code reads them. */
const ENV_READS = /(?:env\[|_ENV = |Envs?: \[?)'([A-Z][A-Z0-9_]+)'/g;
const ENV_LISTS = /Envs: \[([^\]]*)\]/g;

function envNames(text: string): string[] {
  const names = [...text.matchAll(ENV_READS)].map((m) => m[1]!);
  for (const m of text.matchAll(ENV_LISTS))
    names.push(...[...m[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((n) => n[1]!));
  return names;
}

/** `runtimeFiles`: the shared runtime modules this link imports (project-relative paths). */
export function nextSteps(plan: Plan, link: LinkConfig, runtimeFiles: readonly string[]): string[] {
  const inLink = plan.entries.filter((e) => e.path.startsWith(`${link.out}/`) && e.after !== undefined);
  const yours = inLink.filter((e) => e.kind === 'user');
  const lines = ['Next:'];
  if (yours.length)
    lines.push(
      `  Yours to edit: ${yours.map((e) => e.path).join(', ')} (generate only adds stubs there, never rewrites your code)`,
    );
  else lines.push(`  Use it from your code: import from ${link.out}/index.ts`);
  for (const e of yours) {
    const runs = RUNS.exec(e.after!);
    if (runs) lines.push(`  Start the ${runs[1]}: build (npx tsc), then \`${runs[2]}\``);
  }
  for (const e of inLink.filter((f) => f.kind === 'generated')) {
    const start = START.exec(e.after!);
    if (start && !yours.some((f) => RUNS.test(f.after!)))
      lines.push(`  Start it from your code: ${start[1]}() (${e.path})`);
  }
  const env = new Set<string>();
  for (const e of plan.entries)
    if (e.after !== undefined && (inLink.includes(e) || runtimeFiles.includes(e.path)))
      for (const n of envNames(e.after)) env.add(n);
  if (env.size) lines.push(`  Environment it reads: ${[...env].join(', ')}`);
  lines.push(
    `  Your API grows: edit ${link.contracts.join(', ')}, then run \`npx create-service-link generate\` (your code is kept)`,
  );
  return lines;
}

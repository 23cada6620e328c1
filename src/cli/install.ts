// Installs the runtime packages a link needs with the project's own package manager.
import type { ProjectInfo } from '../patterns/types.js';
import { declaredDependencies } from '../project/detect.js';
import { info, spin, warn } from './output.js';

/** `@scope/name@^1.2` -> `@scope/name`. */
export function packageName(spec: string): string {
  return spec.replace(/(?<=.)@[^@/]*$/, '');
}

/** The major version a plain semver range starts at (`^8.8.1` -> 8), or undefined (tags, URLs, `*`). */
export function majorOf(range: string): number | undefined {
  const m = /^[\^~>=v\s]*(\d+)(\.|$)/.exec(range.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Declared packages whose major version differs from the one the generated code needs. They are not
 * changed behind the user's back (other code may rely on them); the user is told instead.
 */
export function majorMismatches(declared: Map<string, string>, wanted: string[]): string[] {
  const out: string[] = [];
  for (const spec of wanted) {
    const name = packageName(spec);
    const have = declared.get(name);
    const need = spec.length > name.length ? majorOf(spec.slice(name.length + 1)) : undefined;
    const got = have === undefined ? undefined : majorOf(have);
    if (need !== undefined && got !== undefined && got !== need) out.push(`${name} is declared as "${have}", the generated code needs ${spec.slice(name.length + 1)}`);
  }
  return out;
}

export function installCommand(pm: ProjectInfo['packageManager'], packages: string[]): string[] {
  return pm === 'npm' ? ['npm', 'install', ...packages] : [pm, 'add', ...packages];
}

/** Returns false when the install failed (the files are written; the user can re-run the command). */
export async function installDependencies(project: ProjectInfo, wanted: string[], skip: boolean): Promise<boolean> {
  const declared = declaredDependencies(project.root);
  // `protobufjs@^8.8.1` is declared as `protobufjs`: compare names, install with the range.
  const missing = [...new Set(wanted)].filter((p) => !declared.has(packageName(p))).sort();
  for (const problem of majorMismatches(declared, wanted)) warn(`${problem}; upgrade it when you can.`);
  if (missing.length === 0) return true;
  const command = installCommand(project.packageManager, missing);
  if (skip) {
    info(`\nInstall the runtime dependencies with:\n  ${command.join(' ')}`);
    return true;
  }
  const spinner = await spin(`Installing ${missing.join(', ')} with ${project.packageManager}`);
  const { execa } = await import('execa');
  const result = await execa(command[0]!, command.slice(1), { cwd: project.root, reject: false, stdin: 'ignore' });
  if (result.exitCode === 0) {
    spinner.succeed(`Installed ${missing.join(', ')}`);
    return true;
  }
  spinner.fail(`${command.join(' ')} failed (exit ${result.exitCode ?? 'signal'})`);
  warn(`${String(result.stderr).trim().split('\n').slice(-5).join('\n')}\nThe files are written; run \`${command.join(' ')}\` yourself.`);
  return false;
}

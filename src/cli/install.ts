// Installs the runtime packages a link needs with the project's own package manager.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ProjectInfo } from '../core/types.js';
import { declaredDependencies } from '../project/detect.js';
import { info, spin, warn } from './output.js';

/** `@scope/name@^1.2` -> `@scope/name`. */
export function packageName(spec: string): string {
  return spec.replace(/(?<=.)@[^@/]*$/, '');
}

/**
 * Runtime packages the project already has in a version the generated code cannot use: an installed
 * copy outside the needed range (e.g. protobufjs 8.0 where wire.ts reads strings with 8.8's
 * stringVerify), or a declared range with no version in common with it. They are not changed behind
 * the user's back (other code may rely on them); the user is told what to run instead.
 */
export async function versionProblems(
  root: string,
  declared: Map<string, string>,
  wanted: string[],
  pm: ProjectInfo['packageManager'] = 'npm',
): Promise<string[]> {
  const semver = await import('semver');
  const out: string[] = [];
  for (const spec of wanted) {
    const name = packageName(spec);
    const need = spec.length > name.length ? spec.slice(name.length + 1) : undefined;
    const have = declared.get(name);
    if (need === undefined || have === undefined || !semver.validRange(need)) continue;
    const fix = `run \`${installCommand(pm, [spec]).join(' ')}\` when you can`;
    const installed = installedVersion(root, name);
    if (installed !== undefined) {
      if (!semver.satisfies(installed, need))
        out.push(`${name} ${installed} is installed; the generated code needs ${need}: ${fix}`);
    } else if (semver.validRange(have) && !semver.intersects(have, need)) {
      out.push(`${name} is declared as "${have}"; the generated code needs ${need}: ${fix}`);
    }
  }
  return out;
}

/** The version of `name` that code under `root` would load, if it is installed. */
function installedVersion(root: string, name: string): string | undefined {
  try {
    // Read, not require()d: require's cache would keep the version seen first.
    const file = createRequire(path.join(root, 'package.json')).resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    // Not installed, or a package whose exports hide package.json: nothing to compare.
    return undefined;
  }
}

export function installCommand(pm: ProjectInfo['packageManager'], packages: string[]): string[] {
  return pm === 'npm' ? ['npm', 'install', ...packages] : [pm, 'add', ...packages];
}

/** Returns false when the install failed (the files are written; the user can re-run the command). */
export async function installDependencies(project: ProjectInfo, wanted: string[], skip: boolean): Promise<boolean> {
  const declared = declaredDependencies(project.root);
  // `protobufjs@^8.8.1` is declared as `protobufjs`: compare names, install with the range.
  const missing = [...new Set(wanted)].filter((p) => !declared.has(packageName(p))).sort();
  for (const problem of await versionProblems(project.root, declared, wanted, project.packageManager)) warn(problem);
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
  warn(
    `${String(result.stderr).trim().split('\n').slice(-5).join('\n')}\nThe files are written; run \`${command.join(' ')}\` yourself.`,
  );
  return false;
}

// Installs the runtime packages a link needs with the project's own package manager.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ProjectInfo } from '../core/types.js';
import { InterruptedError } from '../errors.js';
import { declaredDependencies } from '../project/detect.js';
import { installedPackageJson } from '../project/installed.js';
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

/** Whether `name` is installed where code under `root` finds it (node_modules of root or a folder above). */
export function isInstalled(root: string, name: string): boolean {
  return installedPackageJson(root, name) !== undefined;
}

/**
 * The command that makes the runtime packages importable, when some are not installed (an install that
 * failed or was interrupted, a fresh clone before `npm install`); undefined when all are there.
 */
export function missingRuntimeCommand(project: ProjectInfo, wanted: string[]): string | undefined {
  const absent = [...new Set(wanted)].filter((spec) => !isInstalled(project.root, packageName(spec))).sort();
  if (absent.length === 0) return undefined;
  const declared = declaredDependencies(project.root);
  const undeclared = absent.filter((spec) => !declared.has(packageName(spec)));
  // Declared but absent: the project's own install brings them; otherwise add them.
  const command = undeclared.length
    ? installCommand(project.packageManager, undeclared)
    : [project.packageManager, 'install'];
  return `${absent.map(packageName).join(', ')} ${absent.length > 1 ? 'are' : 'is'} not installed (the generated code imports ${absent.length > 1 ? 'them' : 'it'}): run \`${command.join(' ')}\``;
}

/**
 * Installs what is missing. Never throws for a failed install: the files are written by then, so it
 * warns with the exact command to run. Ctrl-C during the install ends with InterruptedError (exit 130)
 * naming the same command.
 */
export async function installDependencies(project: ProjectInfo, wanted: string[], skip: boolean): Promise<void> {
  const declared = declaredDependencies(project.root);
  // `protobufjs@^8.8.1` is declared as `protobufjs`: compare names, install with the range.
  const missing = [...new Set(wanted)].filter((p) => !declared.has(packageName(p))).sort();
  for (const problem of await versionProblems(project.root, declared, wanted, project.packageManager)) warn(problem);
  if (missing.length === 0) return;
  const command = installCommand(project.packageManager, missing);
  const shown = command.join(' ');
  if (skip) {
    info(`\nInstall the runtime dependencies with:\n  ${shown}`);
    return;
  }
  // The handler is in place before anything is printed: a Ctrl-C from then on is ours to report.
  let interrupted = false;
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
  const onSignal = () => {
    interrupted = true;
    child?.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: { exitCode?: number; signal?: string; code?: string; stderr: unknown; stdout: unknown } | undefined;
  const spinner = await spin(`Installing ${missing.join(', ')} with ${project.packageManager}`);
  try {
    const { execa } = await import('execa');
    if (!interrupted) {
      const running = execa(command[0]!, command.slice(1), { cwd: project.root, reject: false, stdin: 'ignore' });
      child = running;
      result = await running;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (interrupted) {
    spinner.fail(`${shown} was interrupted`);
    throw new InterruptedError(
      `interrupted: the files are written, but ${missing.map(packageName).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed. Run \`${shown}\` to finish.`,
    );
  }
  if (!result) return;
  if (result.exitCode === 0) {
    spinner.succeed(`Installed ${missing.join(', ')}`);
    return;
  }
  spinner.fail(`${shown} failed (${installFailure(result, command[0]!)})`);
  const output = String(result.stderr || result.stdout)
    .trim()
    .split('\n')
    .slice(-5)
    .join('\n');
  warn(
    `${output ? `${output}\n` : ''}The files are written; run \`${shown}\` yourself to install the runtime dependencies.`,
  );
}

/** "exit 1", "pnpm is not installed", "killed by SIGKILL". */
function installFailure(result: { exitCode?: number; signal?: string; code?: string }, tool: string): string {
  if (result.code === 'ENOENT') return `${tool} is not installed or not on PATH`;
  if (result.exitCode !== undefined) return `exit ${result.exitCode}`;
  return result.signal ? `killed by ${result.signal}` : 'it did not run';
}

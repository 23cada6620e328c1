// The wizard's answers as one command line that asks nothing: for a script, a README or CI.
import { flagName, isUnset, type Answers, type OptionSet } from '../core/options.js';

/** Single-quoted for a POSIX shell when it holds anything a shell would read (spaces, [], *, $...). */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface CommandCommon {
  cwd?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
  install?: boolean | undefined;
}

/** `npx create-service-link <pattern> <name> --flag value ... --yes`, flags in their declared order. */
export function equivalentCommand(
  pattern: string,
  name: string,
  set: OptionSet,
  values: Answers,
  common: CommandCommon,
): string {
  const words = ['npx', 'create-service-link', pattern, name];
  for (const [key, decl] of Object.entries(set.decls)) {
    const value = values[key];
    if (isUnset(value) || value === false) continue;
    const flag = flagName(decl);
    if (value === true) words.push(flag);
    else for (const item of Array.isArray(value) ? value : [value]) words.push(flag, shellQuote(String(item)));
  }
  if (common.cwd !== undefined) words.push('--cwd', shellQuote(common.cwd));
  if (common.out !== undefined) words.push('--out', shellQuote(common.out));
  if (common.force) words.push('--force');
  if (common.install === false) words.push('--no-install');
  words.push('--yes');
  return words.join(' ');
}

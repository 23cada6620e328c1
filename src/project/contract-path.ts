// Where a contract named by a flag (--openapi, --asyncapi, --proto) lives. Any readable file is
// accepted, inside the project or not (monorepos keep contracts in a shared folder); it is stored
// relative to the project root, so service-link.json works from any checkout of the same tree.
import { statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/** Forward slashes, relative to `root` (`../contracts/api.yaml`); absolute only on another drive. */
export function projectRelative(root: string, file: string): string {
  const rel = path.relative(root, file);
  return path.isAbsolute(rel) ? file : rel.split(path.sep).join('/') || '.';
}

/**
 * The contract file `value` names, relative to the project: looked up from the current folder first
 * (what the user's shell completes), then from the project root. Refuses a folder or a missing file.
 */
export function contractFile(flag: string, value: string, root: string, example: string): string {
  const candidates = path.isAbsolute(value)
    ? [value]
    : [...new Set([path.resolve(process.cwd(), value), path.resolve(root, value)])];
  for (const candidate of candidates) {
    const stats = statSync(candidate, { throwIfNoEntry: false });
    if (!stats) continue;
    if (stats.isDirectory())
      throw new UsageError(`${flag} ${value}: is a folder; name the contract file in it, e.g. ${flag} ${example}`);
    return projectRelative(root, candidate);
  }
  throw new UsageError(
    `${flag} ${value}: no such file (looked in ${[...new Set(candidates.map((c) => path.dirname(c)))].join(' and ')})`,
  );
}

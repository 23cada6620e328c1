// Where an npm package is installed for code under a folder: node_modules of that folder or one above,
// as Node resolves it. Shared by the install check and the Node-types check.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The package.json of `name` as installed for `root` ({} when it does not parse), else undefined. */
export function installedPackageJson(root: string, name: string): Record<string, unknown> | undefined {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch {
        return {};
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

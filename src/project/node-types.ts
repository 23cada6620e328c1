// Whether the user's project sees Node's types, which the generated code needs (node:http, process,
// Buffer): @types/node installed, and visible under the tsconfig's `types`. TypeScript 6 and later
// load no @types package unless `types` names it; 5.x loads them all when `types` is unset.
import type { ProjectInfo } from '../core/types.js';
import { installedPackageJson as installedPackage } from './installed.js';

/** One line saying what to add when Node's types are not visible to the project, else undefined. */
export function nodeTypesProblem(
  root: string,
  types: unknown,
  packageManager: ProjectInfo['packageManager'],
): string | undefined {
  if (!installedPackage(root, '@types/node')) {
    const add = packageManager === 'npm' ? 'npm install' : `${packageManager} add`;
    return `@types/node is not installed: the generated code uses Node's modules (node:http, process); add it with \`${add} -D @types/node\``;
  }
  if (Array.isArray(types)) {
    if (types.includes('node')) return undefined;
    return `tsconfig.json sets "types": ${JSON.stringify(types)} without "node": the generated code uses Node's types; add "node" to compilerOptions.types`;
  }
  const version = installedPackage(root, 'typescript')?.version;
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : Number.NaN;
  if (major >= 6)
    return `TypeScript ${version} loads no @types package unless tsconfig.json names it, and it sets no "types": add "types": ["node"] to compilerOptions so the generated code sees Node's types`;
  return undefined;
}

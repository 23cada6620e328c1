// The REST pattern: an OpenAPI 3.0/3.1 contract and a typed client generated from it.
// This module stays light (it is imported by `--help`): the generator is loaded by `load()`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { PatternSpec } from '../types.js';
import { REST_OPTIONS, defaultResource, restSides } from './options.js';
import { parseResource, resourceDocument } from './resource.js';

export const spec: PatternSpec<typeof REST_OPTIONS> = {
  id: 'rest',
  title: 'REST (OpenAPI contract, typed HTTP client and server)',
  example: 'create-service-link rest user --resource "users:id=string,email=string"',
  options: REST_OPTIONS,
  runtimeDependencies: [],
  runtimeModules: (options) => {
    const sides = restSides(options);
    return ['context', ...(sides.client ? ['rest'] : []), ...(sides.server ? ['rest-server'] : [])];
  },
  legacyModules: { 'runtime.ts': 'rest', 'request-context.ts': 'context' },

  async scaffold({ name, options, project }) {
    const { openapi, resource: resources } = options;
    if (openapi && resources.length) throw new UsageError('pass either --openapi or --resource, not both');
    if (openapi) {
      const candidates = path.isAbsolute(openapi)
        ? [openapi]
        : [path.resolve(process.cwd(), openapi), path.resolve(project.root, openapi)];
      const found = candidates.find((c) => existsSync(c));
      if (!found) throw new UsageError(`--openapi ${openapi}: no such file`);
      const relative = path.relative(project.root, found).split(path.sep).join('/');
      if (relative.startsWith('../') || path.isAbsolute(relative))
        throw new UsageError(
          `--openapi ${openapi}: the document must be inside the project (${project.root}); copy it there first`,
        );
      return { contracts: [relative], files: [] };
    }
    const parsed = (resources.length ? resources : [defaultResource(name)]).map(parseResource);
    const seen = new Set<string>();
    for (const r of parsed) {
      if (seen.has(r.name)) throw new UsageError(`--resource ${r.name} is given twice`);
      seen.add(r.name);
    }
    const file = `openapi/${name}.yaml`;
    return { contracts: [file], files: [{ path: file, content: resourceDocument(name, parsed, options.auth) }] };
  },

  async load() {
    const { generateRest } = await import('./generate.js');
    return { generate: generateRest };
  },

  async bench() {
    return (await import('./bench.js')).bench;
  },
};

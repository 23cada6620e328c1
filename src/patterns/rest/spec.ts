// The REST pattern: an OpenAPI 3.0/3.1 contract and a typed client generated from it.
// This module stays light (it is imported by `--help`): the generator is loaded by `load()`.
import { UsageError } from '../../errors.js';
import { contractFile } from '../../project/contract-path.js';
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
      const relative = contractFile('--openapi', openapi, project.root, 'specs/user.yaml');
      return { contracts: [relative], files: [] };
    }
    const parsed = (resources.length ? resources : [defaultResource(name)]).map(parseResource);
    const seen = new Set<string>();
    for (const r of parsed) {
      if (seen.has(r.name)) throw new UsageError(`--resource ${r.name} is given twice`);
      seen.add(r.name);
    }
    const file = `openapi/${name}.yaml`;
    const warnings = resources
      .filter((r) => !r.includes(':'))
      .map(
        (r) =>
          `--resource ${r} has no fields: its schema gets only \`id: string\`. Add fields in ${file}, or pass e.g. --resource "${r}:id=string,name=string"`,
      );
    return {
      contracts: [file],
      files: [{ path: file, content: resourceDocument(name, parsed, options.auth ?? 'bearer') }],
      warnings,
    };
  },

  async load() {
    const { generateRest } = await import('./generate.js');
    return { generate: generateRest };
  },

  async bench() {
    return (await import('./bench.js')).bench;
  },
};

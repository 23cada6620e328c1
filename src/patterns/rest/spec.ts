// The REST pattern: an OpenAPI 3.0/3.1 contract and a typed client generated from it.
// This module stays light (it is imported by `--help`): the generator is loaded by `load()`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { constantCase } from '../../util/names.js';
import type { PatternSpec } from '../types.js';
import { restDefaults } from './options.js';
import { RESOURCE_EXAMPLE, parseResource, resourceDocument } from './resource.js';

function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/** With neither --openapi nor --resource, a link gets one resource named after it, e.g. `user` -> `/users`. */
export function defaultResource(linkName: string): string {
  return `${linkName.endsWith('s') ? linkName : `${linkName}s`}:id=string,name=string`;
}

export const spec: PatternSpec = {
  id: 'rest',
  title: 'REST (OpenAPI contract, typed HTTP client)',
  flags: [
    {
      flags: '--resource <NAME:FIELD=TYPE,...>',
      description:
        'a resource to create list/get/create/update/delete operations for (repeatable); types: string, number, integer, boolean, date, datetime, email, uuid, with [] for lists and FIELD?=TYPE for optional fields',
      example: `create-service-link rest user --resource "${RESOURCE_EXAMPLE}"`,
      repeatable: true,
    },
    {
      flags: '--openapi <FILE>',
      description: 'generate from an existing OpenAPI 3.0/3.1 document (YAML or JSON) instead of writing one',
      example: 'create-service-link rest github --openapi specs/github.yaml',
    },
    {
      flags: '--base-url-env <VAR>',
      description: 'environment variable holding the service base URL (default <NAME>_SERVICE_URL)',
      example: 'create-service-link rest user --base-url-env USERS_API_URL',
    },
    {
      flags: '--auth <bearer|none>',
      // No commander default: the wizard asks when the flag is absent; restDefaults applies "bearer".
      description: 'authentication sent on each call (default bearer)',
      example: 'create-service-link rest user --auth none',
    },
    {
      flags: '--token-env <VAR>',
      description: 'environment variable holding the bearer token, read per request, never logged (default SERVICE_TOKEN)',
      example: 'create-service-link rest user --token-env USER_SERVICE_TOKEN',
    },
  ],
  runtimeDependencies: [],
  runtimeModules: ['context', 'rest'],
  legacyModules: { 'runtime.ts': 'rest', 'request-context.ts': 'context' },

  async ask(prompts, name, given) {
    const answers: Record<string, unknown> = { ...given };
    if (!list(given.openapi).length && !list(given.resource).length) {
      const existing = await prompts.confirm({ message: 'Do you already have an OpenAPI document for this service?', default: false });
      if (existing) {
        answers.openapi = await prompts.input({
          message: 'Path of the OpenAPI document (YAML or JSON):',
          validate: (v) => (v.trim() ? true : 'enter a path'),
        });
      } else {
        const resource = await prompts.input({
          message: 'Resource (NAME:FIELD=TYPE,...):',
          default: defaultResource(name),
          validate: (v) => {
            try {
              parseResource(v);
              return true;
            } catch (error) {
              return (error as Error).message;
            }
          },
        });
        answers.resource = [resource];
      }
    }
    if (given.baseUrlEnv === undefined) {
      answers.baseUrlEnv = await prompts.input({
        message: 'Environment variable with the base URL:',
        default: `${constantCase(name)}_SERVICE_URL`,
      });
    }
    if (given.auth === undefined) {
      answers.auth = await prompts.select({
        message: 'Authentication:',
        choices: [
          { name: 'Bearer service token from the environment', value: 'bearer' },
          { name: 'None', value: 'none' },
        ],
      });
    }
    if (answers.auth === 'bearer' && given.tokenEnv === undefined) {
      answers.tokenEnv = await prompts.input({ message: 'Environment variable with the token:', default: 'SERVICE_TOKEN' });
    }
    return answers;
  },

  missingRequired() {
    // Nothing is required: without --openapi or --resource the link gets a default resource (defaultResource).
    return [];
  },

  async scaffold({ name, options, project }) {
    const defaults = restDefaults(name, options);
    const stored = { ...defaults } as Record<string, unknown>;
    const openapi = list(options.openapi);
    const resources = list(options.resource);
    if (openapi.length > 1) throw new UsageError('--openapi takes one document');
    if (openapi.length && resources.length) throw new UsageError('pass either --openapi or --resource, not both');
    if (openapi.length) {
      const given = openapi[0]!;
      const candidates = path.isAbsolute(given) ? [given] : [path.resolve(process.cwd(), given), path.resolve(project.root, given)];
      const found = candidates.find((c) => existsSync(c));
      if (!found) throw new UsageError(`--openapi ${given}: no such file`);
      const relative = path.relative(project.root, found).split(path.sep).join('/');
      if (relative.startsWith('../') || path.isAbsolute(relative))
        throw new UsageError(`--openapi ${given}: the document must be inside the project (${project.root}); copy it there first`);
      return { contracts: [relative], files: [], options: stored };
    }
    const parsed = (resources.length ? resources : [defaultResource(name)]).map(parseResource);
    const seen = new Set<string>();
    for (const r of parsed) {
      if (seen.has(r.name)) throw new UsageError(`--resource ${r.name} is given twice`);
      seen.add(r.name);
    }
    const file = `openapi/${name}.yaml`;
    return { contracts: [file], files: [{ path: file, content: resourceDocument(name, parsed, defaults.auth) }], options: stored };
  },

  async load() {
    const { generateRest } = await import('./generate.js');
    return { generate: generateRest };
  },
};

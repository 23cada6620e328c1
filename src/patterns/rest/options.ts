// Options of a REST link, declared once (flags, wizard, service-link.json); shared by the light spec
// and the generator, so no heavy imports here.
import { defineOptions, resolveOptions, type Answers, type OptionValues, type Prompts } from '../../core/options.js';
import { constantCase } from '../../util/names.js';
import { RESOURCE_EXAMPLE, parseResource } from './resource.js';

/** The shared token variable; the link's own `<NAME>_SERVICE_TOKEN` is read before it. */
export const DEFAULT_TOKEN_ENV = 'SERVICE_TOKEN';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const envName = (flag: string, example: string) => (value: string) =>
  ENV_NAME.test(value) ? undefined : `${flag} must be an environment variable name (e.g. ${example}), not "${value}"`;

/** With neither --openapi nor --resource, a link gets one resource named after it, e.g. `user` -> `/users`. */
export function defaultResource(linkName: string): string {
  return `${linkName.endsWith('s') ? linkName : `${linkName}s`}:id=string,name=string`;
}

/** The wizard's question for --client/--server: which side of the link this project is. */
async function askSides(prompts: Prompts): Promise<Answers> {
  const side = await prompts.select({
    message: 'Which side of this link is this service?',
    choices: [
      { value: 'client', name: 'The caller: a typed client (--client)' },
      { value: 'server', name: 'The service itself: a typed server, handlers.ts is yours (--server)' },
      { value: 'both', name: 'Both (--client --server)' },
    ],
  });
  return side === 'both' ? { client: true, server: true } : { [side]: true };
}

/** The client's questions (base URL, auth) matter unless only the server side is written. */
const clientSide = (v: Answers) => v.client === true || v.server !== true;

export const REST_OPTIONS = defineOptions(
  {
    resource: {
      flag: '--resource <NAME:FIELD=TYPE,...>',
      type: 'list',
      description:
        'a resource to create list/get/create/update/delete operations for (repeatable); types: string, number, integer, boolean, date, datetime, email, uuid, with [] for lists and FIELD?=TYPE for optional fields',
      example: `create-service-link rest user --resource "${RESOURCE_EXAMPLE}"`,
      validate(value) {
        try {
          parseResource(value);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
      prompt: {
        message: 'Resource (NAME:FIELD=TYPE,...):',
        default: ({ name }) => defaultResource(name),
        when: (v) => v.openapi === undefined,
      },
    },
    openapi: {
      flag: '--openapi <FILE>',
      type: 'string',
      description: 'generate from an existing OpenAPI 3.0/3.1 document (YAML or JSON) instead of writing one',
      example: 'create-service-link rest github --openapi specs/github.yaml',
      validate: (value) => (value ? undefined : 'enter a path'),
      prompt: {
        gate: 'Do you already have an OpenAPI document for this service?',
        message: 'Path of the OpenAPI document (YAML or JSON):',
        when: (v) => v.resource === undefined,
      },
    },
    baseUrlEnv: {
      flag: '--base-url-env <VAR>',
      type: 'string',
      description: 'environment variable holding the service base URL (default <NAME>_SERVICE_URL)',
      example: 'create-service-link rest user --base-url-env USERS_API_URL',
      default: ({ name }) => `${constantCase(name)}_SERVICE_URL`,
      validate: envName('--base-url-env', 'USER_SERVICE_URL'),
      stored: true,
      prompt: { message: 'Environment variable with the base URL:', when: clientSide },
    },
    auth: {
      flag: '--auth <bearer|none>',
      type: 'choice',
      choices: { bearer: 'Bearer service token from the environment', none: 'None' },
      description:
        "authentication sent on each call (default: as the document's securitySchemes say, bearer when one is a bearer token; --resource documents declare bearer)",
      example: 'create-service-link rest user --auth none',
      stored: true,
      // An existing document says itself whether it wants a token; the wizard asks only for a new one.
      prompt: { message: 'Authentication:', when: (v) => clientSide(v) && v.openapi === undefined },
    },
    tokenEnv: {
      flag: '--token-env <VAR>',
      type: 'string',
      description:
        'environment variable holding the bearer token, read per request, never logged (default <NAME>_SERVICE_TOKEN, else SERVICE_TOKEN)',
      example: 'create-service-link rest user --token-env USER_SERVICE_TOKEN',
      default: DEFAULT_TOKEN_ENV,
      validate: envName('--token-env', 'USER_SERVICE_TOKEN'),
      stored: true,
      prompt: { message: 'Environment variable with the token:', when: (v) => clientSide(v) && v.auth !== 'none' },
    },
    client: {
      flag: '--client',
      type: 'boolean',
      description: 'write the typed client (the default when --server is not given; pass both for both sides)',
      example: 'create-service-link rest user --client --server',
      stored: true,
    },
    server: {
      flag: '--server',
      type: 'boolean',
      description:
        'write the server side: a node:http router, a handlers.ts you own (one method per operation) and server.ts',
      example: 'create-service-link rest pets --openapi openapi/pets.yaml --server',
      stored: true,
      prompt: {
        message: 'Side of the link',
        ask: askSides,
        when: (v) => v.client === undefined && v.server === undefined,
      },
    },
  },
  // The wizard asks for an existing document first; --help lists --resource first.
  // The side (--client/--server) is asked after the contract, before the client's own questions.
  ['openapi', 'resource', 'server', 'baseUrlEnv', 'auth', 'tokenEnv'],
);

export type RestValues = OptionValues<typeof REST_OPTIONS>;
export type RestOptions = Pick<RestValues, 'baseUrlEnv' | 'auth' | 'tokenEnv'>;

/**
 * The stored options with defaults applied: `<NAME>_SERVICE_URL`, `SERVICE_TOKEN`; `auth` stays undefined
 * unless given (the document decides, see documentAuth). Throws UsageError on bad values.
 */
export function restDefaults(linkName: string, options: Record<string, unknown>): RestOptions {
  const { baseUrlEnv, auth, tokenEnv } = resolveOptions(REST_OPTIONS, options, { name: linkName });
  return { baseUrlEnv, auth, tokenEnv };
}

/** Which sides a link writes: the client unless only --server was given. */
export function restSides(options: Record<string, unknown>): { client: boolean; server: boolean } {
  const server = options.server === true;
  return { client: options.client === true || !server, server };
}

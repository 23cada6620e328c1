// Options of a REST link, shared by the light spec and the generator (no heavy imports here).
import { constantCase } from '../../util/names.js';
import { UsageError } from '../../errors.js';

export interface RestOptions {
  baseUrlEnv: string;
  auth: 'bearer' | 'none';
  tokenEnv: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Options with defaults applied: `<NAME>_SERVICE_URL`, bearer auth, `SERVICE_TOKEN`. Throws UsageError on bad values. */
export function restDefaults(linkName: string, options: Record<string, unknown>): RestOptions {
  const baseUrlEnv = stringOption(options.baseUrlEnv) ?? `${constantCase(linkName)}_SERVICE_URL`;
  const tokenEnv = stringOption(options.tokenEnv) ?? 'SERVICE_TOKEN';
  const auth = stringOption(options.auth) ?? 'bearer';
  if (auth !== 'bearer' && auth !== 'none') throw new UsageError(`--auth must be "bearer" or "none", not "${auth}"`);
  for (const [flag, value] of [
    ['--base-url-env', baseUrlEnv],
    ['--token-env', tokenEnv],
  ] as const) {
    if (!ENV_NAME.test(value)) throw new UsageError(`${flag} must be an environment variable name (e.g. USER_SERVICE_URL), not "${value}"`);
  }
  return { baseUrlEnv, auth, tokenEnv };
}

function stringOption(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[value.length - 1];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

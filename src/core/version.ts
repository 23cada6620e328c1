// This release's version, from package.json (recorded with the shared runtime in service-link.json).
import { readFileSync } from 'node:fs';

export const TOOL_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

// Test files share a worker process (isolate: false in vitest.config.ts), so modules such as the
// compiler and its parsed .d.ts files load once per worker. Each file leaves the environment variables
// and the working folder as it found them, so no file sees another's settings.
import { afterAll } from 'vitest';

const env = { ...process.env };
const cwd = process.cwd();

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  process.chdir(cwd);
});

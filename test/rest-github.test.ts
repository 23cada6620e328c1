// A real-world document: GitHub's REST description (13 MB, from @octokit/openapi on the npm registry)
// generates a client that compiles under tsc --strict.
import { expect, test } from 'vitest';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { compile, makeProject, removeProject } from './helpers/project.js';
import { generate, projectInfo, writePlanned } from './fixtures/rest/harness.js';

const require = createRequire(import.meta.url);
const GITHUB_SPEC = path.join(
  path.dirname(require.resolve('@octokit/openapi/package.json')),
  'generated',
  'api.github.com.json',
);

test("GitHub's REST description generates quickly and compiles with tsc --strict", async () => {
  const dir = await makeProject({ module: 'esm' });
  try {
    await mkdir(path.join(dir, 'openapi'));
    await copyFile(GITHUB_SPEC, path.join(dir, 'openapi', 'github.json'));
    const files = await generate(projectInfo(dir), {
      name: 'github',
      pattern: 'rest',
      contracts: ['openapi/github.json'],
      out: 'src/links/github',
      options: { auth: 'bearer', tokenEnv: 'GITHUB_TOKEN' },
    });
    // Speed is measured by `npm run bench` (bench/codegen-openapi.mjs), never asserted here.
    const client = files.find((f) => f.path.endsWith('client.ts'))!.content;
    // A signature on one line, or (past 120 columns) one parameter a line.
    const signature = /^ {2}[a-zA-Z0-9_]+\((?:.*\)|\n[\s\S]*?\n {2}\)): Promise<T\.[A-Za-z0-9_]+Result> \{$/gm;
    const methods = client.match(signature) ?? [];
    expect(methods.length).toBeGreaterThan(1000);
    expect(client).toContain('  reposGetContent(params: T.ReposGetContentParams, options?: CallOptions)');
    expect(client).toContain("defaultBaseUrl: 'https://api.github.com'");
    await writePlanned(dir, files);
    const compiled = await compile(dir);
    expect(compiled.output).toBe('');
    expect(compiled.ok).toBe(true);
  } finally {
    await removeProject(dir);
  }
});

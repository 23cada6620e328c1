// The built CLI (dist/) and the TypeScript compiler run inside the test's own process, for the long
// regeneration sequences and repeated compiles of one project: a new `node` per step spends most of its
// time loading ts-morph, typescript and the same .d.ts files again. Same code as the real CLI and `tsc`;
// the sequences run their first and last steps, and each worker process its first compile, as real
// processes (runCli, compileWithTsc and compile in project.ts).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { type RunResult, TOOL_ROOT } from './tool.js';

type Main = (argv: string[]) => Promise<number>;
let main: Promise<Main> | undefined;

/**
 * `create-service-link <args>` in `cwd` through dist/cli/main.js: what it prints and its exit code.
 * It changes the process's folder while it runs, which the forks pool (vitest.config.ts) allows.
 */
export async function runCliInProcess(args: string[], cwd: string): Promise<RunResult> {
  main ??= import(pathToFileURL(path.join(TOOL_ROOT, 'dist', 'cli', 'main.js')).href).then((m) => m.main as Main);
  const run = await main;
  const out = { stdout: '', stderr: '' };
  const { stdout, stderr } = process;
  const writes = [stdout.write, stderr.write] as const;
  const capture = (key: keyof typeof out) =>
    ((chunk: string | Uint8Array) => {
      out[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof stdout.write;
  const before = { cwd: process.cwd(), noColor: process.env.NO_COLOR };
  process.chdir(cwd);
  process.env.NO_COLOR = '1';
  stdout.write = capture('stdout');
  stderr.write = capture('stderr');
  try {
    const exitCode = await run(args);
    return { exitCode, stdout: out.stdout.trimEnd(), stderr: out.stderr.trimEnd() };
  } finally {
    [stdout.write, stderr.write] = writes;
    process.chdir(before.cwd);
    if (before.noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = before.noColor;
  }
}

// Parsed (and bound) .d.ts files of node_modules and TypeScript's own lib files: they do not change during
// a run, so each is parsed once per test file. Keyed by the compiler options (less the project's own
// paths) and the module format: a file bound under other options is parsed again.
const parsed = new Map<string, ts.SourceFile>();
const LIB_DIR = path.dirname(ts.getDefaultLibFilePath({}));
const PROJECT_PATHS = new Set(['configFilePath', 'outDir', 'rootDir', 'rootDirs', 'baseUrl', 'pathsBasePath']);

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  const settings = JSON.stringify(Object.entries(options).filter(([k]) => !PROJECT_PATHS.has(k)));
  host.getSourceFile = (fileName, languageVersion, onError, fresh) => {
    if (!fileName.includes('/node_modules/') && !fileName.startsWith(LIB_DIR))
      return read(fileName, languageVersion, onError, fresh);
    const shape = typeof languageVersion === 'object' ? languageVersion : { languageVersion };
    const key = `${settings}\0${fileName}\0${shape.languageVersion}\0${shape.impliedNodeFormat}`;
    let file = parsed.get(key);
    if (!file) {
      file = read(fileName, languageVersion, onError, fresh);
      if (file) parsed.set(key, file);
    }
    return file;
  };
  return host;
}

/** `tsc -p <dir> [flags]` as the compiler API runs it: same diagnostics (tsc's plain format), same emit. */
export function compileInProcess(dir: string, extraArgs: string[] = []): { ok: boolean; output: string } {
  const flags = ts.parseCommandLine(extraArgs);
  if (flags.errors.length || flags.fileNames.length) throw new Error(`compileInProcess: bad flags ${extraArgs}`);
  const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.json'), flags.options, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const host = cachingHost(config.options);
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    host,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config),
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  const output = ts.formatDiagnostics(ts.sortAndDeduplicateDiagnostics(diagnostics), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  });
  return { ok: diagnostics.length === 0, output: output.trim() };
}

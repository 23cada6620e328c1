// `create-service-link setup-local [names...]`: creates each queue link's infrastructure file (topics,
// queues, DLQs, subscriptions, policies, payload bucket) on a local emulator, idempotently, and prints the
// environment the link's code reads (`KEY=value` on stdout, so `> .env.local` or `eval` takes it; the
// report goes to stderr). The AWS SDK clients are loaded from the project, where the link installed them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { YAMLParseError, parse } from 'yaml';
import { selectLinks } from '../core/engine.js';
import { ContractError, UsageError } from '../errors.js';
import { infraPathOf } from '../patterns/queue/infra/file.js';
import { isFanOut } from '../patterns/queue/link-options.js';
import { setupLocal, type AwsSdk } from '../patterns/queue/infra/setup-local.js';
import { detectProject } from '../project/detect.js';
import { readManifest } from '../vfs/manifest.js';
import { paint, warn } from './output.js';

export interface SetupLocalCommandOptions {
  endpoint?: string;
  region?: string;
  template?: string;
  envFile?: string;
  cwd?: string;
}

function endpointOf(opts: SetupLocalCommandOptions): string {
  const endpoint = opts.endpoint ?? process.env['SQS_ENDPOINT'];
  if (!endpoint)
    throw new UsageError('setup-local needs the emulator: --endpoint <URL> (e.g. --endpoint http://127.0.0.1:4566)');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint "${endpoint}" is not a URL (e.g. --endpoint http://127.0.0.1:4566)`);
  }
  if (url.hostname.endsWith('amazonaws.com'))
    throw new UsageError(
      `--endpoint ${endpoint} is AWS itself: setup-local is for emulators; deploy with aws cloudformation deploy`,
    );
  return endpoint;
}

/** The SDK packages from the project; SNS and SQS are required, S3 only for a payload bucket. */
function loadSdk(root: string): AwsSdk {
  const require = createRequire(path.join(root, 'package.json'));
  const load = <T>(name: string): T | undefined => {
    try {
      return require(name) as T;
    } catch {
      return undefined;
    }
  };
  const sqs = load<AwsSdk['sqs']>('@aws-sdk/client-sqs');
  const sns = load<AwsSdk['sns']>('@aws-sdk/client-sns');
  if (!sqs || !sns)
    throw new UsageError(
      `setup-local uses the project's AWS SDK: install ${[!sqs && '@aws-sdk/client-sqs', !sns && '@aws-sdk/client-sns'].filter(Boolean).join(' and ')} (npm i ...), then run it again`,
    );
  return { sqs, sns, s3: load<AwsSdk['s3']>('@aws-sdk/client-s3') };
}

function templatesOf(root: string, names: string[], opts: SetupLocalCommandOptions): { file: string; stack: string }[] {
  if (opts.template) {
    if (names.length > 1) throw new UsageError('--template applies one file: give at most one link name with it');
    const stack = names[0] ?? path.basename(opts.template).replace(/\..*$/, '');
    return [{ file: path.relative(root, path.resolve(opts.template)), stack }];
  }
  const links = selectLinks(readManifest(root), names).filter((l) => l.pattern === 'queue');
  const plain = links.filter((l) => names.includes(l.name) && !isFanOut(l.options));
  if (plain.length > 0)
    throw new UsageError(
      `${plain.map((l) => l.name).join(', ')}: not a fan-out link, so no infrastructure file (create the link with --fan-out, or give --template <FILE>)`,
    );
  const found = links.map((l) => ({ file: infraPathOf(l.name, l.options), stack: l.name }));
  const present = found.filter((t) => existsSync(path.join(root, t.file)));
  if (present.length === 0)
    throw new UsageError(
      `no infrastructure file found (looked for ${found.map((t) => t.file).join(', ') || 'a queue link'}): generate a fan-out queue link first, or give --template <FILE>`,
    );
  return names.length > 0 ? found : present;
}

export async function runSetupLocal(names: string[], opts: SetupLocalCommandOptions): Promise<number> {
  const project = detectProject(opts.cwd ?? process.cwd());
  const endpoint = endpointOf(opts);
  const region = opts.region ?? process.env['AWS_REGION'] ?? 'us-east-1';
  const templates = templatesOf(project.root, names, opts);
  const sdk = loadSdk(project.root);
  const environment: Record<string, string> = { AWS_REGION: region, SQS_ENDPOINT: endpoint, SNS_ENDPOINT: endpoint };
  if (sdk.s3) environment['S3_ENDPOINT'] = endpoint;
  for (const { file, stack } of templates) {
    const absolute = path.join(project.root, file);
    if (!existsSync(absolute))
      throw new UsageError(`${file} does not exist: run \`create-service-link generate ${stack}\``);
    const result = await setupLocal(readTemplate(absolute, file), sdk, { endpoint, region, stackName: stack }).catch(
      (error: unknown) => {
        throw new ContractError(file, `not applied on ${endpoint}: ${(error as Error).message}`);
      },
    );
    process.stderr.write(`${paint('green', 'set up', process.stderr)} ${file} on ${endpoint}\n`);
    for (const line of result.applied) process.stderr.write(`  ${line}\n`);
    for (const w of result.warnings) warn(w);
    Object.assign(environment, result.environment);
  }
  const lines = Object.entries(environment).map(([k, v]) => `${k}=${v}`);
  if (opts.envFile) writeFileSync(path.resolve(project.root, opts.envFile), `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** The file's YAML, parsed here so that a syntax error names its line. */
function readTemplate(absolute: string, file: string): Record<string, unknown> {
  const text = readFileSync(absolute, 'utf8');
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const [line, column] = error.linePos?.[0]
        ? [error.linePos[0].line, error.linePos[0].col]
        : [undefined, undefined];
      const detail = `not valid YAML: ${error.message.split('\n')[0]}`;
      throw new ContractError(file, detail, line, column, 'fix the file, then run setup-local again');
    }
    throw error;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new ContractError(
      file,
      'not a CloudFormation template (a YAML mapping with Resources)',
      1,
      1,
      'give the file generate wrote',
    );
  return doc as Record<string, unknown>;
}

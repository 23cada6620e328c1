// The commander program. Heavy modules (generators, ts-morph, protobufjs, prompts) load only when a
// command needs them, so `--help` starts fast.
import { Command, CommanderError, Option } from 'commander';
import { flagName, orList, type OptionDecl } from '../core/options.js';
import { TOOL_VERSION } from '../core/version.js';
import { UsageError } from '../errors.js';
import { PATTERNS, PATTERN_IDS } from '../patterns/index.js';
import type { PatternSpec } from '../patterns/types.js';
import type { CommonOptions } from './create.js';
import { errorCode, exitCode, setExitCode } from './exit.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--cwd <dir>', 'the project to work in (default: the current folder; e.g. --cwd ../user-service)')
    .option(
      '--out <dir>',
      'folder for the code, relative to the project (default: <src>/links/<name>; e.g. --out src/clients/user)',
    )
    .option(
      '-y, --yes',
      'never prompt: take defaults, fail with exit 2 naming missing flags (also when CI is set or stdin is not a terminal)',
    )
    .option('--dry-run', 'print the files it would create/update and the diffs; write nothing')
    .option('--force', 'overwrite generated files that were edited by hand (never files it did not create)')
    .option('--no-install', 'do not install runtime dependencies; print the command instead');
}

/** The option's own part of its example command: `--rpc GetUser:unary`, not the whole command line. */
export function flagExample(decl: OptionDecl): string {
  const flag = flagName(decl);
  const at = decl.example.indexOf(`${flag} `) >= 0 ? decl.example.indexOf(`${flag} `) : decl.example.indexOf(flag);
  if (at < 0) return decl.example;
  const rest = decl.example.slice(at);
  const next = rest.indexOf(' --', flag.length);
  return next < 0 ? rest : rest.slice(0, next);
}

/** A declared pattern option as a commander option; the full commands are in the Examples section, once. */
function commanderOption(decl: OptionDecl): Option {
  const o = new Option(decl.flag, `${decl.description} (e.g. ${flagExample(decl)})`);
  if (decl.type === 'list') o.argParser(collect);
  // A fixed default of an option the wizard never asks is shown by --help; the others stay unset,
  // so the wizard can tell "not given" and ask.
  const fixed = typeof decl.default === 'function' ? undefined : decl.default;
  if (fixed !== undefined && !decl.prompt) o.default(fixed);
  return o;
}

function patternCommand(spec: PatternSpec): Command {
  const cmd = new Command(spec.id)
    .description(spec.title)
    .argument('[name]', 'link name, kebab-case (e.g. user, order-events)');
  const decls = Object.values(spec.options.decls);
  for (const decl of decls) cmd.addOption(commanderOption(decl));
  addCommonOptions(cmd).action(async (name: string | undefined, opts: CommonOptions & Record<string, unknown>) => {
    const { runCreate } = await import('./create.js');
    setExitCode(await runCreate(spec.id, name, opts, opts));
  });
  const examples = [...new Set(decls.map((d) => `  $ ${d.example}`))];
  return cmd.addHelpText('after', `\nExamples:\n${examples.join('\n')}`);
}

/** `bench`: its flags are the measurement's own; which links it takes comes from the registry. */
function benchCommand(): Command {
  return new Command('bench')
    .description('measure REST vs gRPC on your own message: calls/s, latency, bytes and CPU per call, side by side')
    .argument('[name]', `a ${orList(PATTERN_IDS.filter((id) => PATTERNS[id].bench))} link from service-link.json`)
    .option(
      '--proto <file>',
      'a .proto holding the message, instead of a link (repeatable; e.g. --proto proto/user.proto)',
      collect,
    )
    .option('--proto-path <dir>', 'import root for --proto (repeatable; e.g. --proto-path proto)', collect)
    .option(
      '--message <type>',
      'fully-qualified message to send (default: the response of the first unary RPC; e.g. --message user.v1.User)',
    )
    .option('--openapi <file>', 'an OpenAPI document instead of a link (e.g. --openapi openapi/user.yaml)')
    .option(
      '--operation <id>',
      'operationId whose JSON body is measured (default: the first with one; e.g. --operation getUser)',
    )
    .option(
      '--payload <size>',
      'message size: small (~128 B JSON), medium (~1 KiB), large (~32 KiB) or bytes (e.g. --payload 4096)',
      'medium',
    )
    .option('--concurrency <list>', 'concurrent callers per level (e.g. --concurrency 1,16,64)', '1,16,64')
    .option('--duration <seconds>', 'seconds per measured phase (e.g. --duration 2)', '2')
    .option(
      '--rounds <n>',
      'interleaved REST/gRPC rounds per level; ratios are taken pair by pair (e.g. --rounds 5)',
      '3',
    )
    .option(
      '--messages <n>',
      'queue links: messages per round through publish -> consume -> delete (e.g. --messages 5000)',
      '2000',
    )
    .option('--json', 'print the raw figures as JSON (for CI or plotting)')
    .option('--cwd <dir>', 'the project to work in (e.g. --cwd ../user-service)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ create-service-link bench order     # a queue link: needs fauxqs (npm i -D fauxqs@1.9.2)\n  $ create-service-link bench user\n  $ create-service-link bench --proto proto/user.proto --message user.v1.User --payload large\n  $ create-service-link bench --openapi openapi/user.yaml --operation getUser --concurrency 1,64 --json',
    )
    .action(async (name: string | undefined, opts) => {
      const { runBenchCommand } = await import('./bench.js');
      setExitCode(await runBenchCommand(name, opts));
    });
}

/** `breaking`: the CI gate; the rules live in src/breaking/. */
function breakingCommand(): Command {
  return new Command('breaking')
    .description('classify contract changes since a git revision; exit 1 on any that breaks deployed peers')
    .argument('[names...]', 'links to check (default: all in service-link.json)')
    .option('--against <git-ref>', 'the revision to compare with (e.g. --against origin/main)', 'HEAD')
    .option('--json', 'print the changes as JSON (for CI)')
    .option('--cwd <dir>', 'the project to work in (e.g. --cwd ../user-service)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ create-service-link breaking\n  $ create-service-link breaking user --against origin/main\n  $ create-service-link breaking --json',
    )
    .action(async (names: string[], opts) => {
      const { runBreaking } = await import('./breaking.js');
      setExitCode(await runBreaking(names, opts));
    });
}

/** `setup-local`: a queue link's infrastructure file applied on a local emulator. */
function setupLocalCommand(): Command {
  return new Command('setup-local')
    .description('create the topics, queues and subscriptions of queue links on a local emulator (fauxqs, LocalStack)')
    .argument('[names...]', 'queue links (default: every one with an infrastructure file)')
    .option('--endpoint <url>', 'the emulator (default: $SQS_ENDPOINT; e.g. --endpoint http://127.0.0.1:4566)')
    .option('--region <region>', 'region of the local resources (default: $AWS_REGION, else us-east-1)')
    .option(
      '--template <file>',
      "a CloudFormation file to apply instead of a link's (e.g. --template infra/orders.yaml)",
    )
    .option('--env-file <file>', 'also write the KEY=value lines to this file (e.g. --env-file .env.local)')
    .option('--cwd <dir>', 'the project to work in (e.g. --cwd ../order-service)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ create-service-link setup-local orders --endpoint http://127.0.0.1:4566\n  $ create-service-link setup-local --env-file .env.local',
    )
    .action(async (names: string[], opts) => {
      const { runSetupLocal } = await import('./setup-local.js');
      setExitCode(await runSetupLocal(names, opts));
    });
}

/** `recommend`: the wizard's decision matrix as flags. */
function recommendCommand(): Command {
  return new Command('recommend')
    .description('the wizard’s decision matrix without prompts: prints the recommended pattern and why')
    .option('--no-needs-response', 'the caller does not wait for an answer')
    .option('--high-volume', 'many calls per second or a tight latency budget')
    .option('--streaming', 'one call streams many messages')
    .option('--polyglot', 'services in several languages')
    .option('--fan-out', 'one event reaches several consumers, or the work runs in the background')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ create-service-link recommend --high-volume --polyglot\n  $ create-service-link recommend --no-needs-response --fan-out --json',
    )
    .action(async (opts) => {
      const { recommend } = await import('../recommend.js');
      const r = recommend({
        needsResponse: opts.needsResponse !== false,
        highVolume: !!opts.highVolume,
        streaming: !!opts.streaming,
        polyglot: !!opts.polyglot,
        fanOut: !!opts.fanOut,
      });
      if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        const close = r.borderline
          ? '\nREST and gRPC are close here: `create-service-link bench <link>` measures both on your own message.\n'
          : '';
        process.stdout.write(`${r.pattern}\n${r.reasons.map((x) => `  - ${x}`).join('\n')}\n${close}`);
      }
    });
}

export function buildProgram(): Command {
  const program = new Command('create-service-link')
    .description(
      'Scaffold a typed service-to-service link into this TypeScript project: REST (OpenAPI), gRPC (.proto) ' +
        'or a message queue (SQS, AsyncAPI). With no command on a terminal, a wizard recommends a pattern.',
    )
    .version(TOOL_VERSION)
    .usage('[options] [command]')
    // Options after a command belong to that command (each pattern command has its own --cwd, --yes, ...).
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  addCommonOptions(program)
    .argument(
      '[command]',
      `${PATTERN_IDS.join(', ')}, generate, list, breaking, bench, recommend or setup-local (none: the wizard)`,
    )
    // `graphql user` must reach the action (and its "unknown pattern"), not commander's "too many arguments".
    .allowExcessArguments()
    .action(async (command: string | undefined, opts: CommonOptions) => {
      if (command !== undefined) {
        const others = program.commands.map((c) => c.name()).filter((c) => !(PATTERN_IDS as string[]).includes(c));
        throw new UsageError(
          `unknown pattern or command '${command}': the patterns are ${PATTERN_IDS.join(', ')}; ` +
            `other commands: ${others.join(', ')} (see --help)`,
        );
      }
      const { runCreate } = await import('./create.js');
      setExitCode(await runCreate(undefined, undefined, opts, {}));
    });
  program.addHelpText(
    'after',
    `
Examples:
  $ npx create-service-link                                   # the wizard
${PATTERN_IDS.map((id) => `  $ npx ${PATTERNS[id].example}\n`).join('')}  $ npx create-service-link generate            # after editing a contract
  $ npx create-service-link generate --check    # in CI: exit 1 when generated code is stale`,
  );

  for (const id of PATTERN_IDS) program.addCommand(patternCommand(PATTERNS[id]));

  program.addCommand(
    new Command('generate')
      .description('regenerate links from their contracts (all, or the named ones); never loses code you wrote')
      .argument('[names...]', 'links to regenerate (default: all in service-link.json)')
      .option('--check', 'write nothing; exit 1 naming each stale or hand-edited file (for CI)')
      .option('--watch', 'regenerate whenever a contract changes')
      .option('--dry-run', 'print what would change, with diffs; write nothing')
      .option('--force', 'overwrite generated files edited by hand')
      .option(
        '--rename <old=new>',
        'move the handler of a renamed RPC or message type to its new name, body and all (repeatable)',
        (value: string, list: string[]) => [...list, value],
        [] as string[],
      )
      .option('--cwd <dir>', 'the project to work in (e.g. --cwd ../user-service)')
      .addHelpText(
        'after',
        '\nExamples:\n  $ create-service-link generate\n  $ create-service-link generate user --dry-run\n  $ create-service-link generate --rename getUser=fetchUser\n  $ create-service-link generate --check\n  $ create-service-link generate --watch',
      )
      .action(async (names: string[], opts) => {
        const { runGenerate } = await import('./generate.js');
        setExitCode(await runGenerate(names, opts));
      }),
  );
  program.addCommand(
    new Command('list')
      .description('list the links, their pattern, contract and whether the generated code is current')
      .option('--cwd <dir>', 'the project to work in (e.g. --cwd ../user-service)')
      .addHelpText('after', '\nExample:\n  $ create-service-link list')
      .action(async (opts) => {
        const { runList } = await import('./generate.js');
        setExitCode(await runList(opts));
      }),
  );
  program.addCommand(breakingCommand());
  program.addCommand(benchCommand());
  program.addCommand(recommendCommand());
  program.addCommand(setupLocalCommand());
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) return errorCode(error);
    // Commander has printed its message (or the help) already.
    return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : 2;
  }
  return exitCode();
}

// The contract between the CLI core and each pattern (rest, grpc, queue).
// Data flows one way: flags/answers -> contract -> model -> PlannedFile[] -> one commit by the core.
// All paths here are project-relative and use forward slashes.

import type { OptionSet, OptionValues, Prompts } from '../core/options.js';
import type { LinkConfig, LinkState, PatternId, PlannedFile, ProjectInfo } from '../core/types.js';

export type { LinkConfig, LinkState, PatternId, PlannedFile, ProjectInfo, Prompts };

export interface ScaffoldInput<V = Record<string, unknown>> {
  name: string;
  /** Flags merged with wizard answers, resolved by the pattern's option declarations (defaults applied, validated). */
  options: V;
  project: ProjectInfo;
  /** Output folder chosen by the core (default `<srcDir>/links/<name>`). */
  out: string;
}

export interface ScaffoldResult {
  /** Contract files the link is generated from (existing or new). */
  contracts: string[];
  /** New contract files to create; the user owns them afterwards. */
  files: { path: string; content: string }[];
  /**
   * Stored options the scaffold rewrote (e.g. made project-relative), kept in service-link.json over
   * the declared stored values.
   */
  options?: Record<string, unknown>;
  /** Input taken but questionable (a resource with no fields, a message no RPC uses): the CLI warns with what it assumed. */
  warnings?: string[];
}

export interface GenerateContext {
  project: ProjectInfo;
  link: LinkConfig;
  /** Reads a project-relative file, including contract files planned but not yet committed. */
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** What this link's last generate recorded (GenerateResult.state), from service-link.json. */
  previousState: LinkState | undefined;
  /** The import specifier of a shared runtime module (`'grpc'`) from the link's own folder. */
  runtime(module: string): string;
  /** `generate --rename old=new`: handler members to rename (old name -> new RPC or message name). */
  renames: ReadonlyMap<string, string>;
  /** Says that this link applies the rename given as `old` (one no link applies is a usage error). */
  renameApplies(old: string): void;
  /** Tells the user something about this link after the run (a likely rename, a signature to update). */
  note(text: string): void;
}

export interface GenerateResult {
  files: PlannedFile[];
  /** Kept in service-link.json and handed back as `previousState` on the next generate. */
  state?: LinkState;
  /**
   * Contract content taken but questionable (a .proto with no service, a duplicate operationId
   * renamed, a proto2 default ignored): each says what was assumed; the CLI prints them as warnings.
   */
  warnings?: string[];
}

export interface PatternGenerator {
  generate(ctx: GenerateContext): Promise<GenerateResult>;
}

/**
 * The engine's generateStandalone. Benches get it from the command instead of importing the engine,
 * so src/bench and the patterns' benches sit below the registry (no import cycle through it).
 */
export type GenerateStandalone = (input: {
  project: ProjectInfo;
  link: LinkConfig;
  runtimeDir: string;
  read(file: string): Promise<string | undefined>;
}) => Promise<PlannedFile[]>;

/** What the bench command hands a pattern's bench: its flags, already numbers where they are numbers. */
export interface BenchSettings {
  message?: string | undefined;
  operation?: string | undefined;
  payload: string;
  concurrency: number[];
  duration: number;
  rounds: number;
  messages: number;
  progress(line: string): void;
  signal: AbortSignal;
  generate: GenerateStandalone;
}

export interface BenchResult {
  /** The raw figures, printed by --json. */
  report: unknown;
  text: string;
}

/** How `bench <link>` measures a link of this pattern. */
export interface LinkBench {
  run(project: ProjectInfo, link: LinkConfig, settings: BenchSettings): Promise<BenchResult>;
}

/** A value fixed for the pattern, or one that depends on a link's stored options. */
export type PerLink<T> = T | ((options: Record<string, unknown>) => T);

/** The value of a PerLink field for one link's options. */
export function perLink<T>(value: PerLink<T>, options: Record<string, unknown>): T {
  return typeof value === 'function' ? (value as (options: Record<string, unknown>) => T)(options) : value;
}

export interface PatternSpec<S extends OptionSet = OptionSet> {
  id: PatternId;
  title: string;
  /** One command line for the root --help. */
  example: string;
  /** Every option, declared once: flags, wizard questions, what is required, what service-link.json keeps. */
  options: S;
  /** Packages the generated code imports at run time, installed into the user's project (per link's options: the queue's broker). */
  runtimeDependencies: PerLink<string[]>;
  /** Modules of the shared runtime (files of runtime/, e.g. 'context', 'grpc') the generated code imports. */
  runtimeModules: PerLink<string[]>;
  /**
   * Files earlier releases generated into each link folder that now live in the shared runtime: file
   * name -> runtime module. While a user file of the link still imports one, it is kept as a re-export.
   */
  legacyModules?: Record<string, string>;
  /** Decides the contract: writes a new one from options, or points at existing files. Light: no heavy imports. */
  scaffold(input: ScaffoldInput<OptionValues<S>>): Promise<ScaffoldResult>;
  /** Lazily loads the heavy generator (protobufjs, ts-morph, ...). */
  load(): Promise<PatternGenerator>;
  /** Folders `generate --watch` watches besides the contracts' own (gRPC: its import roots). */
  watchRoots?(link: LinkConfig): string[];
  /** Lazily loads how `bench <link>` measures this pattern; without it, bench refuses such links. */
  bench?(): Promise<LinkBench>;
}

// The contract between the CLI core and each pattern (rest, grpc, queue).
// Data flows one way: flags/answers -> contract -> model -> PlannedFile[] -> one commit by the core.
// All paths here are project-relative and use forward slashes.

export type PatternId = 'rest' | 'grpc' | 'queue';

export interface ProjectInfo {
  /** Absolute path of the project root (the folder holding package.json). */
  root: string;
  packageManager: 'npm' | 'pnpm' | 'yarn' | 'bun';
  /** Module system of the emitted JS: decides `import`/`require` semantics. */
  moduleSystem: 'esm' | 'cjs';
  /** Suffix for relative imports in generated code: '.js' under Node16/NodeNext, '' otherwise. */
  importSuffix: '.js' | '';
  /** Project-relative source folder, e.g. 'src'. */
  srcDir: string;
  /** The tsconfig sets noUnusedParameters: stubs the user fills in name their parameters `_request`. */
  noUnusedParameters?: boolean;
}

export interface LinkConfig {
  /** Validated kebab-case name, e.g. 'user' or 'order-events'. */
  name: string;
  pattern: PatternId;
  /** Contract files the code is generated from. */
  contracts: string[];
  /** Folder the code is written to, e.g. 'src/links/user'. */
  out: string;
  /** Pattern-specific, JSON-serialisable options kept in service-link.json. */
  options: Record<string, unknown>;
}

export interface FlagSpec {
  /** Commander syntax, e.g. '--rpc <NAME:KIND>' or '--fifo'. */
  flags: string;
  description: string;
  /** A full example command line using the flag. */
  example: string;
  repeatable?: boolean;
  defaultValue?: string | boolean;
}

export interface ScaffoldInput {
  name: string;
  /** Parsed flags (commander camelCase keys), merged with wizard answers. Repeatable flags are string[]. */
  options: Record<string, unknown>;
  project: ProjectInfo;
  /** Output folder chosen by the core (default `<srcDir>/links/<name>`). */
  out: string;
}

export interface ScaffoldResult {
  /** Contract files the link is generated from (existing or new). */
  contracts: string[];
  /** New contract files to create; the user owns them afterwards. */
  files: { path: string; content: string }[];
  /** Options to keep in service-link.json for later `generate` runs. */
  options: Record<string, unknown>;
}

export type PlannedFile =
  /** Rewritten on every generate; must start with GENERATED_HEADER. */
  | { kind: 'generated'; path: string; content: string }
  /**
   * User-owned: `content` is written once when the file does not exist. When it exists, `merge`
   * (if given) receives the current text and returns the new text (ts-morph merge); identical text
   * means no write.
   */
  | { kind: 'user'; path: string; content: string; merge?: (existing: string) => string | Promise<string> };

export interface GenerateContext {
  project: ProjectInfo;
  link: LinkConfig;
  /** Reads a project-relative file, including contract files planned but not yet committed. */
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
}

export interface PatternGenerator {
  generate(ctx: GenerateContext): Promise<PlannedFile[]>;
}

export type Prompts = typeof import('@inquirer/prompts');

export interface PatternSpec {
  id: PatternId;
  title: string;
  flags: FlagSpec[];
  /** Packages the generated code imports at run time, installed into the user's project. */
  runtimeDependencies: string[];
  /**
   * Wizard questions of this pattern. Receives what flags already gave; asks only for the rest and
   * returns the merged options. Never called without a TTY.
   */
  ask(prompts: Prompts, name: string, given: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Flags (e.g. '--rpc') that must be given when nothing can be asked and there is no default. */
  missingRequired(options: Record<string, unknown>): string[];
  /** Decides the contract: writes a new one from options, or points at existing files. Light: no heavy imports. */
  scaffold(input: ScaffoldInput): Promise<ScaffoldResult>;
  /** Lazily loads the heavy generator (protobufjs, ts-morph, ...). */
  load(): Promise<PatternGenerator>;
}

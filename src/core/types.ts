// Neutral types every layer shares (project detection, the virtual tree, the engine, the patterns).
// They sit below vfs/ and project/ so neither imports from patterns/. All paths here are
// project-relative and use forward slashes.

/** A pattern's registry key ('rest', 'grpc', 'queue'); the registry in patterns/index.ts knows which exist. */
export type PatternId = string;

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
  /** What detection had to assume (no tsconfig, two lockfiles), for the CLI to say so. */
  assumptions?: string[];
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

/**
 * What a link's last `generate` recorded about its contract (the RPCs per service, the message types),
 * kept in service-link.json so the next run knows what disappeared without parsing generated text.
 */
export type LinkState = Record<string, string[]>;

export type PlannedFile =
  /** Rewritten on every generate; must start with GENERATED_HEADER. */
  | { kind: 'generated'; path: string; content: string }
  /**
   * User-owned: `content` is written once when the file does not exist. When it exists, `merge`
   * (if given) receives the current text and returns the new text (ts-morph merge); identical text
   * means no write.
   */
  | { kind: 'user'; path: string; content: string; merge?: (existing: string) => string | Promise<string> };

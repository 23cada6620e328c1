// The strictest compiler flags a user may set, and the NodeNext project the tests compile with them: one
// list for every test that proves generated code compiles under them.

export const STRICTEST_FLAGS = {
  strict: true,
  allowUnusedLabels: false,
  allowUnreachableCode: false,
  exactOptionalPropertyTypes: true,
  noFallthroughCasesInSwitch: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
} as const;

/** A Node ESM project's own settings: sources in src/, output in dist/. */
export const NODE_NEXT = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  skipLibCheck: true,
  types: ['node'],
  outDir: 'dist',
  rootDir: 'src',
  lib: ['ES2023'],
} as const;

/** tsconfig.json of a NodeNext project compiled under STRICTEST_FLAGS. */
export function strictestTsconfig(): string {
  return JSON.stringify({ compilerOptions: { ...STRICTEST_FLAGS, ...NODE_NEXT }, include: ['src'] }, null, 2);
}

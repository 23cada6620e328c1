// Flags and answers -> a pattern's contract: the option declarations resolve and check the values, the
// pattern decides the contract, and the declarations decide what service-link.json keeps.
import type { PatternSpec, ScaffoldInput, ScaffoldResult } from '../patterns/types.js';
import { resolveOptions, storedOptions } from './options.js';

export interface Scaffolded extends ScaffoldResult {
  options: Record<string, unknown>;
}

export async function scaffoldLink(spec: PatternSpec, input: ScaffoldInput): Promise<Scaffolded> {
  const values = resolveOptions(spec.options, input.options, input);
  const result = await spec.scaffold({ ...input, options: values });
  return { ...result, options: storedOptions(spec.options, { ...values, ...result.options }) };
}

// Skeleton: replaced by the queue pattern's real spec.
import { UsageError } from '../../errors.js';
import type { PatternSpec } from '../types.js';

export const spec: PatternSpec = {
  id: 'queue',
  title: 'queue',
  flags: [],
  runtimeDependencies: [],
  async ask(_prompts, _name, given) {
    return given;
  },
  missingRequired() {
    return [];
  },
  async scaffold() {
    throw new UsageError('the queue pattern is not available in this build');
  },
  async load() {
    throw new UsageError('the queue pattern is not available in this build');
  },
};

// Skeleton: replaced by the grpc pattern's real spec.
import { UsageError } from '../../errors.js';
import type { PatternSpec } from '../types.js';

export const spec: PatternSpec = {
  id: 'grpc',
  title: 'grpc',
  flags: [],
  runtimeDependencies: [],
  async ask(_prompts, _name, given) {
    return given;
  },
  missingRequired() {
    return [];
  },
  async scaffold() {
    throw new UsageError('the grpc pattern is not available in this build');
  },
  async load() {
    throw new UsageError('the grpc pattern is not available in this build');
  },
};

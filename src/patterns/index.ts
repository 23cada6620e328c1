import type { PatternId, PatternSpec } from './types.js';
import { spec as rest } from './rest/spec.js';
import { spec as grpc } from './grpc/spec.js';
import { spec as queue } from './queue/spec.js';

export const PATTERNS: Record<PatternId, PatternSpec> = { rest, grpc, queue };
export const PATTERN_IDS = Object.keys(PATTERNS) as PatternId[];

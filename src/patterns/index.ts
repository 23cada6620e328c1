// The registry: adding a pattern means adding its folder and one line here.
import type { PatternId, PatternSpec } from './types.js';
import { spec as rest } from './rest/spec.js';
import { spec as grpc } from './grpc/spec.js';
import { spec as queue } from './queue/spec.js';

export const PATTERNS: Record<PatternId, PatternSpec> = { rest, grpc, queue };
export const PATTERN_IDS = Object.keys(PATTERNS) as PatternId[];

/** `<rest|grpc|queue> <name>`, for messages that say how to create a link. */
export const CREATE_USAGE = `create-service-link <${PATTERN_IDS.join('|')}> <name>`;

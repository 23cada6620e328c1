// The comments the tool writes into user-owned files. Every one is a line comment that starts with
// `// create-service-link: <kind>`, so a user (or grep) tells ours from theirs, and the reconciler
// finds them again to take them out.
import { lineComment } from '../util/text.js';

export const MARKER_PREFIX = 'create-service-link:';

/**
 * What a member marker says about the member below it (its first word after the prefix): `removed`
 * (its RPC or message type left the contract), `adopted` (a member that was already there became
 * the handler of a new RPC or message type).
 */
export type MarkerKind = 'removed' | 'adopted';

/**
 * Markers of earlier releases, recognised so their files still reconcile: gRPC wrote
 * `// service-link: removed RPC: ...` above a method, the queue `// create-service-link: message type
 * "X" is no longer in ...` above a handler. Both meant "removed".
 */
const LEGACY: Record<MarkerKind, readonly string[]> = {
  removed: ['// service-link: removed RPC', `// ${MARKER_PREFIX} message type `],
  adopted: [],
};

/** One marker line (without its newline): `// create-service-link: <text>`, safe for any text. */
export function markerComment(text: string): string {
  return lineComment(`${MARKER_PREFIX} ${text}`);
}

/** True for a `//` comment (its text; leading blanks allowed) that is a `kind` marker of any release. */
export function isMarker(comment: string, kind: MarkerKind): boolean {
  const line = comment.trimStart();
  return (
    new RegExp(`^// ${MARKER_PREFIX} ${kind}\\b`).test(line) || LEGACY[kind].some((legacy) => line.startsWith(legacy))
  );
}

/** True for a `//` comment the tool wrote, of any kind and release. */
export function isAnyMarker(comment: string): boolean {
  const line = comment.trimStart();
  return (
    line.startsWith(`// ${MARKER_PREFIX}`) ||
    Object.values(LEGACY).some((l) => l.some((legacy) => line.startsWith(legacy)))
  );
}

// Exactly-once effects on at-least-once delivery: a consumer claims a key (the message ID, or a key of
// the payload) before its handler runs and marks it complete after; a redelivered message whose key is
// complete is deleted without running the handler again. The store is an interface so a service can put
// the records where all its instances see them (DynamoDB, Redis: the shapes are in the README); the
// in-memory default covers redeliveries to the same process.

/** What claim() found: the key is now ours, another delivery holds it, or it was already processed. */
export type ClaimResult = 'claimed' | 'in-progress' | 'done';

export interface IdempotencyStore {
  /**
   * Takes the key for `leaseSeconds` unless it is held or done. Must be atomic across every consumer
   * sharing the store (DynamoDB: a conditional put; Redis: SET NX EX). A lease that expires (the process
   * died mid-handler) makes the key claimable again.
   */
  claim(key: string, leaseSeconds: number): Promise<ClaimResult>;
  /** The handler succeeded: the key stays `done` for `ttlSeconds`, and later claims answer 'done'. */
  complete(key: string, ttlSeconds: number): Promise<void>;
  /** The handler failed: the key is free again, so the redelivery runs the handler. */
  release(key: string): Promise<void>;
}

interface Entry {
  state: 'in-progress' | 'done';
  expiresAt: number;
}

/**
 * One process's records, in a Map with expiry. Enough for redeliveries to the same consumer (a handler
 * that failed after its effect, a delete that did not reach SQS); not across processes or restarts.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private operations = 0;

  /** `maxEntries` bounds memory: beyond it the oldest records go first. */
  constructor(private readonly maxEntries = 100_000) {}

  async claim(key: string, leaseSeconds: number): Promise<ClaimResult> {
    this.sweep();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > Date.now()) return entry.state;
    this.set(key, { state: 'in-progress', expiresAt: Date.now() + 1000 * leaseSeconds });
    return 'claimed';
  }

  async complete(key: string, ttlSeconds: number): Promise<void> {
    this.set(key, { state: 'done', expiresAt: Date.now() + 1000 * ttlSeconds });
  }

  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry?.state === 'in-progress') this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private set(key: string, entry: Entry): void {
    this.entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Drops expired records now and then, so a quiet key does not stay forever. */
  private sweep(): void {
    if (++this.operations % 1000 !== 0) return;
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** How long a claim holds while the handler runs. Default 300 s; keep it above the handler's longest run. */
  leaseSeconds?: number | undefined;
  /** How long a completed key is remembered. Default 86,400 s (1 day), beyond SQS's redelivery window of interest. */
  ttlSeconds?: number | undefined;
}

/** How runOnce ended: the handler ran and succeeded, or it was skipped (done before, or held elsewhere). */
export type RunOnceOutcome = 'processed' | 'duplicate' | 'in-progress';

/**
 * Runs `handler` unless `key` was already processed or is being processed by another delivery. The key is
 * completed after success and released when the handler throws (the error propagates), so a retry runs it.
 * 'in-progress' means another consumer holds the key: the caller leaves the message for redelivery.
 */
export async function runOnce(
  options: IdempotencyOptions,
  key: string,
  handler: () => Promise<void> | void,
): Promise<RunOnceOutcome> {
  const { store } = options;
  const claimed = await store.claim(key, options.leaseSeconds ?? 300);
  if (claimed === 'done') return 'duplicate';
  if (claimed === 'in-progress') return 'in-progress';
  try {
    await handler();
  } catch (error) {
    await store.release(key).catch(() => undefined); // the lease expires anyway; the handler's error matters
    throw error;
  }
  await store.complete(key, options.ttlSeconds ?? 86_400);
  return 'processed';
}

// What a queue link's stored options mean, in one place: the names of the variables its code reads and
// the switches (role, fan-out, large payloads). The generated code, the link's topology and its
// infrastructure file all take them from here, so the file's outputs and the code cannot disagree.
// Apart from options.ts (the flags) because the broker's generator reads these too, and options.ts
// imports the broker list.
import type { LinkRole } from '../../contracts/asyncapi-queue.js';
import { constantCase } from '../../util/names.js';

/** `order` -> `ORDER_QUEUE_URL`, `order-events` -> `ORDER_EVENTS_QUEUE_URL`. */
export function defaultQueueUrlEnv(linkName: string): string {
  return `${constantCase(linkName)}_QUEUE_URL`;
}

/** The sides the link generates: the stored `role`, else both. */
export function roleOf(options: Record<string, unknown>): LinkRole {
  const role = options['role'];
  return role === 'publisher' || role === 'consumer' ? role : 'both';
}

/** Environment variable of a one-channel link's queue URL: `--queue-url-env`, else `<NAME>_QUEUE_URL`. */
export function queueUrlEnvOf(linkName: string, options: Record<string, unknown>): string {
  const given = options['queueUrlEnv'];
  return typeof given === 'string' && given ? given : defaultQueueUrlEnv(linkName);
}

/** Environment variable of a one-channel fan-out link's topic ARN: `ORDER_TOPIC_ARN`. */
export function topicArnEnvOf(linkName: string): string {
  return `${constantCase(linkName)}_TOPIC_ARN`;
}

/** Prefix of the large-payload variables (`ORDER` -> ORDER_PAYLOAD_BUCKET, ORDER_PAYLOAD_LIMIT_BYTES). */
export function payloadEnvPrefixOf(linkName: string): string {
  return constantCase(linkName);
}

/** Environment variable of the bucket for payloads over the limit: `ORDER_PAYLOAD_BUCKET`. */
export function payloadBucketEnvOf(linkName: string): string {
  return `${payloadEnvPrefixOf(linkName)}_PAYLOAD_BUCKET`;
}

/** `--fan-out`: an SNS topic per channel, a queue per consuming service. */
export function isFanOut(options: Record<string, unknown>): boolean {
  return options['fanOut'] === true;
}

/** A fan-out link that publishes sends to SNS (and needs its client); a consumer-only one does not. */
export function publishesToSns(options: Record<string, unknown>): boolean {
  return isFanOut(options) && roleOf(options) !== 'consumer';
}

/** `--large-payloads`: messages over the size limit go through S3. */
export function largePayloads(options: Record<string, unknown>): boolean {
  return options['largePayloads'] === true;
}

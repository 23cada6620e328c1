// The fan-out topology of a queue link, as the infrastructure file and `setup-local` need it: SNS topics,
// one SQS queue (with its dead-letter queue) per consuming service, and which message types each queue
// subscribes to. Built from the AsyncAPI document by the queue generator; rendered by cloudformation.ts.
// Types, and the one rule for FIFO names: light, so the generator imports it without loading the renderer.

const FIFO_SUFFIX = '.fifo';

/**
 * A name as the topology keeps it: without `.fifo` (`shop-payments.fifo` -> `shop-payments`). The
 * document's address has it on a FIFO channel (or not, with a binding saying FIFO); fifoName adds it back.
 */
export function baseName(address: string): string {
  return address.endsWith(FIFO_SUFFIX) ? address.slice(0, -FIFO_SUFFIX.length) : address;
}

/** The physical name of a topic or queue: AWS requires `.fifo` at the end of a FIFO one's. */
export function fifoName(base: string, fifo: boolean): string {
  return fifo ? `${base}${FIFO_SUFFIX}` : base;
}

export interface QueueTopology {
  /** The link name (kebab-case): prefixes resource names (`orders` -> `orders-billing` queue). */
  name: string;
  topics: TopicSpec[];
  /** One per consuming service. */
  queues: ConsumerQueueSpec[];
  /** The S3 bucket for payloads over the SQS/SNS limit, when the link offloads them. */
  payloadBucket?: PayloadBucketSpec | undefined;
}

export interface TopicSpec {
  /**
   * The channel's name, kebab-case (`order-events`), and the topic's (`.fifo` added): the same in every
   * service's stack built from the document.
   */
  name: string;
  fifo: boolean;
  /** FIFO only: SNS derives the deduplication ID from the body when the publisher gives none. */
  contentBasedDeduplication?: boolean | undefined;
  /** Environment variable the publisher reads the topic ARN from, e.g. ORDERS_ORDER_EVENTS_TOPIC_ARN. */
  arnEnv: string;
  /**
   * The topic belongs to another stack (the publisher's): this file takes its ARN as a parameter instead of
   * creating it (a consumer-only link). `setup-local` creates it on the emulator if it is missing.
   */
  external?: boolean | undefined;
}

export interface ConsumerQueueSpec {
  /**
   * The consuming service (or the channel it consumes), kebab-case (`billing`): queue `<link>-<service>`,
   * DLQ `<link>-<service>-dlq` (just `<link>` when the service is the link's own name).
   */
  service: string;
  /** The queue's name (without `.fifo`), when not `<link>-<service>` (the link's topology names it). */
  queueName?: string | undefined;
  /** Must match its topics' FIFO-ness (SNS FIFO topics deliver only to FIFO queues, and back). */
  fifo: boolean;
  /** Environment variable the consumer reads the queue URL from, e.g. ORDERS_BILLING_QUEUE_URL. */
  urlEnv: string;
  /** Receives before the queue's redrive policy moves a message to the DLQ. Default 5. */
  maxReceiveCount?: number | undefined;
  /** Default 30. */
  visibilityTimeoutSeconds?: number | undefined;
  subscriptions: SubscriptionSpec[];
}

export interface SubscriptionSpec {
  /** A TopicSpec.name. */
  topic: string;
  /**
   * Values of the `type` message attribute this queue receives (its filter policy). Empty: every message
   * of the topic, no filter policy.
   */
  messageTypes: string[];
}

export interface PayloadBucketSpec {
  /** Environment variable holding the bucket name, e.g. ORDERS_PAYLOAD_BUCKET. */
  bucketEnv: string;
  /** Days before S3 expires an offloaded payload (a lifecycle rule). Default 14, SQS's longest retention. */
  expireDays?: number | undefined;
}

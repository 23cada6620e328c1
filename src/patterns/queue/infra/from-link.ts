// A fan-out link's infrastructure file, from the link's topology (topology.ts: the queues, topics, filter
// types and variables its generated code reads) turned into the renderer's model: a topic per channel
// (this stack's when the link publishes on it, else the publisher's, taken as a parameter), a queue + DLQ
// per consumed channel subscribed with a filter on the consumed types, the payload bucket with
// --large-payloads on a publishing link.
import type { GenerateContext, LinkState, PlannedFile } from '../../types.js';
import type { QueueTopology as LinkTopology } from '../topology.js';
import { largePayloads, payloadBucketEnvOf } from '../link-options.js';
import { infraFile, infraPathOf } from './file.js';
import type { ConsumerQueueSpec, QueueTopology, TopicSpec } from './topology.js';

/** The renderer's model of a fan-out link's topology. */
export function infraTopology(link: LinkTopology, withBucket: boolean): QueueTopology {
  const withTopic = link.channels.flatMap((c) => (c.topic ? [{ ...c, topic: c.topic }] : []));
  const topics: TopicSpec[] = withTopic.map((c) => ({
    name: c.topic.name,
    fifo: c.fifo,
    ...(c.fifo ? { contentBasedDeduplication: true } : {}),
    arnEnv: c.topic.arnEnv,
    ...(c.publishes ? {} : { external: true }),
  }));
  const queues: ConsumerQueueSpec[] = withTopic
    .filter((c) => c.consumes.length > 0)
    .map((c) => ({
      service: c.channel,
      queueName: c.queue.name,
      fifo: c.fifo,
      urlEnv: c.queue.urlEnv,
      subscriptions: [{ topic: c.topic.name, messageTypes: [...c.consumes] }],
    }));
  const publishes = link.channels.some((c) => c.publishes);
  const bucket = withBucket && publishes ? { payloadBucket: { bucketEnv: payloadBucketEnvOf(link.link) } } : {};
  return { name: link.link, topics, queues, ...bucket };
}

/**
 * The infrastructure file of a fan-out link (undefined for a plain work queue), as a user-owned PlannedFile
 * rewritten only while untouched (file.ts), and the state entry recording it.
 */
export async function fanOutInfra(
  ctx: GenerateContext,
  topology: LinkTopology,
  contract: string,
): Promise<{ file: PlannedFile; state: LinkState } | undefined> {
  const { options } = ctx.link;
  if (!topology.fanOut) return undefined;
  const path = infraPathOf(topology.link, options);
  return infraFile(ctx, path, infraTopology(topology, largePayloads(options)), contract);
}

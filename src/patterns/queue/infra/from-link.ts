// A fan-out link's topology, from what its generator already knows: per channel, whether this service
// publishes on it (the topic is this stack's) and which of its message types it consumes (a queue + DLQ
// subscribed with a filter on those types). A channel only consumed takes the publisher's topic as a
// parameter, so each service's stack owns only its own resources.
import { constantCase } from '../../../util/names.js';
import type { GenerateContext, LinkState, PlannedFile } from '../../types.js';
import type { ChannelView, MessageView, QueueView } from '../brokers/index.js';
import { defaultInfraPath, infraFile } from './file.js';
import type { ConsumerQueueSpec, QueueTopology, TopicSpec } from './topology.js';

/** One channel as the link generates it. */
export interface LinkChannel {
  /** The topic's name (the channel's address, made a valid SNS name). */
  name: string;
  /** Names this service's queue on the channel: `<link>-<service>`. */
  service: string;
  fifo: boolean;
  publish: boolean;
  consume: boolean;
  /** Values of the `type` attribute this service handles on the channel. */
  consumedTypes: string[];
  topicArnEnv: string;
  queueUrlEnv: string;
}

export function linkTopology(
  linkName: string,
  channels: readonly LinkChannel[],
  largePayloads: boolean,
): QueueTopology {
  const topics: TopicSpec[] = channels.map((c) => ({
    name: c.name,
    fifo: c.fifo,
    ...(c.fifo ? { contentBasedDeduplication: true } : {}),
    arnEnv: c.topicArnEnv,
    ...(c.publish ? {} : { external: true }),
  }));
  const queues: ConsumerQueueSpec[] = channels
    .filter((c) => c.consume)
    .map((c) => ({
      service: c.service,
      fifo: c.fifo,
      urlEnv: c.queueUrlEnv,
      subscriptions: [{ topic: c.name, messageTypes: [...c.consumedTypes] }],
    }));
  const publishes = channels.some((c) => c.publish);
  return {
    name: linkName,
    topics,
    queues,
    ...(largePayloads && publishes ? { payloadBucket: { bucketEnv: `${constantCase(linkName)}_PAYLOAD_BUCKET` } } : {}),
  };
}

/**
 * An SNS topic name from a channel's address (its key when it has none): letters, digits, `-` and `_`
 * (others become `-`), without the `.fifo` the FIFO flag adds back, at most 251 characters.
 */
export function topicNameOf(address: string | null | undefined, key: string): string {
  const name = (address || key)
    .replace(/\.fifo$/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name.slice(0, 251) || 'topic';
}

/** What the generator has for the link: its view (one channel) or its channel views. */
interface LinkViews {
  linkName: string;
  /** The topic name of each of the document's channels, in the document's order (topicNameOf). */
  topicNames: readonly string[];
  base: Pick<QueueView, 'fifo' | 'publish' | 'consume' | 'queueUrlEnv'>;
  channels: readonly ChannelView[] | undefined;
  /** The message types this service handles (all channels). */
  handled: readonly MessageView[];
}

/** The channels of a link for its topology, with the variable names its publishers and consumers read. */
export function linkChannels({ linkName, topicNames, base, channels, handled }: LinkViews): LinkChannel[] {
  const topicEnv = (queueUrlEnv: string) => queueUrlEnv.replace(/_QUEUE_URL$/, '_TOPIC_ARN');
  if (!channels) {
    const single = { name: topicNames[0] ?? linkName, fifo: base.fifo, publish: base.publish, consume: base.consume };
    const consumedTypes = base.consume ? handled.map((m) => m.value) : [];
    return [
      {
        ...single,
        service: linkName,
        consumedTypes,
        topicArnEnv: `${constantCase(linkName)}_TOPIC_ARN`,
        queueUrlEnv: base.queueUrlEnv,
      },
    ];
  }
  return channels.map((c, i) => ({
    name: topicNames[i] ?? c.file,
    /** This service's queue on the channel: `<link>-<channel file>`. */
    service: c.file,
    fifo: c.fifo,
    publish: c.publish,
    consume: c.consume,
    consumedTypes: c.consume ? c.messages.map((m) => m.value) : [],
    topicArnEnv: topicEnv(c.queueUrlEnv),
    queueUrlEnv: c.queueUrlEnv,
  }));
}

/**
 * The infrastructure file of a fan-out link (undefined for a plain work queue), as a user-owned PlannedFile
 * rewritten only while untouched (file.ts), and the state entry recording it.
 */
export async function fanOutInfra(
  ctx: GenerateContext,
  views: LinkViews,
  contract: string,
): Promise<{ file: PlannedFile; state: LinkState } | undefined> {
  const { options } = ctx.link;
  if (options['fanOut'] !== true) return undefined;
  const topology = linkTopology(views.linkName, linkChannels(views), options['largePayloads'] === true);
  const path = typeof options['infraFile'] === 'string' ? options['infraFile'] : defaultInfraPath(views.linkName);
  return infraFile(ctx, path, topology, contract);
}

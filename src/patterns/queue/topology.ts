// What a queue link needs to exist on AWS (or a local emulator), from the same model and names the
// generated code uses: per channel its queue (and its variable), and on fan-out the SNS topic, the
// subscription's filter (the message types the link consumes) and the topic's variable. The
// infrastructure file and `setup-local` render this; nothing here touches the network.
import type { LinkRole, QueueLinkModel } from '../../contracts/asyncapi-queue.js';
import { constantCase, pascalCase } from '../../util/names.js';
import { channelNames } from './channels.js';
import { defaultQueueUrlEnv } from './options.js';

export interface ChannelTopology {
  /** The channel's key in the document. */
  channel: string;
  fifo: boolean;
  /** The queue the consumer reads: the channel's address; on fan-out `<address>-<link>` (one queue per service). */
  queue: { name: string; urlEnv: string };
  /** On fan-out: the topic publishers send to (the channel's address). */
  topic?: { name: string; arnEnv: string } | undefined;
  /** Message types the link consumes from this channel: the subscription's filter policy on `type`. */
  consumes: string[];
  /** The link publishes on this channel. */
  publishes: boolean;
}

export interface QueueTopology {
  link: string;
  fanOut: boolean;
  role: LinkRole;
  channels: ChannelTopology[];
}

/** The topology of link `name` (its stored options: fanOut, role, queueUrlEnv). */
export function queueTopology(model: QueueLinkModel, name: string, options: Record<string, unknown>): QueueTopology {
  const fanOut = options.fanOut === true;
  const role = options.role === 'publisher' || options.role === 'consumer' ? options.role : 'both';
  const linkConst = constantCase(name);
  const one = model.channels.length < 2;
  const names = channelNames(model, pascalCase(name), linkConst);
  const channels = names.map((n): ChannelTopology => {
    const c = n.channel;
    const consume = one ? role !== 'publisher' : c.consume;
    const publish = one ? role !== 'consumer' : c.publish;
    const urlEnv = one
      ? typeof options.queueUrlEnv === 'string' && options.queueUrlEnv
        ? options.queueUrlEnv
        : defaultQueueUrlEnv(name)
      : n.queueUrlEnv;
    const fifoSuffix = c.fifo && c.address.endsWith('.fifo') ? '.fifo' : '';
    const base = c.address.replace(/\.fifo$/, '');
    return {
      channel: c.key,
      fifo: c.fifo,
      queue: { name: fanOut ? `${base}-${name}${fifoSuffix}` : c.address, urlEnv },
      topic: fanOut
        ? { name: c.address, arnEnv: one ? `${linkConst}_TOPIC_ARN` : topicArnEnv(n.queueUrlEnv) }
        : undefined,
      consumes: consume ? c.messages : [],
      publishes: publish,
    };
  });
  return { link: name, fanOut, role, channels };
}

/** A channel's topic variable, as channels.ts names it: `SHOP_ORDERS_QUEUE_URL` -> `SHOP_ORDERS_TOPIC_ARN`. */
function topicArnEnv(queueUrlEnv: string): string {
  return queueUrlEnv.replace(/_QUEUE_URL$/, '_TOPIC_ARN');
}

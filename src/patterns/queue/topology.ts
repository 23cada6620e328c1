// What a queue link needs to exist on AWS (or a local emulator), from the same model and names the
// generated code uses: per channel its queue (and its variable), and on fan-out the SNS topic, the
// subscription's filter (the message types the link consumes) and the topic's variable. The
// infrastructure file and `setup-local` render this; nothing here touches the network.
import type { LinkRole, QueueLinkModel } from '../../contracts/asyncapi-queue.js';
import { constantCase, pascalCase } from '../../util/names.js';
import { channelNames } from './channels.js';
import { baseName } from './infra/topology.js';
import { isFanOut, queueUrlEnvOf, roleOf, topicArnEnvOf } from './link-options.js';

export interface ChannelTopology {
  /** The channel's key in the document. */
  channel: string;
  fifo: boolean;
  /**
   * The queue the consumer reads, named without `.fifo` (the renderer adds it to a FIFO channel's): the
   * channel's address; on fan-out `<address>-<link>` (one queue per service).
   */
  queue: { name: string; urlEnv: string };
  /** On fan-out: the topic publishers send to (the channel's address, without `.fifo`). */
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
  const fanOut = isFanOut(options);
  const role = roleOf(options);
  const one = model.channels.length < 2;
  const names = channelNames(model, pascalCase(name), constantCase(name));
  const channels = names.map((n): ChannelTopology => {
    const c = n.channel;
    const base = baseName(c.address);
    return {
      channel: c.key,
      fifo: c.fifo,
      queue: { name: fanOut ? `${base}-${name}` : base, urlEnv: one ? queueUrlEnvOf(name, options) : n.queueUrlEnv },
      topic: fanOut ? { name: base, arnEnv: one ? topicArnEnvOf(name) : n.topicArnEnv } : undefined,
      consumes: (one ? role !== 'publisher' : c.consume) ? c.messages : [],
      publishes: one ? role !== 'consumer' : c.publish,
    };
  });
  return { link: name, fanOut, role, channels };
}

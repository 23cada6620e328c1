// Message brokers of the queue pattern. Everything broker-neutral (the AsyncAPI reader, message types,
// validators, the user's handlers.ts and its merge, index.ts) lives in patterns/queue/; a broker brings
// only its publisher, consumer and settings, its shared-runtime module and its packages. Adding one is
// a folder beside sqs/ and a line in BROKERS. Light on purpose: the queue spec and options import it.
import { sqs } from './sqs/index.js';
import type { Broker } from './types.js';

export type { Broker, BrokerCode, ChannelView, MessageView, QueueView } from './types.js';

export const BROKERS: Record<string, Broker> = { sqs };

/** The broker a link's stored options name (`sqs` when none: links of earlier releases). */
export function brokerOf(options: Record<string, unknown>): Broker {
  const id = typeof options['broker'] === 'string' ? options['broker'] : 'sqs';
  const broker = BROKERS[id];
  if (!broker) throw new Error(`unknown broker "${id}" (known: ${Object.keys(BROKERS).join(', ')})`);
  return broker;
}

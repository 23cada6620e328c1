// Message brokers of the queue pattern. Everything broker-neutral (the AsyncAPI reader, message types,
// validators, the user's handlers.ts and its merge, index.ts) lives in patterns/queue/; a broker brings
// only its publisher, consumer and settings, its shared-runtime module and its packages. Adding one is
// a folder beside sqs/ and a line in BROKERS. Light on purpose: the queue spec and options import it.
import type { ExportKind } from '../../../codegen/imports.js';
import type { GenerateContext } from '../../types.js';
import { sqs } from './sqs/index.js';

/** What every broker's templates get: the link's names, its message types, where the runtime is. */
export interface QueueView {
  header: string;
  linkName: string;
  linkNameLiteral: string;
  contract: string;
  pascal: string;
  unionName: string;
  fifo: boolean;
  importSuffix: string;
  queueUrlEnv: string;
  queueUrlEnvLiteral: string;
  discAccess: string;
  runtimeContext: string;
  messages: readonly { typeName: string; value: string; literal: string; handlerKey: string; access: string; doc: string }[];
}

export interface BrokerCode {
  /**
   * The link's broker files, name -> content, in the order index.ts re-exports them. Must include
   * consumer.ts exporting `<Pascal>Handlers` and `MessageContext` (the user's handlers.ts imports them).
   */
  files(view: QueueView, ctx: GenerateContext): Record<string, string>;
  /** What index.ts re-exports from the broker's shared-runtime module. */
  runtimeExports: readonly [string, ExportKind][];
  /** The shared-runtime module those come from ('sqs'). */
  runtimeModule: string;
}

export interface Broker {
  id: string;
  /** Packages the broker's generated code imports at run time. */
  runtimeDependencies: string[];
  /** Modules of the shared runtime it imports. */
  runtimeModules: string[];
  load(): Promise<BrokerCode>;
}

export const BROKERS: Record<string, Broker> = { sqs };

/** The broker a link's stored options name (`sqs` when none: links of earlier releases). */
export function brokerOf(options: Record<string, unknown>): Broker {
  const id = typeof options['broker'] === 'string' ? options['broker'] : 'sqs';
  const broker = BROKERS[id];
  if (!broker) throw new Error(`unknown broker "${id}" (known: ${Object.keys(BROKERS).join(', ')})`);
  return broker;
}

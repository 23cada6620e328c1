// What a queue broker is (see brokers/index.ts): types only, so a broker's folder and the registry
// need not import each other's modules.
import type { ExportKind } from '../../../codegen/imports.js';
import type { GenerateContext } from '../../types.js';

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
  /** True when a payload alone tells its message type: publish(payload) is offered too. */
  selfIdentifying: boolean;
  runtimeContext: string;
  messages: readonly MessageView[];
  /** Prefix of the exported API's type names: '' for a one-channel link, e.g. 'ShopOrders' per channel. */
  api: string;
  /** Functions of messagesModule the publisher and consumer call. */
  fnParse: string;
  fnValidate: string;
  fnIsType: string;
  fnTypeOf: string;
  /** Module (no suffix) with the types named from unionName and those functions: 'messages'. */
  messagesModule: string;
  /** Module (no suffix) with the queue's settings, and its function giving the queue URL. */
  settingsModule: string;
  queueUrlFn: string;
  /** Prefix of the settings' constants ('' or e.g. 'ORDERS_'). */
  constPrefix: string;
  /** Per channel of a link with several: the channel's key (for comments). */
  channelKey?: string | undefined;
  /** Per channel: the link-level handlers interface (in consumer.ts) and the channel's types, quoted. */
  linkHandlers?: string | undefined;
  handledTypes?: string | undefined;
  /** Fan-out (`--fan-out`): publishers send to an SNS topic whose ARN is in topicArnEnv. */
  fanOut: boolean;
  topicArnEnvLiteral: string;
  topicArnFn: string;
  /** The publisher's size and batch limits (SQS's, or SNS's on fan-out): constants of the shared runtime. */
  limitConst: string;
  batchConst: string;
  /** Which sides are generated (`--role`, or per channel the document's operations). */
  publish: boolean;
  consume: boolean;
  /** A link with several channels: one view per channel, each with its own publisher or consumer. */
  channels?: readonly ChannelView[] | undefined;
}

/** One channel of a link with several: its view and its files' prefix. */
export interface ChannelView extends QueueView {
  file: string;
}

/** One message type as the templates see it. */
export interface MessageView {
  typeName: string;
  value: string;
  literal: string;
  handlerKey: string;
  /** `.OrderCreated` or `['order.created']`: property access on the handlers object. */
  access: string;
  doc: string;
  /** Its handler stub in the user's handlers.ts. */
  stub: string;
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
  /** What index.ts re-exports from other runtime modules the link's options bring (idempotency, large payloads). */
  moreRuntimeExports?(
    options: Record<string, unknown>,
  ): { module: string; names: readonly (readonly [string, ExportKind])[] }[];
}

export interface Broker {
  id: string;
  /** Packages the broker's generated code imports at run time. */
  runtimeDependencies: string[];
  /** Modules of the shared runtime it imports. */
  runtimeModules: string[];
  load(): Promise<BrokerCode>;
}

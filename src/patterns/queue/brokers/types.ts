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

// One link's contract as a comparable model, read through any reader: the working tree, a git
// revision, or the snapshot of the last generate. Every file read is recorded, so the snapshot holds
// exactly what the contract depends on (imported .proto files, $ref'd OpenAPI files).
import type { LinkConfig } from '../core/types.js';
import { ContractError } from '../errors.js';
import type { ContractChange } from './types.js';

/** Reads a project-relative file; undefined when it does not exist in that version. */
export type ContractReader = (file: string) => Promise<string | undefined>;

export type ContractModel =
  | { kind: 'proto'; model: import('./proto-model.js').ProtoModel }
  | { kind: 'openapi'; docs: import('../contracts/openapi.js').OpenApiDocuments }
  | { kind: 'asyncapi'; model: import('../contracts/asyncapi.js').QueueContractModel };

export interface LoadedContract {
  contract: ContractModel;
  /** Every file read (project-relative path -> text). */
  files: Map<string, string>;
}

/** The contract kinds the rules know, by pattern id. */
export function contractKind(link: LinkConfig): ContractModel['kind'] | undefined {
  return ({ grpc: 'proto', rest: 'openapi', queue: 'asyncapi' } as const)[link.pattern as 'grpc' | 'rest' | 'queue'];
}

export async function loadContract(link: LinkConfig, root: string, reader: ContractReader): Promise<LoadedContract> {
  const files = new Map<string, string>();
  const read: ContractReader = async (file) => {
    const text = await reader(file);
    if (text !== undefined) files.set(file, text);
    return text;
  };
  const required = async (file: string): Promise<string> => {
    const text = await read(file);
    if (text === undefined) throw new ContractError(file, 'file not found in this version');
    return text;
  };
  const kind = contractKind(link);
  const first = link.contracts[0];
  if (!first) throw new ContractError(link.name, `link "${link.name}" has no contract`);
  if (kind === 'proto') {
    const [{ loadProtos }, { protoPathsOf }, { protoModel }] = await Promise.all([
      import('../contracts/proto.js'),
      import('../patterns/grpc/generate.js'),
      import('./proto-model.js'),
    ]);
    const loaded = await loadProtos(link.contracts, protoPathsOf(link.options, link.contracts), { read }, root);
    return { contract: { kind, model: protoModel(loaded) }, files };
  }
  if (kind === 'openapi') {
    const { OpenApiDocuments } = await import('../contracts/openapi.js');
    return { contract: { kind, docs: await OpenApiDocuments.load(first, required) }, files };
  }
  if (kind === 'asyncapi') {
    const { readAsyncApi } = await import('../contracts/asyncapi.js');
    return { contract: { kind, model: readAsyncApi(await required(first), first) }, files };
  }
  throw new ContractError(link.name, `no breaking-change rules for pattern "${link.pattern}"`);
}

/** The classified changes from one version of a link's contract to another. */
export async function diffContracts(before: ContractModel, after: ContractModel): Promise<ContractChange[]> {
  if (before.kind === 'proto' && after.kind === 'proto') {
    const { diffProtoModels } = await import('./proto.js');
    return diffProtoModels(before.model, after.model);
  }
  if (before.kind === 'openapi' && after.kind === 'openapi') {
    const { diffOpenApi } = await import('./openapi.js');
    return diffOpenApi(before.docs, after.docs);
  }
  if (before.kind === 'asyncapi' && after.kind === 'asyncapi') {
    const { diffAsyncApi } = await import('./asyncapi.js');
    return diffAsyncApi(before.model, after.model);
  }
  return [];
}

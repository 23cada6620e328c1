// The wizard checks a contract file at the prompt that names it (it exists, is a file, parses), so a
// missing `nope.yaml` is refused there, with the reason, instead of after every other question.
// Keyed by flag: --openapi, --asyncapi and --proto are the contract flags every pattern documents.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contractFile } from '../project/contract-path.js';

type Parse = (file: string, text: string, read: (file: string) => Promise<string>) => Promise<unknown>;

const PARSERS: Readonly<Record<string, { example: string; parse: Parse }>> = {
  '--openapi': {
    example: 'openapi/user.yaml',
    parse: async (file, _text, read) => (await import('../contracts/openapi.js')).OpenApiDocuments.load(file, read),
  },
  '--asyncapi': {
    example: 'asyncapi/order.yaml',
    parse: async (file, text) => (await import('../contracts/asyncapi.js')).readAsyncApi(text, file),
  },
  '--proto': {
    // Syntax only: its imports resolve through the import roots, asked after this question.
    example: 'protos/user.proto',
    parse: async (file, text) => (await import('../contracts/proto.js')).parseProto(file, text),
  },
};

/** True for the flags whose answer names a contract file. */
export function isContractFlag(flag: string): boolean {
  return Object.hasOwn(PARSERS, flag);
}

/** Why the contract file `value` cannot be used (first line of the error), or undefined when it reads and parses. */
export async function contractProblem(flag: string, value: string, root: string): Promise<string | undefined> {
  const parser = PARSERS[flag];
  if (!parser) return undefined;
  try {
    const rel = contractFile(flag, value, root, parser.example);
    const read = (file: string) => readFile(path.resolve(root, file), 'utf8');
    await parser.parse(rel, await read(rel), read);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

// The generated code's production parts that come from the .proto: which RPCs may be retried
// (`option idempotency_level`), and the embedded descriptors server reflection answers with.
import type protobuf from '../../contracts/proto-lib.js';
import type { GenerateContext } from '../types.js';
import { fileDescriptors } from './descriptors.js';
import { wrapList } from '../../codegen/layout.js';
import { camelCase } from '../../util/names.js';
import { GENERATED_HEADER, stringLiteral } from '../../util/text.js';
import type { ServiceModel } from './stubs.js';

/** True for an RPC marked NO_SIDE_EFFECTS or IDEMPOTENT: safe to send again after UNAVAILABLE. */
export function isIdempotent(m: protobuf.Method): boolean {
  const level = m.options?.['idempotency_level'] as unknown;
  return level === 'NO_SIDE_EFFECTS' || level === 'IDEMPOTENT';
}

/** The name of a service's retry config constant in client.ts. */
export function retryConfigName(s: ServiceModel): string {
  return `${camelCase(s.name)}Retries`;
}

/** client.ts's constant with a service's idempotent RPCs' retry config, or undefined when it has none. */
export function retryConfigConst(s: ServiceModel): string | undefined {
  const names = s.methods.filter((m) => m.idempotent).map((m) => stringLiteral(m.original));
  if (!names.length) return undefined;
  const head = `const ${retryConfigName(s)} = retryServiceConfig(${stringLiteral(s.fullName)}, [`;
  return `${wrapList('', head, names, ']);', false)}`;
}

/** descriptors.ts: the .proto files as serialized FileDescriptorProtos (base64), one string a file. */
export function descriptorsTs(
  descriptors: readonly { name: string; base64: string }[],
  services: ServiceModel[],
): string {
  return [
    GENERATED_HEADER,
    '// The .proto files as serialized FileDescriptorProtos (base64), made by `generate`: server reflection',
    '// answers with them, so the compiled JS serves `buf curl --reflect` and grpcurl with no .proto beside it.',
    '',
    '/** Full names of the services, each with its own health status. */',
    `export const SERVICE_NAMES: readonly string[] = [${services.map((s) => stringLiteral(s.fullName)).join(', ')}];`,
    '',
    'export const FILE_DESCRIPTORS: readonly string[] = [',
    ...descriptors.flatMap((d) => [`  // ${d.name}`, `${base64Lines(d.base64)},`]),
    '];',
    '',
  ].join('\n');
}

/** A long base64 string as a concatenation of 100-character literals, within the 120 columns. */
function base64Lines(base64: string): string {
  const chunks = base64.match(/.{1,100}/g) ?? [''];
  return chunks.map((c, i) => `${i ? '    ' : '  '}'${c}'`).join(' +\n');
}

/**
 * The descriptors reflection serves. Reflection is an aid, not the link: a .proto our conversion
 * cannot describe still generates, with a note, and its server answers reflection with no files.
 */
export function descriptorsOrNote(ctx: GenerateContext, root: protobuf.Root): { name: string; base64: string }[] {
  try {
    return fileDescriptors(root);
  } catch (error) {
    ctx.note(
      `server reflection cannot describe this .proto (${(error as Error).message}); the server runs, but buf curl --reflect and grpcurl will not find its services. Please report it.`,
    );
    return [];
  }
}

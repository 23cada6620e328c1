// Contract content a gRPC link takes but questions: each warning says what was assumed.
import { type LoadedProtos, lineOf } from '../../contracts/proto.js';
import type protobuf from '../../contracts/proto-lib.js';

/** The warnings of one generate: a contract with no service; proto2 `[default = ...]` the code ignores. */
export function protoWarnings(
  loaded: LoadedProtos,
  messages: readonly protobuf.Type[],
  serviceCount: number,
): string[] {
  const contracts = loaded.mainFiles.map((f) => loaded.files.get(f) ?? f);
  const warnings: string[] = [];
  if (serviceCount === 0)
    warnings.push(
      `${contracts.join(', ')}: no service, so the link has its messages but no client or server. Add a \`service\` with its RPCs if this link calls one`,
    );
  for (const type of messages)
    for (const field of type.fieldsArray) {
      const value: unknown = field.options?.default;
      if (value === undefined) continue;
      const file = field.filename ?? type.filename ?? contracts[0] ?? '';
      const line = lineOf(loaded.sources.get(file), new RegExp(`\\b${field.name}\\s*=\\s*${field.id}\\b.*default`));
      warnings.push(
        `${file}${line ? `:${line}` : ''}: ${type.name}.${field.name} [default = ${JSON.stringify(value)}] is ignored: an absent field reads as its type's zero value, as in proto3. Set the value in your code if it matters`,
      );
    }
  return warnings;
}

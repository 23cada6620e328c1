// The grpc pattern, light half: its options (options.ts) and the .proto contract it writes.
// Nothing heavy here (protobufjs, ts-morph, handlebars load in generate.ts via load()).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { contractFile } from '../../project/contract-path.js';
import { pascalCase } from '../../util/names.js';
import type { PatternSpec } from '../types.js';
import {
  GRPC_OPTIONS,
  defaultFields,
  grpcStored,
  parseField,
  parseRpc,
  type FieldDef,
  type RpcDef,
} from './options.js';
import { PROTO_SCALARS as SCALARS, PROTO_WELL_KNOWN as WELL_KNOWN } from '../../contracts/proto-scalars.js';

/** The proto3 contract the wizard/flags describe. --field adds to a message's default fields (same name: the last one wins). */
export function buildProto(linkName: string, pkg: string, rpcs: RpcDef[], fields: FieldDef[]): string {
  const service = `${pascalCase(linkName)}Service`;
  const messages = new Map<string, FieldDef[]>();
  for (const r of rpcs) {
    const d = defaultFields(r);
    messages.set(`${r.name}Request`, d.request);
    messages.set(`${r.name}Response`, d.response);
  }
  for (const f of fields) {
    const own = messages.get(f.message) ?? [];
    const at = own.findIndex((g) => g.name === f.name);
    messages.set(f.message, at < 0 ? [...own, f] : own.map((g, i) => (i === at ? f : g)));
  }
  const imports = new Set<string>();
  for (const f of fields) {
    if (SCALARS.has(f.type) || messages.has(f.type)) continue;
    const wk = f.type.replace(/^google\.protobuf\./, '');
    if (Object.hasOwn(WELL_KNOWN, wk)) {
      imports.add(WELL_KNOWN[wk]!);
      f.type = `google.protobuf.${wk}`;
      continue;
    }
    throw new UsageError(
      `--field ${f.message}.${f.name}:${f.type}: unknown type; use a proto scalar (string, int64, bool, ...), a well-known type (Timestamp, Duration, Struct, ...) or a message named by another --field`,
    );
  }
  const lines: string[] = ['syntax = "proto3";', '', `package ${pkg};`, ''];
  for (const i of [...imports].sort()) lines.push(`import "${i}";`);
  if (imports.size) lines.push('');
  lines.push(`service ${service} {`);
  for (const r of rpcs) {
    const req = r.kind === 'client-stream' || r.kind === 'bidi' ? `stream ${r.name}Request` : `${r.name}Request`;
    const res = r.kind === 'server-stream' || r.kind === 'bidi' ? `stream ${r.name}Response` : `${r.name}Response`;
    lines.push(`  rpc ${r.name}(${req}) returns (${res});`);
  }
  lines.push('}');
  for (const [msg, defs] of messages) {
    lines.push('', `message ${msg} {`);
    for (const [i, f] of defs.entries())
      lines.push(`  ${f.repeated ? 'repeated ' : ''}${f.type} ${f.name} = ${i + 1};`);
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

export const spec: PatternSpec<typeof GRPC_OPTIONS> = {
  id: 'grpc',
  title: 'gRPC link (.proto contract, typed @grpc/grpc-js client and server)',
  example: 'create-service-link grpc user --rpc GetUser:unary --rpc ListUsers:server-stream',
  options: GRPC_OPTIONS,
  // Minimums the generated code needs: grpc-js 1.10 starts serving on bindAsync (server.ts never
  // calls the deprecated start()); wire.ts uses Writer/Reader members protobufjs 7 does not have.
  // grpc-server.ts serves grpc-node's own health and reflection services.
  runtimeDependencies: [
    '@grpc/grpc-js@^1.10.0',
    'protobufjs@^8.8.1',
    'grpc-health-check@^2.1.0',
    '@grpc/reflection@^1.0.4',
  ],
  runtimeModules: ['context', 'grpc', 'grpc-server', 'json', 'wire'],
  legacyModules: { 'runtime.ts': 'grpc', 'wire.ts': 'wire', 'request-context.ts': 'context' },

  async scaffold({ name, options, project }) {
    const { proto: protos, rpc: rpcTexts, field: fieldTexts, protoPath } = options;
    if (protos.length) {
      if (rpcTexts.length || fieldTexts.length) {
        throw new UsageError(
          '--proto uses your .proto files as they are; --rpc/--field only describe a new one. Pass one or the other',
        );
      }
      // Stored project-relative, so service-link.json still works from another checkout.
      const rel = (p: string): string =>
        (path.isAbsolute(p) ? path.relative(project.root, p) || '.' : p).split(path.sep).join('/');
      const contracts = protos.map((p) => contractFile('--proto', p, project.root, 'protos/user.proto'));
      return { contracts, files: [], options: { protoPath: protoPath.map(rel) } };
    }
    const file = `proto/${name}.proto`;
    const rpcs = rpcTexts.length
      ? rpcTexts.map(parseRpc)
      : [{ name: `Get${pascalCase(name)}`, kind: 'unary' as const }];
    const seen = new Set<string>();
    for (const r of rpcs) {
      if (seen.has(r.name)) throw new UsageError(`--rpc ${r.name} is given twice`);
      seen.add(r.name);
    }
    const fields = fieldTexts.map(parseField);
    if (existsSync(path.join(project.root, file))) {
      if (rpcTexts.length || fieldTexts.length) {
        throw new UsageError(
          `${file} already exists: edit it and run \`create-service-link generate\`, or pass --proto ${file}`,
        );
      }
      return { contracts: [file], files: [], options: { protoPath: ['proto'] } };
    }
    const used = new Set(rpcs.flatMap((r) => [`${r.name}Request`, `${r.name}Response`, ...fields.map((f) => f.type)]));
    const warnings = [...new Set(fields.map((f) => f.message))]
      .filter((m) => !used.has(m))
      .map(
        (m) =>
          `--field ${m}.*: no RPC uses message ${m}, so it is written to ${file} on its own. ` +
          `Messages the RPCs use: ${rpcs.map((r) => `${r.name}Request, ${r.name}Response`).join(', ')}`,
      );
    return {
      contracts: [file],
      files: [{ path: file, content: buildProto(name, options.package, rpcs, fields) }],
      options: { protoPath: ['proto', ...protoPath] },
      warnings,
    };
  },

  async load() {
    const { generator } = await import('./generate.js');
    return generator;
  },

  // A .proto importing another from --proto-path changes the link too.
  watchRoots: (link) => grpcStored(link).protoPath,

  async bench() {
    return (await import('./bench.js')).bench;
  },
};

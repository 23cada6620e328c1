// Generator details that need no compiler: only reachable types are generated, the handlers merge
// is skipped when it cannot change anything, and stubs fail with UNIMPLEMENTED and a useful message.
import { describe, expect, it } from 'vitest';
import {
  handlersFile,
  handlersUpToDate,
  serviceModels,
  type GrpcModules,
  type ServiceModel,
} from '../src/patterns/grpc/generate.js';

const MODS: GrpcModules = {
  suffix: '.js',
  grpc: '../_runtime/grpc.js',
  wire: '../_runtime/wire.js',
  json: '../_runtime/json.js',
  context: '../_runtime/context.js',
  middleware: '../_runtime/middleware.js',
};
import { buildMessages, reachableTypes } from '../src/patterns/grpc/messages.js';
import { loadProtos } from '../src/contracts/proto.js';
import { spec } from '../src/patterns/grpc/spec.js';

const FILES: Record<string, string> = {
  'protos/app.proto': `syntax = "proto3";
package app.v1;
import "lib/common.proto";
import "google/protobuf/descriptor.proto";
extend google.protobuf.MessageOptions { string table = 50001; }
message Unused { string note = 1; }
message GetRequest { string id = 1; lib.v1.Ref ref = 2; }
message GetResponse { lib.v1.Item item = 1; }
service Store {
  rpc Get(GetRequest) returns (GetResponse);
  rpc Watch(GetRequest) returns (stream lib.v1.Event);
}
`,
  'protos/lib/common.proto': `syntax = "proto3";
package lib.v1;
message Ref { string id = 1; }
message Item { string name = 1; Kind kind = 2; map<string, Tag> tags = 3; message Tag { string v = 1; } }
enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; }
message Event { oneof what { Item added = 1; Ref removed = 2; } }
message NotUsedAnywhere { string x = 1; }
enum AlsoUnused { ALSO_UNUSED_UNSPECIFIED = 0; }
`,
};

async function load() {
  const loaded = await loadProtos(['protos/app.proto'], ['protos'], { read: async (f) => FILES[f] });
  const contract = new Set(loaded.mainFiles.map((f) => loaded.files.get(f)));
  const types = reachableTypes(loaded.root, (file) => contract.has(file ?? ''));
  const model = buildMessages(loaded.root, types);
  return { loaded, model, services: serviceModels(loaded, model.refs) };
}

describe('grpc generator', () => {
  it('knows a contract that another contract imports as one file, whatever mix of absolute and relative paths', async () => {
    // Files live under /base; the reader accepts a project-relative path or an absolute one.
    const read = async (f: string) => FILES[f.startsWith('/base/') ? f.slice('/base/'.length) : f];
    for (const [contracts, roots] of [
      [['protos/app.proto', 'protos/lib/common.proto'], ['/base/protos']],
      [['/base/protos/lib/common.proto', 'protos/app.proto'], ['protos']],
      [['/base/protos/app.proto', '/base/protos/lib/common.proto'], ['/base/protos/']],
    ]) {
      const loaded = await loadProtos(contracts!, roots!, { read }, '/base');
      expect(loaded.mainFiles.sort(), contracts!.join(' ')).toEqual(['app.proto', 'lib/common.proto']);
      expect(loaded.root.lookupType('lib.v1.Ref').name).toBe('Ref');
    }
  });

  it('generates the contract file types and what they reach, not the rest of the imports', async () => {
    const { model } = await load();
    const names = [...model.refs.values()]
      .filter((r) => !r.wkt)
      .map((r) => r.ts)
      .sort();
    expect(names).toEqual(['Event', 'GetRequest', 'GetResponse', 'Item', 'Item_Tag', 'Ref', 'Unused']);
    expect([...model.enums.values()]).toEqual(['Kind']);
    // descriptor.proto (imported for the option) contributes nothing.
    expect(model.code).not.toContain('DescriptorProto');
    expect(model.code).not.toContain('NotUsedAnywhere');
  });

  it('skips the ts-morph merge only when no stub or marker is due', async () => {
    const { services, model } = await load();
    const stubs = handlersFile(services, MODS);
    const state = (live: string[], removed: string[] = []) =>
      new Map([['StoreImpl', { live: new Set(live), removed: new Set(removed) }]]);
    const same = state(['get', 'watch']);
    expect(handlersUpToDate(stubs, services, same)).toBe(true);
    // An RPC that went away needs its marker; one that is new needs its stub.
    expect(handlersUpToDate(stubs, services, state(['get', 'watch', 'delete']))).toBe(false);
    expect(handlersUpToDate(stubs, services, state(['get']))).toBe(false);
    // A method missing from the class needs its stub, even when something else calls it by name.
    const withoutWatch = stubs.replace(
      / {2}async \*watch\([^]*?\n {2}\}\n/,
      '  helper(): void {\n    void this.watch;\n  }\n',
    );
    expect(withoutWatch).not.toBe(stubs);
    expect(handlersUpToDate(withoutWatch, services, same)).toBe(false);
    // A new service needs its class.
    const extra: ServiceModel = { ...services[0]!, name: 'Other' };
    expect(
      handlersUpToDate(
        stubs,
        [...services, extra],
        new Map([...same, ['OtherImpl', { live: new Set(['get', 'watch']), removed: new Set<string>() }]]),
      ),
    ).toBe(false);
    // A method kept for a removed RPC that names a message that is gone gets `unknown`.
    const kept = stubs.replace(
      /\}\n$/,
      '\n  async old(request: $msg.Gone, ctx: CallContext): Promise<$msg.GetResponseInit> {\n    throw new Error();\n  }\n}\n',
    );
    expect(kept).not.toBe(stubs);
    const exports = new Set(model.exports.keys());
    expect(handlersUpToDate(kept, services, state(['get', 'watch'], ['old']), exports)).toBe(false);
    expect(
      handlersUpToDate(kept.replace('$msg.Gone', 'unknown'), services, state(['get', 'watch'], ['old']), exports),
    ).toBe(true);
  });

  it('stubs fail with UNIMPLEMENTED and say where to write the handler', async () => {
    const { services } = await load();
    const stubs = handlersFile(services, MODS);
    expect(stubs).toContain(
      "throw new GrpcError(status.UNIMPLEMENTED, 'Store.Get: write this handler in handlers.ts');",
    );
    expect(stubs).toContain(
      "throw new GrpcError(status.UNIMPLEMENTED, 'Store.Watch: write this handler in handlers.ts');",
    );
  });

  it('runtime dependencies carry the minimum versions the generated code needs (the core passes them to npm install)', () => {
    // grpc-js 1.10 serves on bindAsync without start(); wire.ts needs protobufjs 8's Writer/Reader;
    // grpc-server.ts serves grpc-node's health (2.1: List, setStatus) and reflection (v1 and v1alpha) services.
    expect(spec.runtimeDependencies).toEqual([
      '@grpc/grpc-js@^1.10.0',
      'protobufjs@^8.8.1',
      'grpc-health-check@^2.1.0',
      '@grpc/reflection@^1.0.4',
    ]);
  });
});

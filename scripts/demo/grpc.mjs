// gRPC demo: scaffold a link with one RPC of each kind, implement the handlers, compile with tsc, then
// start the generated server on 127.0.0.1 and call every RPC with the generated client.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const HANDLERS = `import { GrpcError, status, type CallContext } from '../_runtime/grpc.js';
import type * as $msg from './messages.js';
import type * as $service from './service.js';

const users = new Map([['1', 'Ada'], ['2', 'Grace'], ['3', 'Linus']]);
const log = (line: string) => console.log(\`  server: \${line}\`);

export class UserServiceImpl implements $service.UserServiceHandlers {
  async getUser(request: $msg.GetUserRequest, ctx: CallContext): Promise<$msg.GetUserResponseInit> {
    log(\`GetUser id=\${request.id} [x-request-id \${ctx.requestId}]\`);
    const name = users.get(request.id);
    if (!name) throw new GrpcError(status.NOT_FOUND, \`no user \${request.id}\`);
    return { id: request.id, name };
  }

  async *listUsers(request: $msg.ListUsersRequest, ctx: CallContext): AsyncGenerator<$msg.ListUsersResponseInit> {
    log(\`ListUsers limit=\${request.limit} [x-request-id \${ctx.requestId}]\`);
    for (const [id, name] of [...users].slice(0, request.limit)) yield { id, name };
  }

  async uploadAvatars(requests: AsyncIterable<$msg.UploadAvatarsRequest>, ctx: CallContext): Promise<$msg.UploadAvatarsResponseInit> {
    let bytes = 0n;
    let count = 0;
    for await (const avatar of requests) {
      count++;
      bytes += BigInt(avatar.image.length);
    }
    log(\`UploadAvatars received \${count} images [x-request-id \${ctx.requestId}]\`);
    return { count, totalBytes: bytes };
  }

  async *chat(requests: AsyncIterable<$msg.ChatRequest>, ctx: CallContext): AsyncGenerator<$msg.ChatResponseInit> {
    for await (const message of requests) {
      log(\`Chat got "\${message.text}"\`);
      yield { text: message.text.toUpperCase() };
    }
  }
}
`;

const CLIENT = `import { startServer } from './links/user/server.js';
import { UserServiceClient, GrpcError, runWithRequestContext } from './links/user/index.js';

const { server, port } = await startServer({ address: '127.0.0.1:0', insecure: true });
process.env.USER_SERVICE_ADDR = \`127.0.0.1:\${port}\`;
process.env.USER_SERVICE_INSECURE = 'true';
const client = new UserServiceClient(); // address, TLS choice, token and deadline come from the environment
const show = (label: string, value: unknown) =>
  console.log(\`  client: \${label} -> \${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? \`\${v}n\` : v))}\`);

try {
  await runWithRequestContext({ requestId: 'demo-req-1' }, async () => {
    show('unary getUser', await client.getUser({ id: '1' }));
    const listed = [];
    for await (const user of client.listUsers({ limit: 3 })) listed.push(user.name);
    show('server-stream listUsers', listed);
    async function* avatars() {
      for (let i = 1; i <= 3; i++) yield { image: new Uint8Array(i * 100) };
    }
    const { count, totalBytes } = await client.uploadAvatars(avatars());
    show('client-stream uploadAvatars', { count, totalBytes });
    const replies = [];
    for await (const reply of client.chat([{ text: 'hello' }, { text: 'grpc' }])) replies.push(reply.text);
    show('bidi chat', replies);
    try {
      await client.getUser({ id: '404' });
    } catch (error) {
      if (error instanceof GrpcError) show('getUser(404) threw GrpcError', { code: error.code, details: error.details, requestId: error.requestId });
      else throw error;
    }
  });
} finally {
  client.close();
  server.forceShutdown();
}
`;

export async function run({ projectDir, runCli, log }) {
  await runCli([
    'grpc',
    'user',
    '--rpc',
    'GetUser:unary',
    '--rpc',
    'ListUsers:server-stream',
    '--rpc',
    'UploadAvatars:client-stream',
    '--rpc',
    'Chat:bidi',
    '--field',
    'UploadAvatarsRequest.image:bytes',
    '--field',
    'UploadAvatarsResponse.count:uint32',
    '--field',
    'UploadAvatarsResponse.total_bytes:int64',
    '--field',
    'ChatRequest.text:string',
    '--field',
    'ChatResponse.text:string',
    '--yes',
    '--no-install',
  ]);
  await writeFile(path.join(projectDir, 'src', 'links', 'user', 'handlers.ts'), HANDLERS);
  await writeFile(path.join(projectDir, 'src', 'grpc-demo.ts'), CLIENT);
  const tsc = path.join(projectDir, 'node_modules', 'typescript', 'bin', 'tsc');
  log('\n$ tsc -p . (strict)');
  await execa('node', [tsc, '-p', projectDir], { cwd: projectDir });
  log('\n$ node dist/grpc-demo.js   # generated server on 127.0.0.1, generated client, one call of each kind');
  const child = execa('node', [path.join(projectDir, 'dist', 'grpc-demo.js')], { cwd: projectDir });
  child.stdout.on('data', (d) => process.stdout.write(d));
  await child;
}

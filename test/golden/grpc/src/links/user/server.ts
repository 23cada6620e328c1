// Runs the user gRPC server: `node dist/links/user/server.js`. This file is yours; `generate` never changes it.
//
// Environment:
//   USER_SERVICE_LISTEN      address to bind (default 0.0.0.0:50051; port 0 picks a free port)
//   USER_SERVICE_INSECURE    "true" to serve plaintext (local development); TLS otherwise
//   USER_SERVICE_TLS_CERT / USER_SERVICE_TLS_KEY   PEM certificate chain and private key for TLS
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { envFlag } from '../_runtime/grpc.js';
import { registerServices } from './register.js';

export interface StartOptions {
  address?: string | undefined;
  insecure?: boolean | undefined;
}

export async function startServer(options: StartOptions = {}): Promise<{ server: grpc.Server; port: number }> {
  const env = process.env;
  const address = options.address ?? env['USER_SERVICE_LISTEN'] ?? '0.0.0.0:50051';
  const insecure = options.insecure ?? envFlag(env['USER_SERVICE_INSECURE']);
  let credentials: grpc.ServerCredentials;
  if (insecure) credentials = grpc.ServerCredentials.createInsecure();
  else {
    const cert = env['USER_SERVICE_TLS_CERT'];
    const key = env['USER_SERVICE_TLS_KEY'];
    if (!cert || !key)
      throw new Error(
        'set USER_SERVICE_TLS_CERT and USER_SERVICE_TLS_KEY, or USER_SERVICE_INSECURE=true for local development',
      );
    credentials = grpc.ServerCredentials.createSsl(null, [
      { cert_chain: readFileSync(cert), private_key: readFileSync(key) },
    ]);
  }
  const server = new grpc.Server();
  // Every service of the .proto, with its class from handlers.ts (generate keeps register.ts current).
  registerServices(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
  );
  return { server, port };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startServer().then(
    ({ server, port }) => {
      console.log(`user gRPC server listening on port ${port}`);
      const stop = (): void => server.tryShutdown(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

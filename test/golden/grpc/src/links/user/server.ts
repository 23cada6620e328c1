// Runs the user gRPC server: `node dist/links/user/server.js`. This file is yours; `generate` never changes it.
//
// Environment:
//   USER_SERVICE_LISTEN      address to bind (default 0.0.0.0:50051; port 0 picks a free port)
//   USER_SERVICE_INSECURE    "true" to serve plaintext (local development); TLS otherwise
//   USER_SERVICE_TLS_CERT / USER_SERVICE_TLS_KEY   PEM certificate chain and private key for TLS
//   USER_SERVICE_HEALTH      "false" to serve no grpc.health.v1.Health service (on by default)
//   USER_SERVICE_REFLECTION  "false" to serve no server reflection (on by default; buf curl --reflect, grpcurl)
//   USER_SERVICE_DRAIN_DELAY_MS    on SIGTERM, milliseconds health answers NOT_SERVING before the
//     server stops accepting calls (default 0; a few seconds behind a load balancer)
//   USER_SERVICE_DRAIN_TIMEOUT_MS  then milliseconds calls in flight get to finish before they are
//     cancelled (default 10000)
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { envFlag, type ServeOptions } from '../_runtime/grpc.js';
import { addProductionServices, drainServer, productionSettings, type ServingStatus } from '../_runtime/grpc-server.js';
import { FILE_DESCRIPTORS, SERVICE_NAMES } from './descriptors.js';
import { registerServices } from './register.js';

export interface StartOptions {
  address?: string | undefined;
  insecure?: boolean | undefined;
  /** Serve grpc.health.v1.Health (default: true unless USER_SERVICE_HEALTH=false). */
  health?: boolean | undefined;
  /** Serve server reflection v1 and v1alpha (default: true unless USER_SERVICE_REFLECTION=false). */
  reflection?: boolean | undefined;
  /** Runs around every call served (after those of useMiddleware), e.g. logging or auth. */
  middleware?: ServeOptions['middleware'];
}

export interface Started {
  server: grpc.Server;
  port: number;
  /** The health statuses (with health off, setting them does nothing); stop() sets NOT_SERVING. */
  health: ServingStatus;
  /** Graceful stop: NOT_SERVING, stop accepting, let calls in flight finish, cancel them after the timeout. */
  stop(): Promise<'drained' | 'forced'>;
}

export async function startServer(options: StartOptions = {}): Promise<Started> {
  const env = process.env;
  const settings = productionSettings(env, 'USER_SERVICE');
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
  registerServices(server, {}, { middleware: options.middleware });
  const health = addProductionServices(
    server,
    { names: SERVICE_NAMES, descriptors: FILE_DESCRIPTORS },
    {
      health: options.health ?? settings.health,
      reflection: options.reflection ?? settings.reflection,
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
  );
  return { server, port, health, stop: () => drainServer(server, health, settings.drain) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startServer().then(
    (started) => {
      console.log(`user gRPC server listening on port ${started.port}`);
      const stop = (): void => {
        void started.stop().then((how) => {
          if (how === 'forced') console.error('user gRPC server: calls still running at the timeout were cancelled');
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

// Runs the billing REST service: `node dist/links/billing/server.js`. This file is yours; `generate` never changes it.
//
// Environment:
//   BILLING_SERVICE_LISTEN       address to bind, PORT or HOST:PORT (default 8080; port 0 picks a free port)
//   BILLING_SERVICE_BODY_LIMIT   largest request body in bytes (default 1048576)
// On SIGTERM/SIGINT it stops accepting, lets in-flight requests finish (up to 10 s), then exits.
// GET /livez and /readyz answer Kubernetes probes (/readyz is 503 once a drain begins; README: REST, Kubernetes).
import type * as http from 'node:http';
import { pathToFileURL } from 'node:url';
import { listen, shutdownOnSignal } from '../_runtime/rest-server.js';
import { createBillingRouter } from './router.js';
import { BillingImpl } from './handlers.js';

export async function startServer(address = process.env['BILLING_SERVICE_LISTEN'] ?? '8080'): Promise<http.Server> {
  const limit = process.env['BILLING_SERVICE_BODY_LIMIT'];
  const router = createBillingRouter(new BillingImpl(), {
    bodyLimit: limit ? Number(limit) : undefined,
    // The document requires credentials: bearerAuth. Until a scheme has a verify hook, any
    // credential passes it (the router warns once). E.g. accept the token this link's clients send:
    // verify: {
    //   bearerAuth: (credential) =>
    //     credential === process.env['BILLING_SERVICE_TOKEN'] ? { caller: 'billing' } : undefined,
    // },
    // What a hook returns reaches the handler as ctx.auth['bearerAuth']; undefined is a 401.
  });
  return listen(router, address);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startServer().then(
    (server) => {
      console.log(`billing REST service listening on ${JSON.stringify(server.address())}`);
      shutdownOnSignal(server);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

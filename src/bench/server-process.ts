// The bench's servers, in a process of their own so they do not share a CPU budget with the load
// generator: the generated gRPC service and a node:http JSON endpoint, both echoing the message back.
// Exits when its parent goes away (IPC disconnect), so no server outlives `bench`.
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type AddService = (server: grpc.Server, handlers: { call(request: unknown): Promise<unknown> }) => void;

const work = process.argv[2];
if (!work || !process.send) {
  console.error('usage: node server-process.js <workspace> (started by create-service-link bench)');
  process.exit(2);
}

const service = (await import(pathToFileURL(path.join(work, 'js', 'grpc', 'service.js')).href)) as Record<
  string,
  unknown
>;
const addService = service.addBenchService as AddService | undefined;
if (typeof addService !== 'function') throw new Error('generated service.js has no addBenchService');

const grpcServer = new grpc.Server();
addService(grpcServer, { call: async (request) => request });
const grpcPort = await new Promise<number>((resolve, reject) =>
  grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
    err ? reject(err) : resolve(port),
  ),
);

const http = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/call') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: string;
    try {
      body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"invalid JSON"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});
http.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const httpPort = (http.address() as AddressInfo).port;

const stop = () => {
  grpcServer.forceShutdown();
  http.closeAllConnections();
  http.close();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.send({ grpcPort, httpPort });

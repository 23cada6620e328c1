// One server of bench/rest-server.bench.mjs, in its own process: `ours <router module>` (our generated
// router on node:http), `ours-no-context <router module>` (the same with `requestContext: false`),
// `fastify <schemas.json>` (Fastify with the same routes and JSON schemas) or `fastify-context
// <schemas.json>` (the same doing what our router does besides: a request context holding the request
// ID and traceparent, with @fastify/request-context, and the X-Request-ID taken and echoed).
// Sends its port over IPC once listening, its RSS when asked ('rss') and its CPU time ('cpu').
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [kind, arg] = process.argv.slice(2);
const user = (id, body = {}) => ({ id, email: 'ada@example.com', name: 'Ada', ...body });

async function ours(options) {
  const { createUserRouter } = await import(pathToFileURL(arg).href);
  const handlers = {
    getUser: async (input) => ({ status: 200, body: user(input.params.id) }),
    createUser: async (input) => ({ status: 201, body: user('u-2', input.body) }),
  };
  const server = http.createServer(createUserRouter(handlers, options));
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

async function fastify(withContext = false) {
  const { default: Fastify } = await import('fastify');
  const { User } = JSON.parse(await readFile(arg, 'utf8'));
  // As our router reads the document for request bodies: the readOnly `id` is required in responses only.
  const UserInput = { ...User, required: User.required.filter((name) => !User.properties[name].readOnly) };
  const app = Fastify({ keepAliveTimeout: 60_000, ...(withContext ? { requestIdHeader: 'x-request-id' } : {}) });
  if (withContext) {
    const { fastifyRequestContext } = await import('@fastify/request-context');
    const defaultStoreValues = (req) => ({ requestId: req.id, traceparent: req.headers.traceparent });
    await app.register(fastifyRequestContext, { defaultStoreValues });
    app.addHook('onSend', (req, reply, payload, done) => {
      reply.header('x-request-id', req.id);
      done(null, payload);
    });
  }
  const params = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
  app.get('/users/:id', { schema: { params, response: { 200: User } } }, async (req) => user(req.params.id));
  app.post('/users', { schema: { body: UserInput, response: { 201: User } } }, async (req, reply) => {
    reply.code(201);
    return user('u-2', req.body);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app.server.address().port;
}

const start = {
  ours: () => ours(),
  'ours-no-context': () => ours({ requestContext: false }),
  fastify: () => fastify(),
  'fastify-context': () => fastify(true),
};
const port = await start[kind]();
process.on('message', (m) => {
  if (m === 'rss') process.send({ rss: process.memoryUsage().rss });
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
});
process.send({ port });

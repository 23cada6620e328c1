// REST demo: scaffold a link from --resource, compile it with tsc, and call a small node:http server
// on 127.0.0.1 with the generated client: CRUD, a retried 503, a typed 404, a request ID from context.
import { execa } from 'execa';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const CLIENT_SCRIPT = `import { UserApiClient, isServiceError, runWithRequestContext } from './links/user-api/index.js';
import type { GetUserError } from './links/user-api/types.js';

const users = new UserApiClient(); // USER_API_SERVICE_URL and SERVICE_TOKEN come from the environment
const show = (label: string, value: unknown) => console.log(\`  client: \${label} -> \${JSON.stringify(value)}\`);

await runWithRequestContext({ requestId: 'demo-req-1' }, async () => {
  const ada = await users.createUser({ email: 'ada@example.com', name: 'Ada' });
  show('createUser', ada);
  show('getUser', await users.getUser({ id: ada.id }));
  show('updateUser', await users.updateUser({ id: ada.id }, { email: 'ada@example.org', name: 'Ada L.' }));
  show('listUsers (503 first, retried)', await users.listUsers({ limit: 10 }));
  try {
    await users.getUser({ id: 'no such user' });
  } catch (error) {
    if (isServiceError<GetUserError>(error)) show('getUser(missing) threw ServiceError', { status: error.status, code: error.body?.code, requestId: error.requestId });
    else throw error;
  }
  await users.deleteUser({ id: ada.id });
  show('deleteUser', 'done');
});
`;

function startServer(log) {
  const store = new Map();
  let listCalls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const send = (status, value, headers = {}) => {
        log(
          `  server: ${req.method} ${req.url} [x-request-id ${req.headers['x-request-id']}, auth ${req.headers.authorization ? 'bearer ***' : 'none'}] -> ${status}`,
        );
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      if (req.headers.authorization !== 'Bearer demo-token')
        return send(401, { code: 'unauthorized', message: 'bad token' });
      const url = new URL(req.url, 'http://localhost');
      const id = decodeURIComponent(url.pathname.split('/')[2] ?? '');
      if (url.pathname === '/users' && req.method === 'GET') {
        if (++listCalls === 1) return send(503, { code: 'busy', message: 'warming up' }, { 'retry-after': '0' });
        return send(200, { items: [...store.values()] });
      }
      if (url.pathname === '/users' && req.method === 'POST') {
        const user = { id: `u-${store.size + 1}`, ...JSON.parse(body) };
        store.set(user.id, user);
        return send(201, user);
      }
      if (!store.has(id)) return send(404, { code: 'not_found', message: `no user ${id}` });
      if (req.method === 'GET') return send(200, store.get(id));
      if (req.method === 'PUT') {
        store.set(id, { ...JSON.parse(body), id });
        return send(200, store.get(id));
      }
      if (req.method === 'DELETE') {
        store.delete(id);
        return send(204, undefined);
      }
      send(405, { code: 'method_not_allowed', message: req.method });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function run({ projectDir, runCli, log }) {
  await runCli(['rest', 'user-api', '--resource', 'users:id=string,email=email,name=string', '--yes', '--no-install']);
  await writeFile(path.join(projectDir, 'src', 'rest-demo.ts'), CLIENT_SCRIPT);
  const tsc = path.join(projectDir, 'node_modules', 'typescript', 'bin', 'tsc');
  log('\n$ tsc -p . (strict)');
  await execa('node', [tsc, '-p', projectDir], { cwd: projectDir });
  const server = await startServer(log);
  try {
    const url = `http://127.0.0.1:${server.address().port}`;
    log(`\n$ USER_API_SERVICE_URL=${url} SERVICE_TOKEN=*** node dist/rest-demo.js`);
    const child = execa('node', [path.join(projectDir, 'dist', 'rest-demo.js')], {
      cwd: projectDir,
      env: { USER_API_SERVICE_URL: url, SERVICE_TOKEN: 'demo-token' },
    });
    child.stdout.on('data', (d) => process.stdout.write(d));
    await child;
  } finally {
    server.close();
  }
}

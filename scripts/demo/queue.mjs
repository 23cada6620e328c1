// Queue demo: scaffold an SQS link from --message flags, compile it with tsc, start the fauxqs SQS
// emulator in-process on 127.0.0.1, then publish (one by one and in a batch) and consume with the
// generated code: typed handlers, request ID carried across, an invalid body reported, a clean stop.
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execa } from 'execa';
import { buildApp } from 'fauxqs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const HANDLERS = `import type { OrderHandlers } from './consumer.js';

export const handlers: OrderHandlers = {
  async OrderCreated(message, context) {
    console.log(\`  handler: OrderCreated \${message.orderId} total=\${message.total} [requestId \${context.requestId}]\`);
  },
  async OrderCancelled(message, context) {
    console.log(\`  handler: OrderCancelled \${message.orderId} (\${message.reason ?? 'no reason'}) [requestId \${context.requestId}]\`);
  },
};
`;

const DEMO = `import { OrderPublisher, OrderConsumer, runWithRequestContext } from './links/order/index.js';

const publisher = new OrderPublisher(); // ORDER_QUEUE_URL and SQS_ENDPOINT come from the environment
await runWithRequestContext({ requestId: 'demo-req-1' }, async () => {
  const one = await publisher.publish({ type: 'OrderCreated', orderId: 'o-1', total: 42.5 });
  console.log(\`  publisher: sent OrderCreated o-1 as \${one.messageId}\`);
  const batch = await publisher.publishBatch([
    { message: { type: 'OrderCreated', orderId: 'o-2', total: 10 } },
    { message: { type: 'OrderCreated', orderId: 'o-3', total: 7 } },
    { message: { type: 'OrderCancelled', orderId: 'o-1', reason: 'changed mind' } },
  ]);
  console.log(\`  publisher: batch sent \${batch.sent.length}, failed \${batch.failed.length}\`);
});
try {
  await publisher.publish({ type: 'OrderCreated', orderId: 'o-4' } as never);
} catch (error) {
  console.log(\`  publisher: refused before sending -> \${(error as Error).name}: \${(error as Error).message}\`);
}

let processed = 0;
const consumer = new OrderConsumer({
  concurrency: 4,
  waitTimeSeconds: 1,
  hooks: {
    processed: () => void processed++,
    invalid: (e) => console.log(\`  consumer: invalid message \${e.messageId.slice(0, 8)}… (\${e.reason}: \${e.issues.map((i) => \`\${i.path || '/'} \${i.message}\`).join(', ')}) left for the dead-letter queue\`),
  },
});
const done = consumer.start();
while (processed < 4) await new Promise((r) => setTimeout(r, 20));
await consumer.stop();
await done;
console.log(\`  consumer: stopped after \${processed} messages, all deleted\`);
`;

export async function run({ projectDir, runCli, log }) {
  await runCli([
    'queue',
    'order',
    '--message',
    'OrderCreated:orderId=string,total=number',
    '--message',
    'OrderCancelled:orderId=string,reason?=string',
    '--yes',
    '--no-install',
  ]);
  await writeFile(path.join(projectDir, 'src', 'links', 'order', 'handlers.ts'), HANDLERS);
  await writeFile(path.join(projectDir, 'src', 'queue-demo.ts'), DEMO);
  const tsc = path.join(projectDir, 'node_modules', 'typescript', 'bin', 'tsc');
  log('\n$ tsc -p . (strict)');
  await execa('node', [tsc, '-p', projectDir], { cwd: projectDir });

  const server = buildApp({ logger: false });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${server.server.address().port}`;
  const aws = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'demo', AWS_SECRET_ACCESS_KEY: 'demo' };
  const sqs = new SQSClient({
    endpoint,
    region: aws.AWS_REGION,
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
  });
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'order' }));
    log(`  fauxqs: SQS emulator on ${endpoint}, queue ${QueueUrl}`);
    // A body from some other producer that does not match the contract: the consumer must not crash.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"type":"OrderCreated","orderId":5}' }));
    log(`\n$ ORDER_QUEUE_URL=${QueueUrl} SQS_ENDPOINT=${endpoint} node dist/queue-demo.js`);
    const child = execa('node', [path.join(projectDir, 'dist', 'queue-demo.js')], {
      cwd: projectDir,
      env: { ...aws, ORDER_QUEUE_URL: QueueUrl, SQS_ENDPOINT: endpoint, NODE_NO_WARNINGS: '1' },
    });
    child.stdout.on('data', (d) => process.stdout.write(d));
    await child;
  } finally {
    sqs.destroy();
    await server.close();
  }
}

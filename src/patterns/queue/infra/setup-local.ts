// `setup-local`: creates what a link's CloudFormation file describes on a local emulator (fauxqs,
// LocalStack), idempotently: topics, queues with their redrive policies, queue policies, subscriptions
// (raw delivery, filter policies) and the payload bucket. It applies the user's file, not the model, so
// the user's edits count. Only the resource types the tool writes are understood; others are skipped
// with a warning. The AWS SDK clients come from the user's project (the tool does not ship them).
import type * as SNS from '@aws-sdk/client-sns';
import type * as SQS from '@aws-sdk/client-sqs';
import type * as S3 from '@aws-sdk/client-s3';
import { ENV_METADATA_KEY } from './cloudformation.js';

export interface AwsSdk {
  sqs: typeof SQS;
  sns: typeof SNS;
  s3?: typeof S3 | undefined;
}

export interface SetupLocalOptions {
  endpoint: string;
  region: string;
  /** Used for resources the template leaves unnamed (the payload bucket): `<stack>-payloads`. */
  stackName: string;
}

export interface SetupLocalResult {
  /** Environment variable -> value, from the template's Outputs. */
  environment: Record<string, string>;
  /** One line per resource: `OrdersTopic AWS::SNS::Topic arn:...`. */
  applied: string[];
  warnings: string[];
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** What a resource resolves to: `Ref` and each `Fn::GetAtt` attribute. */
interface Resolved {
  ref: string;
  attributes: Record<string, string>;
}

/** Order of creation: a queue's redrive policy needs its DLQ, a subscription its topic and queue. */
const ORDER = [
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::Subscription',
];

/** Applies `doc`, the template's parsed YAML (the caller parses it, to report a syntax error by line). */
export async function setupLocal(
  doc: Record<string, unknown>,
  sdk: AwsSdk,
  options: SetupLocalOptions,
): Promise<SetupLocalResult> {
  const resources = (doc['Resources'] ?? {}) as Record<string, Resource>;
  const config = { endpoint: options.endpoint, region: options.region, credentials: LOCAL_CREDENTIALS };
  const clients = {
    sqs: new sdk.sqs.SQSClient(config),
    sns: new sdk.sns.SNSClient(config),
    s3: sdk.s3 ? new sdk.s3.S3Client({ ...config, forcePathStyle: true }) : undefined,
  };
  const ctx: Apply = {
    sdk,
    clients,
    resolved: new Map(),
    options,
    result: { environment: {}, applied: [], warnings: [] },
  };
  try {
    for (const [id, r] of Object.entries(resources))
      if (!ORDER.includes(r.Type)) ctx.result.warnings.push(`${id}: ${r.Type} is not created locally (skipped)`);
    // Queues in dependency order: a queue whose redrive policy names another queue comes after it.
    await applyExternalTopics(ctx, doc);
    const ordered = ORDER.flatMap((type) => sortQueues(Object.entries(resources).filter(([, r]) => r.Type === type)));
    for (const [id, r] of ordered) await applyResource(ctx, id, r);
    ctx.result.environment = environmentOf(doc, ctx.resolved);
    return ctx.result;
  } finally {
    clients.sqs.destroy();
    clients.sns.destroy();
    clients.s3?.destroy();
  }
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Apply {
  sdk: AwsSdk;
  clients: { sqs: SQS.SQSClient; sns: SNS.SNSClient; s3: S3.S3Client | undefined };
  resolved: Map<string, Resolved>;
  options: SetupLocalOptions;
  result: SetupLocalResult;
}

/**
 * Topics of another stack (a consumer-only link's file takes their ARN as a parameter): created on the
 * emulator if missing (CreateTopic is idempotent), so the parameter resolves to their local ARN.
 */
async function applyExternalTopics(ctx: Apply, doc: Record<string, unknown>): Promise<void> {
  const metadata = (doc['Metadata'] as Record<string, { ExternalTopics?: Record<string, Record<string, unknown>> }>)?.[
    ENV_METADATA_KEY
  ];
  for (const [parameter, topic] of Object.entries(metadata?.ExternalTopics ?? {})) {
    const resolved = await applyTopic(ctx, topic);
    ctx.resolved.set(parameter, resolved);
    ctx.result.applied.push(`${parameter} (the publisher's topic) ${resolved.ref}`);
  }
}

async function applyResource(ctx: Apply, id: string, resource: Resource): Promise<void> {
  const props = resolveValue(resource.Properties ?? {}, ctx.resolved, id) as Record<string, unknown>;
  let resolved: Resolved;
  if (resource.Type === 'AWS::S3::Bucket') {
    const made = await applyBucket(ctx, id, props);
    if (!made) return;
    resolved = made;
  } else if (resource.Type === 'AWS::SNS::Topic') resolved = await applyTopic(ctx, props);
  else if (resource.Type === 'AWS::SQS::Queue') resolved = await applyQueue(ctx, id, props);
  else if (resource.Type === 'AWS::SQS::QueuePolicy') resolved = await applyQueuePolicy(ctx, props);
  else resolved = await applySubscription(ctx, props);
  ctx.resolved.set(id, resolved);
  ctx.result.applied.push(`${id} ${resource.Type} ${resolved.ref}`);
}

async function applyBucket(ctx: Apply, id: string, props: Record<string, unknown>): Promise<Resolved | undefined> {
  if (!ctx.clients.s3 || !ctx.sdk.s3) {
    ctx.result.warnings.push(`${id}: @aws-sdk/client-s3 is not installed in the project; the bucket was not created`);
    return undefined;
  }
  const name = typeof props['BucketName'] === 'string' ? props['BucketName'] : `${ctx.options.stackName}-payloads`;
  try {
    await ctx.clients.s3.send(new ctx.sdk.s3.CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
  }
  if (props['LifecycleConfiguration'] !== undefined)
    ctx.result.warnings.push(`${id}: the lifecycle rule is not applied locally (objects stay until deleted)`);
  return { ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } };
}

async function applyTopic(ctx: Apply, props: Record<string, unknown>): Promise<Resolved> {
  const attributes = stringAttributes(props, ['FifoTopic', 'ContentBasedDeduplication']);
  const out = await ctx.clients.sns.send(
    new ctx.sdk.sns.CreateTopicCommand({ Name: String(props['TopicName']), Attributes: attributes }),
  );
  const arn = out.TopicArn ?? '';
  return { ref: arn, attributes: { TopicArn: arn, TopicName: String(props['TopicName']) } };
}

/** SQS queue attributes CloudFormation sets under the same names. */
const QUEUE_ATTRIBUTES = [
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoThroughputLimit',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'VisibilityTimeout',
];

async function applyQueue(ctx: Apply, id: string, props: Record<string, unknown>): Promise<Resolved> {
  const { sqs } = ctx.sdk;
  const name = typeof props['QueueName'] === 'string' ? props['QueueName'] : `${ctx.options.stackName}-${id}`;
  const attributes = stringAttributes(props, QUEUE_ATTRIBUTES);
  let url: string | undefined;
  try {
    url = (await ctx.clients.sqs.send(new sqs.GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (!/NonExistentQueue|QueueDoesNotExist/.test((error as { name?: string }).name ?? '')) throw error;
  }
  if (url) await ctx.clients.sqs.send(new sqs.SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  else {
    const fifo = props['FifoQueue'] === true || props['FifoQueue'] === 'true' ? { FifoQueue: 'true' } : {};
    const created = await ctx.clients.sqs.send(
      new sqs.CreateQueueCommand({ QueueName: name, Attributes: { ...attributes, ...fifo } }),
    );
    url = created.QueueUrl ?? '';
  }
  const arnOut = await ctx.clients.sqs.send(
    new sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = arnOut.Attributes?.['QueueArn'] ?? '';
  return { ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
}

async function applyQueuePolicy(ctx: Apply, props: Record<string, unknown>): Promise<Resolved> {
  const policy = JSON.stringify(props['PolicyDocument']);
  const queues = Array.isArray(props['Queues']) ? props['Queues'].map(String) : [];
  for (const url of queues)
    await ctx.clients.sqs.send(
      new ctx.sdk.sqs.SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: policy } }),
    );
  return { ref: queues.join(','), attributes: {} };
}

/** Subscription attributes that can be set on an existing subscription. */
const SUBSCRIPTION_ATTRIBUTES = ['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy'];

async function applySubscription(ctx: Apply, props: Record<string, unknown>): Promise<Resolved> {
  const { sns } = ctx.sdk;
  const topicArn = String(props['TopicArn']);
  const endpoint = String(props['Endpoint']);
  const protocol = String(props['Protocol']);
  const wanted = stringAttributes(props, SUBSCRIPTION_ATTRIBUTES);
  const existing = await findSubscription(ctx, topicArn, protocol, endpoint);
  if (!existing) {
    const out = await ctx.clients.sns.send(
      new sns.SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: wanted }),
    );
    return { ref: out.SubscriptionArn ?? '', attributes: {} };
  }
  const current = (await ctx.clients.sns.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: existing })))
    .Attributes;
  // A filter policy removed from the file is removed from the subscription too.
  if (current?.['FilterPolicy'] && wanted['FilterPolicy'] === undefined) wanted['FilterPolicy'] = '';
  for (const [name, value] of Object.entries(wanted)) {
    if (current?.[name] === value) continue;
    await ctx.clients.sns.send(
      new sns.SetSubscriptionAttributesCommand({
        SubscriptionArn: existing,
        AttributeName: name,
        AttributeValue: value,
      }),
    );
  }
  return { ref: existing, attributes: {} };
}

async function findSubscription(
  ctx: Apply,
  topicArn: string,
  protocol: string,
  endpoint: string,
): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const out = await ctx.clients.sns.send(
      new ctx.sdk.sns.ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }),
    );
    const found = out.Subscriptions?.find((s) => s.Protocol === protocol && s.Endpoint === endpoint);
    if (found?.SubscriptionArn) return found.SubscriptionArn;
    NextToken = out.NextToken;
  } while (NextToken);
  return undefined;
}

/** The named properties as AWS API attribute strings (objects as JSON, booleans as "true"/"false"). */
function stringAttributes(props: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = props[name];
    if (value === undefined || value === null) continue;
    out[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

/** Replaces `Ref` and `Fn::GetAtt` with what the resources created so far resolved to. */
function resolveValue(value: unknown, resolved: Map<string, Resolved>, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, resolved, where));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref') return target(resolved, String(arg), where).ref;
  if (entries.length === 1 && key === 'Fn::GetAtt') {
    const [name, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
    const found = target(resolved, name ?? '', where).attributes[attribute ?? ''];
    if (found === undefined) throw new Error(`${where}: Fn::GetAtt ${name}.${attribute} is not known locally`);
    return found;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, resolved, where)]));
}

function target(resolved: Map<string, Resolved>, name: string, where: string): Resolved {
  const found = resolved.get(name);
  if (!found) throw new Error(`${where} refers to ${name}, which is not a resource created locally`);
  return found;
}

/** Queues whose redrive policy names another queue of the list come after that queue. */
function sortQueues(list: [string, Resource][]): [string, Resource][] {
  const deps = (r: Resource): string[] =>
    [...JSON.stringify(r.Properties?.['RedrivePolicy'] ?? {}).matchAll(/"Fn::GetAtt":\["(\w+)"/g)].map(
      (m) => m[1] ?? '',
    );
  const done = new Set<string>();
  const out: [string, Resource][] = [];
  const visit = (entry: [string, Resource]): void => {
    if (done.has(entry[0])) return;
    done.add(entry[0]);
    for (const d of deps(entry[1])) {
      const dep = list.find(([id]) => id === d);
      if (dep) visit(dep);
    }
    out.push(entry);
  };
  for (const entry of list) visit(entry);
  return out;
}

/** The environment variables the template's Metadata maps to its Outputs, with their local values. */
function environmentOf(doc: Record<string, unknown>, resolved: Map<string, Resolved>): Record<string, string> {
  const metadata = (doc['Metadata'] as Record<string, { Environment?: Record<string, string> }> | undefined)?.[
    ENV_METADATA_KEY
  ];
  const outputs = (doc['Outputs'] ?? {}) as Record<string, { Value?: unknown }>;
  const env: Record<string, string> = {};
  for (const [name, output] of Object.entries(metadata?.Environment ?? {})) {
    const value = outputs[output]?.Value;
    if (value === undefined) continue;
    try {
      env[name] = String(resolveValue(value, resolved, `Outputs.${output}`));
    } catch {
      // An output of a resource not created locally (a bucket without client-s3): nothing to export.
    }
  }
  return env;
}

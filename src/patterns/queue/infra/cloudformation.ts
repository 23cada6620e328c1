// The fan-out topology as a CloudFormation template (YAML) the user owns and deploys with
// `aws cloudformation deploy`. CloudFormation rather than Terraform: it needs no tool beyond the AWS CLI
// the SDK users already have, it has no state file to host, and its YAML is plain data that `setup-local`
// reads back with the YAML parser this tool already uses (Terraform's HCL would need a parser of its
// own). Intrinsics are written in their long form (`Ref:`, `Fn::GetAtt:`) so any YAML tool reads them.
import { stringify } from 'yaml';
import { pascalCase } from '../../../util/names.js';
import { fifoName, type ConsumerQueueSpec, type QueueTopology, type TopicSpec } from './topology.js';

/** SQS's longest retention, 14 days: a dead-lettered message is kept as long as SQS allows. */
const MAX_RETENTION_SECONDS = 1_209_600;
const DEFAULT_MAX_RECEIVE_COUNT = 5;
const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_PAYLOAD_EXPIRE_DAYS = 14;

/** The template's Metadata key mapping each environment variable to the Output holding its value. */
export const ENV_METADATA_KEY = 'CreateServiceLink';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** A topic is named after its channel alone: every service's stack built from the document agrees on it. */
function topicName(topic: TopicSpec): string {
  return fifoName(topic.name, topic.fifo);
}
/** `<link>-<service>` (just `<link>` when the service is the link itself), `-dlq` added for the DLQ. */
function queueName(topology: QueueTopology, queue: ConsumerQueueSpec, dlq = false): string {
  const given = queue.queueName;
  const base = given ?? (queue.service === topology.name ? queue.service : `${topology.name}-${queue.service}`);
  return fifoName(`${base}${dlq ? '-dlq' : ''}`, queue.fifo);
}

const ids = {
  topic: (t: { name: string }) => `${pascalCase(t.name)}Topic`,
  queue: (q: ConsumerQueueSpec) => `${pascalCase(q.service)}Queue`,
  /** The parameter holding an external topic's ARN. */
  topicParameter: (t: { name: string }) => `${pascalCase(t.name)}TopicArn`,
  dlq: (q: ConsumerQueueSpec) => `${pascalCase(q.service)}DeadLetterQueue`,
};

/** Refuses a topology CloudFormation (or SNS) would refuse, naming what to change. */
function checkTopology(topology: QueueTopology): void {
  const topics = new Map(topology.topics.map((t) => [t.name, t]));
  const seen = new Set<string>();
  for (const q of topology.queues) {
    if (seen.has(q.service)) throw new Error(`consuming service "${q.service}" is listed twice`);
    seen.add(q.service);
    for (const s of q.subscriptions) {
      const topic = topics.get(s.topic);
      if (!topic) throw new Error(`service "${q.service}" subscribes to "${s.topic}", which is no topic of the link`);
      if (topic.fifo !== q.fifo)
        throw new Error(
          `service "${q.service}": a ${q.fifo ? 'FIFO' : 'standard'} queue cannot subscribe to the ${topic.fifo ? 'FIFO' : 'standard'} topic "${s.topic}" (SNS delivers FIFO topics to FIFO queues only)`,
        );
    }
  }
}

export function renderCloudFormation(topology: QueueTopology, source: string): string {
  checkTopology(topology);
  const resources: Resources = {};
  const parameters: Record<string, { Type: string; Description: string }> = {};
  const externalTopics: Record<string, { TopicName: string; FifoTopic?: true }> = {};
  const external = new Set(topology.topics.filter((t) => t.external).map((t) => t.name));
  const topicRef = (name: string) => ({ Ref: external.has(name) ? ids.topicParameter({ name }) : ids.topic({ name }) });
  const outputs: Record<string, { Description: string; Value: unknown }> = {};
  const environment: Record<string, string> = {};
  const output = (id: string, env: string, description: string, value: unknown): void => {
    outputs[id] = { Description: `${description} (environment variable ${env})`, Value: value };
    environment[env] = id;
  };

  for (const topic of topology.topics) {
    if (topic.external) {
      const name = topicName(topic);
      parameters[ids.topicParameter(topic)] = {
        Type: 'String',
        Description: `ARN of the ${name} topic, created by the publisher's stack (--parameter-overrides)`,
      };
      externalTopics[ids.topicParameter(topic)] = {
        TopicName: name,
        ...(topic.fifo ? { FifoTopic: true as const } : {}),
      };
      continue;
    }
    const properties: Record<string, unknown> = { TopicName: topicName(topic) };
    if (topic.fifo) properties['FifoTopic'] = true;
    if (topic.fifo && topic.contentBasedDeduplication) properties['ContentBasedDeduplication'] = true;
    resources[ids.topic(topic)] = { Type: 'AWS::SNS::Topic', Properties: properties };
    output(`${ids.topic(topic)}Arn`, topic.arnEnv, `ARN of the ${topic.name} topic`, { Ref: ids.topic(topic) });
  }
  for (const queue of topology.queues) {
    addQueue(resources, topology, queue, topicRef);
    output(`${ids.queue(queue)}Url`, queue.urlEnv, `URL of the ${queue.service} queue`, { Ref: ids.queue(queue) });
  }
  const bucket = topology.payloadBucket;
  if (bucket) {
    const days = bucket.expireDays ?? DEFAULT_PAYLOAD_EXPIRE_DAYS;
    resources['PayloadBucket'] = {
      Type: 'AWS::S3::Bucket',
      Properties: {
        // Consumers of a fan-out keep the objects (several queues point at each); S3 expires them.
        LifecycleConfiguration: {
          Rules: [{ Id: 'expire-offloaded-payloads', Status: 'Enabled', ExpirationInDays: days }],
        },
      },
    };
    output('PayloadBucketName', bucket.bucketEnv, 'Bucket of payloads over the size limit', { Ref: 'PayloadBucket' });
  }

  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Fan-out of the ${topology.name} link (SNS topics, an SQS queue and dead-letter queue per consuming service)`,
    Metadata: {
      [ENV_METADATA_KEY]: {
        Environment: environment,
        ...(Object.keys(externalTopics).length ? { ExternalTopics: externalTopics } : {}),
      },
    },
    ...(Object.keys(parameters).length ? { Parameters: parameters } : {}),
    Resources: resources,
    Outputs: outputs,
  };
  const header = [
    `# Written by create-service-link from ${source}. This file is yours: edit it freely; \`generate\``,
    '# rewrites it only while it is exactly as last written (it then says so and leaves your version).',
    `# Deploy: aws cloudformation deploy --template-file <this file> --stack-name ${topology.name}`,
    `# Local emulator: create-service-link setup-local ${topology.name} --endpoint http://127.0.0.1:4566`,
  ];
  const yaml = stringify(template, { lineWidth: 0, aliasDuplicateObjects: false });
  // Dates quoted: a YAML 1.1 reader (as CloudFormation's is) would take 2012-10-17 for a timestamp.
  return `${header.join('\n')}\n${yaml.replace(/: (\d{4}-\d{2}-\d{2})$/gm, ": '$1'")}`;
}

function addQueue(
  resources: Resources,
  topology: QueueTopology,
  queue: ConsumerQueueSpec,
  topicRef: (name: string) => { Ref: string },
): void {
  const fifo = queue.fifo ? { FifoQueue: true } : {};
  const queueId = ids.queue(queue);
  resources[ids.dlq(queue)] = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: queueName(topology, queue, true), ...fifo, MessageRetentionPeriod: MAX_RETENTION_SECONDS },
  };
  resources[queueId] = {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: queueName(topology, queue),
      ...fifo,
      VisibilityTimeout: queue.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_SECONDS,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq(queue), 'Arn'] },
        maxReceiveCount: queue.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      },
    },
  };
  if (queue.subscriptions.length === 0) return;
  const topicRefs = queue.subscriptions.map((s) => topicRef(s.topic));
  resources[`${queueId}Policy`] = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TopicsSendMessages',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
            Condition: { ArnEquals: { 'aws:SourceArn': topicRefs } },
          },
        ],
      },
    },
  };
  for (const s of queue.subscriptions) {
    const properties: Record<string, unknown> = {
      TopicArn: topicRef(s.topic),
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      // The queue gets the publisher's body and attributes as they were sent, not SNS's JSON envelope.
      RawMessageDelivery: true,
    };
    if (s.messageTypes.length > 0) {
      properties['FilterPolicyScope'] = 'MessageAttributes';
      properties['FilterPolicy'] = { type: [...s.messageTypes] };
    }
    resources[`${pascalCase(queue.service)}${pascalCase(s.topic)}Subscription`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: properties,
    };
  }
}

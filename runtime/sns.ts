// SNS client and limits shared by every fan-out queue link's publisher: it publishes to a topic, and each
// consuming service reads its own SQS queue subscribed to the topic (raw message delivery, a filter
// policy on the `type` attribute), with the link's ordinary SQS consumer.
import { SNSClient } from '@aws-sdk/client-sns';
import { SQS_ENDPOINT_ENV, requiredEnv } from './sqs.js';

/** SNS's size limit in bytes, for one message and for a whole PublishBatch request (body plus attributes). */
export const SNS_MESSAGE_LIMIT_BYTES = 262_144;

/** Entries per PublishBatch request. */
export const SNS_MAX_BATCH_ENTRIES = 10;

/**
 * Environment variable overriding the SNS endpoint (a local emulator); without it SQS_ENDPOINT is used,
 * as emulators such as fauxqs serve SNS and SQS on one endpoint.
 */
export const SNS_ENDPOINT_ENV = 'SNS_ENDPOINT';

/** The topic ARN held by the environment variable `env`; `topic` names the topic in the error. */
export function topicArnFromEnv(env: string, topic: string): string {
  return requiredEnv(env, `ARN of the ${topic} topic`);
}

let sharedClient: SNSClient | undefined;

/** One client per process (it pools connections); honours SNS_ENDPOINT, else SQS_ENDPOINT. */
export function defaultSnsClient(): SNSClient {
  if (!sharedClient) {
    const endpoint = process.env[SNS_ENDPOINT_ENV] ?? process.env[SQS_ENDPOINT_ENV];
    sharedClient = new SNSClient(endpoint ? { endpoint } : {});
  }
  return sharedClient;
}

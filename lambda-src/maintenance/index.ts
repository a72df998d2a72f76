import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isCustomResourceEvent, respond, type CustomResourceEvent } from './cfn-response';
import { runStep, startJob, type Clients, type JobMessage, type MaintenanceConfig, type StartJob } from './jobs';
import { DEFAULTS, ENV } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { log } from '../core/log';

let sqs: SQSClient | undefined;
/**
 * For custom resources only: a FAILED answer fails the deploy and rolls it back, so a throttled
 * DynamoDB gets 7 attempts instead of the SDK's 3 (its throttling backoff, 0.5 s doubling with
 * jitter: at most about 32 s of waiting in all, within the function's 60 s).
 */
let deployDynamo: DynamoDBClient | undefined;

function config(): MaintenanceConfig {
  return {
    eventsTable: requireEnv(ENV.eventsTable),
    jobsQueueUrl: requireEnv(ENV.jobsQueueUrl),
    views: JSON.parse(requireEnv(ENV.maintenanceViews)) as MaintenanceConfig['views'],
    rate: Number(process.env[ENV.catchUpRate] ?? DEFAULTS.catchUpRate),
  };
}

/**
 * Keeps views complete. Its jobs queue carries job messages (start a job, or one step of one);
 * CloudFormation calls it when a view table is created (a new view, or a new version of one) to
 * start that table's backfill.
 */
export async function handler(event: SQSEvent | CustomResourceEvent): Promise<SQSBatchResponse | void> {
  // The regional endpoint (or AWS_ENDPOINT_URL_SQS), not each queue URL's host: both are the same
  // on AWS, and an endpoint override (a local runtime, a VPC endpoint) must win.
  const clients = { dynamo: dynamoClient(), sqs: (sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false })) };
  if (isCustomResourceEvent(event)) return onCustomResource(event, { ...clients, dynamo: (deployDynamo ??= new DynamoDBClient({ maxAttempts: 7 })) });
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  let settings: MaintenanceConfig | undefined; // read once per invocation, inside each record's try
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as JobMessage;
      settings ??= config();
      if ('start' in message) await startJob(message.start, settings, clients);
      else await runStep(message.step, settings, clients);
    } catch (error) {
      log('error', 'maintenance job failed; it will be retried', { messageId: record.messageId, error: String(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

/** A view table was created (Create): its backfill starts. Updates and deletes need nothing. */
async function onCustomResource(event: CustomResourceEvent, clients: Clients): Promise<void> {
  const props = event.ResourceProperties as unknown as StartJob;
  const physicalId = `${props.view}:${props.table}`;
  try {
    if (event.RequestType === 'Create') {
      await startJob({ view: props.view, table: props.table, markReady: true, reason: props.reason ?? 'backfill' }, config(), clients);
    }
    await respond(event, 'SUCCESS', event.PhysicalResourceId ?? physicalId);
  } catch (error) {
    log('error', 'could not start the backfill', { view: props.view, table: props.table, error: String(error) });
    await respond(event, 'FAILED', event.PhysicalResourceId ?? physicalId, `Could not start the backfill of ${props.view}: ${String(error)}`);
  }
}

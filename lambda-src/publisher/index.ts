import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishRecords } from './publish';
import { ENV } from '../../src/contract';
import { requireEnv } from '../core/dynamo';

const sns = new SNSClient({});

/** The only reader of the events table's stream: fans each new event out through the topic. */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  return publishRecords(sns, event.Records, {
    topicArn: requireEnv(ENV.topicArn),
    fifo: process.env[ENV.fifo] === 'true',
  });
}

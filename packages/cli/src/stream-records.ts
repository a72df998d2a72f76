import type { _Record as StreamsApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { lambdaJson } from './lambda-json';

/**
 * A DynamoDB Streams API record as a Lambda DynamoDBRecord: the same but for a few field types,
 * and as JSON gives it (binary attributes as base64 strings), which is what filter criteria match
 * and what the function receives.
 */
export function toLambdaRecord(record: StreamsApiRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  return JSON.parse(lambdaJson({
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    eventSourceARN: streamArn,
    awsRegion: record.awsRegion,
    dynamodb: {
      ApproximateCreationDateTime: data.ApproximateCreationDateTime ? Math.floor(data.ApproximateCreationDateTime.getTime() / 1000) : undefined,
      Keys: repairImage(data.Keys) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      NewImage: repairImage(data.NewImage) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      OldImage: repairImage(data.OldImage) as NonNullable<DynamoDBRecord['dynamodb']>['OldImage'],
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  } satisfies DynamoDBRecord)) as DynamoDBRecord;
}

/**
 * DynamoDB Local 3.x writes an empty map in a stream image as `{}` instead of `{"M":{}}` (GetItem
 * on the same item is right, and so is the DynamoDB service and what Lambda delivers; see
 * https://github.com/awslabs/amazon-dynamodb-local-samples/issues/37). Puts the type back, so
 * the records are what Lambda would deliver.
 */
export function repairImage(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (image === undefined) return undefined;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, repairValue(value)]));
}

function repairValue(value: unknown): unknown {
  const attr = value as Record<string, unknown>;
  if (Object.keys(attr).length === 0) return { M: {} };
  if (attr.M) return { M: repairImage(attr.M as Record<string, unknown>) };
  if (attr.L) return { L: (attr.L as unknown[]).map(repairValue) };
  return attr;
}

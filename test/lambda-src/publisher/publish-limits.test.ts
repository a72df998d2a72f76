/**
 * The publisher against SNS's size limits. SNS itself has no local implementation, so these
 * tests publish with the real SNS client to the local runtime's SNS endpoint, which refuses what
 * SNS documents that it refuses (10 entries, 256 KiB per message and per PublishBatch request,
 * attributes included; packages/cli/test/sns-endpoint.test.ts checks the endpoint itself).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBRecord } from 'aws-lambda';
import * as fc from 'fast-check';
import { toItem } from '../../../lambda-src/core/attribute-value';
import { eventMessage, SNS_MAX_BATCH_BYTES, SNS_MAX_BATCH_ENTRIES } from '../../../lambda-src/core/event-message';
import type { StoredEvent } from '../../../lambda-src/core/stored-event';
import { publishBatches, publishRecords } from '../../../lambda-src/publisher/publish';
import { appendEvent } from '../../../lambda-src/writer/append';
import { LocalSnsEndpoint, PublishedMessage } from '../../../packages/cli/src/sns-endpoint';
import { captureLogs, createEventsTable, dynamoClient, readStream, type CapturedLogs } from '../../support/local-dynamo';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:events.fifo';
const KIB = 1024;

const delivered: PublishedMessage[] = [];
const endpoint = new LocalSnsEndpoint((message) => delivered.push(message));
let sns: SNSClient;
let logs: CapturedLogs;

beforeAll(async () => {
  const url = await endpoint.start();
  sns = new SNSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});
afterAll(async () => {
  sns?.destroy();
  await endpoint.stop();
});
beforeEach(() => {
  delivered.length = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

test('four events of 100 KiB in one stream batch are all published, in order, in requests SNS accepts', async () => {
  const { tableName, streamArn } = await createEventsTable();
  const appended: StoredEvent[] = [];
  for (let i = 0; i < 4; i++) {
    appended.push((await appendEvent(dynamoClient(), tableName, { streamId: 'big', type: 'Scanned', data: { page: i, text: 'x'.repeat(100 * KIB) } })).event);
  }
  const records = await readStream(streamArn, 8);

  const result = await publishRecords(sns, records, { topicArn: TOPIC_ARN, fifo: true });

  expect(result).toEqual({ batchItemFailures: [] });
  expect(delivered.map((m) => JSON.parse(m.message))).toEqual(appended);
  expect(logs.lines.filter((l) => l.message === 'publish batch failed')).toEqual([]);
});

/** A stream record as Lambda delivers it for an event the writer stored. */
function streamRecord(event: StoredEvent, sequence: number): DynamoDBRecord {
  return {
    eventID: String(sequence),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { streamId: { S: event.streamId }, version: { N: String(event.version) } },
      NewImage: toItem({ ...event }) as Record<string, AttributeValue> as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      SequenceNumber: String(1000 + sequence),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

test('property: any mix of event sizes is published whole, in order, in requests within SNS\'s limits', async () => {
  // Sizes up to 250 KiB, skewed towards the edges of the 256 KiB limits.
  const size = fc.oneof(
    fc.integer({ min: 0, max: 2 * KIB }), fc.integer({ min: 60 * KIB, max: 130 * KIB }), fc.integer({ min: 200 * KIB, max: 250 * KIB }),
  );
  await fc.assert(fc.asyncProperty(fc.array(size, { minLength: 1, maxLength: 25 }), async (sizes) => {
    delivered.length = 0;
    const events: StoredEvent[] = sizes.map((bytes, i) => ({
      streamId: `s-${i % 3}`, version: Math.floor(i / 3) + 1, eventId: `e-${i}`, type: 'Sized', schemaVersion: 1, data: { pad: 'é'.repeat(Math.floor(bytes / 2)) }, timestamp: new Date(0).toISOString(),
    }));
    const result = await publishRecords(sns, events.map(streamRecord), { topicArn: TOPIC_ARN, fifo: true });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(delivered.map((m) => JSON.parse(m.message))).toEqual(events);
  }), { numRuns: 30 });
});

test('property: publishBatches keeps order and never exceeds 10 entries or 256 KiB per request', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 256 * KIB }), { maxLength: 60 }), (sizes) => {
    const items = sizes.map((bytes, i) => ({ i, message: { body: '', attributes: {}, bytes } }));
    const batches = publishBatches(items);
    expect(batches.flat().map((item) => item.i)).toEqual(items.map((item) => item.i));
    for (const batch of batches) {
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(SNS_MAX_BATCH_ENTRIES);
      const bytes = batch.reduce((sum, item) => sum + item.message.bytes, 0);
      expect(bytes <= SNS_MAX_BATCH_BYTES || batch.length === 1).toBe(true);
    }
  }));
});

test('eventMessage counts what SNS counts: the UTF-8 body plus each attribute\'s name, type and value', () => {
  const event: StoredEvent = { streamId: 's', version: 1, eventId: 'e', type: 'Typé', schemaVersion: 1, data: { t: 'ü' }, timestamp: 'now' };
  const message = eventMessage(event);
  expect(message.body).toBe(JSON.stringify(event));
  expect(message.attributes).toEqual({ type: 'Typé' });
  expect(message.bytes).toBe(Buffer.byteLength(message.body) + 'type'.length + 'String'.length + Buffer.byteLength('Typé'));
});

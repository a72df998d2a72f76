import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createEventsTable, documentClient, dynamoStreamsClient, EventsTable } from '../../../test/support/local-dynamo';
import { until } from '../../../test/support/until';
import { StreamMappingDefinition } from '../src/cloud-assembly';
import { LocalFunction } from '../src/function-host';
import { StreamFailureRecord, StreamPoller } from '../src/stream-poller';

/** The publisher's filter, as the construct writes it: INSERTs of items with an eventId. */
const NEW_EVENTS_ONLY = { eventName: ['INSERT'], dynamodb: { NewImage: { eventId: { S: [{ exists: true }] } } } };

type Target = (records: DynamoDBRecord[]) => Promise<DynamoDBBatchResponse | Record<string, unknown> | void>;
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:Publisher';

interface Harness {
  readonly poller: StreamPoller;
  /** The records of each invocation. */
  readonly invocations: DynamoDBRecord[][];
  readonly givenUp: DynamoDBRecord[][];
  /** What the on-failure destination got for each, in AWS's shape. */
  readonly failures: StreamFailureRecord[];
  readonly errors: unknown[];
}

const pollers: StreamPoller[] = [];

function startPoller(table: EventsTable, mapping: Partial<StreamMappingDefinition>, target: Target = async () => undefined): Harness {
  const invocations: DynamoDBRecord[][] = [];
  const givenUp: DynamoDBRecord[][] = [];
  const failures: StreamFailureRecord[] = [];
  const errors: unknown[] = [];
  const fn = {
    invokeWithLogs: async (event: DynamoDBStreamEvent) => {
      invocations.push(event.Records);
      return { result: await target(event.Records), logs: [] };
    },
  } as unknown as LocalFunction;
  const poller = new StreamPoller(dynamoStreamsClient(), {
    streamArn: table.streamArn,
    mapping: {
      batchSize: 100,
      maximumRetryAttempts: 10,
      maximumRecordAgeSeconds: -1,
      bisectBatchOnFunctionError: false,
      filterPatterns: [NEW_EVENTS_ONLY],
      ...mapping,
    },
    target: fn,
    functionArn: FUNCTION_ARN,
    pollIntervalMs: 10,
    onGiveUp: (failure, records) => {
      failures.push(failure);
      givenUp.push(records);
    },
    onError: (error) => errors.push(error),
  });
  pollers.push(poller);
  poller.start();
  return { poller, invocations, givenUp, failures, errors };
}

async function put(table: EventsTable, item: Record<string, unknown>): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: table.tableName, Item: item }));
}

const version = (r: DynamoDBRecord) => Number(r.dynamodb?.NewImage?.version?.N);

afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop();
});

test('reads on when its first iterator was taken on an empty shard and other tables\' writes moved the sequence numbers on', async () => {
  // DynamoDB Local answers TrimmedDataAccessException for that iterator; a runtime with two APIs
  // (or any other writes to the same DynamoDB Local) would otherwise never publish.
  const quiet = await createEventsTable();
  const busy = await createEventsTable();
  const harness = startPoller(quiet, {});
  await until('the first (empty) poll', () => harness.poller.idle);
  for (let v = 1; v <= 3; v++) await put(busy, { streamId: 'other', version: v, eventId: `o-${v}`, type: 'T' });
  await put(quiet, { streamId: 's', version: 1, eventId: 'e-1', type: 'T' });

  await until('the record', () => harness.invocations.length > 0 || harness.errors.length > 0);
  expect(harness.errors).toEqual([]);
  expect(harness.invocations.flat().map(version)).toEqual([1]);
});

test('delivers new events only (no idempotency markers, no MODIFY), in order, in batches of the mapping size', async () => {
  const table = await createEventsTable();
  await put(table, { streamId: '$eventId#e1', version: 0, eventStreamId: 's', eventVersion: 1 });
  for (let v = 1; v <= 5; v++) await put(table, { streamId: 's', version: v, eventId: `e-${v}`, type: 'T' });
  await put(table, { streamId: 's', version: 1, eventId: 'e-1', type: 'T', changed: true }); // MODIFY
  const harness = startPoller(table, { batchSize: 2 });

  await until('idle after the records', () => harness.invocations.flat().length >= 5 && harness.poller.idle);
  expect(harness.invocations.flat().map(version)).toEqual([1, 2, 3, 4, 5]);
  expect(harness.invocations.flat().every((r) => r.eventName === 'INSERT' && r.eventSourceARN === table.streamArn)).toBe(true);
  for (const batch of harness.invocations) expect(batch.length).toBeLessThanOrEqual(2);
  expect(harness.poller.quietSince).toBeDefined();
  expect(harness.errors).toEqual([]);
});

test('a partial batch failure is retried from the reported record; after maximumRetryAttempts the rest goes to onGiveUp and later records go on', async () => {
  const table = await createEventsTable();
  for (let v = 1; v <= 5; v++) await put(table, { streamId: 's', version: v, eventId: `e-${v}`, type: 'T' });
  const harness = startPoller(table, { maximumRetryAttempts: 2 }, async (records) => {
    const failing = records.find((r) => version(r) === 3);
    return { batchItemFailures: failing ? [{ itemIdentifier: failing.dynamodb!.SequenceNumber! }] : [] };
  });

  await until('give up', () => harness.givenUp.length > 0);
  // One attempt, then two retries, each from version 3.
  expect(harness.invocations.map((batch) => batch.map(version))).toEqual([[1, 2, 3, 4, 5], [3, 4, 5], [3, 4, 5]]);
  expect(harness.givenUp.map((batch) => batch.map(version))).toEqual([[3, 4, 5]]);

  await put(table, { streamId: 's', version: 6, eventId: 'e-6', type: 'T' });
  await until('version 6', () => harness.invocations.flat().some((r) => version(r) === 6));
  expect(harness.invocations[harness.invocations.length - 1].map(version)).toEqual([6]);
  expect(harness.errors).toEqual([]);
});

test('a function that throws gets its batch again; from the moment records are found until they are delivered, the poller is not idle', async () => {
  const table = await createEventsTable();
  let calls = 0;
  const idleDuringInvocation: boolean[] = [];
  let harness: Harness | undefined = undefined;
  harness = startPoller(table, {}, async () => {
    calls++;
    idleDuringInvocation.push(harness!.poller.idle);
    if (calls <= 2) throw new Error('publish failed');
  });
  await until('the first (empty) poll', () => harness!.poller.idle);
  const quietBefore = harness.poller.quietSince!;
  await put(table, { streamId: 's', version: 1, eventId: 'e-1', type: 'T' });

  await until('success', () => calls >= 3 && harness!.poller.idle);
  expect(harness.invocations.map((batch) => batch.map(version))).toEqual([[1], [1], [1]]);
  expect(idleDuringInvocation).toEqual([false, false, false]);
  expect(harness.poller.quietSince).toBeGreaterThan(quietBefore);
  expect(harness.givenUp).toEqual([]);
});

const seq = (r: DynamoDBRecord) => r.dynamodb!.SequenceNumber!;
async function putVersions(table: EventsTable, versions: number[]): Promise<void> {
  for (const v of versions) await put(table, { streamId: 's', version: v, eventId: `e-${v}`, type: 'T' });
}

test('with several batchItemFailures, the lowest sequence number is the checkpoint, whatever order they are listed in', async () => {
  const table = await createEventsTable();
  await putVersions(table, [1, 2, 3, 4, 5]);
  let calls = 0;
  const harness = startPoller(table, {}, async (records) => {
    if (++calls > 1) return undefined;
    // Listed highest first: Lambda still retries from version 2.
    const failing = records.filter((r) => version(r) === 4 || version(r) === 2).reverse();
    return { batchItemFailures: failing.map((r) => ({ itemIdentifier: seq(r) })) };
  });
  await until('the retry', () => harness.invocations.length >= 2 && harness.poller.idle);
  expect(harness.invocations.map((batch) => batch.map(version))).toEqual([[1, 2, 3, 4, 5], [2, 3, 4, 5]]);
});

test.each<[string, Record<string, unknown>]>([
  ['an itemIdentifier that names no record of the batch', { batchItemFailures: [{ itemIdentifier: '999' }] }],
  ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
  ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
  ['a response without batchItemFailures', { foo: 'notvalid' }],
])('%s fails the whole batch, as on AWS', async (_name, response) => {
  const table = await createEventsTable();
  await putVersions(table, [1, 2]);
  let calls = 0;
  const harness = startPoller(table, {}, async () => (++calls === 1 ? response : undefined));
  await until('the retry', () => harness.invocations.length >= 2 && harness.poller.idle);
  expect(harness.invocations.map((batch) => batch.map(version))).toEqual([[1, 2], [1, 2]]);
});

test('after MaximumRetryAttempts the on-failure destination gets metadata in AWS\'s shape, not the records', async () => {
  const table = await createEventsTable();
  await putVersions(table, [1, 2, 3]);
  const harness = startPoller(table, { maximumRetryAttempts: 1 }, async () => { throw new Error('publish failed'); });
  await until('give up', () => harness.failures.length > 0);
  const [records] = harness.givenUp;
  expect(harness.failures[0]).toEqual({
    requestContext: { requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), functionArn: FUNCTION_ARN, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    DDBStreamBatchInfo: {
      shardId: expect.stringMatching(/^shardId-/),
      startSequenceNumber: seq(records[0]),
      endSequenceNumber: seq(records[2]),
      approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      batchSize: 3,
      streamArn: table.streamArn,
    },
  });
  expect(JSON.stringify(harness.failures[0])).not.toContain('NewImage');
});

test('a partial failure given up on has no functionError; MaximumRetryAttempts -1 (Lambda\'s default) retries without end', async () => {
  const table = await createEventsTable();
  await putVersions(table, [1]);
  const partial = startPoller(table, { maximumRetryAttempts: 0 }, async (records) => ({ batchItemFailures: [{ itemIdentifier: seq(records[0]) }] }));
  await until('give up', () => partial.failures.length > 0);
  expect(partial.failures[0].responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: null });
  expect(partial.failures[0].requestContext.approximateInvokeCount).toBe(1);

  const other = await createEventsTable();
  await putVersions(other, [1]);
  const endless = startPoller(other, { maximumRetryAttempts: -1 }, async () => { throw new Error('always'); });
  await until('many retries', () => endless.invocations.length > 15);
  expect(endless.givenUp).toEqual([]);
});

test('records older than MaximumRecordAgeInSeconds go to the on-failure destination (RecordAgeExceeded), newer ones go on', async () => {
  const table = await createEventsTable();
  await putVersions(table, [1, 2]);
  let healthy = false;
  const harness = startPoller(table, { maximumRecordAgeSeconds: 1, maximumRetryAttempts: -1 }, async () => {
    if (!healthy) throw new Error('down');
  });
  await until('expiry', () => harness.failures.length > 0, 15_000);
  expect(harness.failures[0].requestContext.condition).toBe('RecordAgeExceeded');
  expect(harness.failures[0].responseContext).toBeUndefined();
  expect(harness.givenUp[0].map(version)).toEqual([1, 2]);

  healthy = true;
  await putVersions(table, [3]);
  await until('version 3', () => harness.invocations.flat().some((r) => version(r) === 3) && harness.poller.idle);
  expect(harness.failures).toHaveLength(1);
});

test('BisectBatchOnFunctionError: a failing batch is halved until the bad record is alone; only it is given up on', async () => {
  const table = await createEventsTable();
  await putVersions(table, [1, 2, 3, 4]);
  const harness = startPoller(table, { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 }, async (records) => {
    if (records.some((r) => version(r) === 3)) throw new Error('v3 is poison');
  });
  await until('v4 delivered', () => harness.invocations.flat().some((r) => version(r) === 4 && harness.givenUp.length > 0) && harness.poller.idle);
  // Halving uses no retry; the lone v3 gets its one retry, then is given up on.
  expect(harness.invocations.map((batch) => batch.map(version))).toEqual([[1, 2, 3, 4], [1, 2], [3, 4], [3], [3], [4]]);
  expect(harness.givenUp.map((batch) => batch.map(version))).toEqual([[3]]);
  expect(harness.failures[0].DDBStreamBatchInfo.batchSize).toBe(1);
});

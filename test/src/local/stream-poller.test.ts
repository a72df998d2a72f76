import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { StreamMappingDefinition } from '../../../src/local/cloud-assembly';
import { LocalFunction } from '../../../src/local/function-host';
import { StreamPoller } from '../../../src/local/stream-poller';
import { createEventsTable, documentClient, dynamoStreamsClient, EventsTable } from '../../support/local-dynamo';

/** The publisher's filter, as the construct writes it: INSERTs of items with an eventId. */
const NEW_EVENTS_ONLY = { eventName: ['INSERT'], dynamodb: { NewImage: { eventId: { S: [{ exists: true }] } } } };

type Target = (records: DynamoDBRecord[]) => Promise<DynamoDBBatchResponse | void>;

interface Harness {
  readonly poller: StreamPoller;
  /** The records of each invocation. */
  readonly invocations: DynamoDBRecord[][];
  readonly givenUp: DynamoDBRecord[][];
  readonly errors: unknown[];
}

const pollers: StreamPoller[] = [];

function startPoller(table: EventsTable, mapping: Partial<StreamMappingDefinition>, target: Target = async () => undefined): Harness {
  const invocations: DynamoDBRecord[][] = [];
  const givenUp: DynamoDBRecord[][] = [];
  const errors: unknown[] = [];
  const fn = {
    invoke: async (event: DynamoDBStreamEvent) => {
      invocations.push(event.Records);
      return target(event.Records);
    },
  } as unknown as LocalFunction;
  const poller = new StreamPoller(dynamoStreamsClient(), {
    streamArn: table.streamArn,
    mapping: { batchSize: 100, maximumRetryAttempts: 10, filterPatterns: [NEW_EVENTS_ONLY], ...mapping },
    target: fn,
    pollIntervalMs: 10,
    onGiveUp: (records) => givenUp.push(records),
    onError: (error) => errors.push(error),
  });
  pollers.push(poller);
  poller.start();
  return { poller, invocations, givenUp, errors };
}

async function put(table: EventsTable, item: Record<string, unknown>): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: table.tableName, Item: item }));
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
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

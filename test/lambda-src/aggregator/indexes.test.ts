/**
 * The aggregator and a view's declared indexes, against DynamoDB Local tables with their global
 * secondary indexes: each record is written with its index keys, a record whose key field has
 * the wrong type fails its event with a message naming field, index and type (DynamoDB would
 * refuse the write with a vague one), and a record without a key field is not in that index.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { createHandler } from '../../../lambda-src/aggregator/index';
import type { ProjectionHandlers } from '../../../lambda-src/aggregator/projection-module';
import { fromAttributeValue } from '../../../lambda-src/core/attribute-value';
import type { StoredEvent } from '../../../lambda-src/core/stored-event';
import { gsiName, indexesFingerprint, keyAttribute, type IndexSpec } from '../../../lambda-src/core/view-indexes';
import { appendEvent } from '../../../lambda-src/writer/append';
import { ENV, INDEX_FINGERPRINT, KEYS } from '../../../src/contract';
import { captureLogs, createEventsTable, createViewTable, dynamoClient, getViewItem, sqsEvent, sqsRecord, type CapturedLogs } from '../../support/local-dynamo';

const byCustomer: IndexSpec = { name: 'byCustomer', partitionKey: { field: 'customer', type: 'S' }, sortKey: { field: 'total', type: 'N' } };
const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };
const INDEXES = [byCustomer, byStatus];

/** Each event's data becomes the record (merged into it); `Reset` replaces it. `Noted` has no handler. */
const handlers: ProjectionHandlers = {
  Set: (view, event) => ({ ...view, ...event.data }),
  Reset: (_view, event) => ({ ...event.data }),
};

let logs: CapturedLogs;
let eventsTable: string;

beforeEach(async () => {
  logs = captureLogs();
  eventsTable = (await createEventsTable()).tableName;
});

afterEach(() => logs.restore());

async function append(streamId: string, type: string, data: Record<string, unknown>): Promise<StoredEvent> {
  return (await appendEvent(dynamoClient(), eventsTable, { streamId, type, data })).event;
}

function delivery(event: StoredEvent, receiveCount = 1): SQSRecord {
  return sqsRecord(JSON.stringify(event), { messageId: `${event.streamId}#${event.version}`, messageGroupId: event.streamId, receiveCount });
}

function aggregator(viewTable: string, indexes: readonly IndexSpec[] | undefined = INDEXES) {
  return createHandler({ handlers }, { viewTable, eventsTable, client: dynamoClient(), viewName: 'orders', streamIdField: 'id', indexes });
}

/** The stream ids an index query finds for a partition key value, in the index's order. */
async function queryIndex(viewTable: string, index: IndexSpec, key: string): Promise<string[]> {
  const { Items } = await dynamoClient().send(new QueryCommand({
    TableName: viewTable,
    IndexName: gsiName(index.name),
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': keyAttribute(index.name, 'pk') },
    ExpressionAttributeValues: { ':pk': { S: key } },
  }));
  return (Items ?? []).map((item) => fromAttributeValue(item[KEYS.streamId]) as string);
}

/** Every item of an index (a test's own small table: a Scan of the index). */
async function indexItems(viewTable: string, index: IndexSpec): Promise<string[]> {
  const { Items } = await dynamoClient().send(new ScanCommand({ TableName: viewTable, IndexName: gsiName(index.name) }));
  return (Items ?? []).map((item) => fromAttributeValue(item[KEYS.streamId]) as string);
}

test('records are written with their index keys and the fingerprint, and the GSIs find them', async () => {
  const viewTable = await createViewTable({ indexes: INDEXES });
  const handler = aggregator(viewTable);
  const events = [
    await append('o-1', 'Set', { customer: 'c-1', total: 30, status: 'open' }),
    await append('o-2', 'Set', { customer: 'c-1', total: 5, status: 'closed' }),
    await append('o-3', 'Set', { customer: 'c-2', total: 7, status: 'open' }),
  ];
  expect((await handler(sqsEvent(events.map((e) => delivery(e))))).batchItemFailures).toEqual([]);

  const item = await getViewItem(viewTable, 'o-1');
  expect(item).toMatchObject({
    [INDEX_FINGERPRINT]: indexesFingerprint(INDEXES),
    ix_byCustomer_pk: 'c-1',
    ix_byCustomer_sk: 30,
    ix_byStatus_pk: 'open',
    state: { customer: 'c-1', total: 30, status: 'open' },
  });
  // Sorted by the sort key (a number): 5 before 30.
  expect(await queryIndex(viewTable, byCustomer, 'c-1')).toEqual(['o-2', 'o-1']);
  expect((await queryIndex(viewTable, byStatus, 'open')).sort()).toEqual(['o-1', 'o-3']);
});

test.each([
  ['absent', {}],
  ['null', { status: null }],
  ['""', { status: '' }],
])('a key field %s: the record is stored, and not in that index', async (_name, status) => {
  const viewTable = await createViewTable({ indexes: INDEXES });
  const event = await append('o-1', 'Set', { customer: 'c-1', total: 1, ...status });
  expect((await aggregator(viewTable)(sqsEvent([delivery(event)]))).batchItemFailures).toEqual([]);
  const item = await getViewItem(viewTable, 'o-1');
  expect(item?.state).toEqual({ customer: 'c-1', total: 1, ...status });
  expect(item).not.toHaveProperty('ix_byStatus_pk');
  expect(await queryIndex(viewTable, byCustomer, 'c-1')).toEqual(['o-1']);
  expect(await indexItems(viewTable, byStatus)).toEqual([]);
});

test('without its sort key field, a record is not in the index at all', async () => {
  const viewTable = await createViewTable({ indexes: INDEXES });
  const event = await append('o-1', 'Set', { customer: 'c-1', status: 'open' });
  expect((await aggregator(viewTable)(sqsEvent([delivery(event)]))).batchItemFailures).toEqual([]);
  expect(await getViewItem(viewTable, 'o-1')).not.toHaveProperty('ix_byCustomer_pk');
  expect(await queryIndex(viewTable, byCustomer, 'c-1')).toEqual([]);
  expect(await queryIndex(viewTable, byStatus, 'open')).toEqual(['o-1']);
});

test('a record that loses its key field, or changes it, leaves the index (or moves within it)', async () => {
  const viewTable = await createViewTable({ indexes: INDEXES });
  const handler = aggregator(viewTable);
  await handler(sqsEvent([delivery(await append('o-1', 'Set', { customer: 'c-1', total: 1, status: 'open' }))]));
  expect(await queryIndex(viewTable, byStatus, 'open')).toEqual(['o-1']);

  await handler(sqsEvent([delivery(await append('o-1', 'Reset', { customer: 'c-2', total: 1 }))]));
  expect(await queryIndex(viewTable, byStatus, 'open')).toEqual([]);
  expect(await queryIndex(viewTable, byCustomer, 'c-1')).toEqual([]);
  expect(await queryIndex(viewTable, byCustomer, 'c-2')).toEqual(['o-1']);
  expect(await getViewItem(viewTable, 'o-1')).not.toHaveProperty('ix_byStatus_pk');
});

describe('a key field of the wrong type', () => {
  test('fails its event on every delivery (SQS parks it after maxReceiveCount), naming field, index and type; the view stays as it was', async () => {
    const viewTable = await createViewTable({ indexes: INDEXES });
    const handler = aggregator(viewTable);
    const good = await append('o-1', 'Set', { customer: 'c-1', total: 1, status: 'open' });
    const bad = await append('o-1', 'Set', { total: '12' });
    const other = await append('o-2', 'Set', { customer: 'c-1', total: 2 });

    for (const receiveCount of [1, 2, 5]) {
      const response = await handler(sqsEvent([delivery(good, receiveCount), delivery(bad, receiveCount), delivery(other, receiveCount)]));
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'o-1#2' }]);
    }
    expect(logs.lines).toContainEqual(expect.objectContaining({
      level: 'error',
      message: 'projection handler failed',
      view: 'orders',
      streamId: 'o-1',
      version: 2,
      error: 'Error: Handler for "Set" returned a record whose field "total" is a string; index "byCustomer" expects a number as its sort key',
    }));
    expect(await getViewItem(viewTable, 'o-1')).toMatchObject({ version: 1, state: { customer: 'c-1', total: 1, status: 'open' } });
    // The other stream is applied.
    expect(await queryIndex(viewTable, byCustomer, 'c-1')).toEqual(['o-1', 'o-2']);
  });

  test('fails its event even when the index\'s other key is absent (the record would not be in that index)', async () => {
    const viewTable = await createViewTable({ indexes: INDEXES });
    const bad = await append('o-1', 'Reset', { total: 'twelve', status: 'open' });
    expect((await aggregator(viewTable)(sqsEvent([delivery(bad)]))).batchItemFailures).toEqual([{ itemIdentifier: 'o-1#1' }]);
    expect(logs.lines).toContainEqual(expect.objectContaining({
      error: 'Error: Handler for "Reset" returned a record whose field "total" is a string; index "byCustomer" expects a number as its sort key',
    }));
    expect(await getViewItem(viewTable, 'o-1')).toBeUndefined();
  });

  test('without the check, DynamoDB refuses the write with a message that names neither field nor event', async () => {
    const viewTable = await createViewTable({ indexes: INDEXES });
    const write = dynamoClient().send(new PutItemCommand({
      TableName: viewTable,
      Item: { [KEYS.streamId]: { S: 'o-1' }, [KEYS.version]: { N: '1' }, [keyAttribute('byCustomer', 'sk')]: { S: '12' } },
    }));
    await expect(write).rejects.toThrow(/Type mismatch/i);
  });

  test('a string too long for a key fails its event too', async () => {
    const viewTable = await createViewTable({ indexes: INDEXES });
    const event = await append('o-1', 'Set', { status: 'x'.repeat(2049) });
    expect((await aggregator(viewTable)(sqsEvent([delivery(event)]))).batchItemFailures).toEqual([{ itemIdentifier: 'o-1#1' }]);
    expect(logs.lines).toContainEqual(expect.objectContaining({
      error: expect.stringContaining('field "status" is a string of 2049 UTF-8 bytes (at most 2048 fit); index "byStatus" expects a string as its partition key'),
    }));
  });
});

test('the indexes come from the file VIEW_INDEXES_FILE names, read on the first invocation', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'view-indexes-'));
  const file = path.join(dir, 'view-indexes.json');
  fs.writeFileSync(file, JSON.stringify([byStatus]));
  const viewTable = await createViewTable({ indexes: [byStatus] });
  process.env[ENV.viewIndexes] = file;
  try {
    const handler = createHandler({ handlers }, { viewTable, eventsTable, client: dynamoClient() });
    expect((await handler(sqsEvent([delivery(await append('o-1', 'Set', { status: 'open' }))])))).toEqual({ batchItemFailures: [] });
    // Read once: a later change of the file (never made in a deployed function) is not seen.
    fs.writeFileSync(file, JSON.stringify([]));
    expect((await handler(sqsEvent([delivery(await append('o-2', 'Set', { status: 'open' }))])))).toEqual({ batchItemFailures: [] });
    expect((await queryIndex(viewTable, byStatus, 'open')).sort()).toEqual(['o-1', 'o-2']);
    expect((await handler(sqsEvent([delivery(await append('o-3', 'Set', { status: 3 }))]))).batchItemFailures).toHaveLength(1);
  } finally {
    delete process.env[ENV.viewIndexes];
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without declared indexes, records carry no index attributes (as before indexes existed)', async () => {
  const viewTable = await createViewTable();
  const event = await append('o-1', 'Set', { status: 3 });
  expect((await aggregator(viewTable, [])(sqsEvent([delivery(event)]))).batchItemFailures).toEqual([]);
  expect(Object.keys((await getViewItem(viewTable, 'o-1'))!).sort()).toEqual(['state', 'streamId', 'updatedAt', 'version']);
});

test('an event without a handler keeps a record that a later-added index cannot take: stored, left out of that index', async () => {
  const viewTable = await createViewTable({ indexes: INDEXES });
  // Written before byStatus existed, with a number where byStatus now wants a string.
  await aggregator(viewTable, [byCustomer])(sqsEvent([delivery(await append('o-1', 'Set', { customer: 'c-1', total: 1, status: 3 }))]));
  const unhandled = await append('o-1', 'Noted', {});
  expect((await aggregator(viewTable)(sqsEvent([delivery(unhandled)]))).batchItemFailures).toEqual([]);
  const item = await getViewItem(viewTable, 'o-1');
  expect(item).toMatchObject({ version: 2, [INDEX_FINGERPRINT]: indexesFingerprint(INDEXES), ix_byCustomer_pk: 'c-1' });
  expect(item).not.toHaveProperty('ix_byStatus_pk');
});

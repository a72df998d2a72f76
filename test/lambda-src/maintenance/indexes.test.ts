/**
 * A view's declared indexes through deploys, on DynamoDB Local: the Custom::ViewBackfill resource
 * records them (`$indexes`) and queues a reconcile job, whose steps (served from the jobs queue, as
 * the local runtime's SQS endpoint keeps it) make the table's global secondary indexes match, one
 * UpdateTable at a time. CloudFormation stands in as a loopback server taking the answers.
 */
import { DescribeTableCommand, GetItemCommand, PutItemCommand, QueryCommand, type GlobalSecondaryIndexDescription } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { fromItem, toItem } from '../../../lambda-src/core/attribute-value';
import { queryable, readIndexState } from '../../../lambda-src/core/index-state';
import { indexesFingerprint, type IndexSpec } from '../../../lambda-src/core/view-indexes';
import { readRegistry } from '../../../lambda-src/core/view-registry';
import { handler } from '../../../lambda-src/maintenance/index';
import { readProgress } from '../../../lambda-src/maintenance/progress';
import { appendEvent } from '../../../lambda-src/writer/append';
import { ENV, RESTAMP_KEY } from '../../../src/contract';
import { createViewTable, dynamoClient, type CapturedLogs } from '../../support/local-dynamo';
import { maintenanceHarness } from '../../support/maintenance-harness';

const harness = maintenanceHarness('index-jobs');
const { jobs } = harness;
let logs: CapturedLogs;
beforeEach(() => {
  logs = harness.logs();
});

const byCustomer: IndexSpec = { name: 'byCustomer', partitionKey: { field: 'customerId', type: 'S' }, sortKey: { field: 'placedAt', type: 'S' } };
const byTotal: IndexSpec = { name: 'byTotal', partitionKey: { field: 'currency', type: 'S' }, sortKey: { field: 'total', type: 'N' } };
const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };

type Props = Record<string, string>;
const props = (table: string, indexes?: IndexSpec[]): Props => ({
  view: 'orders',
  table,
  queueUrl: 'https://sqs.local/orders.fifo',
  fifo: 'true',
  version: '1',
  reason: 'backfill',
  ...(indexes ? { indexes: JSON.stringify(indexes) } : {}),
});

/** One request as CloudFormation sends it; resolves with the answer it got. */
const send = (type: 'Create' | 'Update', properties: Props, old?: Props) =>
  harness.send(type, properties, { physicalId: type === 'Update' ? `orders:${properties.table}` : undefined, old });

async function gsis(table: string): Promise<GlobalSecondaryIndexDescription[]> {
  const { Table } = await dynamoClient().send(new DescribeTableCommand({ TableName: table }));
  return Table?.GlobalSecondaryIndexes ?? [];
}
const gsiNames = async (table: string) => (await gsis(table)).map((g) => g.IndexName).sort();

/** Takes the job messages queued now (visible or delayed), by kind; they are gone from the queue. */
function takeQueued(): Array<Record<string, unknown>> {
  const bodies = jobs.peek().map((m) => JSON.parse(m.body) as Record<string, unknown>);
  jobs.purge();
  return bodies;
}

/** Runs one job message through the maintenance handler; false when it failed (the queue would retry it). */
async function attempt(body: string): Promise<boolean> {
  const event = { Records: [{ messageId: `m-${Date.now()}`, body }] } as unknown as SQSEvent;
  const result = await handler(event);
  return result?.batchItemFailures.length === 0;
}

/** Runs one job message through the maintenance handler; it must not fail. */
async function run(body: string): Promise<void> {
  expect(await attempt(body)).toBe(true);
}

/**
 * DynamoDB Local (unlike DynamoDB, whose tables take writes while an index is built or deleted:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html) answers
 * InternalFailure to every write while a GSI is DELETING, and to writes of its key attribute while
 * it is CREATING. A job step that fails so is retried, as the jobs queue retries it; any other failure fails the test.
 */
function failedOnLocalIndexChange(): boolean {
  const failure = logs.lines.filter((l) => l.message === 'maintenance job failed; it will be retried').pop();
  if (!String(failure?.error).startsWith('InternalFailure')) throw new Error(`a job step failed: ${JSON.stringify(failure)}`);
  return true;
}

/**
 * Serves the index jobs of the jobs queue (reconcile and restamp; other jobs are dropped: their
 * streams have no events) until none is left, visible or delayed. After each step, no more than
 * one index of the table may be changing.
 */
async function runIndexJobs(table: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (jobs.depth > 0) {
    if (Date.now() > deadline) throw new Error(`reconcile still going after ${timeoutMs} ms: ${JSON.stringify(jobs.peek())}`);
    const [message] = jobs.receive(1);
    if (!message) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(jobs.nextVisibleIn() ?? 50, 250)));
      continue;
    }
    jobs.delete(message.receiptHandle);
    const body = JSON.parse(message.body) as { indexes?: unknown; step?: { kind?: string } };
    if (!body.indexes && body.step?.kind !== 'restamp') continue;
    if (!await attempt(message.body) && failedOnLocalIndexChange()) {
      jobs.send(message.body, undefined, undefined, {}, 200);
      continue;
    }
    const changing = (await gsis(table)).filter((g) => g.IndexStatus !== 'ACTIVE');
    expect(changing.length).toBeLessThanOrEqual(1);
  }
}

test('Create records the indexes (stamped: the backfill writes them), registers them and queues a reconcile', async () => {
  const table = await createViewTable();
  expect(await send('Create', props(table, [byStatus, byCustomer]))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `orders:${table}` });
  const state = await readIndexState(dynamoClient(), table);
  expect(state).toEqual({
    fingerprint: indexesFingerprint([byCustomer, byStatus]),
    indexes: {
      byStatus: { def: expect.any(String), gsi: 'ABSENT', stamped: true },
      byCustomer: { def: expect.any(String), gsi: 'ABSENT', stamped: true },
    },
    unindexable: 0,
    updatedAt: expect.any(String),
  });
  expect((await readRegistry(dynamoClient(), process.env[ENV.viewRegistry]!)).get('orders')?.indexes).toEqual([byStatus, byCustomer]);
  expect(takeQueued()).toEqual([
    { step: expect.objectContaining({ table, phase: 'send' }) },
    { indexes: { view: 'orders', table, fingerprint: state!.fingerprint, poll: 0 } },
  ]);
  // Nothing was created yet: not queryable.
  expect(queryable(state, byStatus)).toBe(false);
});

test('the reconcile job creates the declared GSIs one at a time, each to ACTIVE, and then the indexes are queryable', async () => {
  const table = await createViewTable();
  await send('Create', props(table, [byStatus, byCustomer, byTotal]));
  await runIndexJobs(table);
  const created = await gsis(table);
  expect(created.map((g) => [g.IndexName, g.IndexStatus]).sort()).toEqual([['ix_byCustomer', 'ACTIVE'], ['ix_byStatus', 'ACTIVE'], ['ix_byTotal', 'ACTIVE']]);
  expect(created.find((g) => g.IndexName === 'ix_byTotal')).toMatchObject({
    KeySchema: [{ AttributeName: 'ix_byTotal_pk', KeyType: 'HASH' }, { AttributeName: 'ix_byTotal_sk', KeyType: 'RANGE' }],
    Projection: { ProjectionType: 'ALL' },
  });
  const state = await readIndexState(dynamoClient(), table);
  for (const spec of [byStatus, byCustomer, byTotal]) {
    expect(state?.indexes[spec.name].gsi).toBe('ACTIVE');
    expect(queryable(state, spec)).toBe(true);
  }
  // One creation per UpdateTable, in name order, and the job ends by saying so.
  const started = logs.lines.filter((l) => l.message === 'view index creation started').map((l) => l.gsi);
  expect(started).toEqual(['ix_byCustomer', 'ix_byStatus', 'ix_byTotal']);
  expect(logs.lines.filter((l) => l.message === 'view indexes reconciled')).toHaveLength(1);
});

test('an Update deletes the GSIs no longer declared and creates the new ones; a new index on an existing table is queryable once restamped', async () => {
  const table = await createViewTable();
  const first = props(table, [byStatus, byCustomer]);
  await send('Create', first);
  await runIndexJobs(table);
  expect(await send('Update', props(table, [byStatus, byTotal]), first)).toMatchObject({ Status: 'SUCCESS' });
  const declared = await readIndexState(dynamoClient(), table);
  expect(declared?.indexes).toEqual({
    // Unchanged: kept as it was.
    byStatus: { def: expect.any(String), gsi: 'ACTIVE', stamped: true },
    // New on a table that has records: they carry no attributes for it yet.
    byTotal: { def: expect.any(String), gsi: 'ABSENT', stamped: false },
  });
  expect(jobs.peek().map((m) => JSON.parse(m.body))).toEqual([
    { indexes: expect.objectContaining({ fingerprint: declared?.fingerprint }) },
    { step: expect.objectContaining({ kind: 'restamp', fingerprint: declared?.fingerprint, phase: 'send' }) },
  ]);
  await runIndexJobs(table);
  expect(await gsiNames(table)).toEqual(['ix_byStatus', 'ix_byTotal']);
  const state = await readIndexState(dynamoClient(), table);
  expect(state?.indexes.byTotal).toEqual({ def: expect.any(String), gsi: 'ACTIVE', stamped: true });
  expect(queryable(state, byStatus)).toBe(true);
  expect(queryable(state, byTotal)).toBe(true);
});

test('removing every index (the property is gone) deletes their GSIs', async () => {
  const table = await createViewTable();
  const first = props(table, [byStatus]);
  await send('Create', first);
  await runIndexJobs(table);
  expect(await send('Update', props(table), first)).toMatchObject({ Status: 'SUCCESS' });
  expect((await readIndexState(dynamoClient(), table))?.indexes).toEqual({});
  await runIndexJobs(table);
  expect(await gsiNames(table)).toEqual([]);
  expect((await readRegistry(dynamoClient(), process.env[ENV.viewRegistry]!)).get('orders')?.indexes).toBeUndefined();
});

test('a view that never declared indexes gets no index state and no reconcile', async () => {
  const table = await createViewTable();
  await send('Create', props(table));
  await send('Update', props(table), props(table));
  expect(await readIndexState(dynamoClient(), table)).toBeUndefined();
  expect(takeQueued().filter((m) => 'indexes' in m)).toEqual([]);
});

test('a change of key types under the same index name is refused with the way out, and nothing changes', async () => {
  const table = await createViewTable();
  const first = props(table, [byStatus, byCustomer]);
  await send('Create', first);
  await runIndexJobs(table);
  const before = await readIndexState(dynamoClient(), table);

  const numeric: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'N' } };
  expect(await send('Update', props(table, [numeric, byCustomer]), first)).toMatchObject({
    Status: 'FAILED',
    Reason: 'view "orders": index "byStatus" cannot change its key types in place (S→N); give it a new name, or raise the view\'s version',
  });
  // A sort key added is a change of key types too.
  const sorted: IndexSpec = { ...byStatus, sortKey: { field: 'placedAt', type: 'S' } };
  expect((await send('Update', props(table, [sorted]), first)).Reason).toMatch(/index "byStatus" cannot change its key types in place \(S→S,S\)/);
  expect(await readIndexState(dynamoClient(), table)).toEqual(before);
  expect(takeQueued()).toEqual([]);
  expect(await gsiNames(table)).toEqual(['ix_byCustomer', 'ix_byStatus']);

  // Another field of the same type is no key type change: the records are restamped, the GSI stays.
  const renamed: IndexSpec = { name: 'byStatus', partitionKey: { field: 'state', type: 'S' } };
  expect(await send('Update', props(table, [renamed, byCustomer]), first)).toMatchObject({ Status: 'SUCCESS' });
  expect((await readIndexState(dynamoClient(), table))?.indexes.byStatus).toEqual({ def: expect.stringContaining('"state"'), gsi: 'ACTIVE', stamped: false });
});

test('a reconcile step of a declared set a later deploy replaced is dropped', async () => {
  const table = await createViewTable();
  const first = props(table, [byStatus]);
  await send('Create', first);
  const [stale] = takeQueued().filter((m) => 'indexes' in m) as Array<{ indexes: { fingerprint: string } }>;
  await send('Update', props(table, [byCustomer]), first);
  const [current] = takeQueued().filter((m) => 'indexes' in m) as Array<{ indexes: { fingerprint: string } }>;
  expect(stale).not.toEqual(current);

  await run(JSON.stringify(stale));
  expect(await gsiNames(table)).toEqual([]);
  expect(jobs.depth).toBe(0);
  expect(logs.lines.filter((l) => l.message === 'index reconcile dropped: superseded')).toEqual([expect.objectContaining({ table, current: current.indexes.fingerprint })]);
  jobs.send(JSON.stringify(current));
  await runIndexJobs(table);
  expect(await gsiNames(table)).toEqual(['ix_byCustomer']);
});

describe('the restamp of an existing table', () => {
  const byStatusTotal: IndexSpec = { name: 'byTotal', partitionKey: { field: 'currency', type: 'S' }, sortKey: { field: 'total', type: 'N' } };
  let tables = 0;

  /** A view table with records written before any index was declared, their streams in the catalogue. */
  async function tableWithRecords(records: Record<string, Record<string, unknown> | undefined>) {
    const table = await createViewTable();
    await send('Create', props(table));
    tables += 1;
    const ids: Record<string, string> = {};
    for (const [name, state] of Object.entries(records)) {
      const streamId = `${name}-${tables}-${process.pid}`;
      ids[name] = streamId;
      await appendEvent(dynamoClient(), process.env[ENV.eventsTable]!, { streamId, type: 'Placed', data: {} });
      await dynamoClient().send(new PutItemCommand({
        TableName: table,
        Item: toItem({ streamId, version: 1, updatedAt: new Date().toISOString(), ...(state ? { state } : {}), ...(name === 'stale' ? { ix_gone_pk: 'x' } : {}) }),
      }));
    }
    return { table, ids };
  }
  const record = async (table: string, streamId: string) => {
    const { Item } = await dynamoClient().send(new GetItemCommand({ TableName: table, Key: { streamId: { S: streamId } } }));
    return fromItem(Item!);
  };

  test('gives old records the attributes of the declared set, leaves out and counts key values DynamoDB would refuse, and the GSIs then find them', async () => {
    const { table, ids } = await tableWithRecords({
      open: { status: 'open', currency: 'EUR', total: 5 },
      wrongType: { status: 'closed', currency: 'EUR', total: 'five' },
      noStatus: { status: '', currency: 'USD', total: 7 },
      stale: { status: 'open' },
      versionOnly: undefined,
    });
    const backfill = await readProgress(dynamoClient(), table);
    jobs.purge();
    expect(await send('Update', props(table, [byStatus, byStatusTotal]), props(table))).toMatchObject({ Status: 'SUCCESS' });
    const fingerprint = indexesFingerprint([byStatus, byStatusTotal]);
    await runIndexJobs(table);

    expect(await record(table, ids.open)).toMatchObject({ ixv: fingerprint, ix_byStatus_pk: 'open', ix_byTotal_pk: 'EUR', ix_byTotal_sk: 5 });
    const wrongType = await record(table, ids.wrongType);
    expect(wrongType).toMatchObject({ ixv: fingerprint, ix_byStatus_pk: 'closed' });
    expect(wrongType).not.toHaveProperty('ix_byTotal_pk');
    const noStatus = await record(table, ids.noStatus);
    expect(noStatus).toMatchObject({ ixv: fingerprint, ix_byTotal_pk: 'USD', ix_byTotal_sk: 7 });
    expect(noStatus).not.toHaveProperty('ix_byStatus_pk');
    const stale = await record(table, ids.stale);
    expect(stale).toMatchObject({ ixv: fingerprint, ix_byStatus_pk: 'open' });
    expect(stale).not.toHaveProperty('ix_gone_pk');
    expect(await record(table, ids.versionOnly)).toEqual({ streamId: ids.versionOnly, version: 1, updatedAt: expect.any(String) });

    const state = await readIndexState(dynamoClient(), table);
    expect(state).toMatchObject({ fingerprint, unindexable: 1 });
    expect(queryable(state, byStatus) && queryable(state, byStatusTotal)).toBe(true);
    expect(logs.lines).toContainEqual(expect.objectContaining({
      level: 'warn',
      message: 'record left out of index "byTotal": its field "total" is a string; index "byTotal" expects a number as its sort key',
      streamId: ids.wrongType,
    }));
    // DynamoDB's own index now finds the records written before it was declared.
    const open = await dynamoClient().send(new QueryCommand({
      TableName: table, IndexName: 'ix_byStatus', KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': 'ix_byStatus_pk' }, ExpressionAttributeValues: { ':v': { S: 'open' } },
    }));
    expect(open.Items?.map((i) => i.streamId.S).sort()).toEqual([ids.open, ids.stale].sort());
    // Its progress is its own: the table's backfill progress is untouched.
    expect(await readProgress(dynamoClient(), table, RESTAMP_KEY)).toMatchObject({ phase: 'done', reason: 'restamp (indexes byStatus, byTotal)' });
    expect(await readProgress(dynamoClient(), table)).toEqual(backfill);
  });

  test('a restamp step of a declared set a later deploy replaced does nothing', async () => {
    const { table, ids } = await tableWithRecords({ open: { status: 'open' } });
    jobs.purge();
    await send('Update', props(table, [byStatus]), props(table));
    const [start] = takeQueued().filter((m) => 'step' in m);
    // A later deploy removes the index (no restamp of its own replaces this one): the restamp does nothing more.
    await send('Update', props(table), props(table, [byStatus]));
    jobs.purge();
    await run(JSON.stringify(start));
    expect(await record(table, ids.open)).not.toHaveProperty('ixv');
    expect(logs.lines).toContainEqual(expect.objectContaining({ message: 'restamp step dropped: the indexes changed since' }));
  });
});

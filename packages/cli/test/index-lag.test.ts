/**
 * The lagging indexes chaos mode is to use (not wired into the runtime yet): a view table's shadow
 * holds each write only after its lag, so an index query on the shadow first misses a record just
 * written (or still shows one just deleted), then converges to the table.
 */
import { QueryCommand, UpdateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { gsiName, keyAttribute, type IndexSpec } from '../../../lambda-src/core/view-indexes';
import { KEYS } from '../../../src/contract';
import { putIndexedRecord } from '../../../test/support/indexed-views';
import { createViewTable, dynamoClient } from '../../../test/support/local-dynamo';
import { IndexLag, shadowName } from '../src/index-lag';

const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };
const LAG_MS = 400;

let lag: IndexLag;
afterEach(() => lag?.stop());

/** Polls an async condition until it holds; fails naming `what` after `timeoutMs`. */
async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function inIndex(table: string, spec: IndexSpec, key: string): Promise<string[]> {
  const { Items = [] } = await dynamoClient().send(new QueryCommand({
    TableName: table,
    IndexName: gsiName(spec.name),
    KeyConditionExpression: '#k = :v',
    ExpressionAttributeNames: { '#k': keyAttribute(spec.name, 'pk') },
    ExpressionAttributeValues: { ':v': { S: key } },
  }));
  return Items.map((i) => i.streamId.S!).sort();
}

test('a write reaches the shadow\'s index only after its lag, then the shadow converges', async () => {
  const table = await createViewTable({ indexes: [byStatus] });
  await putIndexedRecord(table, [byStatus], 'old', 1, { status: 'open' });
  lag = new IndexLag(dynamoClient(), { lagMs: () => LAG_MS });
  await lag.shadow(table);
  expect(lag.queryTable(table)).toBe(shadowName(table));
  expect(await inIndex(shadowName(table), byStatus, 'open')).toEqual(['old']); // seeded

  await putIndexedRecord(table, [byStatus], 'new', 1, { status: 'open' });
  await putIndexedRecord(table, [byStatus], 'old', 2, undefined); // deleted
  lag.written(table, ['new', 'old']);
  expect(lag.depth).toBe(2);
  // The table has the change at once; the lagging index does not yet.
  expect(await inIndex(table, byStatus, 'open')).toEqual(['new']);
  expect(await inIndex(shadowName(table), byStatus, 'open')).toEqual(['old']);

  await eventually('the shadow to converge', async () => lag.depth === 0 && (await inIndex(shadowName(table), byStatus, 'open')).join() === 'new');
  expect(await inIndex(shadowName(table), byStatus, 'open')).toEqual(['new']);
});

test('tables without a shadow are read as they are, and their writes are ignored', async () => {
  const table = await createViewTable({ indexes: [byStatus] });
  lag = new IndexLag(dynamoClient(), { lagMs: () => LAG_MS });
  expect(lag.queryTable(table)).toBe(table);
  lag.written(table, ['x']);
  expect(lag.depth).toBe(0);
});

test('a GSI added to or deleted from the table is added to or deleted from its shadow', async () => {
  const table = await createViewTable({ indexes: [byStatus] });
  await putIndexedRecord(table, [byStatus], 'a', 1, { status: 'open', region: 'eu' });
  lag = new IndexLag(dynamoClient(), { lagMs: () => 10 });
  await lag.shadow(table);
  await dynamoClient().send(new UpdateTableCommand({
    TableName: table,
    AttributeDefinitions: [{ AttributeName: KEYS.streamId, AttributeType: 'S' }, { AttributeName: keyAttribute('byRegion', 'pk'), AttributeType: 'S' }],
    GlobalSecondaryIndexUpdates: [{
      Create: { IndexName: gsiName('byRegion'), KeySchema: [{ AttributeName: keyAttribute('byRegion', 'pk'), KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    }],
  }));
  await lag.tableUpdated(table);
  const gsis = async (name: string) => {
    const { Table } = await dynamoClient().send(new DescribeTableCommand({ TableName: name }));
    return (Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort();
  };
  expect(await gsis(shadowName(table))).toEqual(['ix_byRegion', 'ix_byStatus']);

  await eventually('the new GSI to be ACTIVE', async () => (await dynamoClient().send(new DescribeTableCommand({ TableName: table })))
    .Table?.GlobalSecondaryIndexes?.every((g) => g.IndexStatus === 'ACTIVE') === true, 10_000);
  await dynamoClient().send(new UpdateTableCommand({ TableName: table, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: gsiName('byStatus') } }] }));
  await lag.tableUpdated(table);
  expect(await gsis(shadowName(table))).toEqual(['ix_byRegion']);
}, 30_000);

/**
 * A view table's Custom::ViewBackfill resource, as CloudFormation drives it through a deploy: the
 * maintenance handler registers the table (DynamoDB Local), starts its backfill (a message on the
 * jobs queue, served by the local runtime's SQS endpoint: SQS has no local implementation here)
 * and answers at the ResponseURL (a loopback server standing in for CloudFormation's S3 URL).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { readRegistry, register } from '../../../lambda-src/core/view-registry';
import { handler } from '../../../lambda-src/maintenance/index';
import { readProgress } from '../../../lambda-src/maintenance/progress';
import { ENV } from '../../../src/contract';
import { createViewTable, dynamoClient, type CapturedLogs } from '../../support/local-dynamo';
import { maintenanceHarness } from '../../support/maintenance-harness';

const harness = maintenanceHarness('jobs');
const { jobs } = harness;
let logs: CapturedLogs;
let registry: string;
beforeEach(() => {
  logs = harness.logs();
  registry = harness.registry();
});

const send = harness.send;

const props = (table: string, more: Record<string, string> = {}) => ({
  view: 'orders', table, queueUrl: 'https://sqs.local/orders.fifo', fifo: 'true', version: '1', reason: 'backfill', ...more,
});
const startedJobs = () => jobs.receive(10).map((m) => JSON.parse(m.body) as { step?: { view: string; table: string } });

test('Create registers the table and starts its backfill', async () => {
  const table = await createViewTable();
  expect(await send('Create', props(table))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `orders:${table}` });
  expect(await readRegistry(dynamoClient(), registry)).toEqual(new Map([['orders', {
    view: 'orders', table, previousTable: undefined, queueUrl: 'https://sqs.local/orders.fifo', fifo: true, version: 1, registeredAt: expect.any(String),
  }]]));
  expect(startedJobs()).toEqual([{ step: expect.objectContaining({ view: 'orders', table }) }]);
});

test('a raised version is a rebuild; a view deployed for the first time at a version above 1 is built as a new view is', async () => {
  const [v1, v2] = [await createViewTable(), await createViewTable()];
  await send('Create', props(v1));
  await send('Create', props(v2, { previousTable: v1, version: '2', reason: 'rebuild (version 2)' }));
  expect((await readProgress(dynamoClient(), v2))?.reason).toBe('rebuild (version 2)');
  const [fresh, freshPrevious] = [await createViewTable(), await createViewTable()];
  await send('Create', { ...props(fresh, { previousTable: freshPrevious, version: '3', reason: 'rebuild (version 3)' }), view: 'loans' });
  expect((await readProgress(dynamoClient(), fresh))?.reason).toBe('backfill (new view, version 3)');
  startedJobs();
});

test('Update with the same table registers it again (a new queue URL, say) and starts nothing', async () => {
  const table = await createViewTable();
  await send('Create', props(table));
  startedJobs();
  const answer = await send('Update', props(table, { queueUrl: 'https://sqs.local/new.fifo' }), { physicalId: `orders:${table}`, old: props(table) });
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `orders:${table}` });
  expect((await readRegistry(dynamoClient(), registry)).get('orders')?.queueUrl).toBe('https://sqs.local/new.fifo');
  expect(startedJobs()).toEqual([]);
});

test('Update to another table answers a new physical id (CloudFormation then deletes the old one) and backfills the new table', async () => {
  const [first, second] = [await createViewTable(), await createViewTable()];
  await send('Create', props(first));
  startedJobs();
  const answer = await send('Update', props(second), { physicalId: `orders:${first}`, old: props(first) });
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `orders:${second}` });
  expect(startedJobs()).toEqual([{ step: expect.objectContaining({ table: second }) }]);
  // The cleanup's Delete of the old physical id leaves the new registration.
  expect(await send('Delete', props(first), { physicalId: `orders:${first}` })).toMatchObject({ Status: 'SUCCESS' });
  expect([...(await readRegistry(dynamoClient(), registry)).values()].map((r) => r.table)).toEqual([second]);
});

test('Delete unregisters the table its physical id names, whatever the properties say', async () => {
  const [a, b] = [await createViewTable(), await createViewTable()];
  await send('Create', props(a));
  await send('Create', { ...props(b), view: 'stock' });
  expect(await send('Delete', props('ignored'), { physicalId: `orders:${a}` })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `orders:${a}` });
  expect([...(await readRegistry(dynamoClient(), registry)).keys()]).toEqual(['stock']);
  // A physical id this resource never answered with (a create that failed early) deletes nothing.
  expect(await send('Delete', props(b), { physicalId: 'not-a-view-id' })).toMatchObject({ Status: 'SUCCESS' });
  expect([...(await readRegistry(dynamoClient(), registry)).keys()]).toEqual(['stock']);
});

test('a failure answers FAILED with the reason, which fails (and rolls back) the deploy', async () => {
  process.env[ENV.viewRegistry] = 'no-such-registry';
  const answer = await send('Create', props(await createViewTable()));
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(/^Could not register orders or start its backfill: ResourceNotFoundException/);
});

test('a job for a view registered after the registry was read runs at once; one for a view never registered fails, naming it', async () => {
  await send('Create', props(await createViewTable())); // the function has read the registry
  startedJobs();
  const stock = await createViewTable();
  await register(dynamoClient(), registry, {
    view: 'stock', table: stock, queueUrl: 'https://sqs.local/stock.fifo', fifo: true, version: 1, registeredAt: new Date().toISOString(),
  });
  const job = (view: string, table: string) => ({
    Records: [{ messageId: `m-${view}`, body: JSON.stringify({ start: { view, table, markReady: false, reason: 'replay' } }) }],
  }) as unknown as SQSEvent;
  expect(await handler(job('stock', stock))).toEqual({ batchItemFailures: [] });
  expect(startedJobs()).toEqual([{ step: expect.objectContaining({ view: 'stock', table: stock }) }]);
  expect(await handler(job('gone', stock))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-gone' }] });
  expect(JSON.stringify(logs.lines)).toContain(`View \\"gone\\" is not registered in ${registry}`);
});

describe('the upcasters fingerprint (upcastersHash)', () => {
  const changedAt = async (table: string) => {
    const item = await dynamoClient().send(new GetItemCommand({ TableName: registry, Key: { view: { S: 'orders' }, table: { S: table } } }));
    return item.Item?.upcastersChangedAt?.S;
  };
  const warnings = () => logs.lines.filter((l) => l.level === 'warn');

  test('Create with a fingerprint registers the table unflagged', async () => {
    const table = await createViewTable();
    await send('Create', props(table, { upcastersHash: 'a' }));
    expect(await changedAt(table)).toBeUndefined();
    expect(warnings()).toEqual([]);
    startedJobs();
  });

  test('an Update that changes it on the same table warns and flags the registration, which later Updates keep', async () => {
    const table = await createViewTable();
    await send('Create', props(table, { upcastersHash: 'a' }));
    startedJobs();
    const before = new Date().toISOString();
    const answer = await send('Update', props(table, { upcastersHash: 'b' }), { physicalId: `orders:${table}`, old: props(table, { upcastersHash: 'a' }) });
    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `orders:${table}` });
    const flagged = await changedAt(table);
    expect(flagged! >= before).toBe(true);
    expect(warnings()).toEqual([{
      level: 'warn', message: 'upcasters changed; view "orders" was built with the earlier ones: raise its version to rebuild it', view: 'orders', table,
    }]);
    expect((await readRegistry(dynamoClient(), registry)).get('orders')?.upcastersChangedAt).toBe(flagged);
    // Nothing is rebuilt: no job starts.
    expect(startedJobs()).toEqual([]);
    // An unrelated Update (a new queue URL) keeps the flag: the records are still the earlier upcasters'.
    await send('Update', props(table, { upcastersHash: 'b', queueUrl: 'https://sqs.local/new.fifo' }), { physicalId: `orders:${table}`, old: props(table, { upcastersHash: 'b' }) });
    expect(await changedAt(table)).toBe(flagged);
    expect(warnings()).toHaveLength(1);
  });

  test('upcasters added to (or removed from) an API whose table stays count as a change', async () => {
    const table = await createViewTable();
    await send('Create', props(table));
    await send('Update', props(table, { upcastersHash: 'a' }), { physicalId: `orders:${table}`, old: props(table) });
    expect(await changedAt(table)).toEqual(expect.any(String));
    const other = await createViewTable();
    await send('Create', props(other, { upcastersHash: 'a' }));
    await send('Update', props(other), { physicalId: `orders:${other}`, old: props(other, { upcastersHash: 'a' }) });
    expect(await changedAt(other)).toEqual(expect.any(String));
    startedJobs();
  });

  test('an Update to a new table with other upcasters registers it unflagged: it is built with the current ones', async () => {
    const [first, second] = [await createViewTable(), await createViewTable()];
    await send('Create', props(first, { upcastersHash: 'a' }));
    startedJobs();
    await send('Update', props(second, { upcastersHash: 'b' }), { physicalId: `orders:${first}`, old: props(first, { upcastersHash: 'a' }) });
    expect(await changedAt(second)).toBeUndefined();
    expect(warnings()).toEqual([]);
    expect(startedJobs()).toEqual([{ step: expect.objectContaining({ table: second }) }]);
  });
});

/**
 * A change of a view's indexes across two runs on one data folder, as two deploys: run 1 declares
 * byCustomer; run 2 declares byStatus instead. The maintenance function reconciles the table's
 * GSIs and restamps the records written in run 1 (no event arrives in run 2), so after wait-idle
 * the new index holds exactly the records a filter of the view gives, and the old one is gone.
 */
import { DescribeTableCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { IndexKeyType, ProjectionDefinition } from '../../../src';
import { append, removeTempDirs, startLocalApp, StartedApp, tempDir, writeProjection } from '../../../test/support/local-app';
import { parseOperatorArgs, runOperator } from '../src/operator/cli';
import type { ApiStatus } from '../src/operator/commands';

afterAll(() => removeTempDirs());

const ORDERS = Array.from({ length: 12 }, (_, i) => ({ id: `order-${i}`, customer: `c-${i % 3}`, status: i % 4 === 0 ? 'closed' : 'open' }));

const ORDER_PROJECTION = `
exports.handlers = {
  Placed: (view, event) => ({ customer: event.data.customer, status: event.data.status }),
};
`;

function dynamo(app: StartedApp): DynamoDBClient {
  return new DynamoDBClient({ endpoint: app.runtime.operatorView().endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function status(app: StartedApp): Promise<ApiStatus> {
  return JSON.parse(await runOperator(parseOperatorArgs(['status', '--json', '--local', app.runtime.operatorUrl]))) as ApiStatus;
}

/** The stream ids a GSI holds under one key value, sorted. */
async function inIndex(client: DynamoDBClient, table: string, index: string, value: string): Promise<string[]> {
  const { Items = [] } = await client.send(new QueryCommand({
    TableName: table,
    IndexName: `ix_${index}`,
    KeyConditionExpression: '#k = :v',
    ExpressionAttributeNames: { '#k': `ix_${index}_pk` },
    ExpressionAttributeValues: { ':v': { S: value } },
  }));
  return Items.map((i) => i.streamId.S!).sort();
}

describe('with a data folder: an index replaced by another between two runs', () => {
  const dataDir = tempDir('es-local-data-');
  const dir = tempDir('es-local-projections-');
  const entry = writeProjection(dir, 'orders', ORDER_PROJECTION);
  const byCustomer = { name: 'byCustomer', partitionKey: { field: 'customer', type: IndexKeyType.STRING } };
  const byStatus = { name: 'byStatus', partitionKey: { field: 'status', type: IndexKeyType.STRING } };
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const start = (orders: ProjectionDefinition) => startLocalApp({ props: { projections: [orders] }, runtime: { dataDir, stageThrottling: false } });

  // The data folder holds the tables, so these runs start a DynamoDB Local of their own on it.
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  test('run 1 declares byCustomer: its GSI is built and holds each customer\'s orders', async () => {
    const app = await start({ name: 'orders', entry, indexes: [byCustomer] });
    try {
      for (const order of ORDERS) await append(app.client, { type: 'Placed', ...order });
      await app.runtime.waitUntilIdle(60_000);
      const [view] = (await status(app)).views;
      expect(view.indexes?.indexes).toEqual([{ name: 'byCustomer', state: 'ready' }]);
      expect(await inIndex(dynamo(app), view.table, 'byCustomer', 'c-1')).toEqual(ORDERS.filter((o) => o.customer === 'c-1').map((o) => o.id).sort());
      expect(app.logs.join('\n')).toContain('[local] maintenance: orders: indexes byCustomer built');
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 2 declares byStatus instead: byCustomer is deleted, byStatus built and the run-1 records restamped into it', async () => {
    const app = await start({ name: 'orders', entry, indexes: [byStatus] });
    try {
      await app.runtime.waitUntilIdle(90_000);
      const [view] = (await status(app)).views;
      expect(view.indexes).toMatchObject({ indexes: [{ name: 'byStatus', state: 'ready' }], restamp: { phase: 'done', sent: ORDERS.length }, unindexable: 0 });
      const client = dynamo(app);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: view.table }));
      expect(Table?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.IndexStatus])).toEqual([['ix_byStatus', 'ACTIVE']]);
      expect(await inIndex(client, view.table, 'byStatus', 'closed')).toEqual(ORDERS.filter((o) => o.status === 'closed').map((o) => o.id).sort());
      expect(await inIndex(client, view.table, 'byStatus', 'open')).toEqual(ORDERS.filter((o) => o.status === 'open').map((o) => o.id).sort());
    } finally {
      await app.runtime.stop();
    }
  }, 150_000);
});

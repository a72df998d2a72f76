/**
 * Index queries end to end on the local runtime: a view declared with indexes, events POSTed, and
 * GET /{view}?index= through the local API Gateway once the maintenance function has built the
 * indexes (the reader answers from the table's GSIs only when its $indexes item says so). Then,
 * on a data folder, an index replaced by another between two runs, as two deploys.
 */
import { IndexKeyType } from '../../../src';
import { PAGE_HEADERS } from '../../../src/contract';
import { append, HttpClient, HttpResponse, removeTempDirs, startLocalApp, StartedApp, tempDir, writeProjection } from '../../../test/support/local-app';

afterAll(() => removeTempDirs());

const ORDERS = Array.from({ length: 14 }, (_, i) => ({
  id: `order-${String(i).padStart(2, '0')}`,
  customer: `c-${i % 3}`,
  placedAt: `2026-0${1 + (i % 4)}-${String(10 + i).padStart(2, '0')}`,
  region: i % 2 === 0 ? 'eu' : 'us',
  totalCents: (i * 37) % 500,
}));

const ORDER_PROJECTION = `
exports.handlers = {
  Placed: (view, event) => ({ customer: event.data.customer, placedAt: event.data.placedAt, region: event.data.region, totalCents: event.data.totalCents }),
};
`;

let app: StartedApp;

beforeAll(async () => {
  const entry = writeProjection(tempDir('es-local-projections-'), 'orders', ORDER_PROJECTION);
  app = await startLocalApp({
    props: {
      projections: [{
        name: 'orders',
        entry,
        indexes: [
          { name: 'byCustomer', partitionKey: { field: 'customer', type: IndexKeyType.STRING }, sortKey: { field: 'placedAt', type: IndexKeyType.STRING } },
          { name: 'byRegion', partitionKey: { field: 'region', type: IndexKeyType.STRING }, sortKey: { field: 'totalCents', type: IndexKeyType.NUMBER } },
        ],
      }],
    },
    runtime: { stageThrottling: false },
  });
  for (const order of ORDERS) await append(app.client, { type: 'Placed', ...order });
  await app.runtime.waitUntilIdle(60_000);
}, 120_000);

afterAll(async () => app?.runtime.stop());

/** Every page of a query through the gateway, following LastEvaluatedKey with the ExclusiveStartKey header. */
async function walk(path: string, client: HttpClient = app.client): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const headers: Record<string, string> = token === null ? {} : { [PAGE_HEADERS.request]: token };
    const response: HttpResponse = await client.get(path, headers);
    expect({ status: response.status, body: response.text }).toEqual({ status: 200, body: expect.any(String) });
    ids.push(...(response.json as Array<{ id: string }>).map((r) => r.id));
    token = response.headers.get(PAGE_HEADERS.response);
    pages += 1;
    expect(pages).toBeLessThan(20);
  } while (token !== null);
  return { ids, pages };
}

test('a customer\'s orders, newest first, in pages of 2: the view filtered and sorted', async () => {
  const expected = ORDERS.filter((o) => o.customer === 'c-1').sort((a, b) => b.placedAt.localeCompare(a.placedAt)).map((o) => o.id);
  const { ids, pages } = await walk('/orders?index=byCustomer&key=c-1&order=desc&limit=2');
  expect(ids).toEqual(expected);
  expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 2));
});

test('a number range on the sort key, both bounds inclusive', async () => {
  const expected = ORDERS.filter((o) => o.region === 'eu' && o.totalCents >= 100 && o.totalCents <= 400)
    .sort((a, b) => a.totalCents - b.totalCents).map((o) => o.id);
  expect(expected.length).toBeGreaterThan(1);
  expect((await walk('/orders?index=byRegion&key=eu&from=100&to=400&limit=3')).ids).toEqual(expected);
});

test('records come back as GET /orders/{id} answers them', async () => {
  const { json } = await app.client.get('/orders?index=byCustomer&key=c-2&prefix=2026-03');
  const one = await app.client.get(`/orders/${(json as Array<{ id: string }>)[0].id}`);
  expect(json[0]).toEqual(one.json);
});

test('400s through the gateway: an unknown index, minVersion', async () => {
  const unknown = await app.client.get('/orders?index=byEmail&key=x');
  expect({ status: unknown.status, json: unknown.json }).toEqual({ status: 400, json: { message: 'View "orders" has no index "byEmail"; its indexes: byCustomer, byRegion' } });
  const minVersion = await app.client.get('/orders?index=byCustomer&key=c-1&minVersion=1');
  expect(minVersion.status).toBe(400);
  expect(minVersion.json.message).toMatch(/eventually consistent/);
});

describe('with a data folder: the index declared in run 2 answers, the one it replaced is gone', () => {
  const dataDir = tempDir('es-local-data-');
  const entry = writeProjection(tempDir('es-local-projections-'), 'orders', ORDER_PROJECTION);
  const byCustomer = { name: 'byCustomer', partitionKey: { field: 'customer', type: IndexKeyType.STRING } };
  const byRegion = { name: 'byRegion', partitionKey: { field: 'region', type: IndexKeyType.STRING }, sortKey: { field: 'totalCents', type: IndexKeyType.NUMBER } };
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const run = (indexes: typeof byCustomer[]) => startLocalApp({ props: { projections: [{ name: 'orders', entry, indexes }] }, runtime: { dataDir, stageThrottling: false } });

  // The data folder holds the tables, so these runs start a DynamoDB Local of their own on it.
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  test('run 1 (byCustomer), then run 2 (byRegion instead): byRegion pages the run-1 records, byCustomer answers 400', async () => {
    const first = await run([byCustomer]);
    try {
      for (const order of ORDERS) await append(first.client, { type: 'Placed', ...order });
      await first.runtime.waitUntilIdle(60_000);
      expect((await first.client.get('/orders?index=byCustomer&key=c-0')).json.map((r: { id: string }) => r.id).sort())
        .toEqual(ORDERS.filter((o) => o.customer === 'c-0').map((o) => o.id));
      expect((await first.client.get('/orders?index=byRegion&key=eu')).status).toBe(400);
    } finally {
      await first.runtime.stop();
    }

    const second = await run([byRegion]);
    try {
      await second.runtime.waitUntilIdle(90_000);
      // No event in run 2: the records of run 1 were restamped into the new index.
      const expected = ORDERS.filter((o) => o.region === 'us').sort((a, b) => b.totalCents - a.totalCents).map((o) => o.id);
      expect((await walk('/orders?index=byRegion&key=us&order=desc&limit=3', second.client)).ids).toEqual(expected);
      const gone = await second.client.get('/orders?index=byCustomer&key=c-0');
      expect({ status: gone.status, json: gone.json }).toEqual({ status: 400, json: { message: 'View "orders" has no index "byCustomer"; its indexes: byRegion' } });
    } finally {
      await second.runtime.stop();
    }
  }, 180_000);
});

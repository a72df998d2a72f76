/**
 * Index queries through the reader (GET /{view}?index=...) on DynamoDB Local view tables with the
 * GSIs of their declared indexes: answers, paging and its tokens, every 400, and the 503 while an
 * index is not ready (gated on the table's `$indexes` item, never on DynamoDB's answers).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { dynamoClient as readerClient } from '../../../lambda-src/core/dynamo';
import { readIndexState } from '../../../lambda-src/core/index-state';
import { indexDefinition, type IndexSpec } from '../../../lambda-src/core/view-indexes';
import { forgetIndexReadiness, handler } from '../../../lambda-src/reader/index';
import { indexQueryCommand, parseIndexQuery, queryIndexPage } from '../../../lambda-src/reader/index-query';
import { IndexReadiness } from '../../../lambda-src/reader/index-readiness';
import { forgetReadiness } from '../../../lambda-src/reader/rebuilds';
import { ENV, INDEX_STATE_KEY, KEYS, MAINTENANCE_KEY, METRICS, MIN_VERSION_HEADER, PAGE_HEADERS } from '../../../src/contract';
import { putIndexedRecord, useIndexedViewRegistry } from '../../support/indexed-views';
import { apiEvent, captureLogs, createViewTable, documentClient, dynamoClient, markIndexesReady, type CapturedLogs } from '../../support/local-dynamo';

const byCustomer: IndexSpec = { name: 'byCustomer', partitionKey: { field: 'customer', type: 'S' }, sortKey: { field: 'placedAt', type: 'S' } };
const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };
const byRegion: IndexSpec = { name: 'byRegion', partitionKey: { field: 'region', type: 'S' }, sortKey: { field: 'total', type: 'N' } };
const byAge: IndexSpec = { name: 'byAge', partitionKey: { field: 'age', type: 'N' } };
const SPECS = [byCustomer, byStatus, byRegion, byAge];

let logs: CapturedLogs;
let ordersTable: string;
let plainTable: string;

/** A record of the orders view, as the aggregator writes it. */
async function putRecord(
  table: string, id: string, state: Record<string, unknown> | undefined, specs: readonly IndexSpec[] = SPECS, version = 1,
): Promise<void> {
  await putIndexedRecord(table, specs, id, version, state);
}

const ORDERS: Array<[string, Record<string, unknown>]> = [
  ['o1', { customer: 'c-1', placedAt: '2026-01-03', status: 'open', region: 'eu', total: 9, age: 30 }],
  ['o2', { customer: 'c-1', placedAt: '2026-01-01', status: 'closed', region: 'eu', total: 100, age: 41 }],
  ['o3', { customer: 'c-1', placedAt: '2026-02-01', status: 'open', region: 'eu', total: 10, age: 30 }],
  ['o4', { customer: 'c-2', placedAt: '2026-01-02', status: 'open', region: 'us', total: -2.5, age: 30 }],
  ['o5', { customer: 'c-1', placedAt: '2025-12-31', status: 'open', region: 'eu', total: 1e21, age: 7 }],
  // Sparse: without the field, with null or "", a record is in no entry of that index.
  ['o6', { customer: 'c-1', status: null, region: 'eu', age: '' }],
  ['o7', { customer: '', placedAt: '2026-01-05', status: '', region: 'eu' }],
];

beforeEach(async () => {
  logs = captureLogs();
  [ordersTable, plainTable] = await Promise.all([createViewTable({ indexes: SPECS }), createViewTable()]);
  await useIndexedViewRegistry([{ view: 'orders', table: ordersTable, indexes: SPECS }, { view: 'plain', table: plainTable }]);
  process.env[ENV.defaultView] = 'orders';
  process.env[ENV.eventsTable] = 'events-table';
  for (const name of [ENV.streamIdField, ENV.defaultPageSize, ENV.maxPageSize, ENV.corsOrigin, ENV.logLevel]) delete process.env[name];
  for (const [id, state] of ORDERS) await putRecord(ordersTable, id, state);
  await putRecord(ordersTable, 'gone', { customer: 'c-1', placedAt: '2026-01-04', status: 'open' });
  await putRecord(ordersTable, 'gone', undefined, SPECS, 2); // then deleted: no state, no index keys
  await markIndexesReady(ordersTable, SPECS);
  forgetReadiness();
  forgetIndexReadiness();
});

afterEach(() => logs.restore());

async function get(view: string | undefined, query: Record<string, string> = {}, headers?: Record<string, string>): Promise<APIGatewayProxyResult> {
  const resource = view === undefined ? '/' : '/{view}';
  return handler(apiEvent({ method: 'GET', resource, pathParameters: view === undefined ? undefined : { view }, queryStringParameters: query, headers }));
}

function body<T = Array<Record<string, unknown>>>(result: APIGatewayProxyResult): T {
  return JSON.parse(result.body) as T;
}

function ids(result: APIGatewayProxyResult): string[] {
  expect(result.statusCode).toBe(200);
  return body(result).map((r) => r.id as string);
}

function errorOf(result: APIGatewayProxyResult, status: number): string {
  expect({ status: result.statusCode, body: result.body }).toEqual({ status, body: expect.any(String) });
  const parsed = body<Record<string, unknown>>(result);
  expect(Object.keys(parsed)).toEqual(['message']);
  return parsed.message as string;
}

/** Every page of a query, following the LastEvaluatedKey header with ?cursor= (or the header). */
async function walk(view: string, query: Record<string, string>, useHeader = false): Promise<{ pages: string[][]; tokens: string[] }> {
  const pages: string[][] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  for (;;) {
    expect(pages.length).toBeLessThan(30);
    const result = useHeader && token !== undefined
      ? await get(view, query, { [PAGE_HEADERS.request]: token })
      : await get(view, token === undefined ? query : { ...query, cursor: token });
    pages.push(ids(result));
    token = result.headers?.[PAGE_HEADERS.response] as string | undefined;
    if (token === undefined) return { pages, tokens };
    tokens.push(token);
  }
}

describe('answers', () => {
  test('key= answers the records of that partition key, in sort key order, as GET /{view} records', async () => {
    const result = await get('orders', { index: 'byCustomer', key: 'c-1' });
    expect(ids(result)).toEqual(['o5', 'o2', 'o1', 'o3']);
    expect(body(result)[0]).toEqual({ ...ORDERS[4][1], id: 'o5', version: 1 });
  });

  test('GET / queries the default view the same way', async () => {
    expect(ids(await get(undefined, { index: 'byStatus', key: 'closed' }))).toEqual(['o2']);
  });

  test('order=desc reverses the order; order=asc is the default', async () => {
    expect(ids(await get('orders', { index: 'byCustomer', key: 'c-1', order: 'desc' }))).toEqual(['o3', 'o1', 'o2', 'o5']);
    expect(ids(await get('orders', { index: 'byCustomer', key: 'c-1', order: 'asc' }))).toEqual(['o5', 'o2', 'o1', 'o3']);
  });

  test('prefix= keeps the sort keys that begin with it', async () => {
    expect(ids(await get('orders', { index: 'byCustomer', key: 'c-1', prefix: '2026-01' }))).toEqual(['o2', 'o1']);
    expect(ids(await get('orders', { index: 'byCustomer', key: 'c-1', prefix: '2027' }))).toEqual([]);
  });

  test('from= and to= are inclusive bounds, either one open', async () => {
    const q = { index: 'byCustomer', key: 'c-1' };
    expect(ids(await get('orders', { ...q, from: '2026-01-01', to: '2026-01-03' }))).toEqual(['o2', 'o1']);
    expect(ids(await get('orders', { ...q, from: '2026-01-01' }))).toEqual(['o2', 'o1', 'o3']);
    expect(ids(await get('orders', { ...q, to: '2026-01-01' }))).toEqual(['o5', 'o2']);
    expect(ids(await get('orders', { ...q, from: '2026-01-02', to: '2026-01-02' }))).toEqual([]);
  });

  test('a number sort key orders numerically, and its bounds are parsed as numbers', async () => {
    expect(ids(await get('orders', { index: 'byRegion', key: 'eu' }))).toEqual(['o1', 'o3', 'o2', 'o5']);
    expect(ids(await get('orders', { index: 'byRegion', key: 'eu', from: '9.0', to: '1e2' }))).toEqual(['o1', 'o3', 'o2']);
    expect(ids(await get('orders', { index: 'byRegion', key: 'us', to: '-2.5' }))).toEqual(['o4']);
  });

  test('a number partition key is parsed as a number ("30.0" is 30)', async () => {
    expect(ids(await get('orders', { index: 'byAge', key: '30.0' })).sort()).toEqual(['o1', 'o3', 'o4']);
    expect(ids(await get('orders', { index: 'byAge', key: '31' }))).toEqual([]);
  });

  test('records without the key field, or with null or "", are in no entry of that index (sparse)', async () => {
    // o6 has no placedAt (sort key), so it is not in byCustomer although it has a customer.
    expect(ids(await get('orders', { index: 'byCustomer', key: 'c-1' }))).not.toContain('o6');
    // o6's status is null, o7's "": in no entry of byStatus; o7's customer "" keeps it out of byCustomer.
    const statuses = (await Promise.all(['open', 'closed', 'null'].map((key) => get('orders', { index: 'byStatus', key })))).flatMap(ids);
    expect(statuses.sort()).toEqual(['o1', 'o2', 'o3', 'o4', 'o5']);
    // Without a sort key value (o6 has no total, o7 neither), not in byRegion either.
    expect(ids(await get('orders', { index: 'byRegion', key: 'eu' }))).toEqual(['o1', 'o3', 'o2', 'o5']);
    expect(ids(await get('orders', { index: 'byAge', key: '7' }))).toEqual(['o5']);
  });

  test('a plain list still lists every record, index attributes not shown', async () => {
    const all = body(await get('orders', { limit: '50' }));
    expect(all.map((r) => r.id).sort()).toEqual(ORDERS.map(([id]) => id).sort());
    for (const record of all) expect(Object.keys(record).filter((k) => k.startsWith('ix') || k === 'state')).toEqual([]);
  });

  test('each page answered logs one IndexQueries metric (dimensions Api, View)', async () => {
    await get('orders', { index: 'byCustomer', key: 'c-1', limit: '2' });
    const metricLines = logs.lines.filter((line) => METRICS.indexQueries in line);
    expect(metricLines).toHaveLength(1);
    expect(metricLines[0]).toMatchObject({ [METRICS.indexQueries]: 1, Api: 'events-table', View: 'orders', index: 'byCustomer' });
    type Directive = { Dimensions: string[][]; Metrics: Array<{ Name: string }> };
    const directive = (metricLines[0]._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics[0];
    expect(directive.Dimensions).toEqual([['Api', 'View']]);
    expect(directive.Metrics.map((m) => m.Name)).toEqual([METRICS.indexQueries]);
  });
});

describe('paging', () => {
  beforeEach(async () => {
    for (let i = 0; i < 23; i++) {
      await putRecord(ordersTable, `p${String(i).padStart(2, '0')}`, { customer: 'c-9', placedAt: `2026-03-${String(i + 1).padStart(2, '0')}`, status: 'paged' });
    }
  });
  const expected = Array.from({ length: 23 }, (_, i) => `p${String(i).padStart(2, '0')}`);

  test('limit= pages walk every record once, in order, by ?cursor= and by the ExclusiveStartKey header', async () => {
    const byCursor = await walk('orders', { index: 'byCustomer', key: 'c-9', limit: '5' });
    expect(byCursor.pages.flat()).toEqual(expected);
    expect(byCursor.pages.slice(0, 4).map((p) => p.length)).toEqual([5, 5, 5, 5]);
    const byHeader = await walk('orders', { index: 'byCustomer', key: 'c-9', limit: '5' }, true);
    expect(byHeader).toEqual(byCursor);
  });

  test('pages of the default size (10), descending', async () => {
    const { pages } = await walk('orders', { index: 'byCustomer', key: 'c-9', order: 'desc' });
    expect(pages.flat()).toEqual([...expected].reverse());
    expect(pages[0]).toHaveLength(10);
  });

  test('an index without a sort key pages too (records of equal keys, each once)', async () => {
    const { pages } = await walk('orders', { index: 'byStatus', key: 'paged', limit: '4' });
    expect(pages.flat().sort()).toEqual(expected);
    expect(new Set(pages.flat()).size).toBe(23);
  });

  test('the limit may change between pages', async () => {
    const first = await get('orders', { index: 'byCustomer', key: 'c-9', limit: '3' });
    const cursor = first.headers?.[PAGE_HEADERS.response] as string;
    expect(ids(await get('orders', { index: 'byCustomer', key: 'c-9', limit: '7', cursor }))).toEqual(expected.slice(3, 10));
  });

  test('each page is exactly one DynamoDB Query on the index, with no filter', async () => {
    await get('orders', { index: 'byCustomer', key: 'c-9', limit: '5' }); // warms the registry and readiness caches
    const commands: Array<{ name: string; input: Record<string, unknown> }> = [];
    const client: DynamoDBClient = readerClient();
    client.middlewareStack.add((next, context) => async (args) => {
      commands.push({ name: context.commandName as string, input: args.input as Record<string, unknown> });
      return next(args);
    }, { step: 'initialize', name: 'recordIndexQueries' });
    try {
      const { pages } = await walk('orders', { index: 'byCustomer', key: 'c-9', limit: '5' });
      expect(commands.map((c) => c.name)).toEqual(pages.map(() => 'QueryCommand'));
      for (const { input } of commands) {
        expect(input).toMatchObject({ TableName: ordersTable, IndexName: 'ix_byCustomer', Limit: 5 });
        expect(input.FilterExpression).toBeUndefined();
        expect(input.ConsistentRead).toBeUndefined(); // a GSI has no strongly consistent reads
      }
    } finally {
      client.middlewareStack.remove('recordIndexQueries');
    }
  });
});

describe('400: what one key condition on a declared index cannot answer', () => {
  const cases: Array<[string, string | undefined, Record<string, string>, RegExp]> = [
    ['an unknown index names the view\'s indexes', 'orders', { index: 'byEmail', key: 'x' }, /^View "orders" has no index "byEmail"; its indexes: byAge, byCustomer, byRegion, byStatus$/],
    ['a view without indexes says so', 'plain', { index: 'byStatus', key: 'x' }, /^View "plain" has no indexes$/],
    ['key missing', 'orders', { index: 'byStatus' }, /needs key=<status>/],
    ['key empty', 'orders', { index: 'byStatus', key: '' }, /needs key=<status>.*never indexed/],
    ['key without index', 'orders', { key: 'c-1' }, /^Query parameter key needs index=<name>: the indexes of view "orders" are byAge, byCustomer, byRegion, byStatus$/],
    ['prefix, from, to and order without index', 'orders', { prefix: 'a', from: 'a', to: 'b', order: 'desc' }, /^Query parameters prefix, from, to, order need index=<name>/],
    ['key without index on a view without indexes', 'plain', { key: 'x' }, /view "plain" has no indexes/],
    ['a number key that is not a number', 'orders', { index: 'byAge', key: 'thirty' }, /key must be a number \("age" is a number key\), got "thirty"/],
    ['a number key DynamoDB cannot store', 'orders', { index: 'byAge', key: '1e400' }, /key must be a number/],
    ['a number bound that is not a number', 'orders', { index: 'byRegion', key: 'eu', from: '0x' }, /from must be a number/],
    ['prefix on a number sort key', 'orders', { index: 'byRegion', key: 'eu', prefix: '1' }, /prefix applies to a string sort key; index "byRegion" sorts by the number "total": use from= and to=/],
    ['prefix on an index without a sort key', 'orders', { index: 'byStatus', key: 'open', prefix: 'a' }, /has no sort key, so prefix does not apply/],
    ['prefix with from', 'orders', { index: 'byCustomer', key: 'c-1', prefix: '2026', from: '2026-01' }, /prefix cannot be combined with from or to/],
    ['prefix with to', 'orders', { index: 'byCustomer', key: 'c-1', prefix: '2026', to: '2026-01' }, /prefix cannot be combined with from or to/],
    ['a range without a sort key', 'orders', { index: 'byAge', key: '30', from: '1', to: '2' }, /has no sort key, so from, to do not apply/],
    ['an order without a sort key', 'orders', { index: 'byStatus', key: 'open', order: 'desc' }, /has no sort key, so order does not apply/],
    ['an unknown order', 'orders', { index: 'byCustomer', key: 'c-1', order: 'newest' }, /order must be asc or desc, got "newest"/],
    ['from after to', 'orders', { index: 'byRegion', key: 'eu', from: '10', to: '9' }, /from \(10\) is after to \(9\)/],
    ['an empty prefix', 'orders', { index: 'byCustomer', key: 'c-1', prefix: '' }, /prefix must not be empty/],
    ['a key longer than an index key can be', 'orders', { index: 'byStatus', key: 'é'.repeat(1025) }, /key is 2050 bytes of UTF-8; an index key holds at most 2048/],
    ['a bound longer than a sort key can be', 'orders', { index: 'byCustomer', key: 'c-1', to: 'x'.repeat(1025) }, /to is 1025 bytes of UTF-8; an index key holds at most 1024/],
  ];

  test.each(cases)('%s', async (_what, view, query, message) => {
    expect(errorOf(await get(view, query), 400)).toMatch(message);
  });

  test('minVersion (query or header) on an index query explains why not', async () => {
    for (const result of [
      await get('orders', { index: 'byStatus', key: 'open', minVersion: '1' }),
      await get('orders', { index: 'byStatus', key: 'open' }, { [MIN_VERSION_HEADER]: '2' }),
    ]) {
      expect(errorOf(result, 400)).toBe('minVersion does not apply to an index query: an index is eventually consistent and has no single version; '
        + 'read one record with GET /{view}/{id}?minVersion=N');
    }
  });

  test('no 400 asks DynamoDB anything: the parameters are checked first', async () => {
    for (const [, view, query] of cases) {
      if (view !== 'orders') continue;
      expect(() => parseIndexQuery('orders', SPECS, query)).toThrow();
    }
    expect(parseIndexQuery('orders', SPECS, { limit: '3' })).toBeUndefined();
  });
});

describe('tokens are bound to the view, the index and the query', () => {
  beforeEach(async () => {
    for (let i = 0; i < 6; i++) await putRecord(ordersTable, `t${i}`, { customer: 'c-t', placedAt: `2026-04-0${i + 1}`, status: 'open', region: 'eu', total: 1000 + i });
  });

  async function tokenOf(view: string, query: Record<string, string>): Promise<string> {
    const token = (await get(view, { ...query, limit: '2' })).headers?.[PAGE_HEADERS.response];
    expect(token).toEqual(expect.any(String));
    return token as string;
  }

  test('a token is refused by another key, prefix, range, order, index or view, and by a plain list', async () => {
    const query = { index: 'byCustomer', key: 'c-t', from: '2026-04-01' };
    const token = await tokenOf('orders', query);
    expect(ids(await get('orders', { ...query, cursor: token }))).toEqual(['t2', 't3', 't4', 't5']);

    const others: Array<[string | undefined, Record<string, string>]> = [
      ['orders', { ...query, key: 'c-1' }],
      ['orders', { ...query, from: '2026-04-02' }],
      ['orders', { ...query, to: '2026-12-31' }],
      ['orders', { ...query, order: 'desc' }],
      ['orders', { index: 'byCustomer', key: 'c-t', prefix: '2026' }],
      ['orders', { index: 'byStatus', key: 'open' }],
      ['orders', {}],
      [undefined, {}],
      ['plain', {}],
    ];
    for (const [view, other] of others) {
      expect(errorOf(await get(view, { ...other, cursor: token }), 400)).toMatch(/pagination token/);
      expect(errorOf(await get(view, other, { [PAGE_HEADERS.request]: token }), 400)).toMatch(/pagination token/);
    }
  });

  test('a list token is refused by an index query', async () => {
    const listToken = (await get('orders', { limit: '2' })).headers?.[PAGE_HEADERS.response] as string;
    expect(listToken).toEqual(expect.any(String));
    expect(errorOf(await get('orders', { index: 'byCustomer', key: 'c-t', cursor: listToken }), 400)).toMatch(/pagination token/);
  });

  test('forged tokens answer 400, never a DynamoDB error', async () => {
    const query = { index: 'byRegion', key: 'eu', from: '1000', to: '1004' };
    const real = JSON.parse(Buffer.from(await tokenOf('orders', query), 'base64url').toString('utf8')) as Record<string, unknown>;
    const k = real.k as Record<string, unknown>;
    expect(k).toEqual({ id: 't1', pk: 'eu', sk: 1001 });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const forged = [
      b64({ ...real, k: { ...k, pk: 'us' } }), // another partition
      b64({ ...real, k: { ...k, sk: 2000 } }), // outside the range
      b64({ ...real, k: { ...k, sk: '1001' } }), // a string for a number key
      b64({ ...real, k: { ...k, sk: undefined } }), // no sort key
      b64({ ...real, k: { ...k, id: '' } }),
      b64({ ...real, k: 't1' }), // a list token's shape
      b64({ ...real, q: 'x' }),
      b64({ ...real, i: 'byCustomer' }),
      b64([real]),
      'not a token!',
      'A'.repeat(9000),
    ];
    for (const token of forged) expect(errorOf(await get('orders', { ...query, cursor: token }), 400)).toMatch(/pagination token/);
  });

  test('a token outside a prefix is refused', async () => {
    const query = { index: 'byCustomer', key: 'c-t', prefix: '2026-04' };
    const real = JSON.parse(Buffer.from(await tokenOf('orders', query), 'base64url').toString('utf8')) as { k: Record<string, unknown> };
    const forged = Buffer.from(JSON.stringify({ ...real, k: { ...real.k, sk: '2026-05-01' } }), 'utf8').toString('base64url');
    expect(errorOf(await get('orders', { ...query, cursor: forged }), 400)).toMatch(/pagination token/);
  });
});

describe('503 until the index is ready (the table\'s $indexes item)', () => {
  async function setState(table: string, entries: Record<string, { def: string; gsi: string; stamped: boolean }> | undefined): Promise<void> {
    if (entries === undefined) {
      await documentClient().send(new DeleteCommand({ TableName: table, Key: { [KEYS.streamId]: INDEX_STATE_KEY } }));
      return;
    }
    await documentClient().send(new PutCommand({
      TableName: table,
      Item: { [KEYS.streamId]: INDEX_STATE_KEY, fingerprint: 'f', indexes: entries, unindexable: 0, updatedAt: new Date().toISOString() },
    }));
  }
  const ready = { def: indexDefinition(byStatus), gsi: 'ACTIVE', stamped: true };

  test.each([
    ['no $indexes item', undefined],
    ['the index not in it', {}],
    ['its GSI still CREATING', { byStatus: { ...ready, gsi: 'CREATING' } }],
    ['its GSI ABSENT', { byStatus: { ...ready, gsi: 'ABSENT' } }],
    ['its records not stamped yet', { byStatus: { ...ready, stamped: false } }],
    ['an older definition of the index', { byStatus: { ...ready, def: indexDefinition({ ...byStatus, partitionKey: { field: 'state', type: 'S' } }) } }],
  ])('%s: 503, Retry-After 30, naming the index and the status command', async (_what, entries) => {
    await setState(ordersTable, entries);
    const result = await get('orders', { index: 'byStatus', key: 'open' });
    expect(errorOf(result, 503)).toBe('Index "byStatus" of view "orders" is being built; retry later (the operator\'s `status` shows its progress)');
    expect(result.headers?.['Retry-After']).toBe('30');
  });

  test('an index ready once is remembered; a not-ready one is read again after 5 s', async () => {
    await setState(ordersTable, { byStatus: { ...ready, gsi: 'CREATING' } });
    expect((await get('orders', { index: 'byStatus', key: 'open' })).statusCode).toBe(503);
    await markIndexesReady(ordersTable, SPECS);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now');
    try {
      clock.mockReturnValue(now + 4000);
      expect((await get('orders', { index: 'byStatus', key: 'open' })).statusCode).toBe(503);
      clock.mockReturnValue(now + 5100);
      expect(ids(await get('orders', { index: 'byStatus', key: 'open' })).sort()).toEqual(['o1', 'o3', 'o4', 'o5']);
    } finally {
      clock.mockRestore();
    }
  });

  test('IndexReadiness reads the state once per table and definition while ready', async () => {
    let reads = 0;
    const readiness = new IndexReadiness(async (client, table) => {
      reads += 1;
      return readIndexState(client, table);
    }, 60_000);
    for (let i = 0; i < 5; i++) expect(await readiness.ready(dynamoClient(), ordersTable, byStatus)).toBe(true);
    expect(reads).toBe(1);
    // Another definition of the same name is another question.
    expect(await readiness.ready(dynamoClient(), ordersTable, { ...byStatus, partitionKey: { field: 'state', type: 'S' } })).toBe(false);
    expect(await readiness.ready(dynamoClient(), ordersTable, { ...byStatus, partitionKey: { field: 'state', type: 'S' } })).toBe(false);
    expect(reads).toBe(2);
  });

  test('while a version rebuild runs, reads go to the previous table, and its lack of the index answers 503 for the new version', async () => {
    const previous = await createViewTable();
    await putRecord(previous, 'old', { status: 'open' }, []);
    await useIndexedViewRegistry([{ view: 'orders', table: ordersTable, previousTable: previous, indexes: SPECS }]);
    const result = await get('orders', { index: 'byStatus', key: 'open' });
    expect(errorOf(result, 503)).toMatch(/^Index "byStatus" of view "orders" is being built for version 2 of the view/);

    // Once the new table has caught up, it answers.
    await documentClient().send(new PutCommand({ TableName: ordersTable, Item: { [KEYS.streamId]: MAINTENANCE_KEY, ready: true, phase: 'done' } }));
    forgetReadiness();
    expect(ids(await get('orders', { index: 'byStatus', key: 'open' })).sort()).toEqual(['o1', 'o3', 'o4', 'o5']);
  });

  test('AWS\'s "Cannot read from backfilling global secondary index" also answers 503', async () => {
    const query = parseIndexQuery('orders', SPECS, { index: 'byStatus', key: 'open' })!;
    const backfilling = Object.assign(new Error('Cannot read from backfilling global secondary index: ix_byStatus'), { name: 'ValidationException' });
    const client = { send: async () => { throw backfilling; } } as unknown as DynamoDBClient;
    await expect(queryIndexPage(client, ordersTable, query, 10, undefined, 'id')).rejects.toMatchObject({
      statusCode: 503, headers: { 'Retry-After': '30' }, message: expect.stringMatching(/^Index "byStatus" of view "orders" is being built/),
    });
    // Another ValidationException is not disguised as a 503.
    const other = Object.assign(new Error('The table does not have the specified index'), { name: 'ValidationException' });
    const failing = { send: async () => { throw other; } } as unknown as DynamoDBClient;
    await expect(queryIndexPage(failing, ordersTable, query, 10, undefined, 'id')).rejects.toBe(other);
  });
});

test('indexQueryCommand: the key condition of each query shape, never a filter', () => {
  const command = (params: Record<string, string>) => indexQueryCommand('t', parseIndexQuery('orders', SPECS, params)!, 7).input;
  expect(command({ index: 'byStatus', key: 'open' })).toEqual({
    TableName: 't',
    IndexName: 'ix_byStatus',
    KeyConditionExpression: '#pk = :key',
    ExpressionAttributeNames: { '#pk': 'ix_byStatus_pk' },
    ExpressionAttributeValues: { ':key': { S: 'open' } },
    ScanIndexForward: true,
    Limit: 7,
    ExclusiveStartKey: undefined,
  });
  expect(command({ index: 'byCustomer', key: 'c', prefix: 'p', order: 'desc' })).toMatchObject({
    KeyConditionExpression: '#pk = :key AND begins_with(#sk, :prefix)',
    ScanIndexForward: false,
    ExpressionAttributeNames: { '#pk': 'ix_byCustomer_pk', '#sk': 'ix_byCustomer_sk' },
  });
  expect(command({ index: 'byRegion', key: 'eu', from: '1', to: '2' })).toMatchObject({
    KeyConditionExpression: '#pk = :key AND #sk BETWEEN :from AND :to', ExpressionAttributeValues: { ':key': { S: 'eu' }, ':from': { N: '1' }, ':to': { N: '2' } },
  });
  expect(command({ index: 'byRegion', key: 'eu', from: '1' }).KeyConditionExpression).toBe('#pk = :key AND #sk >= :from');
  expect(command({ index: 'byRegion', key: 'eu', to: '1' }).KeyConditionExpression).toBe('#pk = :key AND #sk <= :to');
  expect(command({ index: 'byAge', key: '4.50' }).ExpressionAttributeValues).toEqual({ ':key': { N: '4.5' } });
  for (const params of [{ index: 'byStatus', key: 'x' }, { index: 'byCustomer', key: 'x', prefix: 'y' }] as Array<Record<string, string>>) expect(command(params)).not.toHaveProperty('FilterExpression');
});

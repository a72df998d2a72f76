/**
 * The reader Lambda (GET /, /{view}, /{view}/{id}) against real DynamoDB Local view tables.
 * Path parameters are set as API Gateway sets them for those three resources.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { register, unregister } from '../../../lambda-src/core/view-registry';
import { handler, MAX_MIN_VERSION_WAIT_MS } from '../../../lambda-src/reader/index';
import { forgetReadiness } from '../../../lambda-src/reader/rebuilds';
import { ENV, KEYS, MAINTENANCE_KEY, MIN_VERSION_HEADER, PAGE_HEADERS } from '../../../src/contract';
import { apiEvent, captureLogs, createViewTable, documentClient, dynamoClient, putViewItem, useViewRegistry, type CapturedLogs } from '../../support/local-dynamo';

let logs: CapturedLogs;
let defaultTable: string;
let summaryTable: string;

beforeEach(async () => {
  logs = captureLogs();
  [defaultTable, summaryTable] = await Promise.all([createViewTable(), createViewTable()]);
  await useViewRegistry({ default: defaultTable, summary: summaryTable });
  process.env[ENV.defaultView] = 'default';
  for (const name of [ENV.streamIdField, ENV.defaultPageSize, ENV.maxPageSize, ENV.corsOrigin]) delete process.env[name];
  forgetReadiness();
});

afterEach(() => logs.restore());

interface Request {
  readonly view?: string;
  readonly id?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** The Lambda's time left, as context.getRemainingTimeInMillis() reports it. */
  readonly remainingMs?: number;
}

/** GET as API Gateway routes it: resource '/', '/{view}' or '/{view}/{id}'. */
async function get(request: Request = {}): Promise<APIGatewayProxyResult> {
  const resource = request.view === undefined ? '/' : request.id === undefined ? '/{view}' : '/{view}/{id}';
  const pathParameters = request.view === undefined ? undefined : { view: request.view, ...(request.id === undefined ? {} : { id: request.id }) };
  const context = request.remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => request.remainingMs } as unknown as Context;
  const result = await handler(apiEvent({ method: 'GET', resource, pathParameters, queryStringParameters: request.query, headers: request.headers }), context);
  expect(result.headers?.['Content-Type']).toBe('application/json');
  return result;
}

function json<T = unknown>(result: APIGatewayProxyResult): T {
  return JSON.parse(result.body) as T;
}

function expectErrorBody(result: APIGatewayProxyResult, status: number): string {
  expect(result.statusCode).toBe(status);
  const body = json<Record<string, unknown>>(result);
  expect(Object.keys(body)).toEqual(['message']);
  expect(typeof body.message).toBe('string');
  return body.message as string;
}

const ids = (n: number, prefix = 'rec') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

async function putRecords(table: string, streamIds: string[]): Promise<void> {
  await Promise.all(streamIds.map((id, i) => putViewItem(table, id, i + 1, { name: `name of ${id}`, n: i })));
}

type Page = Array<Record<string, unknown>>;

/** Follows the pagination contract to the end; returns every page and the tokens it got. */
async function allPages(send: (token: string | undefined) => Promise<APIGatewayProxyResult>): Promise<{ pages: Page[]; tokens: string[] }> {
  const pages: Page[] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  for (;;) {
    expect(pages.length).toBeLessThan(50);
    const result = await send(token);
    expect(result.statusCode).toBe(200);
    pages.push(json<Page>(result));
    token = result.headers?.[PAGE_HEADERS.response] as string | undefined;
    if (token === undefined) return { pages, tokens };
    tokens.push(token);
  }
}

describe('listing with pagination', () => {
  beforeEach(async () => {
    await putRecords(defaultTable, ids(25));
  });

  test('the ExclusiveStartKey header walks 25 records in pages of 10, 10 and 5', async () => {
    const { pages, tokens } = await allPages((token) => get({ headers: token === undefined ? {} : { [PAGE_HEADERS.request]: token } }));

    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(tokens).toHaveLength(2);
    const seen = pages.flat().map((r) => r.id);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort()).toEqual(ids(25));
  });

  test('the header name is matched case-insensitively', async () => {
    const first = await get();
    const token = first.headers?.[PAGE_HEADERS.response] as string;
    const second = await get({ headers: { exclusivestartkey: token } });
    expect(second.statusCode).toBe(200);
    const firstIds = json<Page>(first).map((r) => r.id);
    const secondIds = json<Page>(second).map((r) => r.id);
    expect(secondIds).toHaveLength(10);
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  test('the cursor query parameter walks the same pages', async () => {
    const byHeader = await allPages((token) => get({ headers: token === undefined ? {} : { [PAGE_HEADERS.request]: token } }));
    const byCursor = await allPages((token) => get({ query: token === undefined ? {} : { cursor: token } }));

    expect(byCursor.pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(byCursor.pages).toEqual(byHeader.pages);
    expect(byCursor.tokens).toEqual(byHeader.tokens);
  });

  test('GET /{view} lists a named view, with tokens bound to that view', async () => {
    await putRecords(summaryTable, ids(12, 'sum'));
    const { pages } = await allPages((token) => get({ view: 'summary', query: token === undefined ? {} : { cursor: token } }));
    expect(pages.map((p) => p.length)).toEqual([10, 2]);
    expect(pages.flat().map((r) => r.id).sort()).toEqual(ids(12, 'sum'));

    // GET /default names the default view explicitly.
    const explicit = await allPages((token) => get({ view: 'default', query: token === undefined ? {} : { cursor: token } }));
    expect(explicit.pages.map((p) => p.length)).toEqual([10, 10, 5]);
  });

  test('an empty view lists [] without a token', async () => {
    const result = await get({ view: 'summary' });
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual([]);
    expect(result.headers?.[PAGE_HEADERS.response]).toBeUndefined();
  });

  test.each([['1', 1], ['7', 7], ['25', 25], ['100', 100]])('limit=%s gives full pages of up to %i', async (limit, size) => {
    const { pages } = await allPages((token) => get({ query: { limit, ...(token === undefined ? {} : { cursor: token }) } }));
    const expected = Array.from({ length: Math.ceil(25 / size) }, (_, i) => Math.min(size, 25 - i * size));
    // As with DynamoDB's own LastEvaluatedKey, a page that ends exactly at the end of the view
    // may still carry a token; the page it leads to is then empty and has none.
    const sizes = pages.map((p) => p.length);
    expect(sizes[sizes.length - 1] === 0 && 25 % size === 0 ? sizes.slice(0, -1) : sizes).toEqual(expected);
    expect(pages.flat().map((r) => r.id).sort()).toEqual(ids(25));
  });

  test('DEFAULT_PAGE_SIZE and MAX_PAGE_SIZE are honoured', async () => {
    process.env[ENV.defaultPageSize] = '4';
    process.env[ENV.maxPageSize] = '6';
    expect(json<Page>(await get())).toHaveLength(4);
    expect(json<Page>(await get({ query: { limit: '6' } }))).toHaveLength(6);
    expectErrorBody(await get({ query: { limit: '7' } }), 400);
  });

  test('bad tokens answer 400 JSON', async () => {
    await putRecords(summaryTable, ids(12, 'sum'));
    const summaryToken = (await get({ view: 'summary' })).headers?.[PAGE_HEADERS.response] as string;
    expect(summaryToken).toEqual(expect.any(String));

    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const badTokens = [
      'garbage',
      'not base64!',
      b64('{"x":1}'),
      b64('["default","rec-01"]'),
      b64('null'),
      b64('"rec-01"'),
      b64('{"v":"default"}'),
      b64('{"v":"default","k":""}'),
      b64('{"v":"default","k":7}'),
      b64('{"v":"default","k":{"streamId":"rec-01"}}'),
      'A'.repeat(3000),
      summaryToken, // a token of another view
    ];
    for (const token of badTokens) {
      for (const request of [{ headers: { [PAGE_HEADERS.request]: token } }, { query: { cursor: token } }]) {
        const message = expectErrorBody(await get(request), 400);
        expect(message).toMatch(/pagination token/i);
      }
    }
  });

  test('a token from another view is only accepted by that view', async () => {
    await putRecords(summaryTable, ids(12, 'sum'));
    const defaultToken = (await get()).headers?.[PAGE_HEADERS.response] as string;
    expectErrorBody(await get({ view: 'summary', query: { cursor: defaultToken } }), 400);
    expect((await get({ view: 'default', query: { cursor: defaultToken } })).statusCode).toBe(200);
  });

  test('CORS_ALLOW_ORIGIN exposes the LastEvaluatedKey header', async () => {
    process.env[ENV.corsOrigin] = '*';
    const result = await get();
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(result.headers?.['Access-Control-Expose-Headers']?.toString().split(',')).toContain(PAGE_HEADERS.response);
  });
});

describe('invalid limits', () => {
  test.each([['0'], ['101'], ['abc'], ['-1'], ['1.5'], [''], ['1e1'], [' 5']])('limit=%j answers 400 JSON', async (limit) => {
    await putViewItem(defaultTable, 'a', 1, { ok: true });
    for (const view of [undefined, 'summary']) {
      const message = expectErrorBody(await get({ view, query: { limit } }), 400);
      expect(message).toContain('limit');
    }
  });
});

describe('reading one record', () => {
  beforeEach(async () => {
    await putViewItem(defaultTable, 'order-1', 7, { customer: 'c-1', total: 42, lines: ['a', 'b'], nested: { deep: true } });
    await putViewItem(summaryTable, 'order-1', 3, { count: 2 });
    await putViewItem(defaultTable, 'deleted-1', 9); // a record without state
  });

  test('GET /{id} reads the default view; the body is the state plus id and version', async () => {
    const result = await get({ view: 'order-1' });
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ customer: 'c-1', total: 42, lines: ['a', 'b'], nested: { deep: true }, id: 'order-1', version: 7 });
  });

  test('at DEBUG each request logs its path, status and duration; at INFO nothing', async () => {
    await get({ view: 'summary', id: 'order-1' });
    expect(logs.lines).toEqual([]);
    process.env[ENV.logLevel] = 'DEBUG';
    try {
      await get({ view: 'summary', id: 'missing' });
    } finally {
      delete process.env[ENV.logLevel];
    }
    expect(logs.lines).toEqual([{ level: 'debug', message: 'read answered', path: expect.any(String), status: 404, durationMs: expect.any(Number) }]);
  });

  test('GET /{view}/{id} reads the named view', async () => {
    const summary = await get({ view: 'summary', id: 'order-1' });
    expect(summary.statusCode).toBe(200);
    expect(json(summary)).toEqual({ count: 2, id: 'order-1', version: 3 });

    const explicitDefault = await get({ view: 'default', id: 'order-1' });
    expect(json(explicitDefault)).toEqual(json(await get({ view: 'order-1' })));
  });

  test('path segments are percent-decoded: REST API path parameters arrive still encoded', async () => {
    await putViewItem(defaultTable, 'with space/and ü%', 1, { ok: true });
    const encoded = encodeURIComponent('with space/and ü%');
    const result = await get({ view: 'default', id: encoded });
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ ok: true, id: 'with space/and ü%', version: 1 });
    expect(json(await get({ view: encoded }))).toEqual(json(result));
  });

  test('a malformed percent-encoding answers 400 JSON', async () => {
    expect(expectErrorBody(await get({ view: 'default', id: 'bad%E0%A4%A' }), 400)).toMatch(/not valid percent-encoding/);
    expect(expectErrorBody(await get({ view: '%ZZ' }), 400)).toMatch(/not valid percent-encoding/);
  });

  test('a custom STREAM_ID_FIELD names the id field', async () => {
    process.env[ENV.streamIdField] = 'orderId';
    expect(json(await get({ view: 'order-1' }))).toEqual({ customer: 'c-1', total: 42, lines: ['a', 'b'], nested: { deep: true }, orderId: 'order-1', version: 7 });
    const [first] = json<Page>(await get({ view: 'summary' }));
    expect(first).toEqual({ count: 2, orderId: 'order-1', version: 3 });
  });

  test('an unknown view answers 404 JSON', async () => {
    const message = expectErrorBody(await get({ view: 'nope', id: 'x' }), 404);
    expect(message).toContain('nope');
  });

  test('an unknown id answers 404 JSON', async () => {
    const message = expectErrorBody(await get({ view: 'missing-id' }), 404);
    expect(message).toContain('missing-id');
    expectErrorBody(await get({ view: 'summary', id: 'missing-id' }), 404);
  });

  test('a record without state answers 404 and is left out of lists', async () => {
    expectErrorBody(await get({ view: 'deleted-1' }), 404);
    expectErrorBody(await get({ view: 'default', id: 'deleted-1' }), 404);
    const list = json<Page>(await get());
    expect(list).toEqual([{ customer: 'c-1', total: 42, lines: ['a', 'b'], nested: { deep: true }, id: 'order-1', version: 7 }]);
  });

  test('a view table that does not exist answers 500 without details', async () => {
    await useViewRegistry({ default: 'no-such-table' });
    const result = await get({ view: 'x' });
    expect(result.statusCode).toBe(500);
    expect(json(result)).toEqual({ message: 'Internal server error' });
  });
});

describe('lists skip records without state', () => {
  test('every record with state is listed exactly once, none without', async () => {
    const withState = ids(25, 'live');
    const withoutState = ids(18, 'gone');
    await putRecords(defaultTable, withState);
    await Promise.all(withoutState.map((id) => putViewItem(defaultTable, id, 4)));

    const { pages } = await allPages((token) => get({ query: token === undefined ? {} : { cursor: token } }));
    // Pages may come out short (a page reads a bounded number of scan pages), never long.
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(10);
    const seen = pages.flat().map((r) => r.id as string);
    expect(seen.sort()).toEqual(withState);
  });

  test('a view whose records all lack state lists []', async () => {
    await Promise.all(ids(30, 'gone').map((id) => putViewItem(defaultTable, id, 1)));
    const { pages } = await allPages((token) => get({ query: token === undefined ? {} : { cursor: token } }));
    expect(pages.flat()).toEqual([]);
  });
});

describe('read-your-writes: ?minVersion and X-Min-Version', () => {
  test('a record already at the version answers 200 at once', async () => {
    await putViewItem(defaultTable, 'order-1', 3, { total: 3 });
    for (const minVersion of ['1', '3']) {
      const result = await get({ view: 'default', id: 'order-1', query: { minVersion } });
      expect(result.statusCode).toBe(200);
      expect(json(result)).toEqual({ total: 3, id: 'order-1', version: 3 });
    }
  });

  test('the read waits for the version to arrive, then answers it (no client polling)', async () => {
    await putViewItem(defaultTable, 'order-1', 2, { total: 2 });
    const later = new Promise((resolve) => setTimeout(resolve, 400)).then(() => putViewItem(defaultTable, 'order-1', 3, { total: 3 }));
    const started = Date.now();
    const result = await get({ view: 'order-1', query: { minVersion: '3' } });
    await later;
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ total: 3, id: 'order-1', version: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  test('the X-Min-Version header does the same (any case), and waits for a record not yet there', async () => {
    setTimeout(() => void putViewItem(summaryTable, 'new-1', 1, { count: 1 }), 200);
    const result = await get({ view: 'summary', id: 'new-1', headers: { [MIN_VERSION_HEADER.toLowerCase()]: '1' } });
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ count: 1, id: 'new-1', version: 1 });
  });

  test('when the version does not arrive in time: 412 JSON with the version the record has, never an older 200', async () => {
    await putViewItem(defaultTable, 'order-1', 2, { total: 2 });
    const started = Date.now();
    // 2.5 s left in the Lambda: the wait ends a second before the Lambda would time out.
    const result = await get({ view: 'default', id: 'order-1', query: { minVersion: '5' }, remainingMs: 2500 });
    const waited = Date.now() - started;
    expect(result.statusCode).toBe(412);
    expect(result.headers?.['Retry-After']).toBe('1');
    const body = json<Record<string, unknown>>(result);
    expect(body.version).toBe(2);
    expect(body.message).toMatch(/version 2, not yet at 5/);
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(2500);
  });

  test('a record that never appears answers 412 with version 0, saying it has no record yet', async () => {
    const result = await get({ view: 'default', id: 'never', query: { minVersion: '1' }, remainingMs: 1500 });
    expect(result.statusCode).toBe(412);
    expect(json(result)).toEqual({ version: 0, message: 'View "default" has no record "never" yet (no event of the stream applied), not yet at 1; retry shortly' });
  });

  test('a deleted record (GET answers 404) answers 412 saying it was deleted, not that it has the record', async () => {
    await putViewItem(defaultTable, 'gone-1', 3); // the projection returned no record at version 3
    expect((await get({ view: 'default', id: 'gone-1' })).statusCode).toBe(404);
    const result = await get({ view: 'default', id: 'gone-1', query: { minVersion: '4' }, remainingMs: 1500 });
    expect(result.statusCode).toBe(412);
    expect(json(result)).toEqual({
      version: 3,
      message: 'View "default" has no record "gone-1": the projection deleted it (or never made one) at version 3, not yet at 4; retry shortly',
    });
  });

  test('the wait ends at the documented limit (at most 10 s) even with a minute left in the Lambda', async () => {
    expect(MAX_MIN_VERSION_WAIT_MS).toBeLessThanOrEqual(10_000);
    await putViewItem(defaultTable, 'order-1', 1, { total: 1 });
    const started = Date.now();
    const result = await get({ view: 'default', id: 'order-1', query: { minVersion: '2' }, remainingMs: 60_000 });
    const waited = Date.now() - started;
    expect(result.statusCode).toBe(412);
    expect(waited).toBeGreaterThanOrEqual(MAX_MIN_VERSION_WAIT_MS - 600);
    expect(waited).toBeLessThan(MAX_MIN_VERSION_WAIT_MS + 1500);
  }, 20_000);

  test('a minVersion that is not a whole number from 1 answers 400 JSON', async () => {
    await putViewItem(defaultTable, 'order-1', 2, { total: 2 });
    for (const bad of ['0', '-1', 'abc', '1.5', '1e3', ' 2', '', '99999999999999999']) {
      const message = expectErrorBody(await get({ view: 'default', id: 'order-1', query: { minVersion: bad } }), 400);
      expect(message).toContain('minVersion');
    }
    expectErrorBody(await get({ view: 'default', id: 'order-1', headers: { [MIN_VERSION_HEADER]: 'x' } }), 400);
  });

  test('minVersion on a list answers 400 JSON', async () => {
    expect(expectErrorBody(await get({ view: 'default', query: { minVersion: '1' } }), 400)).toMatch(/one record/);
    expectErrorBody(await get({ query: { minVersion: '1' } }), 400);
  });
});

describe('reads while a view is rebuilt (a new version\'s table beside the previous one)', () => {
  let previousTable: string;

  beforeEach(async () => {
    previousTable = await createViewTable();
    await useViewRegistry({ default: { table: defaultTable, previousTable }, summary: summaryTable });
    await putRecords(previousTable, ids(12, 'old'));
  });

  async function markReady(table: string): Promise<void> {
    await documentClient().send(new PutCommand({ TableName: table, Item: { [KEYS.streamId]: MAINTENANCE_KEY, ready: true, phase: 'done' } }));
    forgetReadiness(); // the reader re-checks a table that was not ready every few seconds
  }

  test('a record the new table has not rebuilt yet answers from the previous table, never 404', async () => {
    const result = await get({ view: 'default', id: 'old-03' });
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ name: 'name of old-03', n: 3, id: 'old-03', version: 4 });
  });

  test('the higher version of the two tables answers; at equal versions the new code\'s record', async () => {
    await putViewItem(defaultTable, 'old-03', 4, { rebuilt: true });
    expect(json(await get({ view: 'old-03' }))).toEqual({ rebuilt: true, id: 'old-03', version: 4 });
    // A newer event reached the previous table first: the record does not go back a version.
    await putViewItem(previousTable, 'old-03', 5, { newer: true });
    expect(json(await get({ view: 'old-03' }))).toEqual({ newer: true, id: 'old-03', version: 5 });
    // minVersion looks at both tables too.
    expect(json(await get({ view: 'old-03', query: { minVersion: '5' } }))).toMatchObject({ version: 5 });
  });

  test('lists come from the previous table until the new one is ready, then from the new one', async () => {
    await putRecords(defaultTable, ids(3, 'new'));
    const before = json<Page>(await get({ query: { limit: '50' } })).map((r) => r.id);
    expect(before).toEqual(expect.arrayContaining(ids(12, 'old')));
    expect(before).toHaveLength(12);

    await markReady(defaultTable);
    const after = json<Page>(await get({ query: { limit: '50' } })).map((r) => r.id);
    expect(after.sort()).toEqual(ids(3, 'new')); // the maintenance item is not a record
  });

  test('once ready, one record reads the new table only', async () => {
    await markReady(defaultTable);
    expectErrorBody(await get({ view: 'old-03' }), 404);
    expectErrorBody(await get({ view: 'default', id: MAINTENANCE_KEY }), 404);
  });

  test('a view that is not being rebuilt never reads another table', async () => {
    await putViewItem(summaryTable, 'only-here', 1, { ok: true });
    expect(json(await get({ view: 'summary', id: 'only-here' }))).toEqual({ ok: true, id: 'only-here', version: 1 });
    expectErrorBody(await get({ view: 'summary', id: 'old-03' }), 404);
  });
});

describe('views come from the view registry', () => {
  test('a view registered after the reader read the registry is served when asked for by name', async () => {
    expect((await get()).statusCode).toBe(200); // the registry is read
    const fresh = await createViewTable();
    await putRecords(fresh, ['x']);
    await register(dynamoClient(), process.env[ENV.viewRegistry]!, {
      view: 'fresh', table: fresh, queueUrl: 'https://sqs.local/fresh', fifo: true, version: 1, registeredAt: new Date().toISOString(),
    });
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 6_000); // past the 5 s between reads for unknown names
    try {
      const result = await get({ view: 'fresh' });
      expect(result.statusCode).toBe(200);
      expect(json<Page>(result).map((r) => r.id)).toEqual(['x']);
    } finally {
      clock.mockRestore();
    }
  });

  test('a view table that is gone (a deploy replaced it) makes the reader read the registry again and answer from the new table', async () => {
    await putRecords(summaryTable, ['old']);
    expect(json<Page>(await get({ view: 'summary' })).map((r) => r.id)).toEqual(['old']);
    // The deploy registers a new table and deletes the old one; the cached registry still names it.
    const replacement = await createViewTable();
    await putRecords(replacement, ['new']);
    await register(dynamoClient(), process.env[ENV.viewRegistry]!, {
      view: 'summary', table: replacement, queueUrl: 'https://sqs.local/summary', fifo: true, version: 2, registeredAt: new Date().toISOString(),
    });
    await unregister(dynamoClient(), process.env[ENV.viewRegistry]!, 'summary', summaryTable);
    await dynamoClient().send(new DeleteTableCommand({ TableName: summaryTable }));
    const result = await get({ view: 'summary' });
    expect(result.statusCode).toBe(200);
    expect(json<Page>(result).map((r) => r.id)).toEqual(['new']);
  });

  test('a view the registry does not have answers 404 naming it', async () => {
    expect((await get({ view: 'nope', id: 'x' })).statusCode).toBe(404);
    expect(expectErrorBody(await get({ view: 'nope', id: 'x' }), 404)).toBe('Unknown view "nope"');
  });
});

/**
 * Generated requests through the reader, on DynamoDB Local view tables whose records hold odd
 * but storable data (keys named after Object.prototype members, unicode, edge numbers):
 * - the answer is never a 5xx, and every 4xx is JSON `{ message }`;
 * - a record reads back exactly as stored: the projection's object plus its id and version;
 * - a page is an array of records, and its LastEvaluatedKey token is accepted for the next page.
 *
 * fast-check prints the seed of a failing run; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { toAttributeValue } from '../../../lambda-src/core/attribute-value';
import { isWellFormed } from '../../../lambda-src/core/user-data';
import { handler } from '../../../lambda-src/reader/index';
import { ENV, PAGE_HEADERS } from '../../../src/contract';
import { dataKey, hasProtoKey, PROTOTYPE_KEYS, runs, storableValue, text } from '../../support/arbitraries';
import { apiEvent, captureLogs, createViewTable, dynamoClient, useViewRegistry, type CapturedLogs } from '../../support/local-dynamo';

const REQUESTS = 500;
const RECORDS = 40;

let logs: CapturedLogs;
/** What each view table holds: stream id -> the record the API should answer. */
const expected: Record<string, Map<string, Record<string, unknown>>> = { default: new Map(), summary: new Map() };
const tokens: string[] = [];

const recordState = fc.dictionary(dataKey.filter((k) => k !== 'id' && k !== 'version'), storableValue, { maxKeys: 5, noNullPrototype: true })
  .filter((state) => !hasProtoKey(state));
const streamId = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS.filter((k) => k !== '__proto__'), 'a b', 'ü/é', '%41', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }));

beforeAll(async () => {
  const tables = { default: await createViewTable(), summary: await createViewTable() };
  await useViewRegistry(tables);
  process.env[ENV.defaultView] = 'default';
  for (const name of [ENV.streamIdField, ENV.defaultPageSize, ENV.maxPageSize, ENV.corsOrigin]) delete process.env[name];
  const records = fc.sample(fc.tuple(fc.constantFrom('default', 'summary'), streamId, recordState, fc.boolean()), { numRuns: RECORDS, seed: 7 });
  for (const [view, id, state, withState] of records) {
    const version = (expected[view].get(id)?.version as number ?? 0) + 1;
    await dynamoClient().send(new PutItemCommand({
      TableName: tables[view as 'default' | 'summary'],
      Item: {
        streamId: { S: id },
        version: { N: String(version) },
        // A record without state (deleted, or only skipped events) is not served.
        ...(withState ? { state: toAttributeValue(state) } : {}),
      },
    }));
    if (withState) expected[view].set(id, { ...JSON.parse(JSON.stringify(state)), id, version });
    else expected[view].delete(id);
  }
});
beforeEach(() => { logs = captureLogs(); });
afterEach(() => logs.restore());

// Lazy: the records exist only once beforeAll has run.
const existingId = fc.constant(null).chain(() => fc.constantFrom(...['default', 'summary'].flatMap((v) => [...expected[v].keys()]), 'missing'));
const encodedSegment = (arb: fc.Arbitrary<string>) => arb.map(encodeURIComponent);
const segment = fc.oneof(
  { weight: 4, arbitrary: encodedSegment(fc.oneof(existingId, streamId, text.filter(isWellFormed))) },
  { weight: 3, arbitrary: fc.constantFrom('default', 'summary', 'unknown', 'constructor', '__proto__', 'hasOwnProperty', 'events') },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%00', '..', '%2F') },
);
const limit = fc.oneof(fc.integer({ min: -2, max: 120 }).map(String), fc.constantFrom('', ' 5', '1e1', '01', '10.0', 'NaN', '0x10', '99999999999999999999'));
const token = fc.oneof(
  // Tokens earlier answers handed out (the pool grows as the run goes).
  { weight: 3, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...(tokens.length ? tokens : ['x']))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('default', 'summary', 'other'), fc.string()).map(([v, k]) => Buffer.from(JSON.stringify({ v, k })).toString('base64url')) },
);
const anyRequest = fc.record({
  view: fc.option(segment, { freq: 4 }),
  id: fc.option(segment, { freq: 2 }),
  limit: fc.option(limit, { freq: 2 }),
  cursor: fc.option(token, { freq: 4 }),
  header: fc.option(fc.tuple(fc.constantFrom('ExclusiveStartKey', 'exclusivestartkey', 'EXCLUSIVESTARTKEY'), token), { freq: 3 }),
});
/** GET /{view}/{id} of a stored record, or GET /{id} of one in the default view. */
const recordRequest = fc.tuple(fc.constantFrom('default', 'summary'), fc.boolean()).chain(([view, short]) =>
  fc.constantFrom(...expected[view].keys()).map((id) => ({
    view: short && view === 'default' ? encodeURIComponent(id) : view,
    id: short && view === 'default' ? null : encodeURIComponent(id),
    limit: null,
    cursor: null,
    header: null,
  })));
const request = fc.oneof({ weight: 3, arbitrary: anyRequest }, { weight: 1, arbitrary: fc.constant(null).chain(() => recordRequest) });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string'
    && Number.isInteger((value as { version?: unknown }).version);
}

test(`property: ${REQUESTS} generated GETs never answer 5xx; records and pages read back exactly as stored`, async () => {
  const statuses = new Map<number, number>();
  let recordsRead = 0;
  let pagesRead = 0;
  const started = Date.now();
  await fc.assert(fc.asyncProperty(request, async (r) => {
    const view = r.view ?? undefined;
    const id = view === undefined ? undefined : r.id ?? undefined;
    const resource = view === undefined ? '/' : id === undefined ? '/{view}' : '/{view}/{id}';
    const query = { ...(r.limit !== null ? { limit: r.limit } : {}), ...(r.cursor !== null ? { cursor: r.cursor } : {}) };
    const result: APIGatewayProxyResult = await handler(apiEvent({
      method: 'GET',
      resource,
      pathParameters: view === undefined ? undefined : { view, ...(id === undefined ? {} : { id }) },
      queryStringParameters: Object.keys(query).length ? query : undefined,
      headers: r.header ? { [r.header[0]]: r.header[1] } : undefined,
    }));
    statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
    const body = JSON.parse(result.body) as unknown;

    expect(result.statusCode).toBeLessThan(500);
    if (result.statusCode >= 400) {
      expect(Object.keys(body as object)).toEqual(['message']);
      expect(typeof (body as { message: unknown }).message).toBe('string');
      return;
    }
    expect(result.statusCode).toBe(200);
    if (Array.isArray(body)) {
      pagesRead++;
      const listed = view !== undefined && Object.prototype.hasOwnProperty.call(expected, decodeURIComponent(view)) ? decodeURIComponent(view) : 'default';
      for (const record of body) {
        expect(isRecord(record)).toBe(true);
        expect(record).toEqual(expected[listed].get(record.id));
      }
      const next = result.headers?.[PAGE_HEADERS.response];
      if (typeof next === 'string') {
        tokens.push(next);
        const following = await handler(apiEvent({ method: 'GET', resource, pathParameters: view === undefined ? undefined : { view }, queryStringParameters: { cursor: next } }));
        expect(following.statusCode).toBe(200);
      }
    } else {
      recordsRead++;
      expect(isRecord(body)).toBe(true);
      const record = body as Record<string, unknown>;
      const [readView, readId] = id === undefined ? ['default', decodeURIComponent(view!)] : [decodeURIComponent(view!), decodeURIComponent(id)];
      expect(record.id).toBe(readId);
      expect(record).toEqual(expected[readView].get(readId));
    }
  }), runs(REQUESTS));

  console.info(`reader property: ${[...statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(' ')}; ${recordsRead} records, ${pagesRead} pages; ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(recordsRead).toBeGreaterThan(10);
  expect(pagesRead).toBeGreaterThanOrEqual(5);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(REQUESTS * 0.15);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS * 0.05);
  expect(statuses.get(404) ?? 0).toBeGreaterThan(REQUESTS * 0.05);
});

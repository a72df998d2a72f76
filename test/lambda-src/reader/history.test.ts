/**
 * GET /streams/{id} on the reader Lambda, against DynamoDB Local: a stream's events in version
 * order, upcast to their current versions (or raw), from a version on, paged like lists, and
 * every bad request a 4xx JSON answer. (The paths and the upcasting of mixed versions are
 * generated in test/lambda-src/core/upcast.property.test.ts.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler } from '../../../lambda-src/reader/index';
import { appendEvent } from '../../../lambda-src/writer/append';
import { ENV, PAGE_HEADERS } from '../../../src/contract';
import { apiEvent, captureLogs, createEventsTable, createViewTable, dynamoClient, putViewItem, useViewRegistry, type CapturedLogs } from '../../support/local-dynamo';

let logs: CapturedLogs;
let defaultTable: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-history-'));
const versionsFile = path.join(dir, 'event-versions.json');
const upcastersFile = path.join(dir, 'upcasters.js');
fs.writeFileSync(versionsFile, JSON.stringify({ versions: { OrderPlaced: { current: 2, first: 1, acceptOlder: true } } }));
fs.writeFileSync(upcastersFile, `exports.upcasters = { OrderPlaced: { 1: (e) => {
  if (e.data.amount === 'boom') throw new Error('cannot read amount');
  return { data: { amountCents: Math.round(e.data.amount * 100), currency: 'EUR' } };
} } };`);

beforeAll(async () => {
  const { tableName } = await createEventsTable();
  defaultTable = await createViewTable();
  await useViewRegistry({ default: defaultTable });
  Object.assign(process.env, { [ENV.eventsTable]: tableName, [ENV.defaultView]: 'default', [ENV.eventVersions]: versionsFile, [ENV.upcasters]: upcastersFile });
  const append = (streamId: string, type: string, data: Record<string, unknown>, schemaVersion = 1) =>
    appendEvent(dynamoClient(), tableName, { streamId, type, data, schemaVersion });
  await append('o-1', 'OrderPlaced', { amount: 12.5 });
  await append('o-1', 'OrderShipped', { carrier: 'ups' });
  await append('o-1', 'OrderPlaced', { amountCents: 300, currency: 'USD' }, 2);
  for (let i = 0; i < 5; i++) await append('paged', 'Tick', { i });
  await append('broken', 'OrderPlaced', { amount: 'boom' });
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());
afterAll(() => {
  for (const name of [ENV.eventVersions, ENV.upcasters]) delete process.env[name];
  fs.rmSync(dir, { recursive: true, force: true });
});

async function history(id: string, query?: Record<string, string>, headers?: Record<string, string>): Promise<APIGatewayProxyResult> {
  return handler(apiEvent({ method: 'GET', resource: '/{view}/{id}', pathParameters: { view: 'streams', id }, queryStringParameters: query, headers }));
}

const body = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Array<Record<string, any>>;
const message = (r: APIGatewayProxyResult, status: number) => {
  expect(r.statusCode).toBe(status);
  return (JSON.parse(r.body) as { message: string }).message;
};

test('a stream\'s events in version order, upcast to current versions, the envelope first', async () => {
  const response = await history('o-1');
  expect(response.statusCode).toBe(200);
  const events = body(response);
  expect(events.map((e) => Object.keys(e))).toEqual(Array(3).fill(['streamId', 'version', 'eventId', 'type', 'schemaVersion', 'data', 'timestamp']));
  expect(events.map(({ version, type, schemaVersion, data }) => ({ version, type, schemaVersion, data }))).toEqual([
    { version: 1, type: 'OrderPlaced', schemaVersion: 2, data: { amountCents: 1250, currency: 'EUR' } },
    { version: 2, type: 'OrderShipped', schemaVersion: 1, data: { carrier: 'ups' } },
    { version: 3, type: 'OrderPlaced', schemaVersion: 2, data: { amountCents: 300, currency: 'USD' } },
  ]);
  expect(response.headers).not.toHaveProperty(PAGE_HEADERS.response);
});

test('?raw=true answers the stored shapes; ?fromVersion starts later', async () => {
  expect(body(await history('o-1', { raw: 'true' }))[0]).toMatchObject({ schemaVersion: 1, data: { amount: 12.5 } });
  expect(body(await history('o-1', { fromVersion: '2' })).map((e) => e.version)).toEqual([2, 3]);
  expect(body(await history('o-1', { fromVersion: '9' }))).toEqual([]);
});

test('pages like lists: limit, then LastEvaluatedKey sent back as ExclusiveStartKey or cursor', async () => {
  const first = await history('paged', { limit: '2' });
  expect(body(first).map((e) => e.version)).toEqual([1, 2]);
  const token = first.headers![PAGE_HEADERS.response] as string;
  const second = await history('paged', { limit: '2' }, { [PAGE_HEADERS.request]: token });
  expect(body(second).map((e) => e.version)).toEqual([3, 4]);
  const third = await history('paged', { limit: '2', cursor: second.headers![PAGE_HEADERS.response] as string });
  expect(body(third).map((e) => e.version)).toEqual([5]);
  // A token is for its stream only, and a view's token is not a stream's.
  expect(message(await history('o-1', { cursor: token }), 400)).toMatch(/Invalid pagination token/);
});

test('bad requests are 4xx JSON; a stream without events is 404', async () => {
  expect(message(await history('nobody'), 404)).toBe('No events in stream "nobody"');
  expect(message(await history('$eventId#x'), 404)).toBe('No events in stream "$eventId#x"');
  expect(message(await history('o-1', { fromVersion: '0' }), 400)).toBe('Query parameter "fromVersion" must be a whole number from 1, got "0"');
  expect(message(await history('o-1', { raw: 'yes' }), 400)).toBe('Query parameter "raw" must be true or false, got "yes"');
  expect(message(await history('o-1', { limit: '0' }), 400)).toMatch(/"limit" must be a whole number from 1 to 100/);
  expect(message(await history('o-1', { minVersion: '1' }), 400)).toMatch(/minVersion applies to reading one view record/);
});

test('an upcaster that throws is the API\'s bug: 500 JSON naming the event and the step; raw still answers', async () => {
  expect(message(await history('broken'), 500)).toBe(
    'Event version 1 of stream "broken" cannot be shown at its current version: Upcaster for "OrderPlaced" from version 1 to 2 threw: cannot read amount');
  expect(body(await history('broken', { raw: 'true' }))[0].data).toEqual({ amount: 'boom' });
});

test('"streams" is no view: GET /default/streams still reads the default view\'s record of that id', async () => {
  await putViewItem(defaultTable, 'streams', 4, { note: 'a record' });
  const response = await handler(apiEvent({ method: 'GET', resource: '/{view}/{id}', pathParameters: { view: 'default', id: 'streams' } }));
  expect(JSON.parse(response.body)).toEqual({ note: 'a record', id: 'streams', version: 4 });
});

/**
 * The local runtime serves an `api.kind: ApiKind.HTTP` app as an HTTP API would, on the shipped
 * writer and reader and DynamoDB Local: the same HTTP contract (201, replays, 400, reads), with the
 * HTTP API's own differences that a client meets: base64 bodies for non-text types, 404 for a route
 * that does not exist, CORS answered and set by API Gateway from the template's configuration.
 */
import { ApiKind } from '../../../src';
import { append, removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';
import { expectedTour, streamHistoryTour } from '../../../test/support/stream-history';

const ORIGIN = 'https://app.example.com';
let app: StartedApp;

beforeAll(async () => {
  const entry = writeProjection(tempDir('es-local-http-api-'), 'log', VERSION_LOG_PROJECTION);
  app = await startLocalApp({
    props: { projections: [{ name: 'default', entry }], defaultPageSize: 1, api: { kind: ApiKind.HTTP, cors: { allowOrigins: [ORIGIN] } } },
  });
}, 120_000);

afterAll(async () => {
  await app?.runtime.stop();
  removeTempDirs();
});

const corsHeaders = (headers: Headers) => Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-')));

test('the template\'s HTTP API is what runs', () => {
  expect(Object.values(app.template.Resources).some((r: any) => r.Type === 'AWS::ApiGatewayV2::Api')).toBe(true);
  expect(app.logs.join('\n')).toContain(app.runtime.url);
});

test('appends: JSON as text, a body without a Content-Type arrives base64 and is stored the same, a replay answers the same', async () => {
  const first = await app.client.post({ type: 'Created', id: 's-1', eventId: 'e-1' });
  expect(first.status).toBe(201);
  const untyped = await fetch(`${app.runtime.url}/`, { method: 'POST', body: Buffer.from(JSON.stringify({ type: 'Created', id: 's-2', eventId: 'e-2' })) });
  expect(untyped.status).toBe(201);
  expect(await untyped.json()).toMatchObject({ id: 's-2', version: 1 });
  const replay = await app.client.post({ type: 'Created', id: 's-1', eventId: 'e-1' });
  expect([replay.status, replay.json.version]).toEqual([201, first.json.version]);
  const form = await fetch(`${app.runtime.url}/`, { method: 'POST', body: 'type=Created&id=s-3', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  expect(form.status).toBe(400);
  expect(await form.json()).toHaveProperty('message');
});

test('reads from the view; paging exposes LastEvaluatedKey to the allowed origin, whatever the reader sends', async () => {
  await app.runtime.waitUntilIdle(60_000);
  const record = await app.client.get('/default/s-1');
  expect([record.status, record.json.version]).toEqual([200, 1]);
  const page = await app.client.get('/', { Origin: ORIGIN });
  expect(page.status).toBe(200);
  expect(page.headers.get('lastevaluatedkey')).toBeTruthy();
  expect(corsHeaders(page.headers)).toEqual({ 'access-control-allow-origin': ORIGIN, 'access-control-expose-headers': 'LastEvaluatedKey,Idempotent-Replay,Retry-After' });
  const elsewhere = await app.client.get('/', { Origin: 'https://other.example.com' });
  expect(corsHeaders(elsewhere.headers)).toEqual({});
});

test('a preflight is answered by the API, allowing the paging and read-your-writes headers; a route that does not exist is 404', async () => {
  const preflight = await fetch(`${app.runtime.url}/default`, {
    method: 'OPTIONS', headers: { 'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'exclusivestartkey' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-headers')!.split(',')).toEqual(expect.arrayContaining(['ExclusiveStartKey', 'X-Min-Version']));
  const missing = await app.client.get('/default/s-1/more');
  expect([missing.status, missing.json]).toEqual([404, { message: 'Not Found' }]);
});

test('GET /streams/{id}: the stream\'s events in version order, paged by the headers; 404 JSON without events; /default/streams is a record', async () => {
  for (const n of [1, 2, 3]) await append(app.client, { type: 'Updated', id: 'h-1', n });
  expect(await streamHistoryTour(app.client, '', 'h-1')).toEqual(expectedTour('h-1', [1, 2, 3].map((n) => ({ type: 'Updated', schemaVersion: 1, data: { n } }))));
  // Without ?limit, the API's page size (1 here) applies as on lists.
  expect((await app.client.get('/streams/h-1')).json.map((e: { version: number }) => e.version)).toEqual([1]);
});

/**
 * WritePath.DIRECT on the local runtime: POST / is the template's AWS integration, run as API
 * Gateway runs it (request model, mapping templates rendered with API Gateway's variables, one
 * TransactWriteItems call to DynamoDB Local, the integration response chosen by DynamoDB's status),
 * and no writer Lambda exists. What it stores reaches the views like any event.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { WritePath } from '../../../src';
import { REPLAY_HEADER } from '../../../src/contract';
import { DIRECT_MAX_BODY_CHARS } from '../../../src/private/direct-append-templates';
import { removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';
import { dynamoClient } from '../../../test/support/local-dynamo';
import { expectedTour, streamHistoryTour } from '../../../test/support/stream-history';

let app: StartedApp;

beforeAll(async () => {
  const entry = writeProjection(tempDir('es-local-direct-'), 'log', VERSION_LOG_PROJECTION);
  app = await startLocalApp({ props: { projections: [{ name: 'default', entry }], api: { writePath: WritePath.DIRECT } } });
}, 120_000);

afterAll(async () => {
  await app?.runtime.stop();
  removeTempDirs();
});

const eventsTable = () => app.runtime.apis[0].definition.eventsTable.tableName;

test('there is no writer Lambda: POST / is an AWS integration', () => {
  expect(app.runtime.apis[0].definition.writer).toBeUndefined();
  expect(app.runtime.apis[0].definition.directAppend).toMatchObject({ service: 'dynamodb', action: 'TransactWriteItems' });
});

test('appends with gap-free versions, stores the body as sent, and the view gets the event as the writer would store it', async () => {
  const first = await app.client.post({ type: 'Created', id: 'd-1', expectedVersion: 0, eventId: 'd-1-a', name: 'Ann', nested: { 'a/b': [1, 'x'] } });
  expect([first.status, first.text]).toEqual([201, '{"stored":true}']);
  const second = await app.client.post({ type: 'Updated', id: 'd-1', expectedVersion: 1, name: 'Bob' });
  expect(second.status).toBe(201);
  await app.runtime.waitUntilIdle(60_000);
  const record = await app.client.get('/default/d-1');
  expect(record.json).toMatchObject({ id: 'd-1', version: 2, versions: [1, 2], types: { Created: 1, Updated: 1 }, last: { name: 'Bob' } });

  const { Item } = await dynamoClient().send(new GetItemCommand({ TableName: eventsTable(), Key: { streamId: { S: 'd-1' }, version: { N: '1' } } }));
  expect(Buffer.from(Item!.requestBody.B!).toString('utf8')).toBe(JSON.stringify({ type: 'Created', id: 'd-1', expectedVersion: 0, eventId: 'd-1-a', name: 'Ann', nested: { 'a/b': [1, 'x'] } }));
  expect(Item).toMatchObject({ eventId: { S: 'd-1-a' }, type: { S: 'Created' }, streamIdField: { S: 'id' } });
  expect(Number(Item!.timestamp.N)).toBeGreaterThan(Date.now() - 120_000);
  expect(Item!.catalogueShard?.N).toMatch(/^\d+$/);
});

test('the same request again is a replay; the eventId elsewhere is 422; a stale or ahead expectedVersion is 409', async () => {
  const body = { type: 'Created', id: 'd-2', expectedVersion: 0, eventId: 'd-2-a' };
  expect((await app.client.post(body)).status).toBe(201);
  const replay = await app.client.post(body);
  expect([replay.status, replay.text, replay.headers.get(REPLAY_HEADER)]).toEqual([201, '{"stored":true}', 'true']);

  const elsewhere = await app.client.post({ ...body, id: 'd-3' });
  expect(elsewhere.status).toBe(422);
  expect(elsewhere.json.message).toBe('eventId "d-2-a" already belongs to version 1 of stream "d-2"; a retry must send the same stream id and expectedVersion, and a new event a new eventId');

  const stale = await app.client.post({ type: 'Updated', id: 'd-2', expectedVersion: 0 });
  expect([stale.status, stale.json.message]).toEqual([409, 'Stream "d-2" already has version 1, so it is not at expectedVersion; send the stream\'s current version']);
  const ahead = await app.client.post({ type: 'Updated', id: 'd-2', expectedVersion: 5 });
  expect([ahead.status, ahead.json.message]).toEqual([409, 'The stream has no event at expectedVersion, so it is not at that version; send the stream\'s current version']);
  expect(ahead.headers.get(REPLAY_HEADER)).toBeNull();
});

test('the model refuses a bad envelope with 400 JSON, before DynamoDB; other content types answer 415', async () => {
  for (const body of [
    { type: 'Created', id: 'd-4' }, // no expectedVersion
    { type: '', id: 'd-4', expectedVersion: 0 },
    { type: 'Created', id: '$x', expectedVersion: 0 },
    { type: 'Created', id: 'd-4', expectedVersion: -1 },
    { type: 'Created', id: 'd-4', expectedVersion: 1.5 },
    { type: 'Created', id: 'd-4', expectedVersion: 0, eventId: 'not ok' },
    { type: 'Created', id: 'd-4', expectedVersion: 0, version: 3 },
    { type: 'Created', id: 'd\u0001', expectedVersion: 0 },
  ]) {
    const refused = await app.client.post(body);
    expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 400]);
    expect(refused.json.message).toMatch(/^Request body must be a JSON object with "type"/);
  }
  expect((await app.client.post('not json')).status).toBe(400);
  const text = await app.client.request('POST', '/', JSON.stringify({ type: 'Created', id: 'd-4', expectedVersion: 0 }), { 'Content-Type': 'text/plain' });
  expect([text.status, text.json]).toEqual([415, { message: 'Unsupported Media Type' }]);
  const { Item } = await dynamoClient().send(new GetItemCommand({ TableName: eventsTable(), Key: { streamId: { S: 'd-4' }, version: { N: '1' } } }));
  expect(Item).toBeUndefined();
});

test(`a body longer than ${DIRECT_MAX_BODY_CHARS} characters answers 413 and stores nothing`, async () => {
  const body = JSON.stringify({ type: 'Created', id: 'd-5', expectedVersion: 0, pad: 'x'.repeat(DIRECT_MAX_BODY_CHARS) });
  const refused = await app.client.post(body);
  expect([refused.status, refused.json]).toEqual([413, { message: `Request body is longer than ${DIRECT_MAX_BODY_CHARS} characters` }]);
  const fits = JSON.stringify({ type: 'Created', id: 'd-5', expectedVersion: 0, pad: '' });
  const padded = fits.replace('"pad":""', `"pad":"${'x'.repeat(DIRECT_MAX_BODY_CHARS - fits.length)}"`);
  expect(padded.length).toBe(DIRECT_MAX_BODY_CHARS);
  expect((await app.client.post(padded)).status).toBe(201);
});

test('GET /streams/{id} reads what DIRECT stored as the writer would have: data without the envelope, schema version 1', async () => {
  for (const expectedVersion of [0, 1, 2]) {
    expect((await app.client.post({ type: 'Updated', id: 'h-1', expectedVersion, eventId: `h-1-${expectedVersion}`, n: expectedVersion })).status).toBe(201);
  }
  expect(await streamHistoryTour(app.client, '', 'h-1')).toEqual(expectedTour('h-1', [0, 1, 2].map((n) => ({ type: 'Updated', schemaVersion: 1, data: { n } }))));
  expect((await app.client.get('/streams/h-1')).json.map((e: { eventId: string }) => e.eventId)).toEqual(['h-1-0', 'h-1-1', 'h-1-2']);
  // DIRECT stores version 1 only: naming it is allowed (and is no data), any other is refused by the model.
  expect((await app.client.post({ type: 'Created', id: 'h-2', expectedVersion: 0, schemaVersion: 1, n: 1 })).status).toBe(201);
  const named = (await app.client.get('/streams/h-2')).json.map((e: { version: number; schemaVersion: number; data: unknown }) => [e.version, e.schemaVersion, e.data]);
  expect(named).toEqual([[1, 1, { n: 1 }]]);
  expect((await app.client.post({ type: 'Created', id: 'h-3', expectedVersion: 0, schemaVersion: 2 })).status).toBe(400);
});

describe('with an existing events table', () => {
  let imported: StartedApp;
  beforeAll(async () => {
    const entry = writeProjection(tempDir('es-local-direct-imported-'), 'log', VERSION_LOG_PROJECTION);
    imported = await startLocalApp({
      props: (stack) => ({
        existingEventsTable: dynamodb.Table.fromTableAttributes(stack, 'Events', {
          tableName: 'shared-events',
          tableStreamArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/shared-events/stream/2026-01-01T00:00:00.000',
        }),
        projections: [{ name: 'default', entry }],
        api: { writePath: WritePath.DIRECT },
      }),
    });
  }, 120_000);
  afterAll(() => imported?.runtime.stop());

  test('the template names the table by its real name; locally it writes the table the runtime made', async () => {
    const { definition } = imported.runtime.apis[0];
    expect(definition.importedEventsTable).toEqual({ name: 'shared-events', localName: definition.eventsTable.tableName });
    expect(definition.eventsTable.tableName).not.toBe('shared-events');
    expect((await imported.client.post({ type: 'Created', id: 'i-1', expectedVersion: 0 })).status).toBe(201);
    await imported.runtime.waitUntilIdle(60_000);
    expect((await imported.client.get('/default/i-1')).json).toMatchObject({ id: 'i-1', version: 1 });
  });
});

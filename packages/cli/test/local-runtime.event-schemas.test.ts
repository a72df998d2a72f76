/**
 * The local runtime runs the writer as the construct ships it for an API with eventSchemas: its
 * code folder with the schemas and their compiler beside it. A POST the schema refuses answers 400
 * naming the field and reaches no view; one it accepts is stored and projected.
 */
import { UnknownEventTypes } from '../../../src';
import { removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';

let app: StartedApp;

beforeAll(async () => {
  const entry = writeProjection(tempDir('es-local-schemas-'), 'log', VERSION_LOG_PROJECTION);
  app = await startLocalApp({
    props: {
      projections: [{ name: 'default', entry }],
      eventSchemas: { Created: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } } },
      unknownEventTypes: UnknownEventTypes.REJECT,
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.runtime.stop();
  removeTempDirs();
});

test('the schema decides what is stored: 400 naming the field, 400 for a type without a schema, 201 otherwise', async () => {
  const refused = await app.client.post({ type: 'Created', id: 's-1', n: 0 });
  expect([refused.status, JSON.parse(refused.text)]).toEqual([400, { message: 'Field /n must be >= 1 (schema of "Created")' }]);
  const unknown = await app.client.post({ type: 'Renamed', id: 's-1' });
  expect([unknown.status, JSON.parse(unknown.text)]).toEqual([400, { message: 'Event type "Renamed" has no schema, and this API accepts only: "Created"' }]);
  const stored = await app.client.post({ type: 'Created', id: 's-1', n: 1 });
  expect(stored.status).toBe(201);
  await app.runtime.waitUntilIdle(60_000);
  const record = await app.client.get('/default/s-1');
  expect(record.status).toBe(200);
  expect(JSON.parse(record.text)).toMatchObject({ version: 1 });
});

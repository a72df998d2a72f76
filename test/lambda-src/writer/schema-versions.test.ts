/**
 * The writer with event versions (eventVersions), on DynamoDB Local: which schema version a POST
 * stores, which it refuses, and that an older version is validated against its own schema. The
 * versions reach the writer as the construct ships them: a JSON file beside its code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { handler } from '../../../lambda-src/writer/index';
import { ENV, REPLAY_HEADER, type EventVersionsFile } from '../../../src/contract';
import { runs } from '../../support/arbitraries';
import { captureLogs, freshWriterTable, postEvent, scanAll, type CapturedLogs } from '../../support/local-dynamo';

const V1 = { type: 'object', required: ['amount'], additionalProperties: false, properties: { amount: { type: 'number' } } };
const V2 = {
  type: 'object',
  required: ['amountCents', 'currency'],
  additionalProperties: false,
  properties: { amountCents: { type: 'integer' }, currency: { type: 'string' } },
};
const VERSIONS: EventVersionsFile = {
  versions: {
    OrderPlaced: { current: 2, first: 1, acceptOlder: true },
    Frozen: { current: 3, first: 2, acceptOlder: false },
    CustomerJoined: { current: 2, first: 1, acceptOlder: true, renamedTo: 'CustomerRegistered' },
    CustomerRegistered: { current: 2, first: 1, acceptOlder: true },
  },
  olderSchemas: { OrderPlaced: { 1: V1 } },
};

let logs: CapturedLogs;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-versions-'));
const versionsFile = path.join(dir, 'event-versions.json');
const schemasFile = path.join(dir, 'event-schemas.json');
fs.writeFileSync(versionsFile, JSON.stringify(VERSIONS));
fs.writeFileSync(schemasFile, JSON.stringify({ OrderPlaced: V2 }));

beforeEach(async () => {
  logs = captureLogs();
  await freshWriterTable();
  process.env[ENV.eventVersions] = versionsFile;
  process.env[ENV.eventSchemas] = schemasFile;
});
afterEach(() => logs.restore());
afterAll(() => {
  delete process.env[ENV.eventVersions];
  delete process.env[ENV.eventSchemas];
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(body: Record<string, unknown>) {
  const result = await handler(postEvent(body));
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, any>, headers: result.headers ?? {} };
}

async function storedVersions(): Promise<Array<[string, unknown]>> {
  const items = await scanAll(process.env[ENV.eventsTable]!);
  return items.filter((i) => i.eventId !== undefined).map((i) => [String(i.eventId), i.schemaVersion]);
}

test('without schemaVersion a POST stores the current version, checked against the current schema', async () => {
  const created = await post({ type: 'OrderPlaced', id: 'o-1', eventId: 'e-1', amountCents: 1250, currency: 'EUR' });
  expect(created.status).toBe(201);
  expect(Object.keys(created.body)).toEqual(['streamId', 'version', 'eventId', 'type', 'schemaVersion', 'timestamp', 'id', 'data']);
  expect(created.body.schemaVersion).toBe(2);
  // The old shape without a version is the current version, and the current schema refuses it.
  const old = await post({ type: 'OrderPlaced', id: 'o-1', amount: 12.5 });
  expect(old).toMatchObject({ status: 400, body: { message: 'Field /amountCents is required (schema of "OrderPlaced")' } });
  // A type without versions is at version 1.
  expect((await post({ type: 'Shipped', id: 'o-1', eventId: 'e-2' })).body.schemaVersion).toBe(1);
  expect(await storedVersions()).toEqual(expect.arrayContaining([['e-1', 2], ['e-2', 1]]));
});

test('an older version is accepted when the type allows it, checked against that version\'s schema, and stored as such', async () => {
  const v1 = await post({ type: 'OrderPlaced', id: 'o-2', eventId: 'old-1', schemaVersion: 1, amount: 12.5 });
  expect(v1.status).toBe(201);
  expect(v1.body).toMatchObject({ schemaVersion: 1, data: { amount: 12.5 } });
  expect(await post({ type: 'OrderPlaced', id: 'o-2', schemaVersion: 1, amountCents: 1250, currency: 'EUR' }))
    .toMatchObject({ status: 400, body: { message: 'Field /amount is required (schema of "OrderPlaced" version 1)' } });
  expect(await storedVersions()).toEqual([['old-1', 1]]);
  // The idempotent replay answers the same bytes; the same eventId as another version is another event.
  const replay = await handler(postEvent({ type: 'OrderPlaced', id: 'o-2', eventId: 'old-1', schemaVersion: 1, amount: 12.5 }));
  expect(replay.headers?.[REPLAY_HEADER]).toBe('true');
  expect(replay.body).toBe(JSON.stringify(v1.body));
  expect(await post({ type: 'OrderPlaced', id: 'o-2', eventId: 'old-1', amountCents: 1250, currency: 'EUR' })).toMatchObject({ status: 422 });
});

test('a version the API does not know yet, one older than the first, or an older one the type refuses, answers 400 naming what it accepts', async () => {
  expect(await post({ type: 'OrderPlaced', id: 'o-3', schemaVersion: 3, amountCents: 1, currency: 'EUR' })).toMatchObject({
    status: 400, body: { message: '"OrderPlaced" has no schema version 3 yet: its current version is 2, and this API accepts versions 1 to 2' },
  });
  expect(await post({ type: 'Frozen', id: 'o-3', schemaVersion: 2 })).toMatchObject({
    status: 400, body: { message: '"Frozen" version 2 is not accepted: this API accepts version 3 only' },
  });
  expect(await post({ type: 'Frozen', id: 'o-3', schemaVersion: 1 })).toMatchObject({ status: 400 });
  expect(await post({ type: 'Shipped', id: 'o-3', schemaVersion: 2 })).toMatchObject({
    status: 400, body: { message: '"Shipped" has no schema version 2 yet: its current version is 1, and this API accepts version 1 only' },
  });
  expect(await storedVersions()).toEqual([]);
});

test('a renamed type stores its last version by default, so clients that still send it keep working', async () => {
  expect((await post({ type: 'CustomerJoined', id: 'c-1', name: 'Ada' })).body).toMatchObject({ type: 'CustomerJoined', schemaVersion: 1 });
  expect(await post({ type: 'CustomerJoined', id: 'c-1', schemaVersion: 2 })).toMatchObject({
    status: 400, body: { message: '"CustomerJoined" was renamed "CustomerRegistered" at version 2: send "CustomerRegistered", or version 1 or older of "CustomerJoined"' },
  });
});

test('property: schemaVersion is stored exactly when it is a version the type accepts; anything else is 400 and stores nothing', async () => {
  const requested = fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 5 }), fc.constantFrom(1.5, '1', null, true));
  const type = fc.constantFrom('OrderPlaced', 'Frozen', 'Shipped');
  let stored = 0;
  await fc.assert(fc.asyncProperty(type, requested, async (t, v) => {
    const before = (await storedVersions()).length;
    const data = t === 'OrderPlaced' ? (v === 1 ? { amount: 1 } : { amountCents: 1, currency: 'EUR' }) : {};
    const response = await post({ type: t, id: 'p-1', ...(v === undefined ? {} : { schemaVersion: v }), ...data });
    const info = VERSIONS.versions[t] ?? { current: 1, first: 1, acceptOlder: false };
    const accepted = v === undefined || (typeof v === 'number' && Number.isInteger(v) && v <= info.current && v >= info.first && (v === info.current || info.acceptOlder));
    expect(response.status).toBe(accepted ? 201 : 400);
    if (accepted) {
      stored += 1;
      expect(response.body.schemaVersion).toBe(v ?? info.current);
    }
    expect((await storedVersions()).length).toBe(before + (accepted ? 1 : 0));
  }), runs(60));
  expect(stored).toBeGreaterThan(0);
});

/**
 * The writer with event schemas (eventSchemas), on DynamoDB Local: data a schema refuses answers
 * 400 naming the field by JSON Pointer and stores nothing; unknown types are stored or refused as
 * configured. The schemas reach the writer as the construct ships them: a JSON file it reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { compileEventSchemas } from '../../../lambda-src/writer/event-schemas';
import { handler } from '../../../lambda-src/writer/index';
import { ENV, KEYS } from '../../../src/contract';
import { runs } from '../../support/arbitraries';
import { captureLogs, freshWriterTable, postEvent, scanAll, type CapturedLogs } from '../../support/local-dynamo';

const ORDER_PLACED = {
  type: 'object',
  required: ['customer', 'items'],
  additionalProperties: false,
  properties: {
    'customer': { type: 'string', format: 'email' },
    'items': {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['sku', 'qty'], properties: { sku: { type: 'string', minLength: 1 }, qty: { type: 'integer', minimum: 1 } } },
    },
    'a/b~c': { type: 'number' },
  },
};
const SCHEMAS = { OrderPlaced: ORDER_PLACED, OrderCancelled: { type: 'object', required: ['reason'] } };

let logs: CapturedLogs;
let table: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-schemas-'));
const file = path.join(dir, 'event-schemas.json');
fs.writeFileSync(file, JSON.stringify(SCHEMAS));

beforeEach(async () => {
  logs = captureLogs();
  table = await freshWriterTable();
  process.env[ENV.eventSchemas] = file;
});
afterEach(() => logs.restore());
afterAll(() => {
  delete process.env[ENV.eventSchemas];
  delete process.env[ENV.rejectUnknownEventTypes];
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(body: Record<string, unknown>): Promise<{ status: number; message?: string }> {
  const result = await handler(postEvent(body));
  return { status: result.statusCode, message: (JSON.parse(result.body) as { message?: string }).message };
}
const storedEvents = async () => (await scanAll(table)).filter((item) => (item[KEYS.version] as number) >= 1);
const order = (data: Record<string, unknown>) => ({ id: 'o-1', type: 'OrderPlaced', ...data });
const valid = { customer: 'ann@example.com', items: [{ sku: 'A-1', qty: 2 }] };

test('data the schema accepts is stored as sent', async () => {
  expect((await post(order(valid))).status).toBe(201);
  expect((await storedEvents()).map((e) => e.data)).toEqual([valid]);
});

test.each<[string, Record<string, unknown>, string]>([
  ['a missing required field', { items: valid.items }, 'Field /customer is required (schema of "OrderPlaced")'],
  ['a field the schema does not allow', { ...valid, note: 'x' }, 'Field /note is not allowed (schema of "OrderPlaced")'],
  ['a nested field out of range', { ...valid, items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 0 }] }, 'Field /items/1/qty must be >= 1 (schema of "OrderPlaced")'],
  ['a wrong type', { ...valid, items: 'A-1' }, 'Field /items must be array (schema of "OrderPlaced")'],
  ['a format', { ...valid, customer: 'not an address' }, 'Field /customer must match format "email" (schema of "OrderPlaced")'],
  ['a key with "/" and "~", escaped in the pointer', { ...valid, 'a/b~c': 'x' }, 'Field /a~1b~0c must be number (schema of "OrderPlaced")'],
])('%s answers 400 naming it, and stores nothing', async (_name, data, message) => {
  expect(await post(order(data))).toEqual({ status: 400, message });
  expect(await storedEvents()).toEqual([]);
});

test('an event type without a schema is stored by default, and refused with REJECT_UNKNOWN_EVENT_TYPES, naming the types that have one', async () => {
  expect((await post({ id: 'o-1', type: 'OrderNoted', anything: [1, 'two'] })).status).toBe(201);
  process.env[ENV.rejectUnknownEventTypes] = 'true';
  try {
    expect(await post({ id: 'o-2', type: 'OrderNoted' })).toEqual({
      status: 400, message: 'Event type "OrderNoted" has no schema, and this API accepts only: "OrderPlaced", "OrderCancelled"',
    });
    expect((await post({ id: 'o-2', type: 'OrderCancelled', reason: 'late' })).status).toBe(201);
  } finally {
    delete process.env[ENV.rejectUnknownEventTypes];
  }
  expect((await storedEvents()).map((e) => e.type).sort()).toEqual(['OrderCancelled', 'OrderNoted']);
});

test('property: one injected fault in otherwise valid orders is reported at exactly its pointer', () => {
  const check = compileEventSchemas({ schemas: SCHEMAS, rejectUnknownTypes: false });
  const item = fc.record({ sku: fc.string({ minLength: 1, maxLength: 8 }), qty: fc.integer({ min: 1, max: 1000 }) });
  const fault = fc.constantFrom(
    { value: 0, reason: 'must be >= 1' },
    { value: -3, reason: 'must be >= 1' },
    { value: 1.5, reason: 'must be integer' },
    { value: '2', reason: 'must be integer' },
    { value: null, reason: 'must be integer' },
  );
  fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 12 }), fc.nat(), fault, (items, at, bad) => {
    const data = { customer: 'ann@example.com', items };
    expect(check.problem('OrderPlaced', data)).toBeUndefined();
    const i = at % items.length;
    const broken = { ...data, items: items.map((it, n) => (n === i ? { ...it, qty: bad.value } : it)) };
    expect(check.problem('OrderPlaced', broken)).toBe(`Field /items/${i}/qty ${bad.reason} (schema of "OrderPlaced")`);
  }), runs(300));
});

test('a schema that does not compile (strict: unknown keyword or format) is reported naming its event type', () => {
  expect(() => compileEventSchemas({ schemas: { Bad: { type: 'object', propertiez: {} } }, rejectUnknownTypes: false }))
    .toThrow(/^eventSchemas\["Bad"\] is not a JSON Schema the writer can use: strict mode: unknown keyword: "propertiez"/);
  expect(() => compileEventSchemas({ schemas: { Odd: { type: 'string', format: 'no-such-format' } }, rejectUnknownTypes: false }))
    .toThrow(/^eventSchemas\["Odd"\] .*unknown format "no-such-format"/);
});

/**
 * Generated hostile requests through the writer, on DynamoDB Local. Whatever is sent:
 * - the answer is never a 5xx, and every 4xx is JSON `{ message }`;
 * - a 201's `data` is exactly the fields sent (the body minus the envelope), and so is the event
 *   the table holds;
 * - a request that is not stored leaves the table as it was;
 * - the rules hold: a "__proto__" key or a stream id starting with "$" is never stored.
 *
 * fast-check prints the seed of a failing run; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { handler } from '../../../lambda-src/writer/index';
import { ENV } from '../../../src/contract';
import { hasProtoKey, key, memberText, runs, storableData, text } from '../../support/arbitraries';
import { captureLogs, createEventsTable, documentClient, dynamoClient, postEvent, type CapturedLogs } from '../../support/local-dynamo';

const ENVELOPE = ['type', 'id', 'eventId', 'expectedVersion'];
const REQUESTS = 600;

let logs: CapturedLogs;
let table: string;

beforeAll(async () => {
  table = (await createEventsTable()).tableName;
  process.env[ENV.eventsTable] = table;
  delete process.env[ENV.streamIdField];
});
beforeEach(() => { logs = captureLogs(); });
afterEach(() => {
  logs.restore();
  delete process.env[ENV.maxBodyBytes];
});

/** `arb` `yes` times in `yes + no`, else null (absent). */
const sometimes = <T>(arb: fc.Arbitrary<T>, yes: number, no: number) =>
  fc.oneof({ weight: yes, arbitrary: arb }, { weight: no, arbitrary: fc.constant(null) });

/** A JSON string member value. */
const quoted = (arb: fc.Arbitrary<string>) => arb.map((s) => JSON.stringify(s));

const streamIds = fc.oneof(
  { weight: 6, arbitrary: quoted(fc.constantFrom('s-1', 's-2', 's-3', 'order 42/ü', 'constructor', '__proto__')) },
  { weight: 2, arbitrary: quoted(text) },
  { weight: 1, arbitrary: quoted(fc.constantFrom('$eventId#e-1', '$', '', 'x'.repeat(257))) },
  { weight: 1, arbitrary: memberText },
);

/** A hostile request: the members of a JSON object as text, and how it is sent. */
const hostile = fc.record({
  type: fc.option(fc.oneof({ weight: 6, arbitrary: quoted(fc.constantFrom('Created', 'Updated', 'toString')) }, { weight: 1, arbitrary: memberText }), { freq: 8 }),
  id: fc.option(streamIds, { freq: 10 }),
  eventId: fc.option(fc.oneof(quoted(fc.constantFrom('e-1', 'e-2', 'e-3', 'bad id', '')), memberText), { freq: 3 }),
  expectedVersion: fc.option(fc.oneof(fc.nat(6).map(String), memberText), { freq: 5 }),
  members: fc.array(fc.tuple(key, memberText), { maxLength: 6 }),
  shape: fc.constantFrom('object', 'object', 'object', 'object', 'object', 'object', 'truncated', 'array', 'not-json', 'empty', 'padded'),
  base64: fc.boolean(),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', undefined),
  maxBodyBytes: fc.constantFrom(undefined, undefined, undefined, String(240 * 1024)),
});

/** A well-formed request whose data is storable however odd its keys and values. */
const plausible = fc.record({
  type: quoted(fc.constantFrom('Created', 'Updated', 'constructor', 'Ünïcode ✓')),
  id: quoted(fc.constantFrom('s-1', 's-2', 's-3', 'order 42/ü', 'constructor', '__proto__', 'hasOwnProperty')),
  eventId: sometimes(quoted(fc.oneof(fc.uuid(), fc.constantFrom('e-1', 'e-2'))), 1, 1),
  expectedVersion: sometimes(fc.nat(4).map(String), 1, 6),
  members: fc.tuple(
    storableData.map((data) => Object.entries(data).map(([k, v]): [string, string] => [k, JSON.stringify(v)])),
    // Now and then a "__proto__" key, at the top or nested: the one key the writer refuses.
    sometimes(fc.constantFrom<[string, string]>(['__proto__', '{"admin":true}'], ['nested', '[{"__proto__":null}]'], ['__proto__', '1']), 1, 12),
  ).map(([members, proto]) => (proto ? [...members, proto] : members)),
  shape: fc.constant('object'),
  base64: fc.boolean(),
  contentType: fc.constantFrom('application/json', undefined),
  maxBodyBytes: fc.constant(undefined),
});

/** Sent twice in a row: a client retry. */
const request = fc.tuple(fc.oneof(hostile, plausible), fc.boolean()).map(([r, retried]) => ({ ...r, retried }));
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

function bodyText(r: Request): string {
  const members: Array<[string, string]> = [];
  for (const name of ENVELOPE) {
    const value = r[name as keyof Request] as string | null;
    if (value !== null) members.push([name, value]);
  }
  members.push(...r.members);
  if (r.shape === 'padded') members.push(['pad', JSON.stringify('p'.repeat(70_000))]);
  const object = `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  switch (r.shape) {
    case 'truncated': return object.slice(0, Math.max(1, object.length - 2));
    case 'array': return `[${object}]`;
    case 'not-json': return `type=Created&id=${object.length}`;
    case 'empty': return '';
    default: return object;
  }
}

async function itemCount(): Promise<number> {
  const result = await dynamoClient().send(new ScanCommand({ TableName: table, Select: 'COUNT', ConsistentRead: true }));
  return result.Count ?? 0;
}

/** JSON's view of a value: -0 is 0 (JSON.stringify writes both as 0). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

test(`property: ${REQUESTS} generated requests never answer 5xx, store exactly what was sent, or store nothing`, async () => {
  const statuses = new Map<number, number>();
  await fc.assert(fc.asyncProperty(request, async (r) => {
    const sentText = bodyText(r);
    if (r.maxBodyBytes) process.env[ENV.maxBodyBytes] = r.maxBodyBytes;
    else delete process.env[ENV.maxBodyBytes];
    const before = await itemCount();

    const event = postEvent(r.base64 ? Buffer.from(sentText, 'utf8').toString('base64') : sentText, {
      isBase64Encoded: r.base64, headers: r.contentType ? { 'Content-Type': r.contentType } : {},
    });
    const result: APIGatewayProxyResult = await handler(event);
    if (r.retried && result.statusCode === 201 && r.eventId !== null) {
      // A retry with the same eventId answers the very same bytes, and stores nothing more.
      const count = await itemCount();
      const retry = await handler(event);
      expect(retry.statusCode).toBe(201);
      expect(retry.body).toBe(result.body);
      expect(retry.headers?.['Idempotent-Replay']).toBe('true');
      expect(await itemCount()).toBe(count);
    }
    statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
    const answer = JSON.parse(result.body) as Record<string, unknown>;

    expect(result.statusCode).toBeLessThan(500);
    if (result.statusCode !== 201) {
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      expect(Object.keys(answer)).toEqual(['message']);
      expect(typeof answer.message).toBe('string');
      expect(await itemCount()).toBe(before);
      return;
    }

    const sent = JSON.parse(sentText) as Record<string, unknown>;
    const data = Object.fromEntries(Object.entries(sent).filter(([k]) => !ENVELOPE.includes(k)));
    expect(hasProtoKey(data)).toBe(false);
    expect(String(sent.id).startsWith('$')).toBe(false);
    expect(answer.data).toEqual(asJson(data));
    expect(answer.id).toBe(sent.id);
    expect(answer.type).toBe(sent.type);

    const replay = result.headers?.['Idempotent-Replay'] === 'true';
    expect(await itemCount()).toBe(replay ? before : before + 2); // the event and its idempotency marker
    const eventKey = { streamId: answer.streamId, version: answer.version };
    const stored = await documentClient().send(new GetCommand({ TableName: table, Key: eventKey, ConsistentRead: true }));
    expect(stored.Item?.data).toEqual(asJson(data));
    expect(stored.Item?.eventId).toBe(answer.eventId);
  }), runs(REQUESTS));

  // The generator must reach the store, not only the validator.
  const created = statuses.get(201) ?? 0;
  console.info(`writer property: ${[...statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`);
  expect(created).toBeGreaterThan(REQUESTS * 0.2);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS * 0.2);
});

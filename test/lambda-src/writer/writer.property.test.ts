/**
 * Generated hostile requests through the writer, on DynamoDB Local. Whatever is sent:
 * - the answer is never a 5xx, and every 4xx is JSON `{ message }`;
 * - a 201's `data` is exactly the fields sent (the body minus the envelope), and so is the event
 *   the table holds;
 * - a request that is not stored leaves the table as it was;
 * - the rules hold: a "__proto__" key or a stream id starting with "$" is never stored;
 * - what JSON.parse would lose without a word is refused, not stored changed: a key repeated in
 *   one object (at the top, the envelope's included, or nested) and a number a JavaScript number
 *   cannot hold (`0.12345678901234567890123`) answer 400 naming it by JSON Pointer. A 201 was sent
 *   as many top-level members as it stores, so no repeated key can hide behind JSON.parse(sent).
 *
 * fast-check prints the seed of a failing run; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { handler } from '../../../lambda-src/writer/index';
import { ENV } from '../../../src/contract';
import { dataKey, hasProtoKey, key, memberText, runs, storableData, storableValue, text } from '../../support/arbitraries';
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

/** Storable event data as members: key and JSON text. */
const storableMembers = storableData.map((data) => Object.entries(data).map(([k, v]): [string, string] => [k, JSON.stringify(v)]));

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
  rawMembers: fc.constant<string[]>([]),
  refusedAt: fc.constant<string | null>(null),
});

/** A well-formed request whose data is storable however odd its keys and values. */
const plausible = fc.record({
  type: quoted(fc.constantFrom('Created', 'Updated', 'constructor', 'Ünïcode ✓')),
  id: quoted(fc.constantFrom('s-1', 's-2', 's-3', 'order 42/ü', 'constructor', '__proto__', 'hasOwnProperty')),
  eventId: sometimes(quoted(fc.oneof(fc.uuid(), fc.constantFrom('e-1', 'e-2'))), 1, 1),
  expectedVersion: sometimes(fc.nat(4).map(String), 1, 6),
  members: fc.tuple(
    storableMembers,
    // Now and then a "__proto__" key, at the top or nested: the one key the writer refuses.
    sometimes(fc.constantFrom<[string, string]>(['__proto__', '{"admin":true}'], ['nested', '[{"__proto__":null}]'], ['__proto__', '1']), 1, 12),
  ).map(([members, proto]) => (proto ? [...members, proto] : members)),
  shape: fc.constant('object'),
  base64: fc.boolean(),
  contentType: fc.constantFrom('application/json', undefined),
  maxBodyBytes: fc.constant(undefined),
  rawMembers: fc.constant<string[]>([]),
  refusedAt: fc.constant<string | null>(null),
});

/** RFC 6901, written here rather than imported, so the test does not take the code's word for it. */
const pointerSegment = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** A key as JSON text, each character written plainly or as \uXXXX: JSON.parse reads both as the same key. */
const spelledKey = (k: string, escapes: boolean[]) => `"${[...k].map((ch, i) => (escapes[i % Math.max(1, escapes.length)]
  ? ch.split('').map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
  : JSON.stringify(ch).slice(1, -1))).join('')}"`;

const nonzeroDigit = fc.integer({ min: 1, max: 9 });

/** Numbers with more significant digits (18 to 30) than a JavaScript number holds, and ones beyond its range. */
const lossyNumber = fc.oneof(
  fc.constantFrom('0.12345678901234567890123', '12345678901234567890', '1.00000000000000000001', '-0.10000000000000000001e-3', '9007199254740993',
    '1e400', '-1e-400'),
  fc.tuple(fc.boolean(), nonzeroDigit, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 16, maxLength: 28 }), nonzeroDigit, fc.nat())
    .map(([negative, first, middle, last, point]) => {
      const digits = `${first}${middle.join('')}${last}`;
      const whole = 1 + (point % digits.length);
      return `${negative ? '-' : ''}${digits.slice(0, whole)}${whole < digits.length ? `.${digits.slice(whole)}` : ''}`;
    }),
);

/** Steps into a nested value, outermost first: an array element after `before` others, or an object member beside another. */
const nesting = fc.array(fc.oneof(
  fc.record({ before: fc.nat(2) }),
  fc.record({ key: dataKey, sibling: fc.boolean() }),
), { maxLength: 5 });

/** `inner` nested as `steps` say; with the pointer of `inner` below the member. */
function nest(steps: Array<{ before: number } | { key: string; sibling: boolean }>, inner: string): { text: string; path: string } {
  let textOf = inner;
  for (const step of [...steps].reverse()) {
    textOf = 'before' in step ? `[${'0,'.repeat(step.before)}${textOf}]`
      : `{${step.sibling ? `${JSON.stringify(`${step.key}_`)}:null,` : ''}${JSON.stringify(step.key)}:${textOf}}`;
  }
  return { text: textOf, path: steps.map((step) => ('before' in step ? `/${step.before}` : `/${pointerSegment(step.key)}`)).join('') };
}

/**
 * A well-formed, storable request with one thing added that JSON.parse would drop or round without
 * a word: a key repeated at the top (the envelope's too) or nested, or a lossy number anywhere.
 * `refusedAt` is the JSON Pointer the 400 must name.
 */
const flawed = fc.record({
  type: quoted(fc.constantFrom('Created', 'Updated')),
  id: quoted(fc.constantFrom('s-1', 's-2', 'order 42/ü')),
  eventId: sometimes(quoted(fc.constantFrom('e-1', 'e-2', 'e-9')), 1, 1),
  expectedVersion: sometimes(fc.nat(2).map(String), 1, 3),
  members: storableMembers,
  flaw: fc.constantFrom('envelope', 'data', 'nested-key', 'number', 'number'),
  escapes: fc.array(fc.boolean(), { maxLength: 6 }),
  which: fc.nat(),
  member: dataKey.filter((k) => !['type', 'id', 'eventId', 'expectedVersion', 'version', 'timestamp'].includes(k)),
  nesting,
  repeatedKey: dataKey,
  repeatedValue: storableValue.map((v) => JSON.stringify(v)),
  lossy: lossyNumber,
  base64: fc.boolean(),
}).map(({ flaw, escapes, which, member, nesting: steps, repeatedKey, repeatedValue, lossy, ...r }) => {
  let members = r.members;
  let raw: string;
  let refusedAt: string;
  if (flaw === 'envelope' || (flaw === 'data' && members.length === 0)) {
    const present = ENVELOPE.filter((name) => r[name as 'type'] !== null);
    const name = present[which % present.length];
    // The same value again, or another one: either way one of them would be dropped.
    raw = `${spelledKey(name, escapes)}:${which % 2 ? r[name as 'type'] : repeatedValue}`;
    refusedAt = `/${name}`;
  } else if (flaw === 'data') {
    const [k] = members[which % members.length];
    raw = `${spelledKey(k, escapes)}:${repeatedValue}`;
    refusedAt = `/${pointerSegment(k)}`;
  } else {
    // A member of its own, so that it repeats no key of the others.
    members = members.filter(([k]) => k !== member);
    const inner = flaw === 'number' ? lossy
      : `{${JSON.stringify(repeatedKey)}:${repeatedValue},${spelledKey(repeatedKey, escapes)}:${repeatedValue}}`;
    const nested = nest(steps, inner);
    raw = `${JSON.stringify(member)}:${nested.text}`;
    refusedAt = `/${pointerSegment(member)}${nested.path}${flaw === 'number' ? '' : `/${pointerSegment(repeatedKey)}`}`;
  }
  return { ...r, members, shape: 'object', contentType: 'application/json', maxBodyBytes: undefined, rawMembers: [raw], refusedAt };
});

/** Sent twice in a row: a client retry. */
const request = fc.tuple(
  fc.oneof({ weight: 5, arbitrary: hostile }, { weight: 5, arbitrary: plausible }, { weight: 2, arbitrary: flawed }),
  fc.boolean(),
).map(([r, retried]) => ({ ...r, retried }));
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** The members of the body's top-level object, as written (a repeated key counts twice). */
const memberCount = (r: Request) => ENVELOPE.filter((name) => r[name as keyof Request] !== null).length + r.members.length
  + r.rawMembers.length + (r.shape === 'padded' ? 1 : 0);

function bodyText(r: Request): string {
  const members: Array<[string, string]> = [];
  for (const name of ENVELOPE) {
    const value = r[name as keyof Request] as string | null;
    if (value !== null) members.push([name, value]);
  }
  members.push(...r.members);
  if (r.shape === 'padded') members.push(['pad', JSON.stringify('p'.repeat(70_000))]);
  const object = `{${[...members.map(([k, v]) => `${JSON.stringify(k)}:${v}`), ...r.rawMembers].join(',')}}`;
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
  let refused = 0;
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
    if (r.refusedAt !== null) {
      // What JSON.parse would have dropped or rounded: refused, named, and nothing stored.
      expect(result.statusCode).toBe(400);
      const named = `Field ${r.refusedAt} `;
      expect(String(answer.message).slice(0, named.length)).toBe(named);
      expect(await itemCount()).toBe(before);
      refused++;
      return;
    }
    if (result.statusCode !== 201) {
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      expect(Object.keys(answer)).toEqual(['message']);
      expect(typeof answer.message).toBe('string');
      expect(await itemCount()).toBe(before);
      return;
    }

    const sent = JSON.parse(sentText) as Record<string, unknown>;
    // Every member sent is a field stored: JSON.parse(sent) dropped none of them.
    expect(Object.keys(sent)).toHaveLength(memberCount(r));
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
  console.info(`writer property: ${[...statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(' ')}; ` +
    `${refused} with a repeated key or a lossy number, all refused`);
  expect(created).toBeGreaterThan(REQUESTS * 0.2);
  expect(refused).toBeGreaterThan(REQUESTS * 0.08);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS * 0.2);
});

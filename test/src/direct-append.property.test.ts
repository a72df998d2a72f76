/**
 * WritePath.DIRECT against the writer Lambda, with generated requests on DynamoDB Local. DIRECT
 * runs the construct's synthesized model and mapping templates in the local runtime's API Gateway
 * emulation (test/support/direct-append.ts); the writer runs its own code.
 * - What the writer stores, DIRECT stores as the same event: every read of the table (the
 *   publisher's, the aggregator's) gives the same stream, version, eventId, type and data.
 * - Envelopes: DIRECT refuses with 400 what the writer refuses, and accepts what it accepts (both
 *   count characters as code points, as JSON Schema does).
 *
 * fast-check prints the seed of a failing run; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { HttpError } from '../../lambda-src/core/http';
import { storedEventOf } from '../../lambda-src/core/stored-event';
import { isStreamId } from '../../lambda-src/core/stream-id';
import { appendEvent } from '../../lambda-src/writer/append';
import { parseAppendRequest } from '../../lambda-src/writer/validate';
import { DEFAULTS } from '../../src/contract';
import { runs, storableData, text } from '../support/arbitraries';
import { directAppender, DirectAppender } from '../support/direct-append';
import { createEventsTable, dynamoClient } from '../support/local-dynamo';

let direct: DirectAppender;
let directTable: string;
let writerTable: string;

beforeAll(async () => {
  directTable = (await createEventsTable()).tableName;
  writerTable = (await createEventsTable()).tableName;
  direct = directAppender(directTable);
});

async function storedEvent(table: string, streamId: string, version: number) {
  const key = { streamId: { S: streamId }, version: { N: String(version) } };
  const { Item } = await dynamoClient().send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return Item && storedEventOf(Item);
}

const streamId = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter(isStreamId);
let run = 0;

test('what the writer stores, DIRECT stores as the same event', async () => {
  await fc.assert(fc.asyncProperty(streamId, streamId, storableData, fc.boolean(), async (id, type, data, withEventId) => {
    run += 1;
    const stream = `${id}#${run}`;
    const eventId = withEventId ? `e-${run}` : undefined;
    const body = JSON.stringify({ ...data, type, id: stream, expectedVersion: 0, ...(eventId ? { eventId } : {}) });

    const answer = await direct.post(body);
    expect([answer.status, answer.text]).toEqual([201, '{"stored":true}']);
    const request = parseAppendRequest(body, false, DEFAULTS.streamIdField, DEFAULTS.maxBodyBytes);
    const written = await appendEvent(dynamoClient(), writerTable, { ...request, eventId: request.eventId ?? `w-${run}` });

    const { timestamp: _t1, eventId: directEventId, ...viaDirect } = (await storedEvent(directTable, stream, 1))!;
    const { timestamp: _t2, eventId: _e, ...viaWriter } = (await storedEvent(writerTable, stream, 1))!;
    expect(viaDirect).toEqual(viaWriter);
    expect(viaDirect).toEqual({ streamId: stream, version: 1, type, schemaVersion: 1, data: written.event.data });
    // Without one, the eventId is API Gateway's request id.
    if (eventId) expect(directEventId).toBe(eventId);
    else expect(directEventId).toMatch(/^[0-9a-f-]{36}$/);
  }), runs(150));
});

/** The writer's verdict on an envelope: 400 or not. */
function writerRefuses(body: string): boolean {
  try {
    parseAppendRequest(body, false, DEFAULTS.streamIdField, DEFAULTS.maxBodyBytes);
    return false;
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 400) return true;
    throw err;
  }
}

test('DIRECT refuses the envelopes the writer refuses, and accepts the others', async () => {
  const idText = fc.oneof(text, fc.string({ unit: 'binary', minLength: 250, maxLength: 260 }), fc.constantFrom('$x', 'ok', '', 'é'.repeat(256)));
  const anyValue = fc.oneof(idText, fc.integer(), fc.double(), fc.constantFrom(null, true, [], {}, -1, 0, 1, 2 ** 53, 1.5));
  const printable = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
  const field = fc.oneof({ weight: 6, arbitrary: printable }, { weight: 3, arbitrary: idText }, { weight: 1, arbitrary: anyValue });
  const envelope = fc.record({
    type: field,
    id: field,
    eventId: fc.oneof(fc.constantFrom('e.1:x-y_z', 'a'.repeat(128), 'a'.repeat(129), 'not ok', ''), anyValue),
    // Mostly left out (undefined leaves JSON): sending it is always refused.
    version: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyValue }),
  }, { requiredKeys: ['type', 'id'] });
  let refused = 0;
  await fc.assert(fc.asyncProperty(envelope, async (fields) => {
    run += 1;
    // A fresh stream each run (so that an accepted one stores version 1), unless the id is under test.
    const id = typeof fields.id === 'string' && fields.id !== 'ok' ? fields.id : `env-${run}`;
    const body = JSON.stringify({ ...fields, id, expectedVersion: 0 });
    const writer = writerRefuses(body);
    const answer = await direct.post(body);
    expect(answer.status).not.toBeGreaterThanOrEqual(500);
    expect([body, answer.status === 400]).toEqual([body, writer]);
    if (answer.status === 400) refused += 1;
  }), runs(400));
  // The generated envelopes are not all refused, nor all accepted.
  expect(refused).toBeGreaterThan(40);
  expect(refused).toBeLessThan(360);
});

test('expectedVersion however written (1, 1.0, 1e0, 10e-1...): the writer and DIRECT both append version 2, or both refuse', async () => {
  const spellings = ['1', '1.0', '1e0', '1E0', '10e-1', '0.1e1', '1.00', '1.5', '-1', '1e-1', '"1"'];
  for (const spelling of spellings) {
    run += 1;
    const stream = `spelled-${run}`;
    const first = JSON.stringify({ type: 'A', id: stream, expectedVersion: 0 });
    expect((await direct.post(first)).status).toBe(201);
    await appendEvent(dynamoClient(), writerTable, { ...parseAppendRequest(first, false, DEFAULTS.streamIdField, DEFAULTS.maxBodyBytes), eventId: `w-${run}` });

    const second = `{"type":"B","id":${JSON.stringify(stream)},"expectedVersion":${spelling}}`;
    const writer = writerRefuses(second);
    const answer = await direct.post(second);
    expect({ spelling, status: answer.status }).toEqual({ spelling, status: writer ? 400 : 201 });
    if (writer) continue;
    await appendEvent(dynamoClient(), writerTable, { ...parseAppendRequest(second, false, DEFAULTS.streamIdField, DEFAULTS.maxBodyBytes), eventId: `w2-${run}` });
    expect({ spelling, direct: (await storedEvent(directTable, stream, 2))?.type, writer: (await storedEvent(writerTable, stream, 2))?.type })
      .toEqual({ spelling, direct: 'B', writer: 'B' });
  }
  // Both took the whole numbers and refused the others.
  expect(spellings.filter((s) => !writerRefuses(`{"type":"B","id":"x","expectedVersion":${s}}`))).toEqual(['1', '1.0', '1e0', '1E0', '10e-1', '0.1e1', '1.00']);
});

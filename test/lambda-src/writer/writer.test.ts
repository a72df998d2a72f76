/**
 * The writer Lambda (POST /) against a real DynamoDB Local events table.
 */
import { QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { catalogueShard } from '../../../lambda-src/core/catalogue';
import { HttpError } from '../../../lambda-src/core/http';
import { appendEvent, KnownHeads } from '../../../lambda-src/writer/append';
import { handler } from '../../../lambda-src/writer/index';
import { CATALOGUE, ENV, EVENT_ID_MARKER_PREFIX, KEYS } from '../../../src/contract';
import { captureLogs, countingClient, countItems, dynamoClient, freshWriterTable, postEvent, scanAll, type CapturedLogs } from '../../support/local-dynamo';

let logs: CapturedLogs;
let table: string;

beforeEach(async () => {
  logs = captureLogs();
  table = await freshWriterTable();
});

afterEach(() => logs.restore());

async function post(body: unknown, options: { isBase64Encoded?: boolean } = {}): Promise<APIGatewayProxyResult> {
  const result = await handler(postEvent(body, options));
  expect(result.headers?.['Content-Type']).toBe('application/json');
  return result;
}

function json(result: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}

/** The events of the table (markers excluded), ordered by stream then version. */
async function storedEvents(): Promise<Array<Record<string, unknown>>> {
  const items = await scanAll(table);
  return items
    .filter((item) => (item[KEYS.version] as number) >= 1)
    .sort((a, b) => String(a.streamId).localeCompare(String(b.streamId)) || (a.version as number) - (b.version as number));
}

async function markers(): Promise<Array<Record<string, unknown>>> {
  return (await scanAll(table)).filter((item) => item[KEYS.version] === 0);
}

/** A 4xx answer must be a JSON object with exactly a string message. */
function expectErrorBody(result: APIGatewayProxyResult, status: number): string {
  expect(result.statusCode).toBe(status);
  const body = json(result);
  expect(Object.keys(body)).toEqual(['message']);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  return body.message as string;
}

describe('appending', () => {
  test('stores the event with version 1 and answers 201 with the envelope', async () => {
    const result = await post({ type: 'OrderPlaced', id: 'order-1', eventId: 'evt-1', total: 42, lines: [{ sku: 'a' }] });

    expect(result.statusCode).toBe(201);
    const body = json(result);
    expect(body).toEqual({
      streamId: 'order-1',
      id: 'order-1',
      version: 1,
      eventId: 'evt-1',
      type: 'OrderPlaced',
      schemaVersion: 1,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: { total: 42, lines: [{ sku: 'a' }] },
    });

    expect(await storedEvents()).toEqual([{
      streamId: 'order-1',
      version: 1,
      eventId: 'evt-1',
      type: 'OrderPlaced',
      schemaVersion: 1,
      timestamp: body.timestamp,
      data: { total: 42, lines: [{ sku: 'a' }] },
      // The stream's first event enters the stream catalogue.
      catalogueShard: catalogueShard('order-1'),
    }]);
    expect(await markers()).toEqual([{
      streamId: `${EVENT_ID_MARKER_PREFIX}evt-1`, version: 0, eventStreamId: 'order-1', eventVersion: 1,
    }]);
  });

  test('versions of one stream follow each other; streams are independent', async () => {
    const versions: Array<[unknown, unknown]> = [];
    for (const id of ['a', 'a', 'b', 'a', 'b']) {
      const body = json(await post({ type: 'Touched', id }));
      versions.push([body.streamId, body.version]);
    }
    expect(versions).toEqual([['a', 1], ['a', 2], ['b', 1], ['a', 3], ['b', 2]]);
    expect(await countItems(table)).toBe(10); // five events, five markers
  });

  test('only a stream\'s first event enters the stream catalogue, which lists every stream and nothing else', async () => {
    for (const id of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) await post({ type: 'T', id });
    const items = await scanAll(table);
    expect(items.filter((item) => item.catalogueShard !== undefined).map((item) => [item.streamId, item.version]).sort()).toEqual([['a', 1], ['b', 1], ['c', 1]]);
    const listed: string[] = [];
    for (let shard = 0; shard < CATALOGUE.shards; shard++) {
      const page = await dynamoClient().send(new QueryCommand({
        TableName: table,
        IndexName: CATALOGUE.indexName,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': CATALOGUE.shardAttribute },
        ExpressionAttributeValues: { ':s': { N: String(shard) } },
      }));
      listed.push(...(page.Items ?? []).map((item) => item.streamId.S!));
    }
    expect(listed.sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(['x', 'y', 'z', 'a', 'b'].map(catalogueShard)).size).toBeGreaterThan(1);
  });

  test('an event without eventId gets a generated one', async () => {
    const body = json(await post({ type: 'Touched', id: 'a' }));
    expect(body.eventId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect((await markers()).map((m) => m.streamId)).toEqual([`${EVENT_ID_MARKER_PREFIX}${body.eventId as string}`]);
  });
});

describe('idempotency', () => {
  test('the same eventId appended twice stores one event and answers the same body both times', async () => {
    const request = { type: 'OrderPlaced', id: 'order-1', eventId: 'evt-twice', total: 42, nested: { b: 1, a: [1, 2, { z: true, y: null }] } };
    const first = await post(request);
    const second = await post(request);

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(first.headers?.['Idempotent-Replay']).toBeUndefined();
    expect(second.headers?.['Idempotent-Replay']).toBe('true');
    expect(await storedEvents()).toHaveLength(1);
    expect(await countItems(table)).toBe(2); // the event and its marker
  });

  test('the same eventId with another stream, type or data answers 422 naming where it belongs, and stores nothing', async () => {
    const first = json(await post({ type: 'OrderPlaced', id: 'order-1', eventId: 'evt-once', total: 42, lines: [1, 2] }));
    const reuses = [
      { type: 'OrderPlaced', id: 'order-2', eventId: 'evt-once', total: 42, lines: [1, 2] }, // another stream
      { type: 'OrderCancelled', id: 'order-1', eventId: 'evt-once', total: 42, lines: [1, 2] }, // another type
      { type: 'OrderPlaced', id: 'order-1', eventId: 'evt-once', total: 43, lines: [1, 2] }, // other data
      { type: 'OrderPlaced', id: 'order-1', eventId: 'evt-once', total: 42, lines: [2, 1] }, // order of an array is data
      { type: 'OrderPlaced', id: 'order-1', eventId: 'evt-once', total: 42 }, // a field less
      { type: 'OrderPlaced', id: 'order-1', eventId: 'evt-once', total: 42, lines: [1, 2], extra: null }, // a field more
      { type: 'OrderPlaced', id: 'order-1', eventId: 'evt-once', total: 1, lines: [1, 2], expectedVersion: 7 }, // stale, and other data
    ];
    for (const body of reuses) {
      const message = expectErrorBody(await post(body), 422);
      expect(message).toBe('eventId "evt-once" already belongs to version 1 of stream "order-1", stored with a different stream, type, schema version or data; ' +
        'use a new eventId for a new event');
    }
    expect(await storedEvents()).toHaveLength(1);
    // The same request again, with its keys in another order, is still a replay.
    const replay = await post({ lines: [1, 2], total: 42, eventId: 'evt-once', id: 'order-1', type: 'OrderPlaced' });
    expect(replay.statusCode).toBe(201);
    expect(json(replay)).toEqual(first);
  });

  test('a retry after other appends still answers the first result and stores nothing', async () => {
    const first = await post({ type: 'A', id: 's', eventId: 'evt-retry' });
    await post({ type: 'B', id: 's' });
    await post({ type: 'C', id: 's' });
    const retry = await post({ type: 'A', id: 's', eventId: 'evt-retry' });

    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(json(retry).version).toBe(1);
    expect((await storedEvents()).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  test('a retry whose expectedVersion is now stale answers the first result, not 409', async () => {
    const first = await post({ type: 'A', id: 's', eventId: 'evt-ev', expectedVersion: 0 });
    const retry = await post({ type: 'A', id: 's', eventId: 'evt-ev', expectedVersion: 0 });
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(await storedEvents()).toHaveLength(1);
  });

  test('concurrent appends with one eventId store it once', async () => {
    const request = { type: 'A', id: 's', eventId: 'evt-concurrent' };
    const results = await Promise.all(Array.from({ length: 10 }, () => post(request)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(await countItems(table)).toBe(2);
  });

  test('two appends racing with one eventId for different data or streams: one 201, one 422, one event stored', async () => {
    // Several rounds, as the two requests interleave differently each time.
    const races = Array.from({ length: 8 }, (_, round) => {
      const eventId = `evt-race-${round}`;
      return round % 2 === 0
        ? [{ type: 'A', id: `s-${round}`, eventId, n: 1 }, { type: 'A', id: `s-${round}`, eventId, n: 2 }] // other data
        : [{ type: 'A', id: `s-${round}`, eventId, n: 1 }, { type: 'A', id: `t-${round}`, eventId, n: 1 }]; // another stream
    });
    for (const requests of races) {
      const eventIdOf = requests[0].eventId;
      const results = await Promise.all(requests.map((request) => post(request)));
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 422]);
      const winner = json(results.find((r) => r.statusCode === 201)!);
      const message = expectErrorBody(results.find((r) => r.statusCode === 422)!, 422);
      expect(message).toContain(`eventId "${eventIdOf}" already belongs to version 1 of stream "${winner.streamId as string}"`);

      const stored = (await storedEvents()).filter((e) => e.eventId === eventIdOf);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ streamId: winner.streamId, version: winner.version, data: winner.data });
      expect((await markers()).filter((m) => m.streamId === `${EVENT_ID_MARKER_PREFIX}${eventIdOf}`)).toHaveLength(1);
    }
    // Nothing else: for each round, its event and the event's marker.
    expect(await countItems(table)).toBe(races.length * 2);
  });
});

describe('optimistic concurrency', () => {
  test('a wrong expectedVersion answers 409 JSON and writes nothing', async () => {
    await post({ type: 'A', id: 's' });
    await post({ type: 'B', id: 's' });
    const before = await scanAll(table);

    for (const expectedVersion of [0, 1, 3, 99]) {
      const result = await post({ type: 'C', id: 's', expectedVersion, eventId: `evt-stale-${expectedVersion}` });
      const message = expectErrorBody(result, 409);
      expect(message).toContain('version 2');
    }
    expect(await scanAll(table)).toEqual(before);
  });

  test('expectedVersion 0 on a new stream appends version 1', async () => {
    const result = await post({ type: 'Created', id: 'new-stream', expectedVersion: 0 });
    expect(result.statusCode).toBe(201);
    expect(json(result).version).toBe(1);
    expect(await storedEvents()).toHaveLength(1);
  });

  test('the expected head version appends the next version', async () => {
    await post({ type: 'A', id: 's' });
    const result = await post({ type: 'B', id: 's', expectedVersion: 1 });
    expect(result.statusCode).toBe(201);
    expect(json(result).version).toBe(2);
  });

  test('concurrent appends with the same expectedVersion: exactly one wins, the others get 409', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post({ type: 'Created', id: 'race', expectedVersion: 0, n: i })));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = json(results.find((r) => r.statusCode === 201)!);
    expect(await storedEvents()).toEqual([expect.objectContaining({ version: 1, data: winner.data })]);
    expect(await countItems(table)).toBe(2);
  });

  test('50 concurrent appends to one stream get versions 1..50 with no gap and no duplicate', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => post({ type: 'Tick', id: 'hot', n: i })));

    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const answered = results.map((r) => json(r).version as number).sort((a, b) => a - b);
    expect(answered).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

    const events = await storedEvents();
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Every request is stored exactly once, under the version it was told.
    expect(events.map((e) => (e.data as { n: number }).n).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const result of results) {
      const body = json(result);
      expect(events[(body.version as number) - 1]).toMatchObject({ eventId: body.eventId, data: body.data });
    }
    expect(await markers()).toHaveLength(50);
  });
});

describe('DynamoDB calls per append', () => {
  test('with expectedVersion: one transaction, whatever the writer has seen', async () => {
    const { client, calls } = countingClient();
    const fresh = new KnownHeads(100);
    for (let version = 0; version < 12; version++) {
      for (const streamId of ['ev-a', 'ev-b', 'ev-c']) {
        calls.length = 0;
        const { event } = await appendEvent(client, table, { streamId, type: 'T', data: {}, expectedVersion: version }, { knownHeads: fresh });
        expect(event.version).toBe(version + 1);
        expect(calls).toEqual(['TransactWriteItemsCommand']);
      }
    }
    expect((await storedEvents()).length).toBe(36);
  });

  test('a warm writer reads a stream\'s head once, then appends in one call', async () => {
    const { client, calls } = countingClient();
    const heads = new KnownHeads(100);
    const perAppend: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const streamId of ['w-a', 'w-b']) {
        calls.length = 0;
        await appendEvent(client, table, { streamId, type: 'T', data: { i } }, { knownHeads: heads });
        perAppend.push(calls.length);
      }
    }
    expect(perAppend.slice(0, 2)).toEqual([2, 2]); // Query, then TransactWriteItems
    expect(perAppend.slice(2)).toEqual(Array(38).fill(1));
    expect((await storedEvents()).map((e) => [e.streamId, e.version])).toEqual(
      ['w-a', 'w-b'].flatMap((s) => Array.from({ length: 20 }, (_, i) => [s, i + 1])),
    );
  });

  test('a stale head (another writer appended) costs a read and a retry, and leaves no gap and no duplicate', async () => {
    const { client, calls } = countingClient();
    const [mine, theirs] = [new KnownHeads(100), new KnownHeads(100)];
    await appendEvent(client, table, { streamId: 'st', type: 'Mine', data: {} }, { knownHeads: mine });
    await appendEvent(client, table, { streamId: 'st', type: 'Theirs', data: {} }, { knownHeads: theirs });
    calls.length = 0;
    const { event } = await appendEvent(client, table, { streamId: 'st', type: 'Mine', data: {} }, { knownHeads: mine });
    expect(event.version).toBe(3);
    expect(calls).toEqual(['TransactWriteItemsCommand', 'QueryCommand', 'TransactWriteItemsCommand']);
    expect((await storedEvents()).map((e) => [e.version, e.type])).toEqual([[1, 'Mine'], [2, 'Theirs'], [3, 'Mine']]);
  });

  test('a head guessed too high is refused by the check on the version before, so no gap is left', async () => {
    const heads = new KnownHeads(100);
    await appendEvent(dynamoClient(), table, { streamId: 'hi', type: 'A', data: {} }, { knownHeads: heads });
    heads.set(table, 'hi', 5); // as if the table had lost events since, or was made again
    const { event } = await appendEvent(dynamoClient(), table, { streamId: 'hi', type: 'B', data: {} }, { knownHeads: heads });
    expect(event.version).toBe(2);
    expect((await storedEvents()).map((e) => e.version)).toEqual([1, 2]);
    expect(heads.get(table, 'hi')).toBe(2);
  });

  test('the heads kept are bounded: the least recently appended stream goes first', () => {
    const heads = new KnownHeads(2);
    heads.set('t', 'a', 1);
    heads.set('t', 'b', 1);
    heads.set('t', 'a', 2);
    heads.set('t', 'c', 1);
    expect([heads.get('t', 'a'), heads.get('t', 'b'), heads.get('t', 'c'), heads.get('u', 'a')]).toEqual([2, undefined, 1, undefined]);
  });
});

describe('giving up', () => {
  test('an append that loses every race answers 503 with Retry-After and stores nothing of its own', async () => {
    const client = dynamoClient();
    // Before each of its transactions, a rival append takes the version it is about to write.
    let rivals = 0;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteItemsCommand) {
          rivals += 1;
          await appendEvent(client, table, { streamId: 's', type: 'Rival', data: { n: rivals } });
        }
        return client.send(command as TransactWriteItemsCommand);
      },
    } as unknown as DynamoDBClient;

    const error = await appendEvent(racing, table, { streamId: 's', type: 'Mine', data: {}, eventId: 'evt-mine' }, { maxAttempts: 3 })
      .then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(503);
    expect((error as HttpError).headers).toEqual({ 'Retry-After': '1' });
    expect(rivals).toBe(3);
    expect((await storedEvents()).map((e) => [e.version, e.type])).toEqual([[1, 'Rival'], [2, 'Rival'], [3, 'Rival']]);
    expect((await markers()).some((m) => m.streamId === `${EVENT_ID_MARKER_PREFIX}evt-mine`)).toBe(false);

    // The client's retry with the same eventId then succeeds, once.
    const retried = await appendEvent(client, table, { streamId: 's', type: 'Mine', data: {}, eventId: 'evt-mine' });
    expect(retried).toMatchObject({ replayed: false, event: { version: 4, type: 'Mine' } });
  });
});

describe('validation: 4xx JSON { message } and nothing stored', () => {
  const cases: Array<[string, string, number]> = [
    ['malformed JSON', '{"type": "A", "id": ', 400],
    ['an empty body', '', 400],
    ['a JSON array', JSON.stringify([{ type: 'A', id: 's' }]), 400],
    ['a JSON string', JSON.stringify('{"type":"A","id":"s"}'), 400],
    ['a JSON number', '42', 400],
    ['JSON null', 'null', 400],
    ['a missing type', JSON.stringify({ id: 's' }), 400],
    ['an empty type', JSON.stringify({ type: '', id: 's' }), 400],
    ['type as a number', JSON.stringify({ type: 7, id: 's' }), 400],
    ['type with a control character', JSON.stringify({ type: 'A\nB', id: 's' }), 400],
    ['a missing stream id', JSON.stringify({ type: 'A' }), 400],
    ['an empty stream id', JSON.stringify({ type: 'A', id: '' }), 400],
    ['the stream id as an object', JSON.stringify({ type: 'A', id: { nested: 's' } }), 400],
    ['the stream id as a number', JSON.stringify({ type: 'A', id: 12 }), 400],
    ['a stream id over 256 characters', JSON.stringify({ type: 'A', id: 'x'.repeat(257) }), 400],
    // Characters are code points, as API Gateway's JSON Schema counts them: 257 emoji are too many, 256 are not.
    ['a stream id of 257 emoji', JSON.stringify({ type: 'A', id: '😀'.repeat(257) }), 400],
    ['a type of 257 emoji', JSON.stringify({ type: '😀'.repeat(257), id: 's' }), 400],
    ['expectedVersion as a string', JSON.stringify({ type: 'A', id: 's', expectedVersion: '0' }), 400],
    ['expectedVersion -1', JSON.stringify({ type: 'A', id: 's', expectedVersion: -1 }), 400],
    ['expectedVersion 1.5', JSON.stringify({ type: 'A', id: 's', expectedVersion: 1.5 }), 400],
    ['expectedVersion null', JSON.stringify({ type: 'A', id: 's', expectedVersion: null }), 400],
    ['an eventId with spaces', JSON.stringify({ type: 'A', id: 's', eventId: 'evt 1' }), 400],
    ['an eventId as a number', JSON.stringify({ type: 'A', id: 's', eventId: 1 }), 400],
    ['an empty eventId', JSON.stringify({ type: 'A', id: 's', eventId: '' }), 400],
    ['an eventId over 128 characters', JSON.stringify({ type: 'A', id: 's', eventId: 'e'.repeat(129) }), 400],
    ['a client-set version', JSON.stringify({ type: 'A', id: 's', version: 3 }), 400],
    ['a client-set timestamp', JSON.stringify({ type: 'A', id: 's', timestamp: '2024-01-01T00:00:00Z' }), 400],
    // Valid JSON that DynamoDB cannot store as sent.
    ['an integer beyond 2^53', '{"type":"A","id":"s","n":12345678901234567890}', 400],
    ['a huge number', '{"type":"A","id":"s","n":1e200}', 400],
    ['a number too close to zero', '{"type":"A","id":"s","nested":{"n":-1e-200}}', 400],
    ['an empty field name', '{"type":"A","id":"s","":1}', 400],
    ['an empty nested field name', '{"type":"A","id":"s","nested":[{"":1}]}', 400],
    ['data nested 32 levels deep', `{"type":"A","id":"s","n":${'['.repeat(31)}${']'.repeat(31)}}`, 400],
    // Keys and values JavaScript or DynamoDB could not carry faithfully.
    ['a "__proto__" field', '{"type":"A","id":"s","__proto__":{"admin":true}}', 400],
    ['a nested "__proto__" key', '{"type":"A","id":"s","nested":{"__proto__":{"a":1}}}', 400],
    ['a lone surrogate in a value', '{"type":"A","id":"s","text":"\\ud800"}', 400],
    ['a lone surrogate in a key', '{"type":"A","id":"s","\\udc00":1}', 400],
    ['a lone surrogate in the stream id', '{"type":"A","id":"s\\ud800"}', 400],
    // The store's own items live under stream ids starting with "$".
    ['a stream id in the idempotency markers\' key space', JSON.stringify({ type: 'A', id: '$eventId#foo' }), 400],
    ['a stream id starting with "$"', JSON.stringify({ type: 'A', id: '$anything' }), 400],
    // What JSON.parse would drop or round without a word.
    ['a repeated key', '{"type":"A","id":"s","a":1,"a":2}', 400],
    ['a repeated nested key, once written as an escape', '{"type":"A","id":"s","a":[{"b":1,"\\u0062":1}]}', 400],
    ['a repeated type', '{"type":"A","id":"s","type":"A"}', 400],
    ['a repeated stream id', '{"type":"A","id":"s","id":"t"}', 400],
    ['a repeated eventId', '{"type":"A","id":"s","eventId":"e-1","eventId":"e-2"}', 400],
    ['a number with more digits than a JavaScript number holds', '{"type":"A","id":"s","n":0.12345678901234567890123}', 400],
    ['a safe-looking integer JSON parsing rounds', '{"type":"A","id":"s","n":9007199254740993}', 400],
    ['a number JSON parsing rounds to 0', '{"type":"A","id":"s","n":[1e-400]}', 400],
    ['a number JSON parsing rounds to 1', '{"type":"A","id":"s","n":1.00000000000000000001}', 400],
  ];

  test.each(cases)('%s', async (_name, body, status) => {
    const result = await post(body);
    expectErrorBody(result, status);
    expect(await countItems(table)).toBe(0);
  });

  test('a type or stream id with a control character is refused for that, not for its length', async () => {
    const type = await post(JSON.stringify({ type: 'a\nb', id: 's' }));
    expect([type.statusCode, JSON.parse(type.body).message]).toEqual([400, 'Field "type" must be printable: it holds the control character U+000A at position 2']);
    const id = await post(JSON.stringify({ type: 'A', id: 's\t1' }));
    expect([id.statusCode, JSON.parse(id.body).message]).toEqual([400, 'Field "id" must be printable: it holds the control character U+0009 at position 2']);
    expect(await countItems(table)).toBe(0);
  });

  test('data nested as deep as DynamoDB allows, and extreme but storable numbers, are accepted', async () => {
    const body = `{"type":"A","id":"s","n":${'['.repeat(30)}1${']'.repeat(30)},"big":9007199254740991,"small":1e-130,"neg":-0.5}`;
    const result = await post(body);
    expect(result.statusCode).toBe(201);
    const [stored] = await storedEvents();
    const { type: _type, id: _id, ...data } = JSON.parse(body) as Record<string, unknown>;
    expect(stored.data).toEqual(data);
    expect(data.big).toBe(9007199254740991);
  });

  test('a stream id and a type of 256 characters are stored, however many UTF-16 code units they take', async () => {
    const result = await post(JSON.stringify({ type: '😀'.repeat(256), id: '𝄞'.repeat(256) }));
    expect(result.statusCode).toBe(201);
    expect((await storedEvents()).map((e) => String(e.streamId)).map((id) => [[...id].length, id.length])).toEqual([[256, 512]]);
  });

  test('numbers written in another spelling of the same value are stored', async () => {
    const result = await post('{"type":"A","id":"s","a":1.0,"b":10E-1,"c":0.100,"d":1E2,"e":-0.0,"f":100000000000000000000e-20}');
    expect(result.statusCode).toBe(201);
    expect((await storedEvents())[0].data).toEqual({ a: 1, b: 1, c: 0.1, d: 100, e: 0, f: 1 });
  });

  test('a repeated key or a rounded number answers 400 naming it, whatever the rest', async () => {
    expect(expectErrorBody(await post('{"type":"A","id":"s","x":{"a/b":[0,{"k":1,"\\u006b":2}]}}'), 400))
      .toBe('Field /x/a~1b/1/k appears more than once in one object; JSON parsing keeps only the last one, so send each key once');
    expect(expectErrorBody(await post('{"type":"A","type":"B","id":"s"}'), 400)).toContain('Field /type appears more than once');
    expect(expectErrorBody(await post('{"type":"A","id":"s","n":[0,0.12345678901234567890123]}'), 400))
      .toBe('Field /n/1 is the number 0.12345678901234567890123, which cannot be stored exactly (a JavaScript number holds 0.12345678901234568); ' +
        'send it as a string');
    expect(await countItems(table)).toBe(0);
  });

  test('a 400 names the offending field by its JSON Pointer', async () => {
    expect(expectErrorBody(await post('{"type":"A","id":"s","__proto__":1}'), 400)).toContain('/__proto__');
    expect(expectErrorBody(await post('{"type":"A","id":"s","a":{"b/c":[0,{"__proto__":1}]}}'), 400)).toContain('/a/b~1c/1/__proto__');
    expect(expectErrorBody(await post('{"type":"A","id":"s","n":{"deep":1e-200}}'), 400)).toContain('/n/deep');
    expect(expectErrorBody(await post({ type: 'A', id: '$x' }), 400)).toContain('"id" cannot start with "$"');
  });

  test('a key over 50,000 UTF-8 bytes answers 400; one at the limit is stored', async () => {
    process.env[ENV.maxBodyBytes] = String(240 * 1024);
    expectErrorBody(await post({ type: 'A', id: 's', ['é'.repeat(25_000) + 'x']: 1 }), 400);
    expect(await countItems(table)).toBe(0);
    expect((await post({ type: 'A', id: 's', nested: { ['é'.repeat(25_000)]: 1 } })).statusCode).toBe(201);
  });

  test('keys named after Object.prototype members are ordinary data: stored, answered and kept exactly', async () => {
    const body = '{"type":"BuildingAdded","id":"b1","constructor":"ACME","toString":1,"valueOf":{"constructor":{"name":"String"}},' +
      '"hasOwnProperty":[{"prototype":null}],"isPrototypeOf":false,"__defineGetter__":"x","nested":{"constructor":{"name":"Set"}}}';
    const result = await post(body);
    expect(result.statusCode).toBe(201);
    const { type: _type, id: _id, ...sent } = JSON.parse(body) as Record<string, unknown>;
    expect(json(result).data).toEqual(sent);
    const [stored] = await storedEvents();
    expect(stored.data).toEqual(sent);
    expect(Object.keys(stored.data as object).sort()).toEqual(Object.keys(sent).sort());
  });

  test('an event whose published message would exceed SNS\'s 256 KiB answers 413 and stores nothing', async () => {
    process.env[ENV.maxBodyBytes] = String(240 * 1024);
    // 1e15 takes 4 bytes in the body and 16 in the published JSON: the body fits, the message does not.
    const numbers = `[${Array.from({ length: 20_000 }, () => '1e15').join(',')}]`;
    const message = expectErrorBody(await post(`{"type":"A","id":"s","n":${numbers}}`), 413);
    expect(message).toContain('262144');
    expect(await countItems(table)).toBe(0);
  });

  test('a null body answers 400', async () => {
    const event = postEvent('');
    const result = await handler({ ...event, body: null });
    expectErrorBody(result, 400);
    expect(await countItems(table)).toBe(0);
  });

  test('a body over MAX_BODY_BYTES answers 413', async () => {
    process.env[ENV.maxBodyBytes] = '200';
    const small = { type: 'A', id: 's', pad: 'x'.repeat(100) };
    const large = { type: 'A', id: 's', pad: 'x'.repeat(200) };

    const message = expectErrorBody(await post(large), 413);
    expect(message).toContain('200');
    expect(await countItems(table)).toBe(0);

    expect((await post(small)).statusCode).toBe(201);
  });

  test('the size limit counts UTF-8 bytes, not characters', async () => {
    process.env[ENV.maxBodyBytes] = '100';
    // 40 characters of "é" are 80 bytes: the body is over 100 bytes but under 100 characters.
    const body = JSON.stringify({ type: 'A', id: 's', pad: 'é'.repeat(40) });
    expect(body.length).toBeLessThanOrEqual(100);
    expectErrorBody(await post(body), 413);
    expect(await countItems(table)).toBe(0);
  });

  test('the size limit applies to the decoded base64 body', async () => {
    process.env[ENV.maxBodyBytes] = '200';
    const body = Buffer.from(JSON.stringify({ type: 'A', id: 's', pad: 'x'.repeat(300) })).toString('base64');
    expectErrorBody(await post(body, { isBase64Encoded: true }), 413);
    expect(await countItems(table)).toBe(0);
  });
});

describe('request encodings and settings', () => {
  test('a base64-encoded body is accepted', async () => {
    const body = Buffer.from(JSON.stringify({ type: 'Named', id: 'ü-stream', name: 'Zoë' }), 'utf8').toString('base64');
    const result = await post(body, { isBase64Encoded: true });

    expect(result.statusCode).toBe(201);
    expect(json(result)).toMatchObject({ streamId: 'ü-stream', version: 1, type: 'Named', data: { name: 'Zoë' } });
    expect(await storedEvents()).toEqual([expect.objectContaining({ streamId: 'ü-stream', data: { name: 'Zoë' } })]);
  });

  test('base64 that does not decode to JSON answers 400', async () => {
    const result = await post(Buffer.from('not json at all').toString('base64'), { isBase64Encoded: true });
    expectErrorBody(result, 400);
    expect(await countItems(table)).toBe(0);
  });

  test('a custom STREAM_ID_FIELD names the stream id field', async () => {
    process.env[ENV.streamIdField] = 'customer';
    const result = await post({ type: 'CustomerRegistered', customer: 'c-7', id: 'not-the-stream', email: 'c7@example.com' });

    expect(result.statusCode).toBe(201);
    const body = json(result);
    expect(body).toMatchObject({ streamId: 'c-7', customer: 'c-7', version: 1 });
    // With a custom field, "id" is ordinary event data.
    expect(body.data).toEqual({ id: 'not-the-stream', email: 'c7@example.com' });
    expect(await storedEvents()).toEqual([expect.objectContaining({ streamId: 'c-7', data: { id: 'not-the-stream', email: 'c7@example.com' } })]);

    const missing = await post({ type: 'CustomerRegistered', id: 'c-8' });
    expect(expectErrorBody(missing, 400)).toContain('customer');
    expect(await storedEvents()).toHaveLength(1);
  });

  test('CORS_ALLOW_ORIGIN adds CORS headers to success and error answers', async () => {
    process.env[ENV.corsOrigin] = 'https://app.example.com';
    const ok = await post({ type: 'A', id: 's' });
    const bad = await post('{');
    for (const result of [ok, bad]) {
      expect(result.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    }
    expect(bad.statusCode).toBe(400);
  });

  test('a missing EVENTS_TABLE_NAME answers 500 without details', async () => {
    delete process.env[ENV.eventsTable];
    const result = await post({ type: 'A', id: 's' });
    expect(result.statusCode).toBe(500);
    expect(json(result)).toEqual({ message: 'Internal server error' });
  });
});

describe('metrics (CloudWatch Embedded Metric Format in the log)', () => {
  test('one line per request with the event and its duration: Appends for a stored event, AppendsRejected for a 4xx, AppendConflicts for a 409', async () => {
    expect((await post({ type: 'Created', id: 'm-1', eventId: 'm-e1' })).statusCode).toBe(201);
    expect((await post({ type: 'Created', id: 'm-1', eventId: 'm-e1' })).statusCode).toBe(201); // a replay stores nothing
    expect((await post({ type: 'Updated', id: 'm-1', expectedVersion: 5 })).statusCode).toBe(409);
    expect((await post('{ not json')).statusCode).toBe(400);
    const lines = logs.lines.filter((l) => l.message === 'append answered');
    expect(lines.map((l) => [l.status, l.Appends, l.AppendsRejected, l.AppendConflicts])).toEqual([
      [201, 1, 0, 0], [201, 0, 0, 0], [409, 0, 1, 1], [400, 0, 1, 0],
    ]);
    // What was stored, and how long the request took.
    expect(lines.map((l) => [l.streamId, l.version, l.eventId, l.type, l.replayed])).toEqual([
      ['m-1', 1, 'm-e1', 'Created', false], ['m-1', 1, 'm-e1', 'Created', true], [undefined, undefined, undefined, undefined, undefined], [undefined, undefined, undefined, undefined, undefined],
    ]);
    for (const line of lines) expect(line.durationMs).toEqual(expect.any(Number));
    expect(lines.every((l) => (l.durationMs as number) >= 0 && (l.durationMs as number) < 10_000)).toBe(true);
    expect(lines[0]).toMatchObject({
      Api: table,
      _aws: {
        CloudWatchMetrics: [{
          Namespace: 'CdkEventSourcedApi',
          Dimensions: [['Api']],
          Metrics: [{ Name: 'Appends', Unit: 'Count' }, { Name: 'AppendsRejected', Unit: 'Count' }, { Name: 'AppendConflicts', Unit: 'Count' }],
        }],
      },
    });
  });
});

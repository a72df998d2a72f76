/**
 * The publisher (events table stream -> SNS) with genuine stream records: events are appended
 * with the writer's appendEvent to a DynamoDB Local table with a stream, and the stream is read
 * back with the DynamoDB Streams API, as Lambda's event source mapping would.
 *
 * SNS is MOCKED: it has no local implementation here. The mock is an object whose `send` is a
 * jest.fn that records every PublishBatchCommand input and answers as SNS would (or fails as told).
 */
import { randomUUID } from 'node:crypto';
import { PublishBatchCommand, type PublishBatchCommandInput, type PublishBatchCommandOutput, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBRecord } from 'aws-lambda';
import { messageGroupId } from '../../../lambda-src/core/event-message';
import { parseStoredEvent, type StoredEvent } from '../../../lambda-src/core/stored-event';
import { deduplicationId, publishRecords } from '../../../lambda-src/publisher/publish';
import { appendEvent } from '../../../lambda-src/writer/append';
import { KEYS } from '../../../src/contract';
import { directAppender } from '../../support/direct-append';
import { captureLogs, createEventsTable, dynamoClient, readStream, type CapturedLogs } from '../../support/local-dynamo';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:events.fifo';
const STREAM_WITH_ODD_ID = 'order c/ü'; // a space and a non-ASCII letter: not a valid SNS group id

type Respond = (input: PublishBatchCommandInput, call: number) => Partial<PublishBatchCommandOutput>;

/** Answers like SNS when every entry is accepted. */
const acceptAll: Respond = (input) => ({
  Successful: (input.PublishBatchRequestEntries ?? []).map((e) => ({ Id: e.Id, MessageId: randomUUID(), SequenceNumber: '1' })),
  Failed: [],
});

function mockSns(respond: Respond = acceptAll) {
  const inputs: PublishBatchCommandInput[] = [];
  const send = jest.fn(async (command: unknown) => {
    if (!(command instanceof PublishBatchCommand)) throw new Error(`unexpected SNS command ${String(command)}`);
    inputs.push(structuredClone(command.input));
    return respond(command.input, inputs.length - 1);
  });
  return { sns: { send } as unknown as SNSClient, inputs, send };
}

function entriesOf(inputs: PublishBatchCommandInput[]) {
  return inputs.flatMap((input) => input.PublishBatchRequestEntries ?? []);
}

function messagesOf(inputs: PublishBatchCommandInput[]): StoredEvent[] {
  return entriesOf(inputs).map((entry) => parseStoredEvent(entry.Message!));
}

let logs: CapturedLogs;
beforeEach(() => { logs = captureLogs(); });
afterEach(() => logs.restore());

// One events table and its stream serve every test below: the tests only read them.
let appended: StoredEvent[];
let records: DynamoDBRecord[];

/** The stream record of an appended event. */
function recordOf(event: StoredEvent): DynamoDBRecord {
  const record = records.find((r) => {
    const keys = r.dynamodb?.Keys;
    return keys?.[KEYS.streamId]?.S === event.streamId && keys?.[KEYS.version]?.N === String(event.version);
  });
  if (!record) throw new Error(`no stream record for ${event.streamId} v${event.version}`);
  return record;
}

beforeAll(async () => {
  const setupLogs = captureLogs();
  try {
    const { tableName, streamArn } = await createEventsTable();
    const client = dynamoClient();
    appended = [];
    // Interleaved appends to three streams: 12 + 6 + 5 = 23 events.
    const plan = [
      ...Array.from({ length: 12 }, (_, i) => ({ streamId: 'order-a', i })),
      ...Array.from({ length: 6 }, (_, i) => ({ streamId: 'order-b', i })),
      ...Array.from({ length: 5 }, (_, i) => ({ streamId: STREAM_WITH_ODD_ID, i })),
    ].sort((x, y) => x.i - y.i || x.streamId.localeCompare(y.streamId));
    for (const { streamId, i } of plan) {
      const type = i === 0 ? 'OrderCreated' : i % 2 ? 'ItemAdded' : 'ItemRemoved';
      // order-b's first event has no data at all, the most common shape of an event.
      const data = streamId === 'order-b' && i === 0 ? {} : { n: i, nested: { sku: `sku-${i}`, tags: ['x'] } };
      const eventId = streamId === 'order-a' && i === 3 ? 'evt-retried' : undefined;
      const { event, replayed } = await appendEvent(client, tableName, { streamId, type, data, eventId });
      expect(replayed).toBe(false);
      appended.push(event);
    }
    // A client retry of order-a's fourth event: answered from the marker, nothing new is written.
    const retry = await appendEvent(client, tableName, { streamId: 'order-a', type: 'ItemAdded', data: { n: 3, nested: { sku: 'sku-3', tags: ['x'] } }, eventId: 'evt-retried' });
    expect(retry.replayed).toBe(true);

    records = await readStream(streamArn, 2 * appended.length);
  } finally {
    setupLogs.restore();
  }
});

describe('the stream as DynamoDB Local delivers it', () => {
  test('holds an INSERT per event and per idempotency marker, and nothing for the retry', () => {
    expect(records).toHaveLength(2 * appended.length);
    expect(records.every((r) => r.eventName === 'INSERT')).toBe(true);
    const markers = records.filter((r) => r.dynamodb?.Keys?.[KEYS.version]?.N === '0');
    expect(markers).toHaveLength(appended.length);
    expect(markers.filter((r) => r.dynamodb?.NewImage?.[KEYS.streamId]?.S === '$eventId#evt-retried')).toHaveLength(1);
    expect(new Set(records.map((r) => r.dynamodb?.SequenceNumber)).size).toBe(records.length);
  });
});

describe('publishing', () => {
  test('publishes only the events (not the markers), in stream order, in batches of at most 10', async () => {
    const { sns, inputs } = mockSns();
    const result = await publishRecords(sns, records, { topicArn: TOPIC_ARN, fifo: true });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(inputs.map((i) => i.PublishBatchRequestEntries?.length)).toEqual([10, 10, 3]);
    expect(inputs.every((i) => i.TopicArn === TOPIC_ARN)).toBe(true);
    for (const input of inputs) {
      expect(input.PublishBatchRequestEntries?.map((e) => e.Id)).toEqual(input.PublishBatchRequestEntries?.map((_, i) => String(i)));
    }
    // Every event once, in the order it was stored, exactly as the events table holds it.
    expect(messagesOf(inputs)).toEqual(appended);
    // A line per event: which one, how long its PublishBatch took, and how long after its append it went out.
    const published = logs.lines.filter((l) => l.message === 'event published');
    expect(published.map((l) => [l.streamId, l.version, l.eventId, l.type])).toEqual(appended.map((e) => [e.streamId, e.version, e.eventId, e.type]));
    for (const line of published) {
      expect(line.publishMs).toBeGreaterThanOrEqual(0);
      expect(line.sinceAppendMs).toBeGreaterThanOrEqual(0);
    }
    for (const entry of entriesOf(inputs)) {
      expect(entry.MessageAttributes).toEqual({ type: { DataType: 'String', StringValue: parseStoredEvent(entry.Message!).type } });
    }
  });

  test('FIFO: the message group is the stream id, or a hash of it when SNS would refuse it', async () => {
    const { sns, inputs } = mockSns();
    await publishRecords(sns, records, { topicArn: TOPIC_ARN, fifo: true });

    const groups = new Map<string, Set<string>>();
    for (const entry of entriesOf(inputs)) {
      const { streamId } = parseStoredEvent(entry.Message!);
      groups.set(streamId, (groups.get(streamId) ?? new Set()).add(entry.MessageGroupId!));
    }
    expect([...groups.get('order-a')!]).toEqual(['order-a']);
    expect([...groups.get('order-b')!]).toEqual(['order-b']);
    const odd = [...groups.get(STREAM_WITH_ODD_ID)!];
    expect(odd).toHaveLength(1);
    expect(odd[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(odd[0]).toBe(messageGroupId(STREAM_WITH_ODD_ID));
    // Too long for SNS (128 characters) is hashed too.
    expect(messageGroupId('x'.repeat(128))).toBe('x'.repeat(128));
    expect(messageGroupId('x'.repeat(129))).toMatch(/^[0-9a-f]{64}$/);
  });

  test('FIFO: deduplication ids are distinct per event and the same when a record is published again', async () => {
    const first = mockSns();
    const second = mockSns();
    await publishRecords(first.sns, records, { topicArn: TOPIC_ARN, fifo: true });
    await publishRecords(second.sns, records.slice(20), { topicArn: TOPIC_ARN, fifo: true });

    const ids = entriesOf(first.inputs).map((e) => e.MessageDeduplicationId!);
    expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(appended.length);
    expect(ids).toEqual(appended.map((e) => deduplicationId(e)));
    // Re-published (a Lambda retry): same events, same deduplication ids, so SNS drops them.
    const again = entriesOf(second.inputs);
    expect(again.length).toBeGreaterThan(0);
    for (const entry of again) {
      const original = entriesOf(first.inputs).find((e) => e.Message === entry.Message);
      expect(original).toBeDefined();
      expect(entry.MessageDeduplicationId).toBe(original!.MessageDeduplicationId);
      expect(entry.MessageGroupId).toBe(original!.MessageGroupId);
    }
    // The id names the event (stream and version), not its timestamp or eventId.
    const event = appended[0];
    expect(deduplicationId({ ...event, eventId: 'other', timestamp: '2000-01-01T00:00:00.000Z' })).toBe(deduplicationId(event));
    expect(deduplicationId({ ...event, version: event.version + 1 })).not.toBe(deduplicationId(event));
  });

  test('standard topic: no message group and no deduplication id', async () => {
    const { sns, inputs } = mockSns();
    const result = await publishRecords(sns, records, { topicArn: 'arn:aws:sns:us-east-1:123456789012:events', fifo: false });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(messagesOf(inputs)).toEqual(appended);
    for (const entry of entriesOf(inputs)) {
      expect(entry).not.toHaveProperty('MessageGroupId');
      expect(entry).not.toHaveProperty('MessageDeduplicationId');
    }
  });

  test('records that are not new events publish nothing', async () => {
    const { sns, send } = mockSns();
    const markersOnly = records.filter((r) => r.dynamodb?.Keys?.[KEYS.version]?.N === '0');
    const eventRecord = recordOf(appended[0]);
    const modify: DynamoDBRecord = { ...eventRecord, eventName: 'MODIFY' };
    const remove: DynamoDBRecord = { ...eventRecord, eventName: 'REMOVE', dynamodb: { ...eventRecord.dynamodb, NewImage: undefined } };
    const noImage: DynamoDBRecord = { ...eventRecord, dynamodb: { ...eventRecord.dynamodb, NewImage: undefined } };

    expect(await publishRecords(sns, [], { topicArn: TOPIC_ARN, fifo: true })).toEqual({ batchItemFailures: [] });
    const notEvents = [...markersOnly, modify, remove, noImage];
    expect(await publishRecords(sns, notEvents, { topicArn: TOPIC_ARN, fifo: true })).toEqual({ batchItemFailures: [] });
    expect(send).not.toHaveBeenCalled();
  });
});

describe('failures', () => {
  test('a Failed entry reports the record of the first failed event; nothing after it is published', async () => {
    const { sns, inputs, send } = mockSns((input, call) => {
      if (call !== 1) return acceptAll(input, call);
      const entries = input.PublishBatchRequestEntries ?? [];
      return {
        Successful: entries.filter((e) => e.Id !== '3' && e.Id !== '6').map((e) => ({ Id: e.Id, MessageId: randomUUID() })),
        Failed: [
          { Id: '6', Code: 'InternalError', SenderFault: false, Message: 'try again' },
          { Id: '3', Code: 'InternalError', SenderFault: false, Message: 'try again' },
        ],
      };
    });
    const result = await publishRecords(sns, records, { topicArn: TOPIC_ARN, fifo: true });

    // Batch two holds events 10..19; its entry 3 is event 13.
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: recordOf(appended[13]).dynamodb!.SequenceNumber }] });
    expect(send).toHaveBeenCalledTimes(2);
    expect(messagesOf(inputs)).toEqual(appended.slice(0, 20));
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'publish failed for some entries' }));
  });

  test('a Failed first entry of the first batch reports the first event', async () => {
    const { sns, send } = mockSns(() => ({ Successful: [], Failed: [{ Id: '0', Code: 'Throttled', SenderFault: false }] }));
    const result = await publishRecords(sns, records, { topicArn: TOPIC_ARN, fifo: true });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: recordOf(appended[0]).dynamodb!.SequenceNumber }] });
    expect(send).toHaveBeenCalledTimes(1);
  });

  test.each([[0], [1], [2]])('a send that throws on call %i reports the first event of that batch; nothing after it is published', async (failingCall) => {
    const { sns, send } = mockSns((input, call) => {
      if (call === failingCall) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return acceptAll(input, call);
    });
    const result = await publishRecords(sns, records, { topicArn: TOPIC_ARN, fifo: true });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: recordOf(appended[failingCall * 10]).dynamodb!.SequenceNumber }] });
    expect(send).toHaveBeenCalledTimes(failingCall + 1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'publish batch failed', error: 'ThrottlingException: Rate exceeded' }));
  });

  test('retrying from the reported record publishes every event, in order, without a gap', async () => {
    // The first attempt fails in the second batch (entry 4); Lambda then retries the batch
    // from the reported sequence number on.
    const published: StoredEvent[] = [];
    const first = mockSns((input, call) => {
      const entries = input.PublishBatchRequestEntries ?? [];
      const failed = call === 1 ? entries.filter((e) => Number(e.Id) >= 4) : [];
      for (const entry of entries) if (!failed.includes(entry)) published.push(parseStoredEvent(entry.Message!));
      return { Successful: [], Failed: failed.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })) };
    });
    const failure = await publishRecords(first.sns, records, { topicArn: TOPIC_ARN, fifo: true });
    const from = records.findIndex((r) => r.dynamodb?.SequenceNumber === failure.batchItemFailures[0]?.itemIdentifier);
    expect(from).toBeGreaterThan(0);

    const retry = mockSns();
    expect(await publishRecords(retry.sns, records.slice(from), { topicArn: TOPIC_ARN, fifo: true })).toEqual({ batchItemFailures: [] });
    published.push(...messagesOf(retry.inputs));
    expect(published).toEqual(appended);
  });

  test('an undecodable record: the events before it are published, it is reported, nothing after it is published', async () => {
    const brokenAt = records.indexOf(recordOf(appended[12]));
    const broken: DynamoDBRecord = {
      ...records[brokenAt],
      dynamodb: { ...records[brokenAt].dynamodb, NewImage: { ...records[brokenAt].dynamodb!.NewImage, data: {} as never } },
    };
    const batch = [...records.slice(0, brokenAt), broken, ...records.slice(brokenAt + 1)];
    const { sns, inputs } = mockSns();
    const result = await publishRecords(sns, batch, { topicArn: TOPIC_ARN, fifo: true });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: broken.dynamodb!.SequenceNumber }] });
    expect(messagesOf(inputs)).toEqual(appended.slice(0, 12));
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'stream record cannot be decoded' }));
  });
});

describe('events appended with WritePath.DIRECT', () => {
  test('publish as the writer\'s would, and data the writer refuses is published as JSON.parse reads it, with a warning', async () => {
    const { tableName, streamArn } = await createEventsTable();
    const direct = directAppender(tableName);
    const sent = [
      '{"type":"Placed","id":"d-1","expectedVersion":0,"eventId":"d-1-a","sku":"x","qty":2}',
      // A repeated key and a number JavaScript rounds: the writer would answer 400; DIRECT stores the body as sent.
      '{"type":"Placed","id":"d-1","expectedVersion":1,"sku":"y","sku":"z","big":12345678901234567890}',
    ];
    for (const body of sent) expect((await direct.post(body)).status).toBe(201);
    const directRecords = (await readStream(streamArn, 4)).filter((r) => r.dynamodb?.NewImage?.eventId);

    const { sns, inputs } = mockSns();
    expect(await publishRecords(sns, directRecords, { topicArn: TOPIC_ARN, fifo: true })).toEqual({ batchItemFailures: [] });
    const messages = messagesOf(inputs);
    expect(messages.map(({ timestamp: _t, eventId: _e, ...event }) => event)).toEqual([
      { streamId: 'd-1', version: 1, type: 'Placed', schemaVersion: 1, data: { sku: 'x', qty: 2 } },
      { streamId: 'd-1', version: 2, type: 'Placed', schemaVersion: 1, data: { sku: 'z', big: 12345678901234567000 } },
    ]);
    expect(messages[0].eventId).toBe('d-1-a');
    expect(Date.parse(messages[0].timestamp)).toBeGreaterThan(Date.now() - 60_000);
    const warnings = logs.lines.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([expect.objectContaining({
      message: expect.stringContaining('holds data the writer Lambda refuses'), streamId: 'd-1', version: 2, field: '/sku',
    })]);
  });
});

/**
 * The aggregator runtime (SQS batch -> view table) against real DynamoDB Local tables. Events are
 * appended with the writer's appendEvent first, because the runtime fills gaps from the events
 * table, the source of truth.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { createHandler, processBatch } from '../../../lambda-src/aggregator/index';
import { loadHandlers, type ProjectionEvent, type ProjectionHandlers, type ViewState } from '../../../lambda-src/aggregator/projection-module';
import { catchUpBody, parseViewMessage, type StoredEvent } from '../../../lambda-src/core/stored-event';
import { appendEvent } from '../../../lambda-src/writer/append';
import { ENV, KEYS } from '../../../src/contract';
import {
  captureLogs, countingClient, createEventsTable, createViewTable, dynamoClient, getViewItem, putViewItem, sqsEvent, sqsRecord, type CapturedLogs,
} from '../../support/local-dynamo';

/** An order projection. Its `applied` list shows exactly which versions were applied, in which order. */
interface Order extends ViewState {
  customer: string;
  lines: string[];
  total: number;
  applied: number[];
}

function order(view: ViewState | undefined, event: ProjectionEvent): Order {
  if (!view) throw new Error(`no order for ${event.type} v${event.version}`);
  return view as Order;
}

const orderHandlers: ProjectionHandlers = {
  OrderCreated: (_view, event) => ({ customer: event.data.customer as string, lines: [], total: 0, applied: [event.version] }),
  ItemAdded: (view, event) => {
    const o = order(view, event);
    return {
      ...o,
      lines: [...o.lines, event.data.sku as string],
      total: o.total + (event.data.price as number),
      applied: [...o.applied, event.version],
    };
  },
  ItemRemoved: (view, event) => {
    const o = order(view, event);
    const index = o.lines.indexOf(event.data.sku as string);
    return {
      ...o,
      lines: o.lines.filter((_, i) => i !== index),
      total: o.total - (event.data.price as number),
      applied: [...o.applied, event.version],
    };
  },
  // Async on purpose: handlers may return a promise.
  OrderDiscounted: async (view, event) => {
    await new Promise((resolve) => setImmediate(resolve));
    const o = order(view, event);
    return { ...o, total: o.total * (1 - (event.data.percent as number) / 100), applied: [...o.applied, event.version] };
  },
  // Deletes the record.
  OrderCancelled: () => undefined,
};

/** The order projection plus event types that misbehave. */
const faultyHandlers: ProjectionHandlers = {
  ...orderHandlers,
  Poison: () => { throw new Error('poisoned event'); },
  ReturnsArray: () => [1, 2, 3] as unknown as ViewState,
  ReturnsNumber: () => 42 as unknown as ViewState,
  MutatesThenThrows: (view) => {
    (view as Order).lines.push('corrupted');
    (view as Order).total = -1;
    throw new Error('failed after mutating its input');
  },
};

let logs: CapturedLogs;
let eventsTable: string;

beforeEach(async () => {
  logs = captureLogs();
  eventsTable = (await createEventsTable()).tableName;
});

afterEach(() => logs.restore());

type EventSpec = [type: string, data?: Record<string, unknown>];

/** Appends events to one stream through the writer, and returns them as stored. */
async function append(streamId: string, specs: EventSpec[], table = eventsTable): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = [];
  for (const [type, data] of specs) {
    const { event } = await appendEvent(dynamoClient(), table, { streamId, type, data: data ?? {} });
    stored.push(event);
  }
  expect(stored.map((e) => e.version)).toEqual(specs.map((_, i) => i + 1));
  return stored;
}

/** SQS records for events, as the view queue delivers them (FIFO: group = stream id). */
function deliveries(events: StoredEvent[], options: { fifo?: boolean } = {}): SQSRecord[] {
  return events.map((event) => sqsRecord(JSON.stringify(event), {
    messageId: `${event.streamId}#${event.version}#${Math.random().toString(36).slice(2, 8)}`,
    messageGroupId: options.fifo === false ? undefined : event.streamId,
  }));
}

function failedIds(response: SQSBatchResponse): string[] {
  return response.batchItemFailures.map((f) => f.itemIdentifier);
}

async function viewRecord(viewTable: string, streamId: string): Promise<{ version: unknown; state: unknown } | undefined> {
  const item = await getViewItem(viewTable, streamId);
  return item && { version: item[KEYS.version], state: item[KEYS.state] };
}

const ORDER_EVENTS: EventSpec[] = [
  ['OrderCreated', { customer: 'c-1' }],
  ['ItemAdded', { sku: 'apple', price: 3 }],
  ['ItemAdded', { sku: 'pear', price: 5 }],
  ['ItemAdded', { sku: 'plum', price: 7 }],
  ['ItemRemoved', { sku: 'pear', price: 5 }],
  ['OrderDiscounted', { percent: 50 }],
  ['ItemAdded', { sku: 'kiwi', price: 11 }],
  ['ItemAdded', { sku: 'fig', price: 13 }],
];

/** The view after applying ORDER_EVENTS once, in order, worked out by hand. */
const EXPECTED_ORDER = {
  version: 8,
  state: { customer: 'c-1', lines: ['apple', 'plum', 'kiwi', 'fig'], total: (3 + 7) / 2 + 11 + 13, applied: [1, 2, 3, 4, 5, 6, 7, 8] },
};

describe('delivery order does not change the view', () => {
  // These tests only read the events, so they share one events table; each has its own view table.
  let orderEventsTable: string;
  let events: StoredEvent[];
  let reference: { version: unknown; state: unknown } | undefined;

  const orderConfig = (viewTable: string) => ({ viewTable, eventsTable: orderEventsTable, client: dynamoClient(), viewName: 'orders', streamIdField: 'id' });

  beforeAll(async () => {
    const setupLogs = captureLogs();
    try {
      orderEventsTable = (await createEventsTable()).tableName;
      events = await append('order-1', ORDER_EVENTS, orderEventsTable);
      // The reference: every event delivered once, in order, in one batch.
      const viewTable = await createViewTable();
      const handler = createHandler({ handlers: orderHandlers }, orderConfig(viewTable));
      expect(failedIds(await handler(sqsEvent(deliveries(events))))).toEqual([]);
      reference = await viewRecord(viewTable, 'order-1');
    } finally {
      setupLogs.restore();
    }
  });

  test('the reference (each event once, in order) is the view worked out by hand', () => {
    expect(reference).toEqual(EXPECTED_ORDER);
  });

  const byVersions = (versions: number[]) => versions.map((v) => events[v - 1]);

  const scenarios: Array<[string, number[][]]> = [
    ['in order, one event per batch', [[1], [2], [3], [4], [5], [6], [7], [8]]],
    ['duplicated within a batch', [[1, 1, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8, 8]]],
    ['duplicated across batches', [[1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7, 8], [8, 7]]],
    ['shuffled within a batch', [[5, 2, 8, 1, 7, 3, 6, 4]]],
    ['reversed, one event per batch', [[8], [7], [6], [5], [4], [3], [2], [1]]],
    ['gapped: versions missing from the only batch', [[1, 3, 5, 8]]],
    ['gapped: only the last version delivered', [[8]]],
    ['gapped: later versions first, in separate batches', [[3, 4], [1, 2], [6, 8], [5, 7]]],
    ['gapped, shuffled and duplicated at once', [[6, 2, 6], [4, 1], [8, 8, 3], [7, 5]]],
  ];

  test.each(scenarios)('%s', async (_name, batches) => {
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, orderConfig(viewTable));
    for (const batch of batches) {
      expect(failedIds(await handler(sqsEvent(deliveries(byVersions(batch)))))).toEqual([]);
    }
    expect(await viewRecord(viewTable, 'order-1')).toEqual(reference);
  });

  test('a view part way through only moves forward', async () => {
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, orderConfig(viewTable));
    await handler(sqsEvent(deliveries(byVersions([2]))));
    expect(await viewRecord(viewTable, 'order-1')).toEqual({
      version: 2, state: { customer: 'c-1', lines: ['apple'], total: 3, applied: [1, 2] },
    });
    await handler(sqsEvent(deliveries(byVersions([1]))));
    expect((await viewRecord(viewTable, 'order-1'))?.version).toBe(2);
    await handler(sqsEvent(deliveries(byVersions([5, 8]))));
    expect(await viewRecord(viewTable, 'order-1')).toEqual(reference);
  });

  test.each([[0], [4]])('a batch whose view (at version %i) changed meanwhile saves nothing over it', async (start) => {
    const viewTable = await createViewTable();
    const config = orderConfig(viewTable);
    if (start > 0) expect(failedIds(await processBatch(orderHandlers, deliveries(byVersions([start])), config))).toEqual([]);

    // The slow batch stops inside a handler, after it has read the view, until released.
    let entered!: () => void;
    let release!: () => void;
    const insideHandler = new Promise<void>((resolve) => { entered = resolve; });
    const released = new Promise<void>((resolve) => { release = resolve; });
    const slowHandlers: ProjectionHandlers = Object.fromEntries(Object.entries(orderHandlers).map(([type, handle]) => [
      type,
      async (view: ViewState | undefined, event: ProjectionEvent) => {
        entered();
        await released;
        return handle(view, event);
      },
    ]));
    const slowRecords = deliveries(byVersions([start + 1, start + 2]));
    const slow = processBatch(slowHandlers, slowRecords, config);
    await insideHandler;

    // Meanwhile another batch brings the view to the last version.
    expect(failedIds(await processBatch(orderHandlers, deliveries(byVersions([8])), config))).toEqual([]);
    expect(await viewRecord(viewTable, 'order-1')).toEqual(reference);

    release();
    if (start === 0) {
      // It had read the record from the table: its messages go back to the queue.
      expect(failedIds(await slow)).toEqual(slowRecords.map((r) => r.messageId));
      expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'view changed concurrently; will retry', streamId: 'order-1' }));
    } else {
      // It had the record it saved at version 4: now stale, so it reads the record (at 8) and finds them applied.
      expect(failedIds(await slow)).toEqual([]);
      expect(logs.lines.filter((l) => l.message === 'view changed concurrently; will retry')).toEqual([]);
    }
    expect(await viewRecord(viewTable, 'order-1')).toEqual(reference);

    // Redelivered, the messages are old news.
    expect(failedIds(await processBatch(orderHandlers, slowRecords, config))).toEqual([]);
    expect(await viewRecord(viewTable, 'order-1')).toEqual(reference);
  });

  test('concurrent batches for one stream converge once failed messages are redelivered', async () => {
    const viewTable = await createViewTable();
    const config = orderConfig(viewTable);
    let pending = [[1, 2, 3, 4], [3, 5, 6], [7, 8], [2, 8]].map((versions) => deliveries(byVersions(versions)));
    for (let round = 0; pending.length > 0; round++) {
      expect(round).toBeLessThan(10);
      const results = await Promise.all(pending.map((records) => processBatch(orderHandlers, records, config)));
      // What SQS would deliver again: exactly the reported messages.
      pending = results
        .map((result, i) => pending[i].filter((r) => failedIds(result).includes(r.messageId)))
        .filter((records) => records.length > 0);
    }
    expect(await viewRecord(viewTable, 'order-1')).toEqual(reference);
  });
});

describe('poison events', () => {
  test('FIFO: the poison message and the later messages of its group fail; other streams are fully applied', async () => {
    const a = await append('stream-a', [
      ['OrderCreated', { customer: 'a' }], ['ItemAdded', { sku: 'x', price: 1 }], ['Poison'], ['ItemAdded', { sku: 'y', price: 2 }], ['ItemAdded', { sku: 'z', price: 4 }],
    ]);
    const b = await append('stream-b', [['OrderCreated', { customer: 'b' }], ['ItemAdded', { sku: 'x', price: 10 }], ['ItemAdded', { sku: 'y', price: 20 }]]);
    const c = await append('stream-c', [['OrderCreated', { customer: 'c' }], ['ItemAdded', { sku: 'q', price: 100 }]]);
    const [a1, a2, a3, a4, a5] = deliveries(a);
    const [b1, b2, b3] = deliveries(b);
    const [c1, c2] = deliveries(c);
    const batch = [a1, b1, a2, c1, a3, b2, a4, c2, b3, a5];

    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient(), viewName: 'orders', streamIdField: 'id' });
    const response = await handler(sqsEvent(batch));

    expect(failedIds(response)).toEqual([a3.messageId, a4.messageId, a5.messageId]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 2, state: { customer: 'a', lines: ['x'], total: 1, applied: [1, 2] } });
    expect(await viewRecord(viewTable, 'stream-b')).toEqual({ version: 3, state: { customer: 'b', lines: ['x', 'y'], total: 30, applied: [1, 2, 3] } });
    expect(await viewRecord(viewTable, 'stream-c')).toEqual({ version: 2, state: { customer: 'c', lines: ['q'], total: 100, applied: [1, 2] } });
    expect(logs.lines).toContainEqual(expect.objectContaining({
      level: 'error', message: 'projection handler failed', view: 'orders', streamId: 'stream-a', version: 3, error: 'Error: poisoned event',
    }));

    // Redelivered, the poison fails again and holds its stream back; nothing else changes.
    const again = await handler(sqsEvent([a3, a4, a5]));
    expect(failedIds(again)).toEqual([a3.messageId, a4.messageId, a5.messageId]);
    expect((await viewRecord(viewTable, 'stream-a'))?.version).toBe(2);

    // Once the projection handles the event, the redelivered messages bring the stream up to date.
    const fixedHandlers = { ...orderHandlers, Poison: (view: ViewState | undefined) => view };
    const fixed = createHandler({ handlers: fixedHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    expect(failedIds(await fixed(sqsEvent([a3, a4, a5])))).toEqual([]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 5, state: { customer: 'a', lines: ['x', 'y', 'z'], total: 7, applied: [1, 2, 4, 5] } });
  });

  test('FIFO: a poison event fetched to fill a gap fails the delivered messages after it', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['Poison'], ['ItemAdded', { sku: 'y', price: 2 }]]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    const [, , a3] = deliveries(a);

    expect(failedIds(await handler(sqsEvent([a3])))).toEqual([a3.messageId]);
    expect((await viewRecord(viewTable, 'stream-a'))?.version).toBe(1);
  });

  test('standard queue (no message groups): only the poison stream\'s messages from the poison on fail', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['Poison'], ['ItemAdded', { sku: 'y', price: 2 }]]);
    const b = await append('stream-b', [['OrderCreated', { customer: 'b' }], ['ItemAdded', { sku: 'x', price: 10 }]]);
    const [a1, a2, a3] = deliveries(a, { fifo: false });
    const [b1, b2] = deliveries(b, { fifo: false });
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient() });

    const response = await handler(sqsEvent([a1, b1, a2, b2, a3]));
    expect(failedIds(response)).toEqual([a2.messageId, a3.messageId]);
    expect((await viewRecord(viewTable, 'stream-a'))?.version).toBe(1);
    expect((await viewRecord(viewTable, 'stream-b'))?.version).toBe(2);
  });

  test.each([['ReturnsArray'], ['ReturnsNumber']])('a handler result that is not an object (%s) fails the event', async (type) => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], [type], ['ItemAdded', { sku: 'y', price: 2 }]]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    const records = deliveries(a);

    expect(failedIds(await handler(sqsEvent(records)))).toEqual([records[1].messageId, records[2].messageId]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 1, state: { customer: 'a', lines: [], total: 0, applied: [1] } });
  });

  test('a handler that mutates its input and then throws does not corrupt the saved view', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['ItemAdded', { sku: 'x', price: 1 }], ['MutatesThenThrows']]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    const records = deliveries(a);

    expect(failedIds(await handler(sqsEvent(records)))).toEqual([records[2].messageId]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 2, state: { customer: 'a', lines: ['x'], total: 1, applied: [1, 2] } });
  });
});

describe('records a projection returns: stored exactly, or the event fails naming the problem', () => {
  /** One event through a projection whose single handler returns `record`; the outcome and what was logged. */
  async function applyReturning(record: () => unknown, streamIdField = 'id', streamId = 'stream-r') {
    const [event] = await append(streamId, [['Made', { n: 1 }]]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: { Made: record as ProjectionHandlers[string] } }, {
      viewTable, eventsTable, client: dynamoClient(), viewName: 'records', streamIdField,
    });
    const response = await handler(sqsEvent(deliveries([event])));
    const failure = logs.lines.find((l) => l.message === 'projection handler failed');
    return { failed: failedIds(response).length > 0, error: failure?.error as string | undefined, stored: await viewRecord(viewTable, streamId) };
  }

  test('keys named after Object.prototype members, and any JSON value, are stored as returned', async () => {
    const record = JSON.parse('{"constructor":{"name":"Set"},"toString":"x","hasOwnProperty":[1,{"valueOf":null}],"prototype":-0.5,"ü/~":"😀"}');
    const outcome = await applyReturning(() => record);
    expect(outcome).toEqual({ failed: false, error: undefined, stored: { version: 1, state: record } });
  });

  test('undefined properties are left out, as JSON leaves them out', async () => {
    expect((await applyReturning(() => ({ kept: 1, gone: undefined }))).stored).toEqual({ version: 1, state: { kept: 1 } });
  });

  test.each<[string, () => unknown, string]>([
    ['a "__proto__" key', () => JSON.parse('{"ok":1,"nested":{"__proto__":{"x":1}}}'), '/nested/__proto__'],
    ['a Date', () => ({ at: new Date(0) }), '/at is a Date'],
    ['a Map', () => ({ m: new Map() }), '/m is a Map'],
    ['a class instance', () => ({ x: new (class Money { amount = 1; })() }), '/x is a Money'],
    ['NaN', () => ({ n: Number.NaN }), '/n is NaN'],
    ['Infinity', () => ({ n: [Infinity] }), '/n/0 is Infinity'],
    ['a number DynamoDB cannot hold', () => ({ n: 1e300 }), '/n is the number 1e+300'],
    ['a function', () => ({ f: () => 1 }), '/f is a function'],
    ['undefined in an array', () => ({ list: [1, undefined] }), '/list/1 is undefined'],
    ['a lone surrogate', () => ({ s: '\ud800' }), '/s is not valid Unicode'],
    ['an empty key', () => ({ '': 1 }), 'has an empty key'],
    ['nesting deeper than DynamoDB allows', () => ({ deep: JSON.parse('['.repeat(31) + ']'.repeat(31)) }), 'nested more than 30 levels'],
    ['a "version" field', () => ({ version: 3 }), '"version" field'],
    ['an "id" other than the stream id', () => ({ id: 'someone-else' }), '"id" is not the stream id'],
    ['an array', () => [1], 'returned an array'],
  ])('%s fails the event and keeps the view as it was', async (_name, record, message) => {
    const outcome = await applyReturning(record);
    expect(outcome.failed).toBe(true);
    expect(outcome.error).toContain(message);
    expect(outcome.stored).toBeUndefined();
  });

  test('an "id" equal to the stream id is allowed (the reader would add the same), also under a custom streamIdField', async () => {
    expect((await applyReturning(() => ({ id: 'stream-r', n: 1 }))).stored).toEqual({ version: 1, state: { id: 'stream-r', n: 1 } });
    const custom = await applyReturning(() => ({ customer: 'other', id: 'anything' }), 'customer', 'stream-s');
    expect(custom.error).toContain('"customer" is not the stream id');
  });
});

describe('catch-up messages (backfill, rebuild, replay)', () => {
  const catchUp = (streamId: string, fifo = true) => sqsRecord(catchUpBody(streamId), { messageGroupId: fifo ? streamId : undefined });

  test('one message per stream brings a view that never saw the stream to its head', async () => {
    await append('late-a', ORDER_EVENTS);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    expect(failedIds(await handler(sqsEvent([catchUp('late-a')])))).toEqual([]);
    expect(await viewRecord(viewTable, 'late-a')).toEqual(EXPECTED_ORDER);
  });

  test('at the head already, a catch-up changes nothing; with live deliveries in the same batch, both are applied once', async () => {
    const events = await append('late-b', ORDER_EVENTS.slice(0, 3));
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    expect(failedIds(await handler(sqsEvent([...deliveries(events.slice(0, 2)), catchUp('late-b'), ...deliveries(events.slice(2))])))).toEqual([]);
    const item = await getViewItem(viewTable, 'late-b');
    expect(item).toMatchObject({ version: 3, state: { applied: [1, 2, 3] } });
    expect(failedIds(await handler(sqsEvent([catchUp('late-b')])))).toEqual([]);
    expect(await getViewItem(viewTable, 'late-b')).toEqual(item); // not even rewritten
  });

  test('a catch-up that meets a failing handler is retried, the view at the version before it; other streams go on', async () => {
    await append('late-c', [['OrderCreated', { customer: 'c' }], ['Poison'], ['ItemAdded', { sku: 'x', price: 1 }]]);
    await append('late-d', ORDER_EVENTS.slice(0, 2));
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    const [c, d] = [catchUp('late-c'), catchUp('late-d')];
    expect(failedIds(await handler(sqsEvent([c, d])))).toEqual([c.messageId]);
    expect((await viewRecord(viewTable, 'late-c'))?.version).toBe(1);
    expect((await viewRecord(viewTable, 'late-d'))?.version).toBe(2);
  });

  test('FIFO: a catch-up that fails before an applied event of its group leaves only itself and the unapplied to retry', async () => {
    const events = await append('late-e', [['OrderCreated', { customer: 'e' }], ['ItemAdded', { sku: 'x', price: 1 }], ['Poison']]);
    const [e1, e2, e3] = deliveries(events);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: faultyHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    expect(failedIds(await handler(sqsEvent([e1])))).toEqual([]);
    // The backfill's catch-up queued ahead of the live v2 and v3: v2 is applied, v3 poisons the catch-up.
    const c = catchUp('late-e');
    expect(failedIds(await handler(sqsEvent([c, e2, e3])))).toEqual([c.messageId, e3.messageId]);
    expect((await viewRecord(viewTable, 'late-e'))?.version).toBe(2);
  });

  test('a catch-up body is recognised only with a stream id; anything else is an unreadable message', () => {
    expect(parseViewMessage(catchUpBody('s-1'))).toEqual({ streamId: 's-1' });
    for (const body of ['{"catchUp":{}}', '{"catchUp":{"streamId":""}}', 'not json', '{"streamId":"s"}']) expect(() => parseViewMessage(body)).toThrow();
  });
});

describe('unknown event types and deletion', () => {
  test('an event type without a handler is skipped but advances the version', async () => {
    const a = await append('stream-a', [
      ['OrderCreated', { customer: 'a' }], ['SomethingNobodyHandles', { x: 1 }], ['ItemAdded', { sku: 'x', price: 1 }], ['toString'], ['__proto__'],
    ]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient() });

    expect(failedIds(await handler(sqsEvent(deliveries(a))))).toEqual([]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 5, state: { customer: 'a', lines: ['x'], total: 1, applied: [1, 3] } });
  });

  test('unknown events before any record leave a version without state, and later events still apply', async () => {
    const a = await append('stream-a', [['Unhandled'], ['Unhandled'], ['OrderCreated', { customer: 'a' }]]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    const records = deliveries(a);

    expect(failedIds(await handler(sqsEvent(records.slice(0, 2))))).toEqual([]);
    const item = await getViewItem(viewTable, 'stream-a');
    expect(item).toEqual({ streamId: 'stream-a', version: 2, updatedAt: expect.any(String) });

    expect(failedIds(await handler(sqsEvent([records[2]])))).toEqual([]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 3, state: { customer: 'a', lines: [], total: 0, applied: [3] } });
  });

  test('a handler returning undefined deletes the state; late duplicates do not bring it back', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['ItemAdded', { sku: 'x', price: 1 }], ['OrderCancelled']]);
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient() });
    const [r1, r2, r3] = deliveries(a);

    expect(failedIds(await handler(sqsEvent([r1, r2, r3])))).toEqual([]);
    const deleted = await getViewItem(viewTable, 'stream-a');
    expect(deleted).toEqual({ streamId: 'stream-a', version: 3, updatedAt: expect.any(String) });

    for (const late of [[r1], [r2, r1], [r1, r2, r3], [r3]]) {
      expect(failedIds(await handler(sqsEvent(late.map((r) => ({ ...r, messageId: `${r.messageId}-late` })))))).toEqual([]);
      expect(await getViewItem(viewTable, 'stream-a')).toEqual(deleted); // not even rewritten
    }

    // A later event may create the record again.
    const [again] = await appendMore('stream-a', [['OrderCreated', { customer: 'a2' }]]);
    expect(failedIds(await handler(sqsEvent(deliveries([again]))))).toEqual([]);
    expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 4, state: { customer: 'a2', lines: [], total: 0, applied: [4] } });
  });
});

async function appendMore(streamId: string, specs: EventSpec[]): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = [];
  for (const [type, data] of specs) stored.push((await appendEvent(dynamoClient(), eventsTable, { streamId, type, data: data ?? {} })).event);
  return stored;
}

describe('unreadable messages', () => {
  test('a message body that is not a stored event is reported failed; the rest is applied', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['ItemAdded', { sku: 'x', price: 1 }]]);
    const b = await append('stream-b', [['OrderCreated', { customer: 'b' }]]);
    const [a1, a2] = deliveries(a, { fifo: false });
    const [b1] = deliveries(b, { fifo: false });
    const garbage = sqsRecord('this is not JSON', { messageId: 'garbage' });
    const wrongShape = sqsRecord(JSON.stringify({ streamId: 'stream-a', version: '3', type: 'ItemAdded' }), { messageId: 'wrong-shape' });
    const versionZero = sqsRecord(JSON.stringify({ ...a[0], version: 0 }), { messageId: 'version-zero' });
    const jsonNull = sqsRecord('null', { messageId: 'json-null' });

    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient(), viewName: 'orders', streamIdField: 'id' });
    const response = await handler(sqsEvent([a1, garbage, b1, wrongShape, a2, versionZero, jsonNull]));

    expect(failedIds(response)).toEqual(['garbage', 'wrong-shape', 'version-zero', 'json-null']);
    expect((await viewRecord(viewTable, 'stream-a'))?.version).toBe(2);
    expect((await viewRecord(viewTable, 'stream-b'))?.version).toBe(1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'unreadable message', messageId: 'garbage' }));
  });

  test('FIFO: an unreadable message fails alone; the applied messages after it in its group are not retried', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['ItemAdded', { sku: 'x', price: 1 }]]);
    const [a1, a2] = deliveries(a);
    const garbage = sqsRecord('{', { messageId: 'garbage', messageGroupId: 'stream-a' });
    const viewTable = await createViewTable();
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient() });

    // a2 is in the view: retrying it could not reorder anything, and would park an applied event.
    expect(failedIds(await handler(sqsEvent([a1, garbage, a2])))).toEqual(['garbage']);
    expect((await viewRecord(viewTable, 'stream-a'))?.version).toBe(2);
  });

  test('a failing view table fails every message of the batch, and nothing is lost', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }]]);
    const records = deliveries(a);
    const handler = createHandler({ handlers: orderHandlers }, { viewTable: 'no-such-table', eventsTable, client: dynamoClient() });
    expect(failedIds(await handler(sqsEvent(records)))).toEqual([records[0].messageId]);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'stream processing failed', streamId: 'stream-a' }));
  });
});

describe('configuration', () => {
  test('without a config, the tables come from VIEW_TABLE_NAME and EVENTS_TABLE_NAME', async () => {
    const a = await append('stream-a', [['OrderCreated', { customer: 'a' }], ['ItemAdded', { sku: 'x', price: 1 }]]);
    const viewTable = await createViewTable();
    process.env[ENV.viewTable] = viewTable;
    process.env[ENV.eventsTable] = eventsTable;
    try {
      const handler = createHandler({ handlers: orderHandlers });
      // Only version 2 is delivered; version 1 comes from EVENTS_TABLE_NAME.
      expect(failedIds(await handler(sqsEvent(deliveries([a[1]]))))).toEqual([]);
      expect(await viewRecord(viewTable, 'stream-a')).toEqual({ version: 2, state: { customer: 'a', lines: ['x'], total: 1, applied: [1, 2] } });
    } finally {
      delete process.env[ENV.viewTable];
      delete process.env[ENV.eventsTable];
    }
  });

  test('loadHandlers accepts `handlers`, `default.handlers`, `default` and flat CommonJS exports', () => {
    const handlers = { A: () => ({}) };
    expect(loadHandlers({ handlers })).toBe(handlers);
    expect(loadHandlers({ default: { handlers } })).toBe(handlers);
    expect(loadHandlers({ default: handlers })).toBe(handlers);
    // module.exports = { A: fn }: the CommonJS twin of export default { A: fn }.
    expect(loadHandlers(handlers)).toBe(handlers);
    // Event types that merely start like `handlers` are event types.
    const handlerEvents = { HandlerAssigned: () => ({}), Handled: () => ({}) };
    expect(loadHandlers(handlerEvents)).toBe(handlerEvents);
    // `handlers` wins over everything else a module exports.
    expect(loadHandlers({ handlers, B: () => ({}) })).toBe(handlers);
  });

  test.each([
    ['an empty module', {}, /^Projection entry exports nothing; it must export `handlers`/],
    ['undefined', undefined, /exports undefined/],
    ['null', null, /exports null/],
    ['a function', () => ({}), /exports a function/],
    ['`handler` for `handlers`', { __esModule: true, handler: { A: () => ({}) } }, /exports `handler` \(did you mean `handlers`\?\)/],
    ['CommonJS functions beside a misspelt `handlers`', { OrderCreated: () => ({}) as ViewState, handler: () => undefined }, /exports `handler` \(did you mean `handlers`\?\)/],
    ['`Hanlders` for `handlers`', { Hanlders: () => ({}) }, /exports `Hanlders` \(did you mean `handlers`\?\)/],
    ['ES module functions without a handlers map', { __esModule: true, OrderCreated: () => ({}) }, /exports `OrderCreated` but no `handlers`/],
    ['CommonJS values that are not all functions', { OrderCreated: () => ({}), version: 2 }, /exports `OrderCreated`, `version` but no `handlers`/],
    ['handlers that is not an object', { handlers: 'OrderCreated' }, /exports `handlers` that is a string \("OrderCreated"\), not an object/],
    ['handlers that is an array', { handlers: [() => ({})] }, /exports `handlers` that is an array, not an object/],
    ['a handler that is not a function', { handlers: { OrderCreated: () => ({}), ItemAdded: { not: 'a function' } } }, /handler for event type "ItemAdded" is not a function \(it is an object\)$/],
    ['a default export with a bad handler', { default: { handlers: { A: 1 } } }, /handler for event type "A" is not a function \(it is a number \(1\)\)/],
    ['a default export with `handler` in it', { default: { handler: { A: () => ({}) } } }, /event type "handler" is not a function \(it is an object\) \(did you mean `handlers`\?\)/],
  ])('loadHandlers rejects %s, saying what it found', (_name, mod, message) => {
    expect(() => loadHandlers(mod)).toThrow(message);
    expect(() => createHandler(mod, { viewTable: 'v', eventsTable: 'e', client: dynamoClient() })).toThrow(message);
  });
});

describe('DynamoDB calls per event (counted by a client middleware)', () => {
  const orderConfigOf = (viewTable: string) => ({ viewTable, eventsTable, client: dynamoClient(), viewName: 'orders', streamIdField: 'id' });
  const items = (n: number): EventSpec[] => [['OrderCreated', { customer: 'c' }], ...Array.from({ length: n - 1 }, (_, i) => ['ItemAdded', { sku: `s${i}`, price: i }] as EventSpec)];

  test('steady flow, one event per batch: one conditional write per event once a stream is known', async () => {
    const viewTable = await createViewTable();
    const { client, calls } = countingClient();
    const streams = ['calls-a', 'calls-b', 'calls-c', 'calls-d'];
    const all = await Promise.all(streams.map((s) => append(s, items(25))));
    const config = { ...orderConfigOf(viewTable), client };
    for (let v = 0; v < 25; v++) {
      for (const events of all) expect(failedIds(await processBatch(orderHandlers, deliveries([events[v]]), config))).toEqual([]);
    }
    const perEvent = calls.length / (25 * streams.length);
    console.info(`aggregator, steady flow: ${calls.length} calls for ${25 * streams.length} events = ${perEvent.toFixed(2)} per event`);
    expect(calls.filter((c) => c === 'GetItemCommand')).toHaveLength(streams.length); // the first event of each stream
    expect(calls.filter((c) => c === 'PutItemCommand')).toHaveLength(25 * streams.length);
    expect(perEvent).toBeLessThanOrEqual(1.2);
    for (const s of streams) expect((await viewRecord(viewTable, s))?.version).toBe(25);
  });

  test('backlog, batches of 10 of one stream: one write per batch', async () => {
    const viewTable = await createViewTable();
    const { client, calls } = countingClient();
    const events = await append('calls-backlog', items(50));
    for (let i = 0; i < 50; i += 10) {
      expect(failedIds(await processBatch(orderHandlers, deliveries(events.slice(i, i + 10)), { ...orderConfigOf(viewTable), client }))).toEqual([]);
    }
    console.info(`aggregator, backlog: ${calls.length} calls for 50 events = ${(calls.length / 50).toFixed(2)} per event`);
    expect(calls).toEqual(['GetItemCommand', ...Array(5).fill('PutItemCommand')]);
    expect(calls.length / 50).toBeLessThanOrEqual(0.3);
  });

  test('a stale saved record (another instance moved the view on) is read again, and the view stays exact', async () => {
    const viewTable = await createViewTable();
    const { client, calls } = countingClient();
    const config = { ...orderConfigOf(viewTable), client };
    const events = await append('calls-stale', items(4));
    expect(failedIds(await processBatch(orderHandlers, deliveries(events.slice(0, 2)), config))).toEqual([]);
    // Another aggregator instance applies v3: this one's saved record (v2) is now stale.
    const readFresh = await getViewItem(viewTable, 'calls-stale');
    await putViewItem(viewTable, 'calls-stale', 3, { ...(readFresh![KEYS.state] as Order), lines: ['s0', 's1'], total: 1, applied: [1, 2, 3] });
    calls.length = 0;
    expect(failedIds(await processBatch(orderHandlers, deliveries([events[3]]), config))).toEqual([]);
    // From its v2 it fills v3 from the events table; the write over v2 is refused; the record is read (v3) and v4 applied on it.
    expect(calls).toEqual(['QueryCommand', 'PutItemCommand', 'GetItemCommand', 'PutItemCommand']);
    expect(await viewRecord(viewTable, 'calls-stale')).toEqual({ version: 4, state: { customer: 'c', lines: ['s0', 's1', 's2'], total: 3, applied: [1, 2, 3, 4] } });
  });
});

describe('metrics (CloudWatch Embedded Metric Format in the log)', () => {
  test('at DEBUG a line per batch with its counts and duration; at ERROR the metrics lines stay and nothing else', async () => {
    const viewTable = await createViewTable();
    const events = await append('order-l', ORDER_EVENTS.slice(0, 2));
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient(), viewName: 'orders' });
    const saved = process.env[ENV.logLevel];
    try {
      process.env[ENV.logLevel] = 'DEBUG';
      await handler(sqsEvent(deliveries(events.slice(0, 1))));
      expect(logs.lines.find((l) => l.message === 'batch processed')).toEqual({
        level: 'debug', message: 'batch processed', view: 'orders', messages: 1, streams: 1, retried: 0, durationMs: expect.any(Number),
      });
      process.env[ENV.logLevel] = 'ERROR';
      logs.lines.length = 0;
      await handler(sqsEvent(deliveries(events)));
      expect(logs.lines.map((l) => [l.message, l.EventsApplied])).toEqual([['events applied', 1]]);
    } finally {
      if (saved === undefined) delete process.env[ENV.logLevel];
      else process.env[ENV.logLevel] = saved;
    }
  });

  test('each save logs EventsApplied and ProjectionLag (append to applied, ms) for its view', async () => {
    const viewTable = await createViewTable();
    const events = await append('order-m', ORDER_EVENTS.slice(0, 3));
    await new Promise((resolve) => setTimeout(resolve, 30)); // a lag that must show
    const handler = createHandler({ handlers: orderHandlers }, { viewTable, eventsTable, client: dynamoClient(), viewName: 'orders', streamIdField: 'id' });
    const before = Date.now();
    expect(failedIds(await handler(sqsEvent(deliveries(events))))).toEqual([]);
    const line = logs.lines.find((l) => l.message === 'events applied' && l.streamId === 'order-m')!;
    expect(line).toMatchObject({
      Api: eventsTable,
      View: 'orders',
      EventsApplied: 3,
      _aws: { CloudWatchMetrics: [{ Namespace: 'CdkEventSourcedApi', Dimensions: [['Api', 'View']], Metrics: [{ Name: 'EventsApplied', Unit: 'Count' }, { Name: 'ProjectionLag', Unit: 'Milliseconds' }] }] },
    });
    expect(line).toMatchObject({ fromVersion: 1, toVersion: 3, eventId: events[2].eventId, durationMs: expect.any(Number) });
    const lastAppend = Date.parse(events[2].timestamp);
    expect(line.ProjectionLag).toBeGreaterThanOrEqual(before - lastAppend);
    expect(line.ProjectionLag).toBeLessThanOrEqual(Date.now() - lastAppend);
  });
});

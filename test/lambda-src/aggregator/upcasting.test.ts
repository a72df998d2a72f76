/**
 * The aggregator with an API's event versions and upcasters (what the construct bundles with each
 * projection), against DynamoDB Local: a failing upcaster fails its event as a throwing handler
 * does (retried, and the stream held at the version before), with an error naming the type and
 * the versions; other streams go on. A module missing a step fails when the handler is made, as
 * synth's check of the bundle reports it.
 */
import { createHandler } from '../../../lambda-src/aggregator/runtime';
import { eventMessage } from '../../../lambda-src/core/event-message';
import { appendEvent } from '../../../lambda-src/writer/append';
import type { EventVersionTable } from '../../../src/contract';
import { captureLogs, createEventsTable, createViewTable, dynamoClient, getViewItem, sqsEvent, sqsRecord, type CapturedLogs } from '../../support/local-dynamo';

const VERSIONS: EventVersionTable = { OrderPlaced: { current: 2, first: 1, acceptOlder: true } };
const upcasters = {
  OrderPlaced: {
    1: (e: { data: Record<string, unknown> }) => {
      if (e.data.amount === 'boom') throw new Error('cannot read amount');
      if (e.data.amount === 'array') return [] as unknown as { data: Record<string, unknown> };
      return { data: { amountCents: Math.round(Number(e.data.amount) * 100) } };
    },
  },
};
const projection = {
  handlers: {
    OrderPlaced: (view: { total?: number } | undefined, e: { data: Record<string, unknown> }) =>
      ({ total: (view?.total ?? 0) + Number(e.data.amountCents) }),
  },
};

let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

test('a throwing or misbehaving upcaster fails its event like a throwing handler, naming the type and the versions', async () => {
  const [{ tableName: eventsTable }, viewTable] = await Promise.all([createEventsTable(), createViewTable()]);
  const client = dynamoClient();
  const handler = createHandler(projection, { viewName: 'totals', viewTable, eventsTable, client }, { versions: VERSIONS, upcasters: { upcasters } });
  const stored = [];
  for (const [streamId, amount] of [['ok', 1.5], ['bad', 'boom'], ['odd', 'array'], ['ok', 2]] as const) {
    stored.push((await appendEvent(client, eventsTable, { streamId, type: 'OrderPlaced', schemaVersion: 1, data: { amount } })).event);
  }
  const records = stored.map((e) => sqsRecord(eventMessage(e).body, { messageGroupId: e.streamId }));
  const result = await handler(sqsEvent(records));
  expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([records[1].messageId, records[2].messageId].sort());
  expect(await getViewItem(viewTable, 'ok')).toMatchObject({ version: 2, state: { total: 350 } });
  expect(await getViewItem(viewTable, 'bad')).toBeUndefined();
  const errors = logs.lines.filter((l) => l.message === 'projection handler failed').map((l) => l.error).sort();
  expect(errors).toEqual([
    'Error: Upcaster for "OrderPlaced" from version 1 to 2 returned an array; it must return { type?, data }',
    'Error: Upcaster for "OrderPlaced" from version 1 to 2 threw: cannot read amount',
  ]);
});

test('a module without every step is refused when the handler is made', () => {
  expect(() => createHandler(projection, {}, { versions: { OrderPlaced: { current: 3, first: 1, acceptOlder: true } }, upcasters: { upcasters } }))
    .toThrow('Upcasters module has no upcaster for "OrderPlaced" from version 2 to 3 (its current version is 3): add upcasters["OrderPlaced"][2]');
  expect(() => createHandler(projection, {}, { versions: VERSIONS })).toThrow(/no upcaster for "OrderPlaced" from version 1 to 2/);
});

/**
 * Upcasting on every path, against DynamoDB Local: for generated chains of upcasters (renames
 * included) and streams of events stored at mixed schema versions, a projection receives exactly
 * the current-version event a model predicts, whichever way the events reach the aggregator (live
 * messages in any order with duplicates, a lone message whose gaps come from the events table, a
 * catch-up as backfills, rebuilds and replays send), and `GET /streams/{id}` answers the same
 * events page by page. Each step of a chain leaves a mark in the data, so a step applied twice, or
 * skipped, shows. Redeliveries and a replay after the view is at its head change nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import type { ProjectionHandlers } from '../../../lambda-src/aggregator/projection-module';
import { processBatch } from '../../../lambda-src/aggregator/runtime';
import { eventMessage } from '../../../lambda-src/core/event-message';
import { catchUpBody, type StoredEvent } from '../../../lambda-src/core/stored-event';
import { loadUpcasting } from '../../../lambda-src/core/upcast';
import { handler as reader } from '../../../lambda-src/reader/index';
import { appendEvent, KnownHeads } from '../../../lambda-src/writer/append';
import { ENV, PAGE_HEADERS, type EventTypeVersionInfo, type EventVersionTable } from '../../../src/contract';
import { runs } from '../../support/arbitraries';
import { apiEvent, captureLogs, createEventsTable, createViewTable, dynamoClient, getViewItem, sqsRecord, useViewRegistry, type CapturedLogs } from '../../support/local-dynamo';

const TYPES = ['Alpha', 'Beta', 'Gamma'] as const;
type Delivery = 'live' | 'gap' | 'catch-up';

/** Versions per type; Alpha may be renamed Beta at its current version. */
const world = fc.record({
  alpha: fc.integer({ min: 2, max: 4 }),
  beta: fc.integer({ min: 1, max: 4 }),
  gamma: fc.integer({ min: 1, max: 3 }),
  rename: fc.boolean(),
}).map(({ alpha, beta, gamma, rename }): EventVersionTable => {
  const renamed = rename && beta >= alpha;
  const info = (current: number, renamedTo?: string): EventTypeVersionInfo =>
    ({ current, first: 1, acceptOlder: true, ...(renamedTo ? { renamedTo } : {}) });
  return { Alpha: info(alpha, renamed ? 'Beta' : undefined), Beta: info(beta), Gamma: info(gamma) };
});

/** A stored version a writer could have stored for the type: up to current, a renamed type's before it. */
function storable(versions: EventVersionTable, type: string, pick: number): number {
  const info = versions[type];
  const last = info.renamedTo ? info.current - 1 : info.current;
  return 1 + (pick % last);
}

const streams = fc.array(fc.record({
  events: fc.array(fc.record({ type: fc.constantFrom(...TYPES), pick: fc.nat(11) }), { minLength: 1, maxLength: 6 }),
  delivery: fc.constantFrom<Delivery>('live', 'gap', 'catch-up'),
  shuffle: fc.array(fc.nat(), { maxLength: 12 }),
  duplicates: fc.array(fc.nat(), { maxLength: 4 }),
}), { minLength: 1, maxLength: 3 });

/** What a projection must see: the event at its type's current version, and the steps taken to get there, in order. */
function model(versions: EventVersionTable, stored: StoredEvent) {
  let { type, schemaVersion } = stored;
  const steps: string[] = [];
  for (;;) {
    const info = versions[type];
    if (schemaVersion === info.current) {
      if (!info.renamedTo) break;
      type = info.renamedTo;
      continue;
    }
    steps.push(`${type}@${schemaVersion}`);
    if (info.renamedTo && schemaVersion + 1 === info.current) type = info.renamedTo;
    schemaVersion += 1;
  }
  return { version: stored.version, type, schemaVersion, steps, n: stored.data.n };
}

/** An upcasters module on disk, as the construct ships the reader's: each step marks the data. */
function writeUpcasters(dir: string, versions: EventVersionTable, run: number): string {
  const file = path.join(dir, `upcasters-${run}.js`);
  fs.writeFileSync(file, `
const versions = ${JSON.stringify(versions)};
exports.upcasters = {};
for (const [type, info] of Object.entries(versions)) {
  exports.upcasters[type] = {};
  for (let v = info.first; v < info.current; v++) {
    const renames = info.renamedTo && v + 1 === info.current;
    exports.upcasters[type][v] = (event) => {
      if (event.type !== type || event.schemaVersion !== v) throw new Error('upcaster called with the wrong event');
      return { ...(renames ? { type: info.renamedTo } : {}), data: { ...event.data, steps: [...(event.data.steps || []), type + '@' + v] } };
    };
  }
}
`);
  return file;
}

/** Records every event it receives, as received. */
const recorder: ProjectionHandlers = Object.fromEntries(TYPES.map((type) => [type, (view: Record<string, unknown> | undefined, event) => ({
  seen: [...(view?.seen as unknown[] ?? []), {
    version: event.version, type: event.type, schemaVersion: event.schemaVersion, steps: event.data.steps ?? [], n: event.data.n,
  }],
})]));

let logs: CapturedLogs;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-upcast-'));
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());
afterAll(() => {
  for (const name of [ENV.eventVersions, ENV.upcasters, ENV.eventsTable]) delete process.env[name];
  fs.rmSync(dir, { recursive: true, force: true });
});

test('every path hands the projection, and GET /streams/{id} the client, the same current-version events, each step applied once', async () => {
  const client = dynamoClient();
  let run = 0;
  const tally: Record<Delivery, number> = { 'live': 0, 'gap': 0, 'catch-up': 0 };
  await useViewRegistry({});
  process.env[ENV.defaultView] = 'default';
  await fc.assert(fc.asyncProperty(world, streams, async (versions, generated) => {
    run += 1;
    const [{ tableName: eventsTable }, viewTable] = await Promise.all([createEventsTable(), createViewTable()]);
    const moduleFile = writeUpcasters(dir, versions, run);
    const versionsFile = path.join(dir, `versions-${run}.json`);
    fs.writeFileSync(versionsFile, JSON.stringify({ versions }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const upcasting = loadUpcasting(require(moduleFile), versions);
    const config = { viewName: 'v', viewTable, eventsTable, streamIdField: 'id', client, upcasting };

    for (const [s, stream] of generated.entries()) {
      const streamId = `s-${s}`;
      const stored: StoredEvent[] = [];
      for (const [i, e] of stream.events.entries()) {
        const request = { streamId, type: e.type, schemaVersion: storable(versions, e.type, e.pick), data: { n: i } };
        stored.push((await appendEvent(client, eventsTable, request, { knownHeads: new KnownHeads(1) })).event);
      }
      const message = (event: StoredEvent) => sqsRecord(eventMessage(event).body, { messageGroupId: streamId });
      tally[stream.delivery] += 1;
      let pending = stream.delivery === 'live'
        ? [...stored.map(message), ...stream.duplicates.map((d) => message(stored[d % stored.length]))]
        : stream.delivery === 'gap' ? [message(stored[stored.length - 1])] : [sqsRecord(catchUpBody(streamId), { messageGroupId: streamId })];
      // Any order; what fails comes back, as SQS redelivers it.
      pending = shuffled(pending, stream.shuffle);
      for (let round = 0; pending.length > 0; round++) {
        if (round > 20) throw new Error('the view never reached the head');
        const failed = new Set((await processBatch(recorder, pending, config)).batchItemFailures.map((f) => f.itemIdentifier));
        pending = pending.filter((r) => failed.has(r.messageId));
      }
      const expected = stored.map((e) => model(versions, e));
      const record = await getViewItem(viewTable, streamId);
      expect(record?.version).toBe(stored.length);
      expect((record?.state as { seen: unknown[] }).seen).toEqual(expected);

      // At the head, redeliveries and a replay's catch-up change nothing.
      const again = [message(stored[0]), sqsRecord(catchUpBody(streamId), { messageGroupId: streamId }), message(stored[stored.length - 1])];
      expect((await processBatch(recorder, again, config)).batchItemFailures).toEqual([]);
      expect(await getViewItem(viewTable, streamId)).toEqual(record);

      // The history route, page by page, and raw.
      Object.assign(process.env, { [ENV.eventsTable]: eventsTable, [ENV.eventVersions]: versionsFile, [ENV.upcasters]: moduleFile });
      const pages: Array<Record<string, any>> = [];
      let token: string | undefined;
      do {
        const response = await reader(apiEvent({
          method: 'GET',
          resource: '/{view}/{id}',
          pathParameters: { view: 'streams', id: streamId },
          queryStringParameters: { limit: '2' },
          headers: token ? { [PAGE_HEADERS.request]: token } : undefined,
        }));
        expect(response.statusCode).toBe(200);
        pages.push(...JSON.parse(response.body) as Array<Record<string, any>>);
        token = response.headers?.[PAGE_HEADERS.response] as string | undefined;
      } while (token);
      const seen = pages.map((e) => ({ version: e.version, type: e.type, schemaVersion: e.schemaVersion, steps: e.data.steps ?? [], n: e.data.n }));
      expect(seen).toEqual(expected);
      const raw = await reader(apiEvent({
        method: 'GET', resource: '/{view}/{id}', pathParameters: { view: 'streams', id: streamId }, queryStringParameters: { raw: 'true', limit: '100' },
      }));
      expect(JSON.parse(raw.body)).toEqual(stored.map(({ streamId: id, version, eventId, type, schemaVersion, data, timestamp }) => ({
        streamId: id, version, eventId, type, schemaVersion, data, timestamp,
      })));
    }
  }), runs(40, { shrink: false }));
  console.info(`upcast paths: ${JSON.stringify(tally)} streams`);
  expect(Math.min(...Object.values(tally))).toBeGreaterThan(0);
}, 600_000);

function shuffled<T>(items: T[], order: number[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = (order[i % Math.max(order.length, 1)] ?? i) % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

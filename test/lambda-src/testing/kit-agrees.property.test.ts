/**
 * The kit and the deployed runtime agree (issue 26's "Done when"): the same generated events, run
 * through the kit (`projectionSpec(module).when(...events).run()`) and through the aggregator's
 * Lambda handler (`createHandler`) on DynamoDB Local (events appended by the writer's code, SQS
 * FIFO messages delivered and redelivered), give the same records as GET answers them, the same
 * failures (stream, version, message) and the same deletions.
 *
 * The kit loads the projection and upcasters from their files, as a test does; the aggregator
 * imports them. The events: a few streams, handled and unhandled types, events at an older
 * schema version (upcast, or failing in the upcaster), and data that makes a handler throw,
 * delete the record, or return a record the rules refuse (a `version` or wrong stream id field,
 * an array, a number DynamoDB cannot hold exactly, undefined in an array).
 *
 * fast-check prints the seed of a failing run; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import * as path from 'node:path';
import * as fc from 'fast-check';
import { createHandler } from '../../../lambda-src/aggregator/runtime';
import { eventMessage } from '../../../lambda-src/core/event-message';
import { findDataProblem } from '../../../lambda-src/core/user-data';
import { getEntry } from '../../../lambda-src/reader/views';
import { projectionSpec } from '../../../lambda-src/testing/index';
import { appendEvent, KnownHeads } from '../../../lambda-src/writer/append';
import type { EventTypeVersions } from '../../../src/event-type-versions';
import { declaredEventVersions } from '../../../src/private/event-versions';
import * as projection from '../../fixtures/projections/agreement';
import * as upcastersModule from '../../fixtures/upcasters/agreement';
import { runs } from '../../support/arbitraries';
import { captureLogs, createEventsTable, createViewTable, dynamoClient, sqsEvent, sqsRecord, type CapturedLogs } from '../../support/local-dynamo';

/** Mostly records, so that streams get somewhere before a failure stops them. */
const WEIGHTS: Partial<Record<projection.Mode, number>> = { 'ok': 12, 'delete': 4, 'throw': 3, 'own-id': 2 };
const generatedMode = fc.oneof(...projection.MODES.map((m) => ({ weight: WEIGHTS[m] ?? 1, arbitrary: fc.constant(m) })));

/**
 * The kit loads the files as a test does (bundled by esbuild-wasm, run in Node's own realm); the
 * aggregator gets them imported, all in one realm as in its Lambda bundle.
 */
const PROJECTION = path.join(__dirname, '../../fixtures/projections/agreement.ts');
const UPCASTERS = path.join(__dirname, '../../fixtures/upcasters/agreement.ts');
/** Added is at version 2; its version 1 had `amount` (a string), and an upcaster that refuses "boom". */
const EVENT_VERSIONS: EventTypeVersions[] = [{ type: 'Added', currentVersion: 2 }];

const STREAMS = ['s-a', 's-b', 's-c'];
const TYPES = ['Added', 'Added', 'Added', 'Reset', 'Noted', 'Unknown'];

/** A tag the writer would store: any small JSON value the rules accept. */
const tag = fc.jsonValue({ maxDepth: 2 }).filter((value) => findDataProblem({ tag: value }) === undefined);

const generatedEvent = fc.record({
  stream: fc.nat(STREAMS.length - 1),
  type: fc.constantFrom(...TYPES),
  n: fc.integer({ min: -1000, max: 1000 }),
  mode: generatedMode,
  tag,
  old: fc.nat(5),
}).map(({ stream, type, n, mode: m, tag: t, old }) => {
  const streamId = STREAMS[stream];
  if (type !== 'Added') return { streamId, type, schemaVersion: undefined, data: { n, tag: t } };
  // One event in three is stored at version 1 (as a client still on the old shape sends it); half
  // of the throwing ones fail in the upcaster instead of the handler.
  if (m === 'throw' && old < 3) return { streamId, type, schemaVersion: 1, data: { amount: 'boom', mode: m, tag: t } };
  if (old < 2) return { streamId, type, schemaVersion: 1, data: { amount: String(n), mode: m, tag: t } };
  return { streamId, type, schemaVersion: 2, data: { n, mode: m, tag: t } };
});

/** Run first, so that every outcome is covered whatever the seed: a record, a deletion, a handler and an upcaster failing. */
const EVERY_OUTCOME = [
  { streamId: 's-a', type: 'Added', schemaVersion: 2, data: { n: 1, mode: 'ok', tag: 'x' } },
  { streamId: 's-a', type: 'Noted', schemaVersion: undefined, data: { n: 0, tag: null } },
  { streamId: 's-b', type: 'Added', schemaVersion: 1, data: { amount: '2', mode: 'ok', tag: 0.1 } },
  { streamId: 's-b', type: 'Added', schemaVersion: 2, data: { n: 3, mode: 'delete', tag: [] } },
  { streamId: 's-c', type: 'Added', schemaVersion: 1, data: { amount: '4', mode: 'own-id', tag: {} } },
  { streamId: 's-c', type: 'Added', schemaVersion: 2, data: { n: 5, mode: 'throw', tag: true } },
  { streamId: 's-a', type: 'Added', schemaVersion: 1, data: { amount: 'boom', mode: 'throw', tag: 'y' } },
  { streamId: 's-a', type: 'Added', schemaVersion: 2, data: { n: 6, mode: 'ok', tag: 'z' } },
];

interface Failure { streamId: string; version: number; message: string }

let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

test('the kit and the aggregator on DynamoDB Local give the same records, failures and deletions', async () => {
  const client = dynamoClient();
  const { versions } = declaredEventVersions(EVENT_VERSIONS, undefined);
  const spec = projectionSpec(PROJECTION, { eventVersions: EVENT_VERSIONS, upcasters: UPCASTERS });
  const tally = { runs: 0, failures: 0, deleted: 0, records: 0, upcasterFailures: 0 };
  await fc.assert(fc.asyncProperty(fc.array(generatedEvent, { minLength: 1, maxLength: 12 }), fc.boolean(), async (events, oneBatch) => {
    // The kit: every stream at once (records, and the first failure), and each stream alone (its failure).
    const kit = await spec.when(...events).run();
    const kitFailures: Failure[] = [];
    for (const streamId of STREAMS) {
      const own = events.filter((e) => e.streamId === streamId);
      if (own.length === 0) continue;
      const { failure } = await spec.when(...own).run();
      if (failure) kitFailures.push({ streamId: failure.streamId, version: failure.version, message: failure.message });
    }

    // The runtime: the writer's append, then the aggregator's Lambda handler, as SQS FIFO delivers.
    const [{ tableName: eventsTable }, viewTable] = await Promise.all([createEventsTable(), createViewTable()]);
    const handler = createHandler(projection, { viewName: 'agree', viewTable, eventsTable, streamIdField: 'id', client }, { versions, upcasters: upcastersModule });
    const knownHeads = new KnownHeads(10);
    const messages = [];
    for (const e of events) {
      const request = { streamId: e.streamId, type: e.type, schemaVersion: e.schemaVersion, data: e.data };
      const { event } = await appendEvent(client, eventsTable, request, { knownHeads });
      messages.push(sqsRecord(eventMessage(event).body, { messageGroupId: e.streamId }));
    }
    logs.lines.length = 0;
    // Each message until it succeeds or has failed three times (maxReceiveCount); SQS FIFO holds a
    // group's later messages while one of its messages is in flight, so order within a stream holds.
    let pending = messages;
    for (let receive = 1; receive <= 3 && pending.length > 0; receive++) {
      const batches = oneBatch ? [pending] : pending.map((m) => [m]);
      const failed = new Set<string>();
      for (const batch of batches) {
        for (const f of (await handler(sqsEvent(batch))).batchItemFailures) failed.add(f.itemIdentifier);
      }
      pending = pending.filter((m) => failed.has(m.messageId));
    }
    const runtimeFailures = new Map<string, Failure>();
    for (const line of logs.lines.filter((l) => l.message === 'projection handler failed')) {
      const failure = { streamId: line.streamId as string, version: line.version as number, message: String(line.error).replace(/^Error: /, '') };
      const key = JSON.stringify(failure);
      runtimeFailures.set(key, failure);
    }

    for (const streamId of STREAMS) {
      const entry = await getEntry(client, viewTable, streamId, 'id', true);
      expect({ streamId, record: entry?.record }).toEqual({ streamId, record: kit.records[streamId] });
      const deletedOne = events.some((e) => e.streamId === streamId && e.data.mode === 'delete');
      if (entry?.record) tally.records += 1;
      else if (deletedOne && !kitFailures.some((f) => f.streamId === streamId)) tally.deleted += 1;
    }
    const byStream = (a: Failure, b: Failure) => a.streamId.localeCompare(b.streamId);
    expect([...runtimeFailures.values()].sort(byStream)).toEqual(kitFailures.sort(byStream));
    // The kit's own failure is the first failing event of all streams.
    expect(kit.failure && { streamId: kit.failure.streamId, version: kit.failure.version, message: kit.failure.message })
      .toEqual(kitFailures.find((f) => f.streamId === kit.failure?.streamId));
    // A stream that failed keeps messages the runtime could not apply; one that did not, none.
    const failedStreams = new Set(kitFailures.map((f) => f.streamId));
    expect(new Set(pending.map((m) => JSON.parse(m.body).streamId as string))).toEqual(failedStreams);
    tally.runs += 1;
    tally.failures += kitFailures.length;
    tally.upcasterFailures += kitFailures.filter((f) => f.message.startsWith('Upcaster')).length;
  }), { ...runs(25, { shrink: false }), examples: [[EVERY_OUTCOME, false]] });
  console.info(`kit agreement: ${JSON.stringify(tally)}`);
  // The generator reaches failures, deletions and records.
  expect(Math.min(tally.failures, tally.deleted, tally.records, tally.upcasterFailures)).toBeGreaterThan(0);
}, 120_000);

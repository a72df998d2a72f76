/**
 * DynamoDB calls per operation, counted by a client middleware on DynamoDB Local: the writer with
 * and without expectedVersion, the aggregator in steady flow (one event per batch) and under a
 * backlog (batches of 10 of one stream). `npm run benchmark:calls -- --events 200`.
 */
import { arg } from './bench-support';
import type { ProjectionHandlers } from '../lambda-src/aggregator/projection-module';
import { processBatch } from '../lambda-src/aggregator/runtime';
import { eventMessage } from '../lambda-src/core/event-message';
import type { StoredEvent } from '../lambda-src/core/stored-event';
import { appendEvent, KnownHeads } from '../lambda-src/writer/append';
import { ENV } from '../src/contract';
import { startDynamoDbLocal } from '../src/local/dynamo-store';
import { countingClient, createEventsTable, createViewTable, sqsRecord } from '../test/support/local-dynamo';

const EVENTS = arg('events', 200);
const STREAMS = arg('streams', 10);

const counter: ProjectionHandlers = {
  Tick: (view) => ({ ticks: Number((view as { ticks?: number } | undefined)?.ticks ?? 0) + 1 }),
};

function report(what: string, calls: string[], operations: number): void {
  const byCommand = new Map<string, number>();
  for (const c of calls) byCommand.set(c, (byCommand.get(c) ?? 0) + 1);
  const detail = [...byCommand].map(([c, n]) => `${c.replace(/Command$/, '')} ${n}`).join(', ');
  console.log(`${what.padEnd(52)} ${(calls.length / operations).toFixed(2)} calls each (${operations}: ${detail})`);
}

async function main(): Promise<void> {
  const store = await startDynamoDbLocal();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [ENV.logLevel]: 'ERROR',
  });
  const quiet = console.log;
  try {
    const streams = Array.from({ length: STREAMS }, (_, i) => `bench-${i}`);
    const perStream = Math.ceil(EVENTS / STREAMS);

    // Writer: appends spread over the streams, round robin, as a warm Lambda would see them.
    const table = (await createEventsTable()).tableName;
    const withVersion = countingClient();
    const heads = new KnownHeads(10_000);
    for (let v = 0; v < perStream; v++) {
      for (const streamId of streams) {
        await appendEvent(withVersion.client, table, { streamId, type: 'Tick', data: {}, expectedVersion: v }, { knownHeads: heads });
      }
    }
    report('writer, with expectedVersion', withVersion.calls, perStream * STREAMS);
    const warm = countingClient();
    const warmHeads = new KnownHeads(10_000);
    const events: StoredEvent[][] = streams.map(() => []);
    for (let v = 0; v < perStream; v++) {
      for (const [i, streamId] of streams.entries()) {
        events[i].push((await appendEvent(warm.client, table, { streamId: `${streamId}-w`, type: 'Tick', data: {} }, { knownHeads: warmHeads })).event);
      }
    }
    report('writer, no expectedVersion, warm (first append cold)', warm.calls, perStream * STREAMS);

    // Aggregator: the events just appended, delivered as the view queue would.
    const record = (e: StoredEvent) => sqsRecord(eventMessage(e).body, { messageGroupId: e.streamId });
    console.log = () => undefined;
    const steady = countingClient();
    const steadyConfig = { viewTable: await createViewTable(), eventsTable: table, client: steady.client, viewName: 'bench', streamIdField: 'id' };
    for (let v = 0; v < perStream; v++) for (const stream of events) await processBatch(counter, [record(stream[v])], steadyConfig);
    const backlog = countingClient();
    const backlogConfig = { ...steadyConfig, viewTable: await createViewTable(), client: backlog.client };
    for (const stream of events) {
      for (let v = 0; v < perStream; v += 10) await processBatch(counter, stream.slice(v, v + 10).map(record), backlogConfig);
    }
    console.log = quiet;
    report('aggregator, steady flow (one event per batch)', steady.calls, perStream * STREAMS);
    report('aggregator, backlog (batches of 10 of one stream)', backlog.calls, perStream * STREAMS);
  } finally {
    console.log = quiet;
    await store.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

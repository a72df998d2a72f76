/**
 * DynamoDB calls per operation, counted by a client middleware on DynamoDB Local: the writer with
 * and without expectedVersion, WritePath.DIRECT's synthesized templates (run by the local runtime's
 * API Gateway, counted at its requests to DynamoDB), the aggregator in steady flow (one event per
 * batch, also with every event upcast through three versions) and under a backlog (batches of 10
 * of one stream), a page of GET /streams/{id}, and a page of an index query (GET /{view}?index=).
 * `npm run benchmark:calls -- --events 200`.
 */
import { arg } from './bench-support';
import type { ProjectionHandlers } from '../lambda-src/aggregator/projection-module';
import { processBatch } from '../lambda-src/aggregator/runtime';
import { dynamoClient as readerClient } from '../lambda-src/core/dynamo';
import { eventMessage } from '../lambda-src/core/event-message';
import type { StoredEvent } from '../lambda-src/core/stored-event';
import { loadUpcasting, Upcasting } from '../lambda-src/core/upcast';
import type { IndexSpec } from '../lambda-src/core/view-indexes';
import { streamHistory } from '../lambda-src/reader/history';
import { handler as readerHandler } from '../lambda-src/reader/index';
import { appendEvent, KnownHeads } from '../lambda-src/writer/append';
import { startDynamoDbLocal } from '../packages/cli/src/dynamo-store';
import { ENV, PAGE_HEADERS } from '../src/contract';
import { directAppender } from '../test/support/direct-append';
import { putIndexedRecord, useIndexedViewRegistry } from '../test/support/indexed-views';
import { apiEvent, countingClient, createEventsTable, createViewTable, markIndexesReady, sqsRecord } from '../test/support/local-dynamo';

const counter: ProjectionHandlers = {
  Tick: (view) => ({ ticks: Number((view as { ticks?: number } | undefined)?.ticks ?? 0) + 1 }),
};

/** One operation's DynamoDB calls: how many per operation, and of which commands. */
export interface CallFigure {
  readonly what: string;
  readonly operations: number;
  readonly perOperation: number;
  readonly byCommand: Record<string, number>;
}

function figure(what: string, calls: string[], operations: number): CallFigure {
  const byCommand: Record<string, number> = {};
  for (const c of calls) byCommand[c.replace(/Command$/, '')] = (byCommand[c.replace(/Command$/, '')] ?? 0) + 1;
  return { what, operations, perOperation: calls.length / operations, byCommand };
}

/** Needs AWS_ENDPOINT_URL_DYNAMODB set to a running DynamoDB Local. */
export async function measureCalls(events: number, streamCount: number): Promise<CallFigure[]> {
  const figures: CallFigure[] = [];
  const streams = Array.from({ length: streamCount }, (_, i) => `bench-${i}`);
  const perStream = Math.ceil(events / streamCount);

  // Writer: appends spread over the streams, round robin, as a warm Lambda would see them.
  const table = (await createEventsTable()).tableName;
  const withVersion = countingClient();
  const heads = new KnownHeads(10_000);
  for (let v = 0; v < perStream; v++) {
    for (const streamId of streams) {
      await appendEvent(withVersion.client, table, { streamId, type: 'Tick', data: {}, expectedVersion: v }, { knownHeads: heads });
    }
  }
  figures.push(figure('writer, with expectedVersion', withVersion.calls, perStream * streamCount));
  const cold = countingClient();
  for (let v = 0; v < perStream; v++) {
    for (const streamId of streams) {
      // A fresh cache each time: a writer that never saw the stream (a cold start, or another instance).
      await appendEvent(cold.client, table, { streamId: `${streamId}-c`, type: 'Tick', data: {} }, { knownHeads: new KnownHeads(1) });
    }
  }
  figures.push(figure('writer, no expectedVersion, head not cached', cold.calls, perStream * streamCount));
  const warm = countingClient();
  const warmHeads = new KnownHeads(10_000);
  const stored: StoredEvent[][] = streams.map(() => []);
  for (let v = 0; v < perStream; v++) {
    for (const [i, streamId] of streams.entries()) {
      stored[i].push((await appendEvent(warm.client, table, { streamId: `${streamId}-w`, type: 'Tick', data: {} }, { knownHeads: warmHeads })).event);
    }
  }
  figures.push(figure('writer, no expectedVersion, warm (first append cold)', warm.calls, perStream * streamCount));

  // WritePath.DIRECT: API Gateway's requests to DynamoDB, by action (X-Amz-Target).
  const direct = directAppender((await createEventsTable()).tableName);
  const directCalls: string[] = [];
  const fetchBefore = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const target = new Headers(init?.headers).get('X-Amz-Target');
    if (target) directCalls.push(target.replace(/^DynamoDB_\d+\./, ''));
    return fetchBefore(input, init);
  };
  try {
    for (let v = 0; v < perStream; v++) {
      for (const streamId of streams) {
        const answer = await direct.post({ type: 'Tick', id: `${streamId}-d`, expectedVersion: v });
        if (answer.status !== 201) throw new Error(`DIRECT answered ${answer.status} ${answer.text}`);
      }
    }
  } finally {
    globalThis.fetch = fetchBefore;
  }
  figures.push(figure('DIRECT (API Gateway templates, no Lambda)', directCalls, perStream * streamCount));

  // Aggregator: the events just appended, delivered as the view queue would.
  const record = (e: StoredEvent) => sqsRecord(eventMessage(e).body, { messageGroupId: e.streamId });
  const quiet = console.log;
  console.log = () => undefined;
  try {
    const steady = countingClient();
    const steadyConfig = { viewTable: await createViewTable(), eventsTable: table, client: steady.client, viewName: 'bench', streamIdField: 'id' };
    for (let v = 0; v < perStream; v++) for (const stream of stored) await processBatch(counter, [record(stream[v])], steadyConfig);
    const backlog = countingClient();
    const backlogConfig = { ...steadyConfig, viewTable: await createViewTable(), client: backlog.client };
    for (const stream of stored) {
      for (let v = 0; v < perStream; v += 10) await processBatch(counter, stream.slice(v, v + 10).map(record), backlogConfig);
    }
    // The same events read as version 1 of a type at version 4: three upcasters each, and no more calls.
    const upcast = countingClient();
    const upcasting = loadUpcasting({ upcasters: { Tick: { 1: step, 2: step, 3: step } } }, { Tick: { current: 4, first: 1, acceptOlder: true } });
    const upcastConfig = { ...steadyConfig, viewTable: await createViewTable(), client: upcast.client, upcasting };
    for (let v = 0; v < perStream; v++) for (const stream of stored) await processBatch(counter, [record(stream[v])], upcastConfig);
    figures.push(figure('aggregator, steady flow (one event per batch)', steady.calls, perStream * streamCount));
    figures.push(figure('aggregator, steady flow, each event upcast 1 → 4', upcast.calls, perStream * streamCount));
    figures.push(figure('aggregator, backlog (batches of 10 of one stream)', backlog.calls, perStream * streamCount));
  } finally {
    console.log = quiet;
  }

  // GET /streams/{id}: a page of 10 events of one stream, upcast.
  const history = countingClient();
  const pages = streams.length;
  for (const streamId of streams) {
    const page = await streamHistory(apiEvent({ method: 'GET', queryStringParameters: { limit: '10' } }), `${streamId}-w`,
      { client: history.client, eventsTable: table, upcasting: Upcasting.NONE, limit: 10 });
    if (page.statusCode !== 200) throw new Error(`history answered ${page.statusCode} ${page.body}`);
  }
  figures.push(figure('GET /streams/{id}, a page of 10 events', history.calls, pages));
  figures.push(await indexQueryPages(events));
  return figures;
}

/**
 * GET /{view}?index=: every page (10 records each) of one partition of an index, through the
 * reader's handler, counted at the reader's own client once its caches (the view registry, the
 * index's readiness) are warm: one Query per page is the goal.
 */
async function indexQueryPages(records: number): Promise<CallFigure> {
  const spec: IndexSpec = { name: 'byGroup', partitionKey: { field: 'group', type: 'S' }, sortKey: { field: 'n', type: 'N' } };
  const table = await createViewTable({ indexes: [spec] });
  for (let i = 0; i < records; i++) await putIndexedRecord(table, [spec], `rec-${i}`, 1, { group: i % 2 === 0 ? 'even' : 'odd', n: i });
  await markIndexesReady(table, [spec]);
  await useIndexedViewRegistry([{ view: 'bench', table, indexes: [spec] }]);
  process.env[ENV.defaultView] = 'bench';
  const page = async (cursor?: string) => {
    const query = { index: spec.name, key: 'even', limit: '10', ...(cursor === undefined ? {} : { cursor }) };
    const answer = await readerHandler(apiEvent({ method: 'GET', resource: '/{view}', pathParameters: { view: 'bench' }, queryStringParameters: query }));
    if (answer.statusCode !== 200) throw new Error(`index query answered ${answer.statusCode} ${answer.body}`);
    return answer.headers?.[PAGE_HEADERS.response] as string | undefined;
  };
  const quiet = console.log;
  console.log = () => undefined; // the IndexQueries metric line of each page
  const calls: string[] = [];
  const client = readerClient();
  try {
    await page(); // warms the caches
    client.middlewareStack.add((next, context) => async (args) => {
      calls.push(context.commandName as string);
      return next(args);
    }, { step: 'initialize', name: 'benchIndexQueryCalls' });
    let pages = 0;
    let cursor: string | undefined;
    do {
      cursor = await page(cursor);
      pages += 1;
    } while (cursor !== undefined);
    return figure('GET /{view}?index=, a page of 10 records (warm)', calls, pages);
  } finally {
    client.middlewareStack.remove('benchIndexQueryCalls');
    console.log = quiet;
  }
}

/** An upcaster that changes the data, as a real one would. */
function step(event: { schemaVersion: number; data: Record<string, unknown> }) {
  return { data: { ...event.data, [`v${event.schemaVersion + 1}`]: true } };
}

/** Points the AWS SDK at a DynamoDB Local of its own; stop it when done. */
export async function benchmarkDynamo(): Promise<{ stop: () => Promise<void> }> {
  const store = await startDynamoDbLocal();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [ENV.logLevel]: 'ERROR',
  });
  return store;
}

async function main(): Promise<void> {
  const store = await benchmarkDynamo();
  try {
    for (const f of await measureCalls(arg('events', 200), arg('streams', 10))) {
      const detail = Object.entries(f.byCommand).map(([c, n]) => `${c} ${n}`).join(', ');
      console.log(`${f.what.padEnd(52)} ${f.perOperation.toFixed(2)} calls each (${f.operations}: ${detail})`);
    }
  } finally {
    await store.stop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

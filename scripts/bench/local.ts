/**
 * End to end on the local runtime (the example app), against the floor under it: the same
 * appends made straight to DynamoDB Local (a Query for the head, then TransactWriteItems with the
 * event and its idempotency marker), in the same run and on the same DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../../examples/typescript/app';
import { LocalRuntime } from '../../packages/cli/src';
import { EVENT_ID_MARKER_PREFIX, KEYS } from '../../src/contract';
import { createEventsTable, dynamoClient } from '../../test/support/local-dynamo';
import { BENCHMARK_RUNTIME } from '../bench-support';

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface LocalFigures {
  /** POST → visible in the default view, one event at a time. */
  readonly visibleMs: Percentiles;
  /** POST → 201, one at a time. */
  readonly postMs: Percentiles;
  /** 201s per second with `concurrency` clients, each on streams of its own. */
  readonly appendsPerSecond: number;
  /** Events per second until every one of them was visible in the default view. */
  readonly visiblePerSecond: number;
  /** Query + TransactWriteItems straight to DynamoDB Local, one at a time. */
  readonly rawMs: Percentiles;
  /** The same with `concurrency` workers. */
  readonly rawAppendsPerSecond: number;
}

export interface LocalOptions {
  readonly events: number;
  readonly concurrency: number;
  readonly streams: number;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p95: at(95), max: sorted[sorted.length - 1] };
}

/** Runs `work` for items 0..count-1, `concurrency` at a time; resolves with the seconds it took. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await work(next++);
  }));
  return (performance.now() - started) / 1000;
}

function bodyFor(id: string, version: number): object {
  return version === 1
    ? { type: 'CustomerRegistered', id, name: `Customer ${id}` }
    : { type: 'EmailChanged', id, email: `${id}+${version}@example.com` };
}

async function post(url: string, body: object): Promise<void> {
  const res = await fetch(`${url}/`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function visible(url: string, id: string, version: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const res = await fetch(`${url}/default/${id}`);
    if (res.status === 200 && ((await res.json()) as { version: number }).version >= version) return;
    if (res.status !== 200) await res.arrayBuffer();
    if (performance.now() - started > 60_000) throw new Error(`${id} v${version} not visible after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** One append as the writer makes it without a cached head: read the head, then the transaction. */
export async function rawAppend(client: DynamoDBClient, table: string, streamId: string): Promise<void> {
  const head = await client.send(new QueryCommand({
    TableName: table,
    KeyConditionExpression: '#s = :s',
    ExpressionAttributeNames: { '#s': KEYS.streamId },
    ExpressionAttributeValues: { ':s': { S: streamId } },
    ScanIndexForward: false,
    Limit: 1,
  }));
  const version = Number(head.Items?.[0]?.[KEYS.version]?.N ?? 0) + 1;
  const eventId = randomUUID();
  await client.send(new TransactWriteItemsCommand({
    TransactItems: [
      { Put: { TableName: table, Item: { [KEYS.streamId]: { S: `${EVENT_ID_MARKER_PREFIX}${eventId}` }, [KEYS.version]: { N: '0' }, stream: { S: streamId } }, ConditionExpression: 'attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': KEYS.version } } },
      { Put: { TableName: table, Item: { [KEYS.streamId]: { S: streamId }, [KEYS.version]: { N: String(version) }, eventId: { S: eventId }, type: { S: 'Tick' }, data: { M: {} } }, ConditionExpression: 'attribute_not_exists(#v)', ExpressionAttributeNames: { '#v': KEYS.version } } },
    ],
  }));
}

/** Needs AWS_ENDPOINT_URL_DYNAMODB set to a running DynamoDB Local (the runtime uses it too). */
export async function measureLocal(options: LocalOptions): Promise<LocalFigures> {
  const { events, concurrency, streams } = options;
  const client = dynamoClient();
  const table = (await createEventsTable()).tableName;
  const rawSamples: number[] = [];
  for (let i = 0; i < events; i++) {
    const started = performance.now();
    await rawAppend(client, table, `raw-${i % streams}`);
    rawSamples.push(performance.now() - started);
  }
  const rawSeconds = await inParallel(events, concurrency, (i) => rawAppend(client, table, `raw-c${i % concurrency}-${i % streams}`));

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-bench-local-'));
  const app = new App({ outdir });
  buildExampleApp(app);
  const runtime = await LocalRuntime.start({ app, ...BENCHMARK_RUNTIME });
  try {
    const versions = new Map<string, number>();
    const next = (id: string) => {
      const v = (versions.get(id) ?? 0) + 1;
      versions.set(id, v);
      return v;
    };
    // Warm-up: every function has run once.
    for (let i = 0; i < 10; i++) {
      const id = `warm-${i}`;
      const v = next(id);
      await post(runtime.url, bodyFor(id, v));
      await visible(runtime.url, id, v);
    }
    const postSamples: number[] = [];
    const visibleSamples: number[] = [];
    for (let i = 0; i < events; i++) {
      const id = `one-${i % streams}`;
      const v = next(id);
      const started = performance.now();
      await post(runtime.url, bodyFor(id, v));
      postSamples.push(performance.now() - started);
      await visible(runtime.url, id, v);
      visibleSamples.push(performance.now() - started);
    }
    // Concurrent clients, each with streams of its own (no version conflicts to retry).
    const began = performance.now();
    const appendSeconds = await inParallel(events, concurrency, async (i) => {
      const id = `many-${i % concurrency}-${i % streams}`;
      await post(runtime.url, bodyFor(id, next(id)));
    });
    for (const [id, v] of versions) if (id.startsWith('many-')) await visible(runtime.url, id, v);
    const visibleSeconds = (performance.now() - began) / 1000;
    return {
      visibleMs: percentiles(visibleSamples),
      postMs: percentiles(postSamples),
      appendsPerSecond: events / appendSeconds,
      visiblePerSecond: events / visibleSeconds,
      rawMs: percentiles(rawSamples),
      rawAppendsPerSecond: events / rawSeconds,
    };
  } finally {
    await runtime.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

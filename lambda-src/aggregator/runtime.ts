import * as path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyInOrder, type ViewRecord } from './apply';
import { loadHandlers, type ProjectionHandlers } from './projection-module';
import { loadView, readEvents, saveView } from './view-store';
import { DEFAULTS, ENV, METRICS, type EventVersionTable } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { log, metricFields, stopwatch } from '../core/log';
import { Recent } from '../core/recent';
import { parseViewMessage, type StoredEvent } from '../core/stored-event';
import { loadUpcasting, upcastingWithout, type Upcasting } from '../core/upcast';
import { indexAttributes, readIndexesFile, type IndexSpec } from '../core/view-indexes';

export interface AggregatorConfig {
  readonly viewName: string;
  readonly viewTable: string;
  readonly eventsTable: string;
  /** The field the reader adds with the stream id; a record may not use it for anything else. */
  readonly streamIdField: string;
  readonly client: DynamoDBClient;
  /** The API's upcasters and event versions. @default none: every event is at version 1 */
  readonly upcasting?: Upcasting;
  /** The view's declared indexes. @default the file ENV.viewIndexes names beside the code, else none */
  readonly indexes?: readonly IndexSpec[];
}

/** What the construct bundles beside a projection: the API's event versions and upcasters module. */
export interface EventEvolution {
  readonly versions: EventVersionTable;
  /** The upcasters module (its exports); absent when no type has a version above its first. */
  readonly upcasters?: unknown;
}

interface Delivery {
  readonly record: SQSRecord;
  readonly streamId: string;
  /** The event delivered; undefined for a catch-up, which asks for the stream's head. */
  readonly event?: StoredEvent;
}

/** The version a delivery asks the view to reach: its event's, or for a catch-up the head (whatever it is). */
const targetOf = (delivery: Delivery): number => delivery.event?.version ?? Number.MAX_SAFE_INTEGER;

/** Streams of one batch processed at the same time. */
const STREAM_CONCURRENCY = 8;

/**
 * Wraps a projection module into an SQS batch handler. Configuration comes from the environment
 * unless given (tests and the local runtime pass their own).
 */
export function createHandler(projectionModule: unknown, config?: Partial<AggregatorConfig>, evolution?: EventEvolution) {
  const handlers = loadHandlers(projectionModule);
  const upcasting = config?.upcasting ?? upcastingOf(evolution);
  let indexes = config?.indexes;
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    // Read once, on the first invocation (the environment is set by then in every host).
    indexes ??= declaredIndexes();
    const resolved: AggregatorConfig = {
      viewName: config?.viewName ?? process.env[ENV.viewName] ?? 'view',
      viewTable: config?.viewTable ?? requireEnv(ENV.viewTable),
      eventsTable: config?.eventsTable ?? requireEnv(ENV.eventsTable),
      streamIdField: config?.streamIdField ?? process.env[ENV.streamIdField] ?? DEFAULTS.streamIdField,
      client: config?.client ?? dynamoClient(),
      upcasting,
      indexes,
    };
    return processBatch(handlers, event.Records, resolved);
  };
}

/**
 * Applies a batch: deliveries are grouped by stream; each stream's view is loaded once, brought
 * forward in version order (filling gaps from the events table), and written once with a
 * version-gated condition. Returns the messages to retry.
 */
export async function processBatch(handlers: ProjectionHandlers, records: SQSRecord[], config: AggregatorConfig): Promise<SQSBatchResponse> {
  const elapsed = stopwatch();
  const failed = new Set<string>();
  const byStream = new Map<string, Delivery[]>();
  for (const record of records) {
    try {
      const delivery: Delivery = { record, ...parseViewMessage(record.body) };
      const deliveries = byStream.get(delivery.streamId);
      if (deliveries) deliveries.push(delivery);
      else byStream.set(delivery.streamId, [delivery]);
    } catch (error) {
      log('error', 'unreadable message', { view: config.viewName, messageId: record.messageId, error: String(error) });
      failed.add(record.messageId);
    }
  }

  const streams = [...byStream.entries()];
  for (let i = 0; i < streams.length; i += STREAM_CONCURRENCY) {
    await Promise.all(streams.slice(i, i + STREAM_CONCURRENCY).map(async ([streamId, deliveries]) => {
      for (const id of await processStream(handlers, streamId, deliveries, config)) failed.add(id);
    }));
  }

  // SQS FIFO asks that the later messages of a failed group be retried too, so that none is
  // processed out of order. Here a message not retried is one whose event is already in its view
  // (each stream was judged as a whole, gaps filled from the events table), so deleting it cannot
  // reorder anything, and retrying it would only park an applied event after maxReceiveCount.
  const counts = { messages: records.length, streams: byStream.size, retried: failed.size };
  log('debug', 'batch processed', { view: config.viewName, ...counts, durationMs: elapsed() });
  return { batchItemFailures: records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) };
}

/**
 * The view records this aggregator saved last, so the next event of a stream is applied without
 * reading its record: one conditional write per event in steady flow. The condition on the
 * version detects a record another instance has moved on since; it is then read and applied again.
 * Bounded in entries and in (estimated) bytes.
 */
const savedViews = new Recent<ViewRecord>(10_000, 16 * 1024 * 1024);

/** Returns the message ids of this stream that must be retried. */
async function processStream(
  handlers: ProjectionHandlers, streamId: string, deliveries: Delivery[], config: AggregatorConfig, useSaved = true,
): Promise<string[]> {
  const { client, viewTable, eventsTable, viewName } = config;
  const elapsed = stopwatch();
  const key = `${viewTable}\n${streamId}`;
  const saved = useSaved ? savedViews.get(key) : undefined;
  try {
    const view = saved ?? await loadView(client, viewTable, streamId);
    const target = Math.max(...deliveries.map(targetOf));
    if (target <= view.version) {
      log('debug', 'duplicate deliveries skipped', { view: viewName, streamId, viewVersion: view.version });
      return [];
    }

    const events = await eventsToApply(deliveries, view.version, target, client, eventsTable, streamId);
    const indexes = config.indexes ?? [];
    const outcome = await applyInOrder(handlers, view, events, { streamIdField: config.streamIdField, upcasting: config.upcasting, indexes });
    if (outcome.record.version > view.version) {
      // applyInOrder failed any record a handler returned with a key problem. One it kept (no
      // handler for the event) may have one since an index was added: left out of that index.
      const { attributes } = indexAttributes(outcome.record.state, indexes);
      if (!await saveView(client, viewTable, streamId, view.version, outcome.record, attributes)) {
        savedViews.delete(key);
        if (saved) return await processStream(handlers, streamId, deliveries, config, false); // it was stale: read the record
        log('warn', 'view changed concurrently; will retry', { view: viewName, streamId });
        return deliveries.filter((d) => targetOf(d) > view.version).map((d) => d.record.messageId);
      }
      // A private copy (code that kept the object cannot change it), weighed by its JSON, in one pass.
      const json = JSON.stringify(outcome.record.state ?? null);
      savedViews.set(key, { version: outcome.record.version, state: JSON.parse(json) ?? undefined }, json.length);
      // Also metrics: events applied, and the lag from the last one's append to now (its view record is saved).
      const last = events.find((e) => e.version === outcome.record.version);
      const lag: Record<string, number> = last ? { [METRICS.projectionLag]: Math.max(0, Date.now() - Date.parse(last.timestamp)) } : {};
      const applied = { [METRICS.eventsApplied]: outcome.record.version - view.version, ...lag };
      const metrics = metricFields({ [METRICS.dimensions.api]: eventsTable, [METRICS.dimensions.view]: viewName }, applied);
      const versions = { fromVersion: view.version + 1, toVersion: outcome.record.version, eventId: last?.eventId };
      log('info', 'events applied', { view: viewName, streamId, ...versions, durationMs: elapsed(), ...metrics });
    }
    if (outcome.failure) {
      const error = outcome.failure.error as Error;
      log('error', 'projection handler failed', {
        view: viewName, streamId, version: outcome.failure.version, error: String(error), stack: error?.stack,
      });
    }
    // A catch-up is done once the view reached the end of the events read, unless a handler failed.
    const reached = outcome.record.version;
    return deliveries.filter((d) => (d.event ? d.event.version > reached : outcome.failure !== undefined)).map((d) => d.record.messageId);
  } catch (error) {
    savedViews.delete(key);
    log('error', 'stream processing failed', { view: viewName, streamId, error: String(error) });
    return deliveries.map((d) => d.record.messageId);
  }
}

/**
 * The consecutive events from viewVersion+1 up to target. Versions missing from the batch (late,
 * lost or still in flight) come from the events table; the result stops at the first version
 * that is nowhere to be found.
 */
async function eventsToApply(
  deliveries: Delivery[], viewVersion: number, target: number,
  client: DynamoDBClient, eventsTable: string, streamId: string,
): Promise<StoredEvent[]> {
  const byVersion = new Map<number, StoredEvent>();
  for (const { event } of deliveries) if (event && event.version > viewVersion) byVersion.set(event.version, event);
  if (byVersion.size < target - viewVersion) {
    for (const event of await readEvents(client, eventsTable, streamId, viewVersion + 1, target)) {
      if (!byVersion.has(event.version)) byVersion.set(event.version, event);
    }
  }
  const events: StoredEvent[] = [];
  for (let v = viewVersion + 1; v <= target && byVersion.has(v); v++) events.push(byVersion.get(v)!);
  return events;
}


/** The indexes in the file ENV.viewIndexes names (relative to the code's folder), or none. */
function declaredIndexes(): readonly IndexSpec[] {
  const file = process.env[ENV.viewIndexes];
  return file ? readIndexesFile(path.resolve(__dirname, file)) : [];
}

function upcastingOf(evolution: EventEvolution | undefined): Upcasting | undefined {
  if (!evolution) return undefined;
  return evolution.upcasters === undefined ? upcastingWithout(evolution.versions) : loadUpcasting(evolution.upcasters, evolution.versions);
}

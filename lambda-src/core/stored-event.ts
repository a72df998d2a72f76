import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { fromAttributeValue, type Item } from './attribute-value';
import type { ProjectionEvent } from '../../src/authoring/projection';
import { DEFAULT_SCHEMA_VERSION, DIRECT_EVENT, KEYS, RESERVED_EVENT_FIELDS } from '../../src/contract';

/** An event as the events table stores it and as SNS/SQS carry it to projections: the published authoring type. */
export type StoredEvent = ProjectionEvent;

/**
 * The event an events-table item holds, whichever path stored it: the writer Lambda's item
 * (`data` a map, `timestamp` an ISO string) or `WritePath.DIRECT`'s (the POST body as sent, see
 * DIRECT_EVENT). Only its envelope fields: the item may carry the store's own attributes, such as
 * the catalogue shard of a stream's first event. Binary attributes come as bytes from the AWS SDK
 * and base64 in a Lambda stream record; both are read. A caller that has decoded a DIRECT item's
 * body already (directBodyOf) passes it.
 */
export function storedEventOf(item: Item, body: string | undefined = directBodyOf(item)): StoredEvent {
  const text = (name: string) => item[name]?.S as string;
  return {
    streamId: text(KEYS.streamId),
    version: Number(item[KEYS.version]?.N),
    eventId: text('eventId'),
    type: text('type'),
    schemaVersion: item.schemaVersion?.N === undefined ? DEFAULT_SCHEMA_VERSION : Number(item.schemaVersion.N),
    data: body === undefined
      ? (item.data ? fromAttributeValue(item.data) : undefined) as StoredEvent['data']
      : directEventData(body, text(DIRECT_EVENT.streamIdField)),
    timestamp: eventTimestamp(item.timestamp),
  };
}

/** When an event was stored, as an ISO string: the writer's string, or a DIRECT event's epoch milliseconds. */
export function eventTimestamp(value: AttributeValue | undefined): string {
  if (value?.S !== undefined) return value.S;
  if (value?.N !== undefined) return new Date(Number(value.N)).toISOString();
  return '';
}

/** The POST body a `WritePath.DIRECT` item was stored from; undefined for the writer Lambda's items. */
export function directBodyOf(item: Item): string | undefined {
  const bytes = item[DIRECT_EVENT.body]?.B as Uint8Array | string | undefined;
  if (bytes === undefined) return undefined;
  return (typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : Buffer.from(bytes)).toString('utf8');
}

/**
 * A DIRECT event's data as the writer Lambda would have stored it: the body's fields without the
 * envelope (`type`, the stream id field, `eventId`, `expectedVersion`), read with JSON.parse (own
 * properties only, so a "__proto__" key stays data).
 */
export function directEventData(body: string, streamIdField: string): StoredEvent['data'] {
  const fields = JSON.parse(body) as unknown;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error('The stored request body is not a JSON object');
  const envelope = new Set<string>([...RESERVED_EVENT_FIELDS, streamIdField]);
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !envelope.has(key)));
}

/** Checks the shape of a message body before a projection ever sees it. */
export function parseStoredEvent(body: string): StoredEvent {
  return checkStoredEvent(JSON.parse(body));
}

/**
 * A message's event; one published before events carried a schema version is at version 1.
 * Returns the event with its `schemaVersion` in the envelope's order (after `type`).
 */
function checkStoredEvent(parsed: unknown): StoredEvent {
  const value = parsed as Partial<StoredEvent> | null;
  const schemaVersion = value?.schemaVersion ?? DEFAULT_SCHEMA_VERSION;
  if (
    typeof value !== 'object' || value === null ||
    !Number.isInteger(schemaVersion) || schemaVersion < 1 ||
    typeof value.streamId !== 'string' ||
    !Number.isInteger(value.version) || (value.version as number) < 1 ||
    typeof value.eventId !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.data !== 'object' || value.data === null ||
    typeof value.timestamp !== 'string'
  ) {
    throw new Error('Message body is not a stored event');
  }
  const { streamId, version, eventId, type, data, timestamp } = value as StoredEvent;
  return { streamId, version, eventId, type, schemaVersion, data, timestamp };
}

/**
 * A catch-up message: "bring this view to the head of this stream". Backfills, rebuilds and
 * replays send one per stream to a view's queue; the aggregator reads what the view lacks from
 * the events table, so one message per stream is enough however far behind the view is.
 */
interface CatchUp {
  readonly catchUp: { readonly streamId: string };
}

export function catchUpBody(streamId: string): string {
  return JSON.stringify({ catchUp: { streamId } } satisfies CatchUp);
}

/**
 * A view queue's message, parsed once: a stored event, or a catch-up (its stream id only).
 * Throws on anything else.
 */
export function parseViewMessage(body: string): { readonly streamId: string; readonly event?: StoredEvent } {
  const parsed = JSON.parse(body) as Partial<CatchUp> | null;
  const catchUp = parsed?.catchUp?.streamId;
  if (typeof catchUp === 'string' && catchUp.length > 0) return { streamId: catchUp };
  const event = checkStoredEvent(parsed);
  return { streamId: event.streamId, event };
}

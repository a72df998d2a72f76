import type { ProjectionEvent } from '../../src/authoring/projection';

/** An event as the events table stores it and as SNS/SQS carry it to projections: the published authoring type. */
export type StoredEvent = ProjectionEvent;

/**
 * The event an events-table item holds: its envelope fields only (the item may carry the store's
 * own attributes, such as the catalogue shard of a stream's first event).
 */
export function storedEventOf(item: Record<string, unknown>): StoredEvent {
  const { streamId, version, eventId, type, data, timestamp } = item as unknown as StoredEvent;
  return { streamId, version, eventId, type, data, timestamp };
}

/** Checks the shape of a message body before a projection ever sees it. */
export function parseStoredEvent(body: string): StoredEvent {
  return checkStoredEvent(JSON.parse(body));
}

function checkStoredEvent(parsed: unknown): StoredEvent {
  const value = parsed as Partial<StoredEvent> | null;
  if (
    typeof value !== 'object' || value === null ||
    typeof value.streamId !== 'string' ||
    !Number.isInteger(value.version) || (value.version as number) < 1 ||
    typeof value.eventId !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.data !== 'object' || value.data === null ||
    typeof value.timestamp !== 'string'
  ) {
    throw new Error('Message body is not a stored event');
  }
  return value as StoredEvent;
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

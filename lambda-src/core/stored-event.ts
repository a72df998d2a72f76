/** An event as the events table stores it and as SNS/SQS carry it to projections. */
export interface StoredEvent {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  /** Every field of the POST body that is not part of the envelope. */
  readonly data: Record<string, unknown>;
  /** ISO-8601 time the writer stored the event. */
  readonly timestamp: string;
}

/** Checks the shape of a message body before a projection ever sees it. */
export function parseStoredEvent(body: string): StoredEvent {
  const value = JSON.parse(body) as Partial<StoredEvent>;
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

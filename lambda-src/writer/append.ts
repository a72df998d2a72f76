import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppendRequest } from './validate';
import { EVENT_ID_MARKER_PREFIX, KEYS } from '../../src/private/contract';
import { errorName } from '../core/dynamo';
import { HttpError } from '../core/http';
import type { StoredEvent } from '../core/stored-event';

export interface AppendResult {
  readonly event: StoredEvent;
  /** True when the eventId was already stored and this answer replays the first one. */
  readonly replayed: boolean;
}

export interface AppendOptions {
  /** Attempts when concurrent appends to one stream race for the same version. */
  readonly maxAttempts?: number;
}

/**
 * Appends one event with the next gap-free version of its stream.
 *
 * One transaction writes the event (condition: that version is free) and an idempotency marker
 * keyed by eventId (condition: the eventId is new). A lost race without expectedVersion reads the
 * head again and retries; a taken eventId answers with the event first stored under it.
 */
export async function appendEvent(
  client: DynamoDBDocumentClient, tableName: string, request: AppendRequest, options: AppendOptions = {},
): Promise<AppendResult> {
  const eventId = request.eventId ?? randomUUID();
  // Enough for dozens of writers racing on one stream; bounded well inside the 10 s timeout.
  const maxAttempts = options.maxAttempts ?? 40;

  for (let attempt = 1; ; attempt++) {
    const head = await currentVersion(client, tableName, request.streamId);
    if (request.expectedVersion !== undefined && request.expectedVersion !== head) {
      const replay = await findByEventId(client, tableName, eventId);
      if (replay) return { event: replay, replayed: true };
      throw new HttpError(409, `Stream "${request.streamId}" is at version ${head}, not the expected version ${request.expectedVersion}`);
    }

    const event: StoredEvent = {
      streamId: request.streamId,
      version: head + 1,
      eventId,
      type: request.type,
      data: request.data,
      timestamp: new Date().toISOString(),
    };
    try {
      await client.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: event,
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': KEYS.streamId },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: {
                [KEYS.streamId]: EVENT_ID_MARKER_PREFIX + eventId,
                [KEYS.version]: 0,
                eventStreamId: event.streamId,
                eventVersion: event.version,
              },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': KEYS.streamId },
            },
          },
        ],
      }));
      return { event, replayed: false };
    } catch (err) {
      if (errorName(err) !== 'TransactionCanceledException') throw err;
    }

    // Cancelled: the eventId is taken, or another append won this version.
    const replay = await findByEventId(client, tableName, eventId);
    if (replay) return { event: replay, replayed: true };
    if (attempt >= maxAttempts) {
      throw new HttpError(503, `Too many concurrent appends to stream "${request.streamId}"; retry with the same eventId`, { 'Retry-After': '1' });
    }
    await backoff(attempt);
  }
}

/** The version of a stream's last event; 0 for a new stream. */
export async function currentVersion(client: DynamoDBDocumentClient, tableName: string, streamId: string): Promise<number> {
  const result = await client.send(new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk > :zero',
    ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version },
    ExpressionAttributeValues: { ':pk': streamId, ':zero': 0 },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
    ProjectionExpression: '#sk',
  }));
  return (result.Items?.[0]?.[KEYS.version] as number | undefined) ?? 0;
}

async function findByEventId(client: DynamoDBDocumentClient, tableName: string, eventId: string): Promise<StoredEvent | undefined> {
  const marker = await client.send(new GetCommand({
    TableName: tableName,
    Key: { [KEYS.streamId]: EVENT_ID_MARKER_PREFIX + eventId, [KEYS.version]: 0 },
    ConsistentRead: true,
  }));
  if (!marker.Item) return undefined;
  const stored = await client.send(new GetCommand({
    TableName: tableName,
    Key: { [KEYS.streamId]: marker.Item.eventStreamId, [KEYS.version]: marker.Item.eventVersion },
    ConsistentRead: true,
  }));
  return stored.Item as StoredEvent | undefined;
}

/** Full-jitter exponential backoff, capped, so racing writers spread out. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AppendRequest } from './validate';
import { CATALOGUE, EVENT_ID_MARKER_PREFIX, KEYS } from '../../src/contract';
import { fromItem, toItem } from '../core/attribute-value';
import { catalogueShard } from '../core/catalogue';
import { errorName } from '../core/dynamo';
import { eventMessage, SNS_MAX_MESSAGE_BYTES } from '../core/event-message';
import { HttpError } from '../core/http';
import { storedEventOf, type StoredEvent } from '../core/stored-event';
import { canonicalJson } from '../core/user-data';

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
 * head again and retries; a taken eventId answers with the event first stored under it when the
 * request is the same one again, and 422 when the eventId was used for another event.
 */
export async function appendEvent(
  client: DynamoDBClient, tableName: string, request: AppendRequest, options: AppendOptions = {},
): Promise<AppendResult> {
  const eventId = request.eventId ?? randomUUID();
  // Enough for dozens of writers racing on one stream; bounded well inside the 10 s timeout.
  const maxAttempts = options.maxAttempts ?? 40;
  const draft = (version: number): StoredEvent => ({
    streamId: request.streamId, version, eventId, type: request.type, data: request.data, timestamp: new Date().toISOString(),
  });
  checkPublishable(draft(Number.MAX_SAFE_INTEGER));

  for (let attempt = 1; ; attempt++) {
    const head = await currentVersion(client, tableName, request.streamId);
    if (request.expectedVersion !== undefined && request.expectedVersion !== head) {
      const replay = await findByEventId(client, tableName, eventId);
      if (replay) return { event: sameRequestOrThrow(replay, request), replayed: true };
      throw new HttpError(409, `Stream "${request.streamId}" is at version ${head}, not the expected version ${request.expectedVersion}`);
    }

    const event = draft(head + 1);
    let eventIdTaken = true;
    try {
      await client.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: eventItem(event), ...ifAbsent() } },
          {
            Put: {
              TableName: tableName,
              Item: toItem({
                [KEYS.streamId]: EVENT_ID_MARKER_PREFIX + eventId,
                [KEYS.version]: 0,
                eventStreamId: event.streamId,
                eventVersion: event.version,
              }),
              ...ifAbsent(),
            },
          },
        ],
      }));
      return { event, replayed: false };
    } catch (err) {
      if (errorName(err) !== 'TransactionCanceledException') throw err;
      // Reasons are listed per action; without them, assume the eventId may be taken.
      const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      if (reasons?.length === 2) eventIdTaken = reasons[1].Code !== 'None';
    }

    // Cancelled: the eventId is taken, or another append won this version.
    if (eventIdTaken) {
      const replay = await findByEventId(client, tableName, eventId);
      if (replay) return { event: sameRequestOrThrow(replay, request), replayed: true };
    }
    if (attempt >= maxAttempts) {
      throw new HttpError(503, `Too many concurrent appends to stream "${request.streamId}"; retry with the same eventId`, { 'Retry-After': '1' });
    }
    await backoff(attempt);
  }
}

/** The version of a stream's last event; 0 for a new stream. */
export async function currentVersion(client: DynamoDBClient, tableName: string, streamId: string): Promise<number> {
  const result = await client.send(new QueryCommand({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk > :zero',
    ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version },
    ExpressionAttributeValues: { ':pk': { S: streamId }, ':zero': { N: '0' } },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
    ProjectionExpression: '#sk',
  }));
  const version = result.Items?.[0]?.[KEYS.version]?.N;
  return version === undefined ? 0 : Number(version);
}

/** The event as an item; a stream's first event also enters the stream catalogue (a sparse index). */
function eventItem(event: StoredEvent) {
  return toItem({ ...event, ...(event.version === 1 ? { [CATALOGUE.shardAttribute]: catalogueShard(event.streamId) } : {}) });
}

function ifAbsent() {
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': KEYS.streamId } };
}

/** An event SNS would refuse could never reach a view: refuse it before it is stored. */
function checkPublishable(event: StoredEvent): void {
  const { bytes } = eventMessage(event);
  if (bytes > SNS_MAX_MESSAGE_BYTES) {
    throw new HttpError(413, `The event would be ${bytes} bytes as published, and SNS carries at most ${SNS_MAX_MESSAGE_BYTES}; send less data`);
  }
}

/**
 * An idempotent retry is the same request again. The same eventId for another stream, type or
 * data is a client bug that must not be answered as if that event had been stored.
 */
function sameRequestOrThrow(stored: StoredEvent, request: AppendRequest): StoredEvent {
  const same = stored.streamId === request.streamId && stored.type === request.type
    && canonicalJson(stored.data) === canonicalJson(request.data);
  if (!same) {
    throw new HttpError(422, `eventId "${stored.eventId}" already belongs to version ${stored.version} of stream "${stored.streamId}", ` +
      'stored with a different stream, type or data; use a new eventId for a new event');
  }
  return stored;
}

async function findByEventId(client: DynamoDBClient, tableName: string, eventId: string): Promise<StoredEvent | undefined> {
  const marker = await client.send(new GetItemCommand({
    TableName: tableName,
    Key: { [KEYS.streamId]: { S: EVENT_ID_MARKER_PREFIX + eventId }, [KEYS.version]: { N: '0' } },
    ConsistentRead: true,
  }));
  if (!marker.Item) return undefined;
  const stored = await client.send(new GetItemCommand({
    TableName: tableName,
    Key: { [KEYS.streamId]: marker.Item.eventStreamId, [KEYS.version]: marker.Item.eventVersion },
    ConsistentRead: true,
  }));
  return stored.Item ? storedEventOf(fromItem(stored.Item)) : undefined;
}

/** Full-jitter exponential backoff, capped, so racing writers spread out. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AppendRequest } from './validate';
import { CATALOGUE, DEFAULT_SCHEMA_VERSION, EVENT_ID_MARKER_PREFIX, KEYS } from '../../src/contract';
import { toItem } from '../core/attribute-value';
import { catalogueShard } from '../core/catalogue';
import { errorName } from '../core/dynamo';
import { eventMessage, SNS_MAX_MESSAGE_BYTES } from '../core/event-message';
import { HttpError } from '../core/http';
import { Recent } from '../core/recent';
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
  /** The stream heads this writer has seen; the process's own by default. */
  readonly knownHeads?: KnownHeads;
}

/**
 * Appends one event with the next gap-free version of its stream, in one DynamoDB call when the
 * version can be known without reading: the client's expectedVersion, or the head this writer
 * saw last for the stream (a warm Lambda keeps it).
 *
 * One transaction writes the event (condition: that version is free), checks that the version
 * before it exists (so a guess too high cannot leave a gap) and writes an idempotency marker keyed
 * by eventId (condition: the eventId is new). A stale guess or a lost race without expectedVersion
 * reads the head and retries; with expectedVersion it answers 409. A taken eventId answers with the
 * event first stored under it when the request is the same one again, and 422 when the eventId was
 * used for another event.
 */
export async function appendEvent(
  client: DynamoDBClient, tableName: string, request: AppendRequest, options: AppendOptions = {},
): Promise<AppendResult> {
  const eventId = request.eventId ?? randomUUID();
  // Enough for dozens of writers racing on one stream; bounded well inside the 10 s timeout.
  const maxAttempts = options.maxAttempts ?? 40;
  const knownHeads = options.knownHeads ?? processHeads;
  const draft = (version: number): StoredEvent => ({
    streamId: request.streamId,
    version,
    eventId,
    type: request.type,
    schemaVersion: request.schemaVersion ?? DEFAULT_SCHEMA_VERSION,
    data: request.data,
    timestamp: new Date().toISOString(),
  });
  checkPublishable(draft(Number.MAX_SAFE_INTEGER));

  for (let attempt = 1; ; attempt++) {
    const cached = attempt === 1 ? knownHeads.get(tableName, request.streamId) : undefined;
    const after = request.expectedVersion ?? cached ?? await currentVersion(client, tableName, request.streamId);
    const event = draft(after + 1);
    const outcome = await writeEvent(client, tableName, event);
    if (outcome === 'stored') {
      knownHeads.set(tableName, event.streamId, event.version);
      return { event, replayed: false };
    }
    knownHeads.forget(tableName, request.streamId);

    if (outcome.eventIdTaken) {
      const replay = await findByEventId(client, tableName, eventId);
      if (replay) return { event: sameRequestOrThrow(replay, request), replayed: true };
    }
    if (request.expectedVersion !== undefined) {
      const head = await currentVersion(client, tableName, request.streamId);
      knownHeads.set(tableName, request.streamId, head);
      throw new HttpError(409, `Stream "${request.streamId}" is at version ${head}, not the expected version ${request.expectedVersion}`);
    }
    if (attempt >= maxAttempts) {
      throw new HttpError(503, `Too many concurrent appends to stream "${request.streamId}"; retry with the same eventId`, { 'Retry-After': '1' });
    }
    // A stale guess from the cache is retried at once; a race lost to another writer backs off.
    if (cached === undefined) await backoff(attempt);
  }
}

interface Refused {
  /** The eventId's marker exists (or the reasons are unknown, so it may). */
  readonly eventIdTaken: boolean;
}

/** The one transaction of an append; 'stored', or why DynamoDB refused it. */
async function writeEvent(client: DynamoDBClient, tableName: string, event: StoredEvent): Promise<'stored' | Refused> {
  // The version before must exist: a guess beyond the head would otherwise leave a gap.
  const previousExists = event.version > 1 ? [{
    ConditionCheck: {
      TableName: tableName,
      Key: { [KEYS.streamId]: { S: event.streamId }, [KEYS.version]: { N: String(event.version - 1) } },
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#pk': KEYS.streamId },
    },
  }] : [];
  try {
    await client.send(new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: toItem({
              [KEYS.streamId]: EVENT_ID_MARKER_PREFIX + event.eventId,
              [KEYS.version]: 0,
              eventStreamId: event.streamId,
              eventVersion: event.version,
            }),
            ...ifAbsent(),
          },
        },
        { Put: { TableName: tableName, Item: eventItem(event), ...ifAbsent() } },
        ...previousExists,
      ],
    }));
    return 'stored';
  } catch (err) {
    if (errorName(err) !== 'TransactionCanceledException') throw err;
    // Reasons are listed per action, the marker's first; without them, assume the eventId may be taken.
    const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    return { eventIdTaken: reasons?.[0]?.Code === undefined || reasons[0].Code !== 'None' };
  }
}

/**
 * The head each stream had after this writer's last append to it, so the next append to it can
 * go straight to the transaction.
 */
export class KnownHeads {
  private readonly heads: Recent<number>;

  constructor(capacity: number) {
    this.heads = new Recent(capacity);
  }

  public get(table: string, streamId: string): number | undefined {
    return this.heads.get(`${table}\n${streamId}`);
  }

  public set(table: string, streamId: string, version: number): void {
    this.heads.set(`${table}\n${streamId}`, version);
  }

  public forget(table: string, streamId: string): void {
    this.heads.delete(`${table}\n${streamId}`);
  }
}

const processHeads = new KnownHeads(10_000);

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
    && stored.schemaVersion === (request.schemaVersion ?? DEFAULT_SCHEMA_VERSION)
    && canonicalJson(stored.data) === canonicalJson(request.data);
  if (!same) {
    throw new HttpError(422, `eventId "${stored.eventId}" already belongs to version ${stored.version} of stream "${stored.streamId}", ` +
      'stored with a different stream, type, schema version or data; use a new eventId for a new event');
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
  return stored.Item ? storedEventOf(stored.Item) : undefined;
}

/** Full-jitter exponential backoff, capped, so racing writers spread out. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

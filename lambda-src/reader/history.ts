import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { decodePageToken, encodePageToken } from './page-token';
import { KEYS, PAGE_HEADERS } from '../../src/contract';
import { HttpError, header, jsonResponse } from '../core/http';
import { storedEventOf, type StoredEvent } from '../core/stored-event';
import { isStreamId } from '../core/stream-id';
import type { Upcasting } from '../core/upcast';

export interface HistoryOptions {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  readonly upcasting: Upcasting;
  /** The page size, already checked against the API's limits. */
  readonly limit: number;
}

/**
 * GET /streams/{id}: the stream's events in version order, upcast to their current versions
 * (`?raw=true`: as stored), from `?fromVersion=N` on, paged like lists. The token names the
 * stream, so a page key of one stream (or of a view) is refused by another. Strongly consistent:
 * the route exists to show what the store holds now, an event just appended included.
 */
export async function streamHistory(event: APIGatewayProxyEvent, streamId: string, options: HistoryOptions): Promise<APIGatewayProxyResult> {
  const query = event.queryStringParameters ?? {};
  if (query.minVersion !== undefined) throw new HttpError(400, 'minVersion applies to reading one view record; a stream\'s history is read from the events table, which has every event at once');
  const raw = flag(query.raw, 'raw');
  const fromVersion = wholeNumber(query.fromVersion, 'fromVersion') ?? 1;
  const tokenScope = `streams/${streamId}`;
  const token = query.cursor ?? header(event, PAGE_HEADERS.request);
  const after = token === undefined || token === '' ? undefined : Number(decodePageToken(tokenScope, token));
  if (!isStreamId(streamId)) throw new HttpError(404, `No events in stream "${streamId}"`);

  const start = Math.max(fromVersion, (after ?? 0) + 1);
  const page = await options.client.send(new QueryCommand({
    TableName: options.eventsTable,
    KeyConditionExpression: '#pk = :pk AND #sk >= :from',
    ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version },
    ExpressionAttributeValues: { ':pk': { S: streamId }, ':from': { N: String(start) } },
    Limit: options.limit,
    ConsistentRead: true,
  }));
  const stored = (page.Items ?? []).map((item) => storedEventOf(item));
  if (stored.length === 0 && after === undefined && !await hasEvents(options, streamId)) {
    throw new HttpError(404, `No events in stream "${streamId}"`);
  }
  const events = raw ? stored : stored.map((e) => upcastForClient(options.upcasting, e));
  const last = page.LastEvaluatedKey?.[KEYS.version]?.N;
  const headers: Record<string, string> = last === undefined ? {} : { [PAGE_HEADERS.response]: encodePageToken(tokenScope, last) };
  return jsonResponse(200, events.map(historyItem), headers);
}

/** The item of a history page: the envelope first, in a fixed order, as the writer's 201 has it. */
function historyItem(event: StoredEvent) {
  const { streamId, version, eventId, type, schemaVersion, data, timestamp } = event;
  return { streamId, version, eventId, type, schemaVersion, data, timestamp };
}

/** An upcaster that fails is the API's bug, not the client's: a 500 that says which step. */
function upcastForClient(upcasting: Upcasting, event: StoredEvent): StoredEvent {
  try {
    return upcasting.upcast(event);
  } catch (error) {
    throw new HttpError(500, `Event version ${event.version} of stream "${event.streamId}" cannot be shown at its current version: ${(error as Error).message}`);
  }
}

async function hasEvents({ client, eventsTable }: HistoryOptions, streamId: string): Promise<boolean> {
  const any = await client.send(new QueryCommand({
    TableName: eventsTable,
    KeyConditionExpression: '#pk = :pk AND #sk >= :one',
    ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version },
    ExpressionAttributeValues: { ':pk': { S: streamId }, ':one': { N: '1' } },
    Limit: 1,
    ConsistentRead: true,
    ProjectionExpression: '#sk',
  }));
  return (any.Items ?? []).length > 0;
}

function wholeNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new HttpError(400, `Query parameter "${name}" must be a whole number from 1, got "${raw}"`);
  return Number(raw);
}

function flag(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true' || raw === '') return true;
  throw new HttpError(400, `Query parameter "${name}" must be true or false, got "${raw}"`);
}

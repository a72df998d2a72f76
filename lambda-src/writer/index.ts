import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { appendEvent } from './append';
import { parseAppendRequest } from './validate';
import { DEFAULTS, ENV, METRICS, REPLAY_HEADER } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { httpHandler, jsonResponse } from '../core/http';
import { log, metricFields, stopwatch } from '../core/log';
import type { StoredEvent } from '../core/stored-event';
import { sortKeys } from '../core/user-data';

/** POST / — appends one event. 201 with the stored envelope; a replayed eventId answers the same. */
export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const elapsed = stopwatch();
  const outcome: Appended = {};
  const response = await httpHandler((request) => append(request, outcome))(event, context);
  // One line per request: what was stored, how long it took, and the metrics (EMF): new events,
  // rejected requests (4xx), and the 409s among them.
  const status = response.statusCode;
  const stored = outcome.event && !outcome.replayed;
  const { streamId, version, eventId, type } = outcome.event ?? {};
  const appended = outcome.event ? { streamId, version, eventId, type, replayed: outcome.replayed } : {};
  log('info', 'append answered', {
    status,
    ...appended,
    durationMs: elapsed(),
    ...metricFields({ [METRICS.dimensions.api]: process.env[ENV.eventsTable] ?? '' }, {
      [METRICS.appends]: stored ? 1 : 0,
      [METRICS.appendsRejected]: status >= 400 && status < 500 ? 1 : 0,
      [METRICS.appendConflicts]: status === 409 ? 1 : 0,
    }),
  });
  return response;
}

interface Appended {
  event?: StoredEvent;
  replayed?: boolean;
}

async function append(event: APIGatewayProxyEvent, outcome: Appended): Promise<APIGatewayProxyResult> {
  const tableName = requireEnv(ENV.eventsTable);
  const streamIdField = process.env[ENV.streamIdField] ?? DEFAULTS.streamIdField;
  const maxBodyBytes = Number(process.env[ENV.maxBodyBytes] ?? DEFAULTS.maxBodyBytes);

  const request = parseAppendRequest(event.body, event.isBase64Encoded, streamIdField, maxBodyBytes);
  const { event: stored, replayed } = await appendEvent(dynamoClient(), tableName, request);
  [outcome.event, outcome.replayed] = [stored, replayed];
  return jsonResponse(201, responseBody(stored, streamIdField), replayed ? { [REPLAY_HEADER]: 'true' } : {});
}

/**
 * The 201 body, with its keys in a fixed order: DynamoDB does not keep the order of attributes or
 * map keys, so without this a replay would answer different bytes than the first append did.
 */
function responseBody(stored: StoredEvent, streamIdField: string): Record<string, unknown> {
  return {
    streamId: stored.streamId,
    version: stored.version,
    eventId: stored.eventId,
    type: stored.type,
    timestamp: stored.timestamp,
    [streamIdField]: stored.streamId,
    data: sortKeys(stored.data),
  };
}

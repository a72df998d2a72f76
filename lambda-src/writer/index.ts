import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { appendEvent } from './append';
import { parseAppendRequest } from './validate';
import { DEFAULTS, ENV, METRICS, REPLAY_HEADER } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { httpHandler, jsonResponse } from '../core/http';
import { log, metricFields } from '../core/log';
import type { StoredEvent } from '../core/stored-event';
import { sortKeys } from '../core/user-data';

/** POST / — appends one event. 201 with the stored envelope; a replayed eventId answers the same. */
export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const response = await append(event, context);
  // One metrics line per request (EMF): new events, rejected requests (4xx), and the 409s among them.
  const status = response.statusCode;
  const stored = status === 201 && !response.headers?.[REPLAY_HEADER];
  log('info', 'append answered', {
    status,
    ...metricFields({ [METRICS.dimensions.api]: process.env[ENV.eventsTable] ?? '' }, {
      [METRICS.appends]: stored ? 1 : 0,
      [METRICS.appendsRejected]: status >= 400 && status < 500 ? 1 : 0,
      [METRICS.appendConflicts]: status === 409 ? 1 : 0,
    }),
  });
  return response;
}

const append = httpHandler(async (event) => {
  const tableName = requireEnv(ENV.eventsTable);
  const streamIdField = process.env[ENV.streamIdField] ?? DEFAULTS.streamIdField;
  const maxBodyBytes = Number(process.env[ENV.maxBodyBytes] ?? DEFAULTS.maxBodyBytes);

  const request = parseAppendRequest(event.body, event.isBase64Encoded, streamIdField, maxBodyBytes);
  const { event: stored, replayed } = await appendEvent(dynamoClient(), tableName, request);
  log('info', replayed ? 'append replayed' : 'event appended', {
    streamId: stored.streamId, version: stored.version, eventId: stored.eventId, type: stored.type,
  });
  return jsonResponse(201, responseBody(stored, streamIdField), replayed ? { [REPLAY_HEADER]: 'true' } : {});
});

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

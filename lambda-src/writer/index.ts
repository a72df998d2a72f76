import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { appendEvent, type AppendResult } from './append';
import { parseAppendRequest } from './validate';
import { DEFAULTS, ENV, METRICS, REPLAY_HEADER } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { errorResponse, jsonResponse } from '../core/http';
import { log, metricFields, stopwatch } from '../core/log';
import type { StoredEvent } from '../core/stored-event';
import { sortKeys } from '../core/user-data';

/** POST / — appends one event. 201 with the stored envelope; a replayed eventId answers the same. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const elapsed = stopwatch();
  let appended: AppendResult | undefined;
  let response: APIGatewayProxyResult;
  try {
    appended = await append(event);
    const { event: stored, replayed } = appended;
    response = jsonResponse(201, responseBody(stored, configuredStreamIdField()), replayed ? { [REPLAY_HEADER]: 'true' } : {});
  } catch (err) {
    response = errorResponse(err);
  }
  // One line per request: what was stored, how long it took, and the metrics (EMF): new events,
  // rejected requests (4xx), and the 409s among them.
  const status = response.statusCode;
  const { streamId, version, eventId, type } = appended?.event ?? {};
  log('info', 'append answered', {
    status,
    ...(appended ? { streamId, version, eventId, type, replayed: appended.replayed } : {}),
    durationMs: elapsed(),
    ...metricFields({ [METRICS.dimensions.api]: process.env[ENV.eventsTable] ?? '' }, {
      [METRICS.appends]: appended && !appended.replayed ? 1 : 0,
      [METRICS.appendsRejected]: status >= 400 && status < 500 ? 1 : 0,
      [METRICS.appendConflicts]: status === 409 ? 1 : 0,
    }),
  });
  return response;
}

const configuredStreamIdField = () => process.env[ENV.streamIdField] ?? DEFAULTS.streamIdField;

async function append(event: APIGatewayProxyEvent): Promise<AppendResult> {
  const tableName = requireEnv(ENV.eventsTable);
  const maxBodyBytes = Number(process.env[ENV.maxBodyBytes] ?? DEFAULTS.maxBodyBytes);
  const request = parseAppendRequest(event.body, event.isBase64Encoded, configuredStreamIdField(), maxBodyBytes);
  return appendEvent(dynamoClient(), tableName, request);
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

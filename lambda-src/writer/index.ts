import { ENV } from '../../src/private/contract';
import { documentClient, requireEnv } from '../core/dynamo';
import { httpHandler, jsonResponse } from '../core/http';
import { log } from '../core/log';
import { appendEvent } from './append';
import { parseAppendRequest } from './validate';

/** POST / — appends one event. 201 with the stored envelope; a replayed eventId answers the same. */
export const handler = httpHandler(async (event) => {
  const tableName = requireEnv(ENV.eventsTable);
  const streamIdField = process.env[ENV.streamIdField] ?? 'id';
  const maxBodyBytes = Number(process.env[ENV.maxBodyBytes] ?? 65536);

  const request = parseAppendRequest(event.body, event.isBase64Encoded, streamIdField, maxBodyBytes);
  const { event: stored, replayed } = await appendEvent(documentClient(), tableName, request);
  log('info', replayed ? 'append replayed' : 'event appended', {
    streamId: stored.streamId, version: stored.version, eventId: stored.eventId, type: stored.type,
  });
  const { data, ...envelope } = stored;
  return jsonResponse(201, { ...envelope, [streamIdField]: stored.streamId, data }, replayed ? { 'Idempotent-Replay': 'true' } : {});
});

import { INTERNAL_KEY_PREFIX, RESERVED_EVENT_FIELDS, STORE_SET_FIELDS } from '../../src/contract';
import { HttpError } from '../core/http';
import { findJsonTextProblem } from '../core/json-text';
import { idTextProblem, isIdText, MAX_STREAM_ID_LENGTH } from '../core/stream-id';
import { findDataProblem } from '../core/user-data';

/** What a POST body asks the writer to append. */
export interface AppendRequest {
  readonly streamId: string;
  readonly type: string;
  readonly eventId?: string;
  readonly expectedVersion?: number;
  /** The schema version of `type` the client sent; undefined means the current one. */
  readonly schemaVersion?: number;
  readonly data: Record<string, unknown>;
}

const MAX_TYPE_LENGTH = 256;
const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Parses and checks a POST body; every problem answers 400 (413 for size) and stores nothing. */
export function parseAppendRequest(rawBody: string | null, isBase64: boolean, streamIdField: string, maxBodyBytes: number): AppendRequest {
  if (rawBody === null || rawBody === undefined || rawBody === '') throw new HttpError(400, 'Request body is required: a JSON object with a "type" and a "' + streamIdField + '"');
  const text = isBase64 ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBodyBytes) throw new HttpError(413, `Request body is ${size} bytes; the limit is ${maxBodyBytes} bytes`);

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'Request body must be a JSON object');
  // What JSON.parse dropped or rounded (a repeated key, a number a double cannot hold) is refused, not stored changed.
  const textProblem = findJsonTextProblem(text);
  if (textProblem) throw new HttpError(400, `Field ${textProblem.path} ${textProblem.reason}`);
  const fields = body as Record<string, unknown>;
  const own = (name: string) => (Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined);

  const type = own('type');
  if (type === undefined) throw new HttpError(400, 'Missing required field "type"');
  if (!isIdText(type, MAX_TYPE_LENGTH)) throw new HttpError(400, `Field "type" ${idTextProblem(type, MAX_TYPE_LENGTH)}`);

  const streamId = own(streamIdField);
  if (streamId === undefined) throw new HttpError(400, `Missing required field "${streamIdField}" (the stream id)`);
  if (!isIdText(streamId, MAX_STREAM_ID_LENGTH)) throw new HttpError(400, `Field "${streamIdField}" ${idTextProblem(streamId, MAX_STREAM_ID_LENGTH)}`);
  if (streamId.startsWith(INTERNAL_KEY_PREFIX)) {
    throw new HttpError(400, `Field "${streamIdField}" cannot start with "${INTERNAL_KEY_PREFIX}": stream ids starting with it are reserved for the event store's own items`);
  }

  const eventId = own('eventId');
  if (eventId !== undefined && (typeof eventId !== 'string' || !EVENT_ID_PATTERN.test(eventId))) {
    throw new HttpError(400, 'Field "eventId" must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
  }

  const expectedVersion = own('expectedVersion');
  if (expectedVersion !== undefined && (typeof expectedVersion !== 'number' || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0)) {
    throw new HttpError(400, 'Field "expectedVersion" must be a whole number >= 0 (0 means the stream must be new)');
  }

  const schemaVersion = own('schemaVersion');
  if (schemaVersion !== undefined && (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1)) {
    throw new HttpError(400, 'Field "schemaVersion" must be a whole number >= 1 (the schema version of the event\'s type; omit it for the current one)');
  }

  for (const reserved of STORE_SET_FIELDS) {
    if (own(reserved) !== undefined) throw new HttpError(400, `Field "${reserved}" is set by the event store and cannot be sent`);
  }

  // Own properties only, built without assignment: every key that is not the envelope is data.
  const data = Object.fromEntries(Object.entries(fields)
    .filter(([key]) => key !== streamIdField && !(RESERVED_EVENT_FIELDS as readonly string[]).includes(key)));
  // Named by JSON Pointer (RFC 6901): "/nested/0/key".
  const problem = findDataProblem(data);
  if (problem) throw new HttpError(400, `Field ${problem.path} ${problem.reason}`);
  return {
    streamId,
    type: type as string,
    eventId: eventId as string | undefined,
    expectedVersion: expectedVersion as number | undefined,
    schemaVersion: schemaVersion as number | undefined,
    data,
  };
}

import { RESERVED_EVENT_FIELDS } from '../../src/private/contract';
import { HttpError } from '../core/http';

/** What a POST body asks the writer to append. */
export interface AppendRequest {
  readonly streamId: string;
  readonly type: string;
  readonly eventId?: string;
  readonly expectedVersion?: number;
  readonly data: Record<string, unknown>;
}

const MAX_STREAM_ID_LENGTH = 256;
const MAX_TYPE_LENGTH = 256;
const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
// Control characters make ids unreadable in logs and URLs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

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
  const fields = body as Record<string, unknown>;

  const type = fields.type;
  if (type === undefined) throw new HttpError(400, 'Missing required field "type"');
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH || CONTROL_CHARS.test(type)) {
    throw new HttpError(400, `Field "type" must be a non-empty string of at most ${MAX_TYPE_LENGTH} characters`);
  }

  const streamId = fields[streamIdField];
  if (streamId === undefined) throw new HttpError(400, `Missing required field "${streamIdField}" (the stream id)`);
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > MAX_STREAM_ID_LENGTH || CONTROL_CHARS.test(streamId)) {
    throw new HttpError(400, `Field "${streamIdField}" must be a non-empty string of at most ${MAX_STREAM_ID_LENGTH} characters`);
  }

  const eventId = fields.eventId;
  if (eventId !== undefined && (typeof eventId !== 'string' || !EVENT_ID_PATTERN.test(eventId))) {
    throw new HttpError(400, 'Field "eventId" must be 1-128 characters of letters, digits, ".", "_", ":" or "-"');
  }

  const expectedVersion = fields.expectedVersion;
  if (expectedVersion !== undefined && (typeof expectedVersion !== 'number' || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0)) {
    throw new HttpError(400, 'Field "expectedVersion" must be a whole number >= 0 (0 means the stream must be new)');
  }

  for (const reserved of ['version', 'timestamp'] as const) {
    if (fields[reserved] !== undefined) throw new HttpError(400, `Field "${reserved}" is set by the event store and cannot be sent`);
  }

  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key !== streamIdField && !(RESERVED_EVENT_FIELDS as readonly string[]).includes(key)) data[key] = value;
  }
  checkStorable(data, 1);
  return { streamId, type, eventId: eventId as string | undefined, expectedVersion: expectedVersion as number | undefined, data };
}

// DynamoDB allows 32 levels of nesting in an item; the event's `data` map is the second.
const MAX_DATA_DEPTH = 31;
// The smallest magnitude of a DynamoDB number.
const MIN_NUMBER_MAGNITUDE = 1e-130;

/**
 * Rejects event data that valid JSON allows but DynamoDB cannot store as sent, which would
 * otherwise fail the write with a 500: integers beyond 2^53 (they already lost precision in
 * JSON.parse), numbers too close to zero, empty object keys and too deep nesting.
 */
function checkStorable(value: unknown, depth: number): void {
  if (typeof value === 'number') {
    if (Number.isInteger(value) ? !Number.isSafeInteger(value) : Math.abs(value) < MIN_NUMBER_MAGNITUDE) {
      throw new HttpError(400, `Number ${value} cannot be stored exactly; send it as a string`);
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_DATA_DEPTH) throw new HttpError(400, `Event data is nested more than ${MAX_DATA_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    for (const item of value) checkStorable(item, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === '') throw new HttpError(400, 'Event data cannot have an empty field name');
    checkStorable(item, depth + 1);
  }
}

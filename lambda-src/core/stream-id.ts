import { isWellFormed } from './user-data';
import { INTERNAL_KEY_PREFIX } from '../../src/contract';

export const MAX_STREAM_ID_LENGTH = 256;
// Control characters make ids unreadable in logs and URLs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * A non-empty string of at most `maxLength` characters (code points, as JSON Schema counts them,
 * so that API Gateway's request model for WritePath.DIRECT takes the same ids), printable and
 * valid Unicode.
 */
export function isIdText(value: unknown, maxLength: number): value is string {
  // Code units are never fewer than code points (a surrogate pair is one): count only past the limit.
  const fits = (text: string) => text.length <= maxLength || [...text].length <= maxLength;
  return typeof value === 'string' && value.length > 0 && fits(value) && !CONTROL_CHARS.test(value) && isWellFormed(value);
}

/** Whether the writer would store a stream under this id (the reader answers 404 for any other). */
export function isStreamId(value: unknown): value is string {
  return isIdText(value, MAX_STREAM_ID_LENGTH) && !value.startsWith(INTERNAL_KEY_PREFIX);
}

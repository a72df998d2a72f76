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
  return idTextProblem(value, maxLength) === undefined;
}

/** Why `value` is not an id `isIdText` takes, as the end of a sentence ("must be a string"); undefined if it is one. */
export function idTextProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`;
  if (value.length === 0) return 'must not be empty';
  // Code units are never fewer than code points (a surrogate pair is one): count only past the limit.
  if (value.length > maxLength && [...value].length > maxLength) return `must be at most ${maxLength} characters, got ${[...value].length}`;
  const control = CONTROL_CHARS.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must be printable: it holds the control character U+${code} at position ${[...value.slice(0, control.index)].length + 1}`;
  }
  if (!isWellFormed(value)) return 'must be valid Unicode: it holds an unpaired surrogate';
  return undefined;
}

/** Whether the writer would store a stream under this id (the reader answers 404 for any other). */
export function isStreamId(value: unknown): value is string {
  return isIdText(value, MAX_STREAM_ID_LENGTH) && !value.startsWith(INTERNAL_KEY_PREFIX);
}

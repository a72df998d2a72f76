/**
 * The rule for user data (an event's fields, a projection's view record): every key is data,
 * stored and handed on unchanged, or refused with a reason that names it. This module finds the
 * first thing DynamoDB, SNS or JavaScript could not carry faithfully; it never changes a value.
 */

/**
 * Arrays and objects nested inside the checked value. DynamoDB nests attributes at most 32 levels
 * deep, and the item and the map attribute holding the value (`data`, `state`) take two.
 */
export const MAX_NESTING = 30;
/**
 * DynamoDB documents names of up to 64 KB, but DynamoDB Local fails (InternalFailure, a 500)
 * past 50,000 UTF-8 bytes, its JSON parser's name limit: keys are held to the stricter of the two.
 */
const MAX_KEY_BYTES = 50_000;
/** The smallest magnitude DynamoDB stores (its numbers reach 9.99e125; JSON integers past 2^53 are refused first). */
const MIN_NUMBER_MAGNITUDE = 1e-130;

export interface DataProblem {
  /** JSON Pointer (RFC 6901) of the offending value or key, relative to the checked value. */
  readonly path: string;
  readonly reason: string;
}

/**
 * The first problem in a JSON-like value, or undefined when it can be stored exactly.
 * `undefined` object properties are allowed (they are left out, as JSON.stringify does).
 */
export function findDataProblem(value: unknown, path = '', depth = 0): DataProblem | undefined {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? undefined : { path, reason: 'is not valid Unicode (it holds an unpaired surrogate)' };
    case 'boolean':
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return { path, reason: `is ${value}, which JSON cannot hold` };
      if (Number.isInteger(value) ? !Number.isSafeInteger(value) : Math.abs(value) < MIN_NUMBER_MAGNITUDE) {
        return { path, reason: `is the number ${value}, which cannot be stored exactly; send it as a string` };
      }
      return undefined;
    case 'object':
      if (value === null) return undefined;
      if (depth > MAX_NESTING) return { path, reason: `is nested more than ${MAX_NESTING} levels deep` };
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = value[i] === undefined
            ? { path: `${path}/${i}`, reason: 'is undefined, which JSON cannot hold in an array' }
            : findDataProblem(value[i], `${path}/${i}`, depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      return findObjectProblem(value, path, depth);
    default:
      return { path, reason: `is a ${typeof value}, which JSON cannot hold` };
  }
}

function findObjectProblem(value: object, path: string, depth: number): DataProblem | undefined {
  // A plain object's prototype is Object.prototype (of whichever realm made it) or null.
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    const name = (proto as { constructor?: { name?: string } })?.constructor?.name ?? 'class instance';
    return { path, reason: `is a ${name}; only plain objects, arrays, strings, numbers, booleans and null can be stored` };
  }
  for (const [key, item] of Object.entries(value)) {
    const keyPath = `${path}/${escapePointer(key)}`;
    if (key === '') return { path: keyPath, reason: 'has an empty key, which DynamoDB cannot store' };
    if (key === '__proto__') return { path: keyPath, reason: 'is the key "__proto__", which JavaScript code reads as the object\'s prototype' };
    if (!isWellFormed(key)) return { path: keyPath, reason: 'is a key that is not valid Unicode (it holds an unpaired surrogate)' };
    if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return { path: keyPath, reason: `is a key longer than ${MAX_KEY_BYTES} bytes` };
    if (item === undefined) continue;
    const problem = findDataProblem(item, keyPath, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

// A high surrogate not followed by a low one, or a low one without a high one before it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** String.prototype.isWellFormed, which the TypeScript lib this project targets does not declare. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** RFC 6901: "~" and "/" in a key are written "~0" and "~1". */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * One text per JSON value whatever the order of its keys, for comparing what was sent with
 * what was stored (DynamoDB keeps neither attribute nor map key order).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

/**
 * A view's declared indexes as every side uses them: the attribute names of their keys, the
 * global secondary index each one is, the values a record gives them, and the fingerprint of a
 * declared set. The construct writes the specs (`view-indexes.json`, the Custom::ViewBackfill's
 * `indexes`), the aggregator and the maintenance function write the key attributes, the reader
 * queries the indexes. Each index key is a copy of one record field (`ix_<name>_pk`/`_sk`), so an
 * index can be declared, changed or removed without touching the record itself.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { INDEX_FINGERPRINT, type IndexKeySpec, type IndexSpec, type KeyTypeCode } from '../../src/contract';

// The spec types live in the contract, which the construct (compiled from src/ alone) shares.
export type { IndexKeySpec, IndexSpec, KeyTypeCode } from '../../src/contract';

/**
 * Partition and sort key values DynamoDB stores, in UTF-8 bytes
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html).
 */
const MAX_KEY_BYTES = { pk: 2048, sk: 1024 } as const;
/** DynamoDB numbers: magnitudes from 1e-130 up to (not including) 1e126 (Constraints.html). */
const MAX_NUMBER_MAGNITUDE = 1e126;
const MIN_NUMBER_MAGNITUDE = 1e-130;

/** The global secondary index of a declared index (the prefix marks the ones the library manages). */
export function gsiName(index: string): string {
  return `ix_${index}`;
}

/** The item attribute that holds an index's partition (`pk`) or sort (`sk`) key. */
export function keyAttribute(index: string, role: 'pk' | 'sk'): string {
  return `ix_${index}_${role}`;
}

/** One spec as canonical JSON (fixed key order): two specs are the same index when these are equal. */
export function indexDefinition(spec: IndexSpec): string {
  const key = (k: IndexKeySpec) => ({ field: k.field, type: k.type });
  return JSON.stringify({
    name: spec.name,
    partitionKey: key(spec.partitionKey),
    ...(spec.sortKey ? { sortKey: key(spec.sortKey) } : {}),
  });
}

/** The fingerprint of a declared set (12 hex characters), whatever the order of its specs. */
export function indexesFingerprint(specs: readonly IndexSpec[]): string {
  const sorted = [...specs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const canonical = `[${sorted.map(indexDefinition).join(',')}]`;
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** Why a record's field cannot be an index key: DynamoDB would refuse the whole write. */
export interface IndexKeyProblem {
  readonly index: string;
  readonly field: string;
  readonly role: 'partition' | 'sort';
  readonly expected: KeyTypeCode;
  /** What the field holds, in words: "a string", "a string of 3000 UTF-8 bytes (at most 2048 fit)". */
  readonly found: string;
}

/**
 * The index attributes of a record: for each index whose key fields the record has, their
 * values under `keyAttribute` names, plus the fingerprint of the set (`ixv`) when the view
 * declares any. A key field that is absent, null or "" leaves the record out of that index (as
 * DynamoDB leaves out an item without the key: a sparse index; an empty string cannot be a key
 * value), and without its sort key a record is not written with its partition key either. A key
 * field with a value DynamoDB cannot take as that key is a `problem` (the first one found); that
 * index gets no attributes, the others theirs, so the attributes can always be written.
 * No state (no record) gives the fingerprint only.
 */
export function indexAttributes(
  state: Record<string, unknown> | undefined, specs: readonly IndexSpec[],
): { readonly attributes: Record<string, AttributeValue>; readonly problem?: IndexKeyProblem } {
  const attributes: Record<string, AttributeValue> = {};
  if (specs.length > 0) attributes[INDEX_FINGERPRINT] = { S: indexesFingerprint(specs) };
  if (state === undefined) return { attributes };
  let problem: IndexKeyProblem | undefined;
  for (const spec of specs) {
    const keys = [{ key: spec.partitionKey, role: 'pk' as const }, ...(spec.sortKey ? [{ key: spec.sortKey, role: 'sk' as const }] : [])];
    const values: Array<{ name: string; value: AttributeValue }> = [];
    for (const { key, role } of keys) {
      const raw = Object.prototype.hasOwnProperty.call(state, key.field) ? state[key.field] : undefined;
      if (raw === undefined || raw === null || raw === '') continue;
      const found = keyValueProblem(raw, key.type, role);
      if (found) {
        problem ??= { index: spec.name, field: key.field, role: role === 'pk' ? 'partition' : 'sort', expected: key.type, found };
        break;
      }
      values.push({ name: keyAttribute(spec.name, role), value: key.type === 'S' ? { S: raw as string } : { N: String(raw) } });
    }
    // An index with a problem gets no attributes: the record is left out of it, never refused.
    if (values.length === keys.length) for (const { name, value } of values) attributes[name] = value;
  }
  return problem ? { attributes, problem } : { attributes };
}

/** Words for a value that cannot be this key, or undefined when it can. */
function keyValueProblem(value: unknown, type: KeyTypeCode, role: 'pk' | 'sk'): string | undefined {
  if (type === 'S') {
    if (typeof value !== 'string') return kind(value);
    const bytes = Buffer.byteLength(value, 'utf8');
    return bytes > MAX_KEY_BYTES[role] ? `a string of ${bytes} UTF-8 bytes (at most ${MAX_KEY_BYTES[role]} fit)` : undefined;
  }
  if (typeof value !== 'number') return kind(value);
  if (!storableNumber(value)) return `the number ${value}, which DynamoDB cannot store`;
  return undefined;
}

function storableNumber(n: number): boolean {
  const magnitude = Math.abs(n);
  return Number.isFinite(n) && magnitude < MAX_NUMBER_MAGNITUDE && (magnitude === 0 || magnitude >= MIN_NUMBER_MAGNITUDE);
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const TYPE_WORDS: Record<KeyTypeCode, string> = { S: 'a string', N: 'a number' };

/**
 * The problem in words, after "a record whose ": `field "age" is a string; index "byAge" expects a
 * number as its partition key`.
 */
export function describeIndexKeyProblem(p: IndexKeyProblem): string {
  return `field "${p.field}" is ${p.found}; index "${p.index}" expects ${TYPE_WORDS[p.expected]} as its ${p.role} key`;
}

/**
 * A key value from a query string, as its declared type: a number must be a finite number
 * DynamoDB can store (normalised, so "1.50" and "1.5" are the same key); a string must not be
 * empty (no record has an empty key value). Undefined when the text is not such a value.
 */
export function parseKeyValue(raw: string, type: KeyTypeCode): AttributeValue | undefined {
  if (type === 'S') return raw === '' ? undefined : { S: raw };
  if (raw.trim() === '') return undefined;
  const n = Number(raw);
  return storableNumber(n) ? { N: String(n) } : undefined;
}

/**
 * The order of a Query over a key: numbers numerically, strings by their UTF-8 bytes
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html, ScanIndexForward).
 */
export function compareKeyValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  throw new TypeError(`compareKeyValues: cannot compare a ${typeof a} with a ${typeof b}`);
}

/** The specs in a `view-indexes.json` (a JSON array of IndexSpec). */
export function readIndexesFile(path: string): IndexSpec[] {
  const specs = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(specs)) throw new Error(`${path} must hold a JSON array of index specs`);
  return specs as IndexSpec[];
}

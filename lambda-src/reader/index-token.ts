import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { KEYS } from '../../src/contract';
import { HttpError } from '../core/http';
import { keyAttribute, type IndexKeySpec, type IndexSpec } from '../core/view-indexes';

/** The key condition of an index query, its values in DynamoDB's canonical text (N as `String(Number(raw))`). */
export interface IndexKeyCondition {
  readonly key: string;
  readonly prefix?: string;
  readonly from?: string;
  readonly to?: string;
  readonly order: 'asc' | 'desc';
}

/** What a token points after: the last record's stream id and its index keys. */
interface TokenKey {
  readonly id: string;
  readonly pk: string | number;
  readonly sk?: string | number;
}

/** Base64url of a token at most: three keys (2048 + 1024 bytes, a stream id) and the JSON around them. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * 16 hex characters that stand for the key condition. A token carries it, so it is accepted only
 * by the query it came from: DynamoDB refuses an ExclusiveStartKey outside the key condition, and
 * a token of another query would skip or repeat records. The page size is left out: it may change
 * between pages, as with lists.
 */
export function queryHash(condition: IndexKeyCondition): string {
  const { key, prefix, from, to, order } = condition;
  return createHash('sha256').update(JSON.stringify([key, prefix ?? null, from ?? null, to ?? null, order])).digest('hex').slice(0, 16);
}

/**
 * The token for the page after `lastKey` (a Query's LastEvaluatedKey on the index): base64url JSON
 * `{ v: view, i: index, q: queryHash, k: { id, pk, sk? } }`. Its `k` is an object where a list
 * token's is a string, so neither kind is taken for the other.
 */
export function encodeIndexToken(view: string, spec: IndexSpec, hash: string, lastKey: Record<string, AttributeValue>): string {
  const sortKey = spec.sortKey ? keyValue(lastKey[keyAttribute(spec.name, 'sk')]) : undefined;
  const k: TokenKey = {
    id: lastKey[KEYS.streamId].S!,
    pk: keyValue(lastKey[keyAttribute(spec.name, 'pk')]),
    ...(sortKey === undefined ? {} : { sk: sortKey }),
  };
  return Buffer.from(JSON.stringify({ v: view, i: spec.name, q: hash, k }), 'utf8').toString('base64url');
}

/**
 * The ExclusiveStartKey a token stands for; 400 unless it was made by this view, index and key
 * condition, and its keys have the index's types, the queried partition key, and a sort key the
 * condition admits (`admits`).
 */
export function decodeIndexToken(
  view: string, spec: IndexSpec, condition: IndexKeyCondition, token: string, admits: (sortKey: AttributeValue) => boolean,
): Record<string, AttributeValue> {
  const invalid = new HttpError(400, 'Invalid pagination token: send back the LastEvaluatedKey of a previous page of this same index query');
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const value = decoded as { v?: unknown; i?: unknown; q?: unknown; k?: Partial<Record<keyof TokenKey, unknown>> };
  if (typeof value !== 'object' || value === null || value.v !== view || value.i !== spec.name || value.q !== queryHash(condition)) throw invalid;
  const k = value.k;
  if (typeof k !== 'object' || k === null || Array.isArray(k) || typeof k.id !== 'string' || k.id.length === 0) throw invalid;
  const pk = attributeOf(k.pk, spec.partitionKey);
  if (!pk || (pk.S ?? pk.N) !== condition.key) throw invalid;
  const startKey: Record<string, AttributeValue> = { [KEYS.streamId]: { S: k.id }, [keyAttribute(spec.name, 'pk')]: pk };
  if (spec.sortKey) {
    const sk = attributeOf(k.sk, spec.sortKey);
    if (!sk || !admits(sk)) throw invalid;
    startKey[keyAttribute(spec.name, 'sk')] = sk;
  } else if (k.sk !== undefined) {
    throw invalid;
  }
  return startKey;
}

function keyValue(attribute: AttributeValue | undefined): string | number {
  if (attribute?.S !== undefined) return attribute.S;
  if (attribute?.N !== undefined) return Number(attribute.N);
  throw new Error(`An index LastEvaluatedKey without a string or number key: ${JSON.stringify(attribute)}`);
}

/** A token's key value as the index holds it, or undefined when its type is not the declared one. */
function attributeOf(value: unknown, key: IndexKeySpec): AttributeValue | undefined {
  if (key.type === 'S') return typeof value === 'string' && value.length > 0 ? { S: value } : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? { N: String(value) } : undefined;
}

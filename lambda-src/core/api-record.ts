import { fromAttributeValue, type Item } from './attribute-value';
import { KEYS } from '../../src/contract';

/** A view record as the API returns it: the projected object, its stream id and its version. */
export type ApiRecord = Record<string, unknown>;

/**
 * The projection's object plus the stream id and version. The aggregator refuses records that
 * carry either field themselves, so nothing of the projection's object is overwritten here.
 * (Free of the DynamoDB client, so the projection test kit answers records with this same code.)
 */
export function toApiRecord(item: Item, streamIdField: string): ApiRecord {
  const state = fromAttributeValue(item[KEYS.state]) as Record<string, unknown>;
  return { ...state, [streamIdField]: item[KEYS.streamId].S, [KEYS.version]: Number(item[KEYS.version].N) };
}

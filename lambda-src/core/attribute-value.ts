import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * JSON values <-> DynamoDB AttributeValues, exactly.
 *
 * Not `@aws-sdk/util-dynamodb`: its marshall picks a value's type from `value.constructor.name`,
 * so user data with a key named "constructor" fails (`{"constructor":"ACME"}` throws, and
 * `{"constructor":{"name":"String"}}` is silently stored as "[object Object]"), and both marshall
 * and unmarshall assign keys with `obj[key] = ...`, which turns a "__proto__" key into a prototype.
 * Every key of user data is data here: objects are built with Object.fromEntries (own properties
 * only). Callers validate first (core/user-data.ts); this module only converts.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Item = Record<string, AttributeValue>;

export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string': return { S: value };
    case 'boolean': return { BOOL: value };
    // -0 is stored as 0, which is what JSON.stringify writes for it anyway.
    case 'number': return { N: Object.is(value, -0) ? '0' : String(value) };
    case 'object':
      if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
      return { M: toItem(value as Record<string, unknown>) };
    default:
      throw new TypeError(`Cannot store a value of type ${typeof value}`);
  }
}

/** An object's own properties as an item; undefined properties are left out, as JSON does. */
export function toItem(value: Record<string, unknown>): Item {
  return Object.fromEntries(Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, toAttributeValue(v)]));
}

export function fromAttributeValue(value: AttributeValue): JsonValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.M !== undefined) return fromItem(value.M);
  throw new TypeError(`Unsupported attribute type ${Object.keys(value).join(', ')}`);
}

export function fromItem(item: Item): { [key: string]: JsonValue } {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fromAttributeValue(v)]));
}

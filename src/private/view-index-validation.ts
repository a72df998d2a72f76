import { KEYS, MAX_INDEXES, type IndexKeySpec, type IndexSpec, type KeyTypeCode } from '../contract';
import { IndexKeyType, type IndexKey, type ViewIndex } from '../view-index';

/** `?index=` takes it as it is, and it becomes part of attribute and index names (`ix_<name>_pk`). */
export const INDEX_NAME_PATTERN = /^[a-z][a-zA-Z0-9]{0,31}$/;
const MAX_FIELD_LENGTH = 255;

const TYPE_CODES: Record<IndexKeyType, KeyTypeCode> = { [IndexKeyType.STRING]: 'S', [IndexKeyType.NUMBER]: 'N' };

/**
 * Checks a view's declared indexes at synth; every error names the entry (`where` is the prop,
 * e.g. `projections[0].indexes` or `projection "orders" indexes`). A field keeps one type across
 * the view's indexes: one record could never satisfy two.
 */
export function validateViewIndexes(indexes: readonly ViewIndex[] | undefined, streamIdField: string, where: string): void {
  if (indexes === undefined) return;
  if (!Array.isArray(indexes)) throw new Error(`${where} must be a list of indexes.`);
  if (indexes.length > MAX_INDEXES) {
    throw new Error(`${where}: ${indexes.length} given; DynamoDB allows ${MAX_INDEXES} global secondary indexes per table.`);
  }
  const names = new Map<string, number>();
  const fieldTypes = new Map<string, { type: IndexKeyType; at: string }>();
  indexes.forEach((index, i) => {
    const entry = `${where}[${i}]`;
    if (typeof index !== 'object' || index === null) throw new Error(`${entry} must be an index: { name, partitionKey, sortKey? }.`);
    if (typeof index.name !== 'string' || !INDEX_NAME_PATTERN.test(index.name)) {
      throw new Error(`${entry}.name "${String(index.name)}" is invalid: use 1-32 letters and digits, starting with a lowercase letter (e.g. "byCustomer").`);
    }
    const first = names.get(index.name);
    if (first !== undefined) throw new Error(`${entry}.name "${index.name}" is already indexes[${first}]'s; index names must be unique.`);
    names.set(index.name, i);
    if (index.partitionKey === undefined) throw new Error(`${entry}.partitionKey is required: { field, type }.`);
    const keys: Array<[string, IndexKey]> = [[`${entry}.partitionKey`, index.partitionKey]];
    if (index.sortKey !== undefined) keys.push([`${entry}.sortKey`, index.sortKey]);
    for (const [at, key] of keys) {
      validateKey(key, at, streamIdField);
      const seen = fieldTypes.get(key.field);
      if (seen && seen.type !== key.type) {
        throw new Error(`${at}.field "${key.field}" is ${key.type} here but ${seen.type} in ${seen.at}; a field has one type across a view's indexes.`);
      }
      if (!seen) fieldTypes.set(key.field, { type: key.type, at: at.slice(where.length).replace(/^\[/, 'indexes[') });
    }
    if (index.sortKey !== undefined && index.sortKey.field === index.partitionKey.field) {
      throw new Error(`${entry}.sortKey.field "${index.sortKey.field}" is also its partition key; sort by another field, or leave sortKey out.`);
    }
  });
}

function validateKey(key: IndexKey, at: string, streamIdField: string): void {
  if (typeof key !== 'object' || key === null) throw new Error(`${at} must be { field, type }.`);
  const field = key.field;
  if (typeof field !== 'string' || field.length === 0 || field.length > MAX_FIELD_LENGTH) {
    throw new Error(`${at}.field must be a record field of 1-${MAX_FIELD_LENGTH} characters, got ${JSON.stringify(field)}.`);
  }
  if (field === KEYS.version || field === streamIdField) {
    throw new Error(`${at}.field "${field}" cannot be indexed: the reader adds it to every record (${field === KEYS.version ? 'the version' : 'the stream id, streamIdField'}); read one record with GET /{view}/{id}.`);
  }
  if (!Object.prototype.hasOwnProperty.call(TYPE_CODES, key.type)) {
    throw new Error(`${at}.type ${JSON.stringify(key.type)} is invalid: use IndexKeyType.STRING or IndexKeyType.NUMBER.`);
  }
}

/** The specs the Lambdas read (the view-indexes.json file, the Custom::ViewBackfill's `indexes`) of validated indexes. */
export function indexSpecsOf(indexes: readonly ViewIndex[]): IndexSpec[] {
  const spec = (key: IndexKey): IndexKeySpec => ({ field: key.field, type: TYPE_CODES[key.type] });
  return indexes.map((index) => ({
    name: index.name,
    partitionKey: spec(index.partitionKey),
    ...(index.sortKey ? { sortKey: spec(index.sortKey) } : {}),
  }));
}

import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { decodeIndexToken, encodeIndexToken, queryHash, type IndexKeyCondition } from './index-token';
import { KEYS } from '../../src/contract';
import { toApiRecord, type ApiRecord } from '../core/api-record';
import { errorName } from '../core/dynamo';
import { HttpError } from '../core/http';
import { compareKeyValues, gsiName, keyAttribute, parseKeyValue, type IndexKeySpec, type IndexSpec } from '../core/view-indexes';

/** The query parameters of an index query besides `index` (and the paging ones lists share). */
export const INDEX_QUERY_PARAMETERS = ['key', 'prefix', 'from', 'to', 'order'] as const;
type QueryParameters = Readonly<Record<string, string | undefined>>;

/**
 * Largest key values an index holds, in UTF-8 bytes: a longer value is in no record's index entry
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html).
 */
const MAX_KEY_BYTES = { partition: 2048, sort: 1024 } as const;

/** A validated index query: one `Query` on the index's GSI per page, its key condition and no filter. */
export interface IndexQuery {
  readonly view: string;
  readonly spec: IndexSpec;
  readonly condition: IndexKeyCondition;
  readonly key: AttributeValue;
  readonly prefix?: AttributeValue;
  readonly from?: AttributeValue;
  readonly to?: AttributeValue;
}

/**
 * The index query a request asks for (`?index=<name>&key=<v>[&prefix=<s> | &from=<v>&to=<v>][&order=asc|desc]`),
 * undefined for a plain list (none of those parameters); 400 for anything DynamoDB could not
 * answer with one key condition on that index, naming what to send instead.
 */
export function parseIndexQuery(view: string, specs: readonly IndexSpec[], params: QueryParameters): IndexQuery | undefined {
  const given = INDEX_QUERY_PARAMETERS.filter((name) => params[name] !== undefined);
  const name = params.index;
  if (name === undefined) {
    if (given.length === 0) return undefined;
    const what = given.length > 1 ? `Query parameters ${given.join(', ')} need` : `Query parameter ${given[0]} needs`;
    throw new HttpError(400, `${what} index=<name>: ${indexesOf(view, specs)}`);
  }
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new HttpError(400, specs.length === 0 ? `View "${view}" has no indexes` : `View "${view}" has no index "${name}"; its indexes: ${nameList(specs)}`);

  const { key: rawKey, prefix: rawPrefix, from: rawFrom, to: rawTo, order: rawOrder } = params;
  if (rawKey === undefined || rawKey === '') {
    throw new HttpError(400, `Index "${name}" of view "${view}" needs key=<${spec.partitionKey.field}>: the value of the partition key to look up (an empty value is never indexed)`);
  }
  const sortKey = spec.sortKey;
  if (!sortKey) {
    const extra = ['prefix', 'from', 'to', 'order'].filter((p) => params[p] !== undefined);
    if (extra.length) throw new HttpError(400, `Index "${name}" of view "${view}" has no sort key, so ${extra.join(', ')} do${extra.length > 1 ? '' : 'es'} not apply`);
  }
  if (rawPrefix !== undefined) {
    if (sortKey!.type !== 'S') throw new HttpError(400, `prefix applies to a string sort key; index "${name}" sorts by the number "${sortKey!.field}": use from= and to=`);
    if (rawFrom !== undefined || rawTo !== undefined) throw new HttpError(400, 'prefix cannot be combined with from or to: send either');
  }
  if (rawOrder !== undefined && rawOrder !== 'asc' && rawOrder !== 'desc') throw new HttpError(400, `order must be asc or desc, got "${rawOrder}"`);

  const key = keyValue('key', rawKey, spec.partitionKey, MAX_KEY_BYTES.partition);
  const prefix = rawPrefix === undefined ? undefined : keyValue('prefix', rawPrefix, sortKey!, MAX_KEY_BYTES.sort);
  const from = rawFrom === undefined ? undefined : keyValue('from', rawFrom, sortKey!, MAX_KEY_BYTES.sort);
  const to = rawTo === undefined ? undefined : keyValue('to', rawTo, sortKey!, MAX_KEY_BYTES.sort);
  if (from && to && compareKeyValues(nativeOf(from), nativeOf(to)) > 0) {
    throw new HttpError(400, `from (${rawFrom}) is after to (${rawTo}): both bounds are inclusive, from first`);
  }
  const condition: IndexKeyCondition = {
    key: textOf(key),
    order: rawOrder === 'desc' ? 'desc' : 'asc',
    ...(prefix ? { prefix: textOf(prefix) } : {}),
    ...(from ? { from: textOf(from) } : {}),
    ...(to ? { to: textOf(to) } : {}),
  };
  return { view, spec, condition, key, prefix, from, to };
}

/** A page of records from the index, and the token of the next page when more may follow. */
export interface IndexPage {
  readonly items: ApiRecord[];
  readonly nextToken?: string;
}

/**
 * One page: exactly one `Query` on the index with `Limit = limit` and no FilterExpression (a
 * filter is applied after the limit, so pages would come back short), then the token of its
 * LastEvaluatedKey. The index projects every attribute, so the page needs no other read.
 */
export async function queryIndexPage(
  client: DynamoDBClient, table: string, query: IndexQuery, limit: number, token: string | undefined, streamIdField: string,
): Promise<IndexPage> {
  const startKey = token === undefined || token === '' ? undefined : decodeIndexToken(query.view, query.spec, query.condition, token, (sk) => admits(query, sk));
  const page = await client.send(indexQueryCommand(table, query, limit, startKey)).catch((error: unknown) => {
    throw notYetReadable(error, query) ?? error;
  });
  // A record without state (deleted) loses its index keys in the same write; an entry still
  // without state is passed over rather than answered as an empty record.
  const items = (page.Items ?? []).filter((item) => item[KEYS.state] !== undefined).map((item) => toApiRecord(item, streamIdField));
  const last = page.LastEvaluatedKey;
  return { items, nextToken: last ? encodeIndexToken(query.view, query.spec, queryHash(query.condition), last) : undefined };
}

/** The Query of one page (exported for the benchmark and tests). */
export function indexQueryCommand(table: string, query: IndexQuery, limit: number, startKey?: Record<string, AttributeValue>): QueryCommand {
  const names: Record<string, string> = { '#pk': keyAttribute(query.spec.name, 'pk') };
  const values: Record<string, AttributeValue> = { ':key': query.key };
  let condition = '#pk = :key';
  const range = sortCondition(query);
  if (range) {
    names['#sk'] = keyAttribute(query.spec.name, 'sk');
    Object.assign(values, range.values);
    condition += ` AND ${range.expression}`;
  }
  return new QueryCommand({
    TableName: table,
    IndexName: gsiName(query.spec.name),
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: query.condition.order !== 'desc',
    Limit: limit,
    ExclusiveStartKey: startKey,
  });
}

/** The sort key part of the key condition (both bounds inclusive), if any. */
function sortCondition(query: IndexQuery): { expression: string; values: Record<string, AttributeValue> } | undefined {
  const { prefix, from, to } = query;
  if (prefix) return { expression: 'begins_with(#sk, :prefix)', values: { ':prefix': prefix } };
  if (from && to) return { expression: '#sk BETWEEN :from AND :to', values: { ':from': from, ':to': to } };
  if (from) return { expression: '#sk >= :from', values: { ':from': from } };
  if (to) return { expression: '#sk <= :to', values: { ':to': to } };
  return undefined;
}

/** Whether a token's sort key lies inside the key condition (DynamoDB refuses a start key outside it). */
function admits(query: IndexQuery, sortKey: AttributeValue): boolean {
  const value = nativeOf(sortKey);
  if (query.prefix) return typeof value === 'string' && value.startsWith(query.prefix.S!);
  if (query.from && compareKeyValues(value, nativeOf(query.from)) < 0) return false;
  if (query.to && compareKeyValues(value, nativeOf(query.to)) > 0) return false;
  return true;
}

/**
 * AWS answers a Query on an index still being created with ValidationException "Cannot read from
 * backfilling global secondary index" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html):
 * the same 503 the readiness gate answers, should the gate's view of the index be behind.
 */
function notYetReadable(error: unknown, query: IndexQuery): HttpError | undefined {
  if (errorName(error) !== 'ValidationException' || !/backfilling/i.test(String((error as Error).message))) return undefined;
  return indexNotReady(query.view, query.spec.name);
}

/** 503 for an index that cannot answer yet; clients retry after Retry-After. */
export function indexNotReady(view: string, index: string, forVersion?: number): HttpError {
  const what = forVersion === undefined ? 'is being built' : `is being built for version ${forVersion} of the view`;
  return new HttpError(503, `Index "${index}" of view "${view}" ${what}; retry later (the operator's \`status\` shows its progress)`, { 'Retry-After': '30' });
}

function indexesOf(view: string, specs: readonly IndexSpec[]): string {
  return specs.length === 0 ? `view "${view}" has no indexes` : `the indexes of view "${view}" are ${nameList(specs)}`;
}

function nameList(specs: readonly IndexSpec[]): string {
  return specs.map((s) => s.name).sort().join(', ');
}

/** A parameter's value parsed by the key's declared type; 400 for one no index entry can hold. */
function keyValue(parameter: string, raw: string, key: IndexKeySpec, maxBytes: number): AttributeValue {
  if (raw === '') throw new HttpError(400, `${parameter} must not be empty: an empty value is never indexed`);
  const value = parseKeyValue(raw, key.type);
  if (!value) throw new HttpError(400, `${parameter} must be a number ("${key.field}" is a number key), got "${raw}"`);
  if (value.S !== undefined && Buffer.byteLength(value.S, 'utf8') > maxBytes) {
    throw new HttpError(400, `${parameter} is ${Buffer.byteLength(value.S, 'utf8')} bytes of UTF-8; an index key holds at most ${maxBytes}`);
  }
  return value;
}

function textOf(value: AttributeValue): string {
  return value.S ?? value.N!;
}

function nativeOf(value: AttributeValue): string | number {
  return value.S ?? Number(value.N);
}

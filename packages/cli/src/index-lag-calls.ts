import type { DynamoProxyOptions } from './dynamo-proxy';
import type { IndexLag } from './index-lag';
import { INTERNAL_KEY_PREFIX, KEYS } from '../../../src/contract';

type Attribute = { S?: string };
type Key = Record<string, Attribute | undefined> | undefined;

/** The parts of DynamoDB's JSON requests that name what a write changed. */
export interface WriteRequest {
  readonly TableName?: string;
  readonly Item?: Key;
  readonly Key?: Key;
  readonly RequestItems?: Record<string, Array<{ PutRequest?: { Item?: Key }; DeleteRequest?: { Key?: Key } }>>;
  readonly TransactItems?: Array<Record<string, { TableName?: string; Item?: Key; Key?: Key } | undefined>>;
  readonly IndexName?: string;
}

/**
 * The hooks of the proxy in front of the functions that write view tables (aggregators,
 * maintenance): each successful write tells the lagging indexes which items changed, each
 * UpdateTable that a table's GSIs may have.
 */
export function indexLagWriteHooks(lag: IndexLag): Pick<DynamoProxyOptions, 'answered' | 'rewrite'> {
  return {
    answered: (operation, body) => {
      const request = parse(body);
      if (!request) return;
      if (operation === 'UpdateTable' && request.TableName) {
        void lag.tableChanged(request.TableName);
        return;
      }
      for (const [table, streamIds] of writtenStreamIds(operation, request)) lag.written(table, streamIds);
    },
  };
}

/** The hook of the reader's proxy: a Query on an index reads the table's lagging shadow. */
export function indexLagReadHooks(lag: IndexLag): Pick<DynamoProxyOptions, 'answered' | 'rewrite'> {
  return {
    rewrite: async (operation, body) => {
      const request = operation === 'Query' ? parse(body) : undefined;
      if (!request?.IndexName || !request.TableName) return body;
      await lag.ready(request.TableName);
      const table = lag.queryTable(request.TableName);
      return table === request.TableName ? body : Buffer.from(JSON.stringify({ ...request, TableName: table }));
    },
  };
}

/**
 * The view items a write call changed, by table: PutItem, UpdateItem, DeleteItem, BatchWriteItem
 * and TransactWriteItems. The event store's own items (`$…`) are left out: no index holds them.
 */
export function writtenStreamIds(operation: string, request: WriteRequest): Map<string, string[]> {
  const written = new Map<string, string[]>();
  const add = (table: string | undefined, key: Key) => {
    const streamId = key?.[KEYS.streamId]?.S;
    if (!table || streamId === undefined || streamId.startsWith(INTERNAL_KEY_PREFIX)) return;
    written.set(table, [...written.get(table) ?? [], streamId]);
  };
  if (operation === 'PutItem') {
    add(request.TableName, request.Item);
  } else if (operation === 'UpdateItem' || operation === 'DeleteItem') {
    add(request.TableName, request.Key);
  } else if (operation === 'BatchWriteItem') {
    for (const [table, writes] of Object.entries(request.RequestItems ?? {})) {
      for (const w of writes) add(table, w.PutRequest?.Item ?? w.DeleteRequest?.Key);
    }
  } else if (operation === 'TransactWriteItems') {
    for (const item of request.TransactItems ?? []) {
      const write = item.Put ?? item.Update ?? item.Delete;
      add(write?.TableName, write?.Item ?? write?.Key);
    }
  }
  return written;
}

/** The tables a write call writes (none for other calls). */
export function tablesWritten(operation: string, request: WriteRequest): string[] {
  if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') return request.TableName ? [request.TableName] : [];
  if (operation === 'BatchWriteItem') return Object.keys(request.RequestItems ?? {});
  if (operation !== 'TransactWriteItems') return [];
  const tables = (request.TransactItems ?? []).map((item) => (item.Put ?? item.Update ?? item.Delete)?.TableName);
  return [...new Set(tables.filter((t): t is string => t !== undefined))];
}

/** A call's JSON body; undefined if it is not JSON. */
export function parse(body: Buffer): WriteRequest | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as WriteRequest;
  } catch {
    return undefined;
  }
}

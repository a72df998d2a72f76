import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KEYS, MAINTENANCE_KEY } from '../../src/contract';

/** A view's tables: its current version's, and while that one is rebuilt, the version before's. */
export interface ViewTables {
  readonly current: string;
  readonly previous?: string;
}

/** Tables found ready (forever), or not ready (re-checked after RECHECK_MS). */
const readiness = new Map<string, { ready: boolean; at: number }>();
const RECHECK_MS = 5000;

/**
 * Whether reads may leave the previous version's table: true without one, or once the current
 * table's maintenance item says it has caught up (a table, once ready, stays ready).
 */
export async function rebuilt(client: DynamoDBClient, tables: ViewTables): Promise<boolean> {
  if (!tables.previous) return true;
  const known = readiness.get(tables.current);
  if (known && (known.ready || Date.now() - known.at < RECHECK_MS)) return known.ready;
  const result = await client.send(new GetItemCommand({
    TableName: tables.current, Key: { [KEYS.streamId]: { S: MAINTENANCE_KEY } }, ProjectionExpression: 'ready', ConsistentRead: true,
  }));
  const ready = result.Item?.ready?.BOOL === true;
  readiness.set(tables.current, { ready, at: Date.now() });
  return ready;
}

/** Forgets what was found (tests start afresh). */
export function forgetReadiness(): void {
  readiness.clear();
}

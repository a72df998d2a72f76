import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { declaredSpecs, readIndexState } from '../../../../lambda-src/core/index-state';
import { gsiName } from '../../../../lambda-src/core/view-indexes';
import { readProgress, type Progress } from '../../../../lambda-src/maintenance/progress';
import { TableIndexes } from '../../../../lambda-src/maintenance/table-indexes';
import { RESTAMP_KEY } from '../../../../src/contract';

/** One index of a view table: `ready` to query, or what it waits for. */
export interface IndexStatusEntry {
  readonly name: string;
  /** `deleting`: no longer declared (or declared with other key types), its GSI going away. */
  readonly state: 'ready' | 'creating' | 'deleting' | 'restamping';
}

export interface ViewIndexesStatus {
  readonly indexes: IndexStatusEntry[];
  /** The latest restamp of the table's records (after a change of indexes), if any ran. */
  readonly restamp?: Progress;
  /** Records a restamp left out of an index: a key value DynamoDB would refuse (logged by the maintenance function). */
  readonly unindexable: number;
}

/**
 * Where a view table's indexes stand, from its `$indexes` item, its restamp progress and
 * DescribeTable; undefined for a view that never declared indexes.
 */
export async function viewIndexesStatus(dynamo: DynamoDBClient, table: string): Promise<ViewIndexesStatus | undefined> {
  const state = await readIndexState(dynamo, table);
  if (!state) return undefined;
  const gsis = await TableIndexes.describe(dynamo, table);
  const restamp = await readProgress(dynamo, table, RESTAMP_KEY);
  // By name (a DynamoDB map keeps no order), then the GSIs going away.
  const specs = declaredSpecs(state).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const indexes: IndexStatusEntry[] = specs.map((spec) => {
    const entry = state.indexes[spec.name];
    const gsi = gsis.stateOf(spec);
    if (gsi === 'DELETING') return { name: spec.name, state: 'deleting' };
    if (gsi !== 'ACTIVE') return { name: spec.name, state: 'creating' };
    return { name: spec.name, state: entry.stamped ? 'ready' : 'restamping' };
  });
  const declared = new Set(Object.keys(state.indexes).map(gsiName));
  for (const gsi of gsis.managed) {
    if (!declared.has(gsi.IndexName!)) indexes.push({ name: gsi.IndexName!.slice(gsiName('').length), state: 'deleting' });
  }
  return { indexes, ...(restamp ? { restamp } : {}), unindexable: state.unindexable };
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TableIndexes } from './table-indexes';
import { errorName } from '../core/dynamo';
import { readIndexState, writeIndexState, type IndexEntry, type IndexState } from '../core/index-state';
import { log } from '../core/log';
import { indexDefinition, indexesFingerprint, type IndexSpec } from '../core/view-indexes';

/** What a deploy of a view table's indexes leaves to the maintenance jobs. */
export interface IndexDeployment {
  /** The fingerprint of the declared indexes: the reconcile job's, which a later deploy supersedes. */
  readonly fingerprint: string;
  /** Indexes whose records must now be stamped (an existing table, a new or changed definition). */
  readonly toStamp: string[];
}

/** A deploy the indexes cannot take: the custom resource answers FAILED with this message, and nothing changed. */
export class IndexChangeRefused extends Error {}

/**
 * The custom resource's part for indexes. CloudFormation declares no GSI of a view table (it
 * creates or deletes only one per update); the indexes the projection declares are recorded in
 * the table's `$indexes` item, and the reconcile job then makes the table's GSIs match it.
 *
 * A declared index whose GSI exists with other key types is refused: the GSI would refuse the
 * aggregator's writes until it is deleted. On a new table every index is stamped by its backfill;
 * on an existing one, a new or changed definition must be restamped.
 * Undefined when the view has no indexes and never had (nothing to do, no call beyond one read).
 */
export async function deployIndexes(
  dynamo: DynamoDBClient, view: string, table: string, specs: readonly IndexSpec[], newTable: boolean,
): Promise<IndexDeployment | undefined> {
  const state = await readIndexState(dynamo, table).catch((err: unknown) => {
    // A view without indexes needs nothing of its table here (as before indexes existed).
    if (!specs.length && errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  });
  if (!specs.length && !state) return undefined;
  const gsis = await TableIndexes.describe(dynamo, table);
  for (const spec of specs) {
    const change = gsis.keyTypeChange(spec);
    if (change) {
      throw new IndexChangeRefused(
        `view "${view}": index "${spec.name}" cannot change its key types in place (${change.from}→${change.to}); give it a new name, or raise the view's version`,
      );
    }
  }
  const fingerprint = indexesFingerprint(specs);
  // The same indexes as the last deploy: their jobs (reconcile, restamp) go on as they are.
  if (state?.fingerprint === fingerprint) return { fingerprint, toStamp: [] };

  const indexes: Record<string, IndexEntry> = {};
  for (const spec of specs) {
    const def = indexDefinition(spec);
    const before = state?.indexes[spec.name];
    indexes[spec.name] = { def, gsi: gsis.stateOf(spec), stamped: newTable || (before?.def === def && before.stamped) };
  }
  const next: IndexState = { fingerprint, indexes, unindexable: 0, updatedAt: new Date().toISOString() };
  await writeIndexState(dynamo, table, next);
  const toStamp = unstamped(next);
  log('info', 'view indexes declared', { view, table, fingerprint, indexes: specs.map((s) => s.name), toStamp });
  return { fingerprint, toStamp };
}

function unstamped(state: IndexState): string[] {
  return Object.entries(state.indexes).filter(([, e]) => !e.stamped).map(([name]) => name);
}

/** The `indexes` property of a Custom::ViewBackfill resource: a JSON array of IndexSpec, absent for none. */
export function parseIndexesProperty(value: unknown): IndexSpec[] {
  if (value === undefined || value === '') return [];
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new Error('the indexes property is not a JSON array');
  return parsed as IndexSpec[];
}

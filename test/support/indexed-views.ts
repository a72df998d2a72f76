/**
 * Views with declared indexes on DynamoDB Local, for the reader's index query tests and the calls
 * benchmark: records written as the aggregator writes them, and a registry that names the indexes.
 */
import { dynamoClient, createRegistryTable } from './local-dynamo';
import type { ViewRecord } from '../../lambda-src/aggregator/apply';
import { saveView } from '../../lambda-src/aggregator/view-store';
import { indexAttributes, type IndexSpec } from '../../lambda-src/core/view-indexes';
import { register } from '../../lambda-src/core/view-registry';
import { ENV } from '../../src/contract';

/**
 * Writes version `version` of a view record on top of version `version - 1`, with the aggregator's
 * own `saveView` and `indexAttributes`: one Put of the whole item (so the index attributes of a key
 * the record lost go too). No state = the record was deleted (it keeps its version). Throws on a key
 * DynamoDB would refuse, or when the record is not at `version - 1`.
 */
export async function putIndexedRecord(
  table: string, specs: readonly IndexSpec[], id: string, version: number, state: Record<string, unknown> | undefined,
): Promise<void> {
  const { attributes, problem } = indexAttributes(state, specs);
  if (problem) throw new Error(`record "${id}" has an index key DynamoDB would refuse: ${JSON.stringify(problem)}`);
  const saved = await saveView(dynamoClient(), table, id, version - 1, { version, state: state as ViewRecord['state'] }, attributes);
  if (!saved) throw new Error(`record "${id}" is not at version ${version - 1}`);
}

export interface IndexedView {
  readonly view: string;
  readonly table: string;
  readonly indexes?: readonly IndexSpec[];
  /** While a version rebuild runs: the previous version's table (the registration is then version 2). */
  readonly previousTable?: string;
}

/**
 * A fresh registry with these views and their declared indexes, as their custom resources
 * register them, named in VIEW_REGISTRY_TABLE for the reader.
 */
export async function useIndexedViewRegistry(views: readonly IndexedView[]): Promise<string> {
  const registry = await createRegistryTable();
  for (const { view, table, indexes, previousTable } of views) {
    await register(dynamoClient(), registry, {
      view,
      table,
      previousTable,
      indexes: indexes === undefined ? undefined : [...indexes],
      queueUrl: `https://sqs.local/${view}`,
      fifo: true,
      version: previousTable ? 2 : 1,
      registeredAt: new Date().toISOString(),
    });
  }
  process.env[ENV.viewRegistry] = registry;
  return registry;
}

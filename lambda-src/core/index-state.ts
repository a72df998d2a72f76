import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { errorName } from './dynamo';
import { indexDefinition, type IndexSpec } from './view-indexes';
import { INDEX_STATE_KEY, KEYS } from '../../src/contract';

/**
 * Where a view table's global secondary index stands: ABSENT (not created yet), CREATING (being
 * created or backfilled), ACTIVE, DELETING. The maintenance function's reconcile job moves it.
 */
export type GsiState = 'ABSENT' | 'CREATING' | 'ACTIVE' | 'DELETING';

/** One declared index of a view table, as its `$indexes` item records it. */
export interface IndexEntry {
  /** The definition the records are (to be) stamped with: `indexDefinition(spec)`. */
  readonly def: string;
  readonly gsi: GsiState;
  /** Every record carries this definition's key attributes (a new table's backfill, or a restamp, did it). */
  readonly stamped: boolean;
}

/**
 * A view table's `$indexes` item: the declared indexes (by name) of the latest deploy, and how far
 * each is from being queryable. Written by the view's custom resource, moved on by the maintenance
 * jobs (each change conditional on `fingerprint`, so a job of a superseded deploy changes nothing).
 */
export interface IndexState {
  /** `indexesFingerprint` of the declared indexes. */
  readonly fingerprint: string;
  readonly indexes: Readonly<Record<string, IndexEntry>>;
  /** Records a restamp found with a key value DynamoDB would refuse: they are in no index of that key. */
  readonly unindexable: number;
  readonly updatedAt: string;
}

const KEY = { [KEYS.streamId]: { S: INDEX_STATE_KEY } };

/** The table's `$indexes` item (strongly consistent); undefined when the view never declared indexes. */
export async function readIndexState(client: DynamoDBClient, table: string): Promise<IndexState | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: KEY, ConsistentRead: true }));
  if (!Item) return undefined;
  const indexes: Record<string, IndexEntry> = {};
  for (const [name, value] of Object.entries(Item.indexes?.M ?? {})) {
    const entry = value.M ?? {};
    indexes[name] = { def: entry.def?.S ?? '', gsi: (entry.gsi?.S ?? 'ABSENT') as GsiState, stamped: entry.stamped?.BOOL === true };
  }
  return {
    fingerprint: Item.fingerprint?.S ?? '',
    indexes,
    unindexable: Number(Item.unindexable?.N ?? 0),
    updatedAt: Item.updatedAt?.S ?? '',
  };
}

/** Whether a query of `spec` may be answered from this table: same definition, index ACTIVE, records stamped. */
export function queryable(state: IndexState | undefined, spec: IndexSpec): boolean {
  const entry = state?.indexes[spec.name];
  return entry !== undefined && entry.def === indexDefinition(spec) && entry.gsi === 'ACTIVE' && entry.stamped;
}

/** The declared indexes an entry set describes, parsed back from their definitions. */
export function declaredSpecs(state: IndexState): IndexSpec[] {
  return Object.values(state.indexes).map((entry) => JSON.parse(entry.def) as IndexSpec);
}

/** Replaces the table's `$indexes` item (the custom resource, at a deploy that changes the indexes). */
export async function writeIndexState(client: DynamoDBClient, table: string, state: IndexState): Promise<void> {
  await client.send(new PutItemCommand({
    TableName: table,
    Item: {
      ...KEY,
      fingerprint: { S: state.fingerprint },
      indexes: {
        M: Object.fromEntries(Object.entries(state.indexes).map(([name, e]) => [name, {
          M: { def: { S: e.def }, gsi: { S: e.gsi }, stamped: { BOOL: e.stamped } },
        }])),
      },
      unindexable: { N: String(state.unindexable) },
      updatedAt: { S: state.updatedAt },
    },
  }));
}

/**
 * Sets fields of one index's entry, if the item still has `fingerprint` and that index: false when
 * a later deploy replaced the declared set (the caller's job is superseded).
 */
export async function setIndexField(
  client: DynamoDBClient, table: string, fingerprint: string, name: string, patch: Partial<Pick<IndexEntry, 'gsi' | 'stamped'>>,
): Promise<boolean> {
  const sets = ['#updatedAt = :now'];
  const names: Record<string, string> = { '#fp': 'fingerprint', '#indexes': 'indexes', '#name': name, '#updatedAt': 'updatedAt' };
  const values: Record<string, { S: string } | { BOOL: boolean }> = { ':fp': { S: fingerprint }, ':now': { S: new Date().toISOString() } };
  if (patch.gsi !== undefined) {
    sets.push('#indexes.#name.#gsi = :gsi');
    names['#gsi'] = 'gsi';
    values[':gsi'] = { S: patch.gsi };
  }
  if (patch.stamped !== undefined) {
    sets.push('#indexes.#name.#stamped = :stamped');
    names['#stamped'] = 'stamped';
    values[':stamped'] = { BOOL: patch.stamped };
  }
  return updateIfCurrent(client, table, {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: '#fp = :fp AND attribute_exists(#indexes.#name)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/** Adds to the count of records a restamp could not index, if the item still has `fingerprint`. */
export async function addUnindexable(client: DynamoDBClient, table: string, fingerprint: string, count: number): Promise<boolean> {
  return updateIfCurrent(client, table, {
    UpdateExpression: 'ADD #u :n SET #updatedAt = :now',
    ConditionExpression: '#fp = :fp',
    ExpressionAttributeNames: { '#u': 'unindexable', '#fp': 'fingerprint', '#updatedAt': 'updatedAt' },
    ExpressionAttributeValues: { ':n': { N: String(count) }, ':fp': { S: fingerprint }, ':now': { S: new Date().toISOString() } },
  });
}

type Update = Pick<ConstructorParameters<typeof UpdateItemCommand>[0],
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

async function updateIfCurrent(client: DynamoDBClient, table: string, update: Update): Promise<boolean> {
  try {
    await client.send(new UpdateItemCommand({ TableName: table, Key: KEY, ...update }));
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

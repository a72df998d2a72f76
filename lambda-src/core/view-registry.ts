import { DeleteItemCommand, GetItemCommand, PutItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IndexSpec } from './view-indexes';
import { VIEW_REGISTRY } from '../../src/contract';

/** One view table as its Custom::ViewBackfill resource registered it. */
export interface Registration {
  readonly view: string;
  /** The table of this version of the view. */
  readonly table: string;
  /** The previous version's table, read until `table` has caught up. */
  readonly previousTable?: string;
  /** The view's queue, where catch-up messages go. */
  readonly queueUrl: string;
  readonly fifo: boolean;
  readonly version: number;
  /** ISO time of the (latest) registration. */
  readonly registeredAt: string;
  /**
   * ISO time of the deploy that changed the API's upcasters while this table stayed: its records
   * were built with the earlier ones (only a raised version, a new table, rebuilds them).
   */
  readonly upcastersChangedAt?: string;
  /** The indexes the view declares (its table's global secondary indexes, once reconciled); absent for none. */
  readonly indexes?: IndexSpec[];
}

/** Registers a view table (a Create or Update of its resource): replaces any item of the same table. */
export async function register(client: DynamoDBClient, registryTable: string, registration: Registration): Promise<void> {
  const item: Record<string, AttributeValue> = {
    [VIEW_REGISTRY.partitionKey]: { S: registration.view },
    [VIEW_REGISTRY.sortKey]: { S: registration.table },
    queueUrl: { S: registration.queueUrl },
    fifo: { BOOL: registration.fifo },
    version: { N: String(registration.version) },
    registeredAt: { S: registration.registeredAt },
    ...(registration.previousTable ? { previousTable: { S: registration.previousTable } } : {}),
    ...(registration.upcastersChangedAt ? { upcastersChangedAt: { S: registration.upcastersChangedAt } } : {}),
    ...(registration.indexes?.length ? { indexes: { S: JSON.stringify(registration.indexes) } } : {}),
  };
  await client.send(new PutItemCommand({ TableName: registryTable, Item: item }));
}

/** One view table's registration, if it has one. */
export async function registrationOf(client: DynamoDBClient, registryTable: string, view: string, table: string): Promise<Registration | undefined> {
  const { Item } = await client.send(new GetItemCommand({
    TableName: registryTable,
    Key: { [VIEW_REGISTRY.partitionKey]: { S: view }, [VIEW_REGISTRY.sortKey]: { S: table } },
    ConsistentRead: true,
  }));
  return Item ? fromItem(Item) : undefined;
}

/** Forgets a view table (a Delete of its resource); other tables of the view stay registered. */
export async function unregister(client: DynamoDBClient, registryTable: string, view: string, table: string): Promise<void> {
  await client.send(new DeleteItemCommand({
    TableName: registryTable,
    Key: { [VIEW_REGISTRY.partitionKey]: { S: view }, [VIEW_REGISTRY.sortKey]: { S: table } },
  }));
}

/**
 * Every registered view, each by the item that wins: the highest version, then the latest
 * registered. An item replaced in a deploy lingers until CloudFormation's cleanup deletes it, and a
 * rolled-back deploy deletes the new item and leaves the old one: either way the right one wins.
 */
export async function readRegistry(client: DynamoDBClient, registryTable: string): Promise<Map<string, Registration>> {
  const views = new Map<string, Registration>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: registryTable, ConsistentRead: true, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      const found = fromItem(item);
      const held = views.get(found.view);
      if (!held || wins(found, held)) views.set(found.view, found);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return views;
}

function wins(a: Registration, b: Registration): boolean {
  return a.version !== b.version ? a.version > b.version : a.registeredAt > b.registeredAt;
}

function fromItem(item: Record<string, AttributeValue>): Registration {
  return {
    view: item[VIEW_REGISTRY.partitionKey].S!,
    table: item[VIEW_REGISTRY.sortKey].S!,
    previousTable: item.previousTable?.S,
    queueUrl: item.queueUrl.S!,
    fifo: item.fifo.BOOL === true,
    version: Number(item.version.N),
    registeredAt: item.registeredAt.S!,
    upcastersChangedAt: item.upcastersChangedAt?.S,
    ...(item.indexes?.S ? { indexes: JSON.parse(item.indexes.S) as IndexSpec[] } : {}),
  };
}

export interface RegistryCacheOptions {
  /** A read older than this is read again. @default 60 s */
  readonly maxAgeMs?: number;
  /** A view not found is looked for again, but at most this often. @default 5 s */
  readonly unknownRetryMs?: number;
}

/**
 * The registry as one execution environment keeps it: read at the first request, again after
 * `maxAgeMs` (a deploy's changes reach warm environments within a minute), and sooner when asked
 * for a view it does not have (a view just added), at most every `unknownRetryMs`, so a stream of
 * requests for unknown names cannot turn into a stream of scans.
 */
export class RegistryCache {
  private views?: Map<string, Registration>;
  private readAt = 0;
  private readonly maxAgeMs: number;
  private readonly unknownRetryMs: number;

  constructor(private readonly registryTable: string, options: RegistryCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.unknownRetryMs = options.unknownRetryMs ?? 5_000;
  }

  /** The table this cache reads. */
  public get table(): string {
    return this.registryTable;
  }

  /** The registered views; read again if stale, or if `wanted` is missing and the last read is old enough. */
  public async current(client: DynamoDBClient, wanted?: string): Promise<ReadonlyMap<string, Registration>> {
    const age = Date.now() - this.readAt;
    const missing = wanted !== undefined && !this.views?.has(wanted);
    if (!this.views || age >= this.maxAgeMs || (missing && age >= this.unknownRetryMs)) {
      this.views = await readRegistry(client, this.registryTable);
      this.readAt = Date.now();
    }
    return this.views;
  }

  /** Makes the next `current()` read the table (a view table was not found: the registry moved on). */
  public invalidate(): void {
    this.views = undefined;
  }
}

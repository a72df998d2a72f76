import {
  BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, ScanCommand,
  UpdateTableCommand, type AttributeValue, type DynamoDBClient, type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { KEYS } from '../../../src/contract';

/** The shadow of a view table: what its indexes show while they lag behind it. */
export function shadowName(table: string): string {
  return `${table}-ixlag`;
}

export interface IndexLagOptions {
  /** How long a write takes to reach the indexes, drawn per write (chaos mode draws it from its seed). */
  readonly lagMs: () => number;
  /** A copy that failed (the runtime reports it; the shadow converges at the key's next write). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Global secondary indexes that lag behind their table, as AWS's do: "within a fraction of a
 * second, under normal conditions", longer at times
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Writes,
 * https://repost.aws/knowledge-center/dynamodb-missing-table-items-gsi). DynamoDB Local updates
 * them in the same write, so each view table with indexes gets a shadow table (same keys and
 * GSIs) that receives each written item only after a lag; index queries read the shadow.
 *
 * Not wired into the runtime yet: the chaos proxies call `written` after a successful write and
 * `tableUpdated` after an UpdateTable, and send the reader's Query with an IndexName to
 * `queryTable`'s answer (issue 27, WP3).
 */
export class IndexLag {
  private readonly shadows = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly client: DynamoDBClient, private readonly options: IndexLagOptions) {}

  /** Copies not yet made (the runtime is not idle while there are any). */
  public get depth(): number {
    return this.timers.size;
  }

  /** The table an index query on `table` reads: its shadow once it has one. */
  public queryTable(table: string): string {
    return this.shadows.has(table) ? shadowName(table) : table;
  }

  /** Makes `table`'s shadow (its keys and GSIs), seeded with every item it has now. */
  public async shadow(table: string): Promise<void> {
    const { Table } = await this.client.send(new DescribeTableCommand({ TableName: table }));
    const shadow = shadowName(table);
    await this.client.send(new CreateTableCommand({
      TableName: shadow,
      KeySchema: Table!.KeySchema,
      AttributeDefinitions: Table!.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      ...(Table!.GlobalSecondaryIndexes?.length ? {
        GlobalSecondaryIndexes: Table!.GlobalSecondaryIndexes.map((g) => ({
          IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection,
        })),
      } : {}),
    }));
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += 25) {
        await this.client.send(new BatchWriteItemCommand({
          RequestItems: { [shadow]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.shadows.add(table);
  }

  /**
   * Items of `table` were written (put, updated or deleted): after a lag, each one's shadow becomes
   * a copy of what the table has then. A later write of the same key may land first; the shadow
   * always ends as the table is.
   */
  public written(table: string, streamIds: readonly string[]): void {
    if (!this.shadows.has(table)) return;
    for (const streamId of streamIds) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.copy(table, streamId).catch((error: unknown) => this.options.onError?.(error));
      }, this.options.lagMs());
      this.timers.add(timer);
    }
  }

  /** `table`'s GSIs changed (an UpdateTable): its shadow gets the same ones, one change at a time as DynamoDB allows. */
  public async tableUpdated(table: string): Promise<void> {
    if (!this.shadows.has(table)) return;
    const shadow = shadowName(table);
    const real = (await this.describe(table)).GlobalSecondaryIndexes ?? [];
    const wanted = new Map(real.filter((g) => g.IndexStatus !== 'DELETING').map((g) => [g.IndexName!, g]));
    for (const g of (await this.describe(shadow)).GlobalSecondaryIndexes ?? []) {
      if (wanted.has(g.IndexName!) || g.IndexStatus === 'DELETING') continue;
      await this.client.send(new UpdateTableCommand({ TableName: shadow, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: g.IndexName } }] }));
      await this.settled(shadow);
    }
    const have = new Set(((await this.describe(shadow)).GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    const definitions = (await this.describe(table)).AttributeDefinitions;
    for (const [name, g] of wanted) {
      if (have.has(name)) continue;
      await this.client.send(new UpdateTableCommand({
        TableName: shadow,
        AttributeDefinitions: definitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: name, KeySchema: g.KeySchema, Projection: g.Projection } }],
      }));
      await this.settled(shadow);
    }
  }

  /** Drops the copies not yet made. */
  public stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async copy(table: string, streamId: string): Promise<void> {
    const key = { [KEYS.streamId]: { S: streamId } };
    const { Item } = await this.client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
    if (Item) await this.client.send(new PutItemCommand({ TableName: shadowName(table), Item }));
    else await this.client.send(new DeleteItemCommand({ TableName: shadowName(table), Key: key }));
  }

  private async describe(table: string): Promise<TableDescription> {
    return (await this.client.send(new DescribeTableCommand({ TableName: table }))).Table!;
  }

  /** Waits until no GSI of `table` is being created or deleted. */
  private async settled(table: string): Promise<void> {
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      const busy = ((await this.describe(table)).GlobalSecondaryIndexes ?? []).some((g) => g.IndexStatus !== 'ACTIVE');
      if (!busy) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

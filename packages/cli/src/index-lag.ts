import {
  BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DeleteTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, ScanCommand,
  UpdateTableCommand, type AttributeValue, type DynamoDBClient, type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { KEYS } from '../../../src/contract';

/** The shadow of a view table: what its indexes show while they lag behind it. */
export function shadowName(table: string): string {
  return `${table}-ixlag`;
}

/** How often a copy to a shadow is tried before it is reported (the shadow converges at the key's next write). */
const COPY_ATTEMPTS = 5;

/** A call to DynamoDB Local that has not answered by then has failed (a hung one would keep the runtime from idling). */
const CALL_TIMEOUT_MS = 10_000;

/** How long a shadow's GSI change may take (DynamoDB Local's take about a second). */
const SETTLE_TIMEOUT_MS = 60_000;

function callOptions(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) };
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
 * Chaos mode wires it in (LocalRuntime): its DynamoDB proxies call `written` after a successful
 * write and `tableChanged` after an UpdateTable, and send the reader's Query with an IndexName to
 * `queryTable`'s answer once `ready`.
 */
export class IndexLag {
  private readonly shadows = new Set<string>();
  /** Tables whose shadow is being seeded, with the keys written meanwhile (copied again once seeded). */
  private readonly seeding = new Map<string, Set<string>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Copies under way (their lag is over), and shadow changes under way. */
  private busy = 0;
  /** Per table, the shadow's last change (made, or GSIs mirrored): changes of one table run one at a time. */
  private readonly changes = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly client: DynamoDBClient, private readonly options: IndexLagOptions) {}

  /** Copies not yet made, and shadow changes under way (the runtime is not idle while there are any). */
  public get depth(): number {
    return this.timers.size + this.busy;
  }

  /** The table an index query on `table` reads: its shadow once it has one. */
  public queryTable(table: string): string {
    return this.shadows.has(table) ? shadowName(table) : table;
  }

  /** The shadows made so far. */
  public get shadowTables(): string[] {
    return [...this.shadows, ...this.seeding.keys()].map(shadowName);
  }

  /**
   * `table`'s GSIs may have changed (an UpdateTable answered, or a run starts on a kept table): its
   * shadow is made when it has its first GSI, else gets the same GSIs. Changes of one table run in
   * order; a failure is reported, and the next change tries again.
   */
  public tableChanged(table: string): Promise<void> {
    this.busy++;
    const next = (this.changes.get(table) ?? Promise.resolve())
      .then(() => (this.shadows.has(table) ? this.tableUpdated(table) : this.shadowIfIndexed(table)))
      .catch((error: unknown) => { if (!this.stopped) this.options.onError?.(error); })
      .finally(() => this.busy--);
    this.changes.set(table, next);
    return next;
  }

  /** Resolves once the changes of `table`'s shadow asked so far are done (an index query waits for its GSI). */
  public async ready(table: string): Promise<void> {
    await this.changes.get(table);
  }

  /** Makes `table`'s shadow (its keys and GSIs), seeded with every item it has now. */
  public async shadow(table: string): Promise<void> {
    const description = await this.describe(table);
    const gsis = (description.GlobalSecondaryIndexes ?? []).filter((g) => g.IndexStatus !== 'DELETING');
    const shadow = shadowName(table);
    await deleteTableIfAny(this.client, shadow); // left by a run that did not stop cleanly
    await this.client.send(new CreateTableCommand({
      TableName: shadow,
      KeySchema: description.KeySchema,
      AttributeDefinitions: description.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      ...(gsis.length ? {
        GlobalSecondaryIndexes: gsis.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })),
      } : {}),
    }), callOptions());
    const writtenMeanwhile = new Set<string>();
    this.seeding.set(table, writtenMeanwhile);
    try {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await this.client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }), callOptions());
        const items = page.Items ?? [];
        for (let i = 0; i < items.length; i += 25) {
          await this.client.send(new BatchWriteItemCommand({
            RequestItems: { [shadow]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
          }), callOptions());
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } finally {
      this.seeding.delete(table);
    }
    this.shadows.add(table);
    // The scan may have read some of these before their write: copy them again.
    this.written(table, [...writtenMeanwhile]);
  }

  /**
   * Items of `table` were written (put, updated or deleted): after a lag, each one's shadow becomes
   * a copy of what the table has then. A later write of the same key may land first; the shadow
   * always ends as the table is.
   */
  public written(table: string, streamIds: readonly string[]): void {
    const seeding = this.seeding.get(table);
    if (seeding) for (const streamId of streamIds) seeding.add(streamId);
    if (!this.shadows.has(table)) return;
    for (const streamId of streamIds) this.schedule(table, streamId, this.options.lagMs(), 1);
  }

  /** `table`'s GSIs changed (an UpdateTable): its shadow gets the same ones, one change at a time as DynamoDB allows. */
  public async tableUpdated(table: string): Promise<void> {
    if (!this.shadows.has(table)) return;
    const shadow = shadowName(table);
    const real = (await this.describe(table)).GlobalSecondaryIndexes ?? [];
    const wanted = new Map(real.filter((g) => g.IndexStatus !== 'DELETING').map((g) => [g.IndexName!, g]));
    for (const g of (await this.describe(shadow)).GlobalSecondaryIndexes ?? []) {
      if (wanted.has(g.IndexName!) || g.IndexStatus === 'DELETING') continue;
      const deletion = new UpdateTableCommand({ TableName: shadow, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: g.IndexName } }] });
      await this.client.send(deletion, callOptions());
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
      }), callOptions());
      await this.settled(shadow);
    }
  }

  /** Drops the copies not yet made. */
  public stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Makes `table`'s shadow if it has a GSI (not being deleted). */
  private async shadowIfIndexed(table: string): Promise<void> {
    const gsis = (await this.describe(table)).GlobalSecondaryIndexes ?? [];
    if (gsis.some((g) => g.IndexStatus !== 'DELETING')) await this.shadow(table);
  }

  /**
   * Copies `streamId`'s item to the shadow after `lagMs`. A failed copy is tried again: DynamoDB
   * Local fails writes to a table while one of its GSIs is being created or deleted (the shadow's
   * too), which AWS does not (GSI.OnlineOps.html).
   */
  private schedule(table: string, streamId: string, lagMs: number, attempt: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.busy++;
      this.copy(table, streamId)
        .catch((error: unknown) => {
          if (this.stopped) return;
          if (attempt < COPY_ATTEMPTS) this.schedule(table, streamId, 200 * attempt, attempt + 1);
          else this.options.onError?.(error);
        })
        .finally(() => this.busy--);
    }, lagMs);
    this.timers.add(timer);
  }

  private async copy(table: string, streamId: string): Promise<void> {
    await this.ready(table); // not while the shadow's GSIs are changing
    const key = { [KEYS.streamId]: { S: streamId } };
    const { Item } = await this.client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }), callOptions());
    if (Item) await this.client.send(new PutItemCommand({ TableName: shadowName(table), Item }), callOptions());
    else await this.client.send(new DeleteItemCommand({ TableName: shadowName(table), Key: key }), callOptions());
  }

  private async describe(table: string): Promise<TableDescription> {
    return (await this.client.send(new DescribeTableCommand({ TableName: table }), callOptions())).Table!;
  }

  /** Waits until no GSI of `table` is being created or deleted. */
  private async settled(table: string): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (let wait = 50; !this.stopped; wait = Math.min(wait * 2, 1000)) {
      const busy = ((await this.describe(table)).GlobalSecondaryIndexes ?? []).some((g) => g.IndexStatus !== 'ACTIVE');
      if (!busy) return;
      if (Date.now() > deadline) throw new Error(`the GSIs of ${table} did not settle within ${SETTLE_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function deleteTableIfAny(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: table }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
}

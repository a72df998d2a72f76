import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { StreamMappingDefinition } from './cloud-assembly';
import { matchesPattern } from './event-pattern';
import { LocalFunction } from './function-host';
import { toLambdaRecord } from './stream-records';

/** How often the poller lists the stream's shards again. */
const SHARD_LIST_INTERVAL_MS = 1000;

interface ShardState {
  iterator?: string;
  lastSequenceNumber?: string;
  closed: boolean;
  /** The shard list was refreshed after this shard closed (its children are known). */
  listedClosed?: boolean;
  /** Records of a failed invocation, retried before anything newer. */
  retry?: { records: DynamoDBRecord[]; attempts: number };
}

export interface StreamPollerOptions {
  readonly streamArn: string;
  readonly mapping: StreamMappingDefinition;
  readonly target: LocalFunction;
  readonly pollIntervalMs: number;
  /** Records given up on after the mapping's retries (Lambda's on-failure destination). */
  readonly onGiveUp: (records: DynamoDBRecord[], reason: string) => void;
  readonly onError: (error: unknown) => void;
}

/**
 * Lambda's DynamoDB stream event source mapping, locally: reads DynamoDB Local's real stream,
 * applies the mapping's filter criteria, invokes the function with batches in order, honours
 * partial batch failures (retrying from the reported record) and bounded retries.
 */
export class StreamPoller {
  private readonly shards = new Map<string, ShardState>();
  private listedAt = 0;
  private timer?: NodeJS.Timeout;
  private running = false;
  private polling?: Promise<void>;
  /**
   * True when the last poll found nothing new and nothing waits for a retry, and the poll under
   * way (if any) has found nothing yet.
   */
  public idle = false;
  /** When the last poll that found nothing started (Date.now()); undefined once work is found. */
  public quietSince?: number;

  constructor(private readonly client: DynamoDBStreamsClient, private readonly options: StreamPollerOptions) {}

  public start(): void {
    this.running = true;
    this.schedule(0);
  }

  public async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().catch((error) => this.options.onError(error)).finally(() => {
        this.polling = undefined;
        // Busy: read on at once. Idle, or waiting to retry a failed batch: wait a tick.
        const retrying = [...this.shards.values()].some((s) => s.retry);
        this.schedule(this.idle || retrying ? this.options.pollIntervalMs : 0);
      });
    }, delay);
  }

  /** One pass over every shard. */
  public async poll(): Promise<void> {
    const startedAt = Date.now();
    let sawWork = false;
    // Busy from the moment work is found, not only once it is delivered: a publisher invocation
    // under way must not look idle.
    const working = () => {
      sawWork = true;
      this.idle = false;
      this.quietSince = undefined;
    };
    // Shards change rarely: list them at most once a second, or at once when one has closed.
    // The map keeps the order DescribeStream gives (parents before children).
    const shardClosed = [...this.shards.values()].some((s) => s.closed && !s.retry && !s.listedClosed);
    if (Date.now() - this.listedAt >= SHARD_LIST_INTERVAL_MS || shardClosed) {
      const description = await this.client.send(new DescribeStreamCommand({ StreamArn: this.options.streamArn }));
      for (const shard of description.StreamDescription?.Shards ?? []) {
        if (!this.shards.has(shard.ShardId!)) this.shards.set(shard.ShardId!, { closed: false });
      }
      for (const state of this.shards.values()) if (state.closed) state.listedClosed = true;
      this.listedAt = Date.now();
    }
    for (const [id, state] of this.shards) {
      if (state.closed && !state.retry) continue;

      if (state.retry) {
        working();
        await this.deliver(state, state.retry.records);
        continue;
      }
      const records = await this.read(id, state);
      if (records.length === 0) continue;
      working();
      await this.deliver(state, records);
    }
    this.idle = !sawWork;
    if (!sawWork) this.quietSince = startedAt;
  }

  private async read(shardId: string, state: ShardState, retried = false): Promise<DynamoDBRecord[]> {
    if (!state.iterator) {
      const { ShardIterator } = await this.client.send(new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ...(state.lastSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequenceNumber }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }));
      state.iterator = ShardIterator;
    }
    try {
      const page = await this.client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.options.mapping.batchSize }));
      state.iterator = page.NextShardIterator;
      if (!page.NextShardIterator) state.closed = true;
      const records = (page.Records ?? []).map((r) => toLambdaRecord(r, this.options.streamArn));
      if (records.length > 0) state.lastSequenceNumber = records[records.length - 1].dynamodb?.SequenceNumber;
      return records;
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'ExpiredIteratorException') {
        state.iterator = undefined;
        return [];
      }
      // DynamoDB Local answers this for an iterator taken while the shard was empty once writes to
      // other tables' streams have moved the (shared) sequence numbers on. Nothing was trimmed: a
      // fresh iterator (TRIM_HORIZON, or after the last record read) reads on.
      if (name === 'TrimmedDataAccessException' && !retried) {
        state.iterator = undefined;
        return this.read(shardId, state, true);
      }
      throw err;
    }
  }

  /** Invokes the function with the records that pass the filter; schedules a retry on failure. */
  private async deliver(state: ShardState, records: DynamoDBRecord[]): Promise<void> {
    const patterns = this.options.mapping.filterPatterns;
    const batch = patterns.length === 0 ? records : records.filter((r) => patterns.some((p) => matchesPattern(r, p)));
    if (batch.length === 0) {
      state.retry = undefined;
      return;
    }
    let failedFrom: number | undefined;
    let reason = '';
    try {
      const result = await this.options.target.invoke<DynamoDBBatchResponse | undefined>({ Records: batch });
      const first = result?.batchItemFailures?.[0]?.itemIdentifier;
      if (first !== undefined) {
        failedFrom = batch.findIndex((r) => r.dynamodb?.SequenceNumber === first);
        if (failedFrom < 0) failedFrom = 0;
        reason = `partial batch failure at ${first}`;
      }
    } catch (err) {
      failedFrom = 0;
      reason = String((err as Error).message);
    }
    if (failedFrom === undefined) {
      state.retry = undefined;
      return;
    }
    const remaining = batch.slice(failedFrom);
    const attempts = (state.retry?.attempts ?? 0) + 1;
    if (attempts > this.options.mapping.maximumRetryAttempts) {
      state.retry = undefined;
      this.options.onGiveUp(remaining, reason);
    } else {
      state.retry = { records: remaining, attempts };
    }
  }
}

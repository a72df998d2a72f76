import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { invokeBatch } from './batch-response';
import { Chaos } from './chaos';
import { StreamMappingDefinition } from './cloud-assembly';
import { EventPattern } from './event-pattern';
import { LocalFunction } from './function-host';
import { toLambdaRecord } from './stream-records';

/** How often the poller lists the stream's shards again. */
const SHARD_LIST_INTERVAL_MS = 1000;

interface ShardState {
  iterator?: string;
  lastSequenceNumber?: string;
  /** The last record done with (delivered, filtered out or given up on) while the backlog is not empty. */
  doneSequenceNumber?: string;
  closed: boolean;
  /** The shard list was refreshed after this shard closed (its children are known). */
  listedClosed?: boolean;
  /** Records read but not yet done with (delivered, or given up on), oldest first: the head is the checkpoint. */
  backlog: DynamoDBRecord[];
  /** Invocations so far of the batch at the head of the backlog. */
  invocations: number;
  /** The largest batch to send from the head: the mapping's batch size, halved by each bisect. */
  limit: number;
}

/** What Lambda sends to a stream mapping's on-failure destination: metadata, never the records. */
export interface StreamFailureRecord {
  readonly requestContext: { requestId: string; functionArn: string; condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded'; approximateInvokeCount: number };
  /** Absent when the records expired (RecordAgeExceeded). */
  readonly responseContext?: { statusCode: number; executedVersion: string; functionError: string | null };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamPollerOptions {
  readonly streamArn: string;
  readonly mapping: StreamMappingDefinition;
  readonly target: LocalFunction;
  /** The target's ARN, as failure records name it. */
  readonly functionArn: string;
  readonly pollIntervalMs: number;
  /** Records given up on, in the shape Lambda sends to the on-failure destination, and the records themselves. */
  readonly onGiveUp: (failure: StreamFailureRecord, records: DynamoDBRecord[], reason: string) => void;
  readonly onError: (error: unknown) => void;
  /** Chaos mode: invocations that fail before, or crash after, doing their work. */
  readonly chaos?: Chaos;
  /** Where a previous run stopped (shard id -> last sequence number done with), as `checkpoints()` gave it. */
  readonly resumeAfter?: Record<string, string>;
}

/**
 * Lambda's DynamoDB stream event source mapping, locally: reads DynamoDB Local's real stream,
 * applies the mapping's filter criteria, invokes the function with batches in order, and handles
 * failures as Lambda does (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html,
 * services-ddb-batchfailurereporting.html): a partial batch failure checkpoints at the lowest
 * failed sequence number; a function error bisects the batch when the mapping says so (which uses
 * no retry); after MaximumRetryAttempts, or once records are older than MaximumRecordAgeInSeconds
 * (-1: no limit, Lambda's defaults), their metadata goes to the on-failure destination and the
 * shard goes on.
 */
export class StreamPoller {
  private readonly shards = new Map<string, ShardState>();
  /** When each record was read from the stream. */
  private readonly readAt = new WeakMap<DynamoDBRecord, number>();
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

  /** The mapping's filter criteria, compiled once (a pattern AWS refuses throws here). */
  private readonly filters: EventPattern[];

  constructor(private readonly client: DynamoDBStreamsClient, private readonly options: StreamPollerOptions) {
    this.filters = options.mapping.filterPatterns.map((pattern) => new EventPattern(pattern));
  }

  public start(): void {
    this.running = true;
    this.schedule(0);
  }

  public async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
  }

  /**
   * Per shard, the last record done with: where the mapping would go on after a restart (its
   * checkpoint). Records read but not yet delivered are read again.
   */
  public checkpoints(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [id, state] of this.shards) {
      const done = state.backlog.length ? state.doneSequenceNumber : state.lastSequenceNumber;
      if (done) result[id] = done;
    }
    return result;
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().catch((error) => this.options.onError(error)).finally(() => {
        this.polling = undefined;
        // Busy: read on at once. Idle, or waiting to retry a failed batch: wait a tick.
        const retrying = [...this.shards.values()].some((s) => s.invocations > 0);
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
    const shardClosed = [...this.shards.values()].some((s) => s.closed && s.backlog.length === 0 && !s.listedClosed);
    if (Date.now() - this.listedAt >= SHARD_LIST_INTERVAL_MS || shardClosed) {
      const description = await this.client.send(new DescribeStreamCommand({ StreamArn: this.options.streamArn }));
      for (const shard of description.StreamDescription?.Shards ?? []) {
        if (this.shards.has(shard.ShardId!)) continue;
        const resumed = this.options.resumeAfter?.[shard.ShardId!];
        this.shards.set(shard.ShardId!, {
          closed: false, backlog: [], invocations: 0, limit: this.options.mapping.batchSize, lastSequenceNumber: resumed, doneSequenceNumber: resumed,
        });
      }
      for (const state of this.shards.values()) if (state.closed) state.listedClosed = true;
      this.listedAt = Date.now();
    }
    for (const [id, state] of this.shards) {
      if (state.backlog.length === 0) {
        if (state.closed) continue;
        const records = await this.read(id, state);
        if (records.length === 0) continue;
        working();
        const now = Date.now();
        for (const record of records) this.readAt.set(record, now);
        state.backlog.push(...this.passingFilter(records));
        // Records filtered out before the first one kept are done with.
        const firstKept = state.backlog.length ? records.indexOf(state.backlog[0]) : records.length;
        if (firstKept > 0) state.doneSequenceNumber = sequenceOf(records[firstKept - 1]);
      }
      if (state.backlog.length === 0) continue;
      working();
      await this.deliverHead(id, state);
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

  /** Records that pass the mapping's filter criteria (the others are done with at once). */
  private passingFilter(records: DynamoDBRecord[]): DynamoDBRecord[] {
    const filters = this.filters;
    return filters.length === 0 ? records : records.filter((r) => filters.some((filter) => filter.matches(r)));
  }

  /** One invocation with the batch at the head of the backlog, and what Lambda does with its outcome. */
  private async deliverHead(shardId: string, state: ShardState): Promise<void> {
    const { mapping } = this.options;
    this.expireOldRecords(shardId, state);
    const batch = state.backlog.slice(0, state.limit);
    if (batch.length === 0) return;

    state.invocations++;
    // A crash after the work: published, but retried (SNS FIFO drops the repeats).
    const event: DynamoDBStreamEvent = { Records: batch };
    const { outcome, thrown } = await invokeBatch(this.options.target, event, batch.map(sequenceOf), this.options.chaos);
    const functionError = thrown ? 'Unhandled' : null;
    if (outcome.kind === 'success') return this.done(state, batch.length);

    // The checkpoint: everything before the lowest failed sequence number is done.
    let failing = batch;
    let reason = `the function failed: ${outcome.kind === 'failure' ? outcome.reason : ''}`;
    if (outcome.kind === 'partial') {
      const lowest = [...outcome.failed].reduce((a, b) => (BigInt(a) <= BigInt(b) ? a : b));
      const from = batch.findIndex((r) => sequenceOf(r) === lowest);
      failing = batch.slice(from);
      reason = `partial batch failure at ${lowest}`;
      if (from > 0) {
        state.doneSequenceNumber = sequenceOf(state.backlog[from - 1]);
        state.backlog.splice(0, from);
        state.invocations = 1;
      }
    } else if (functionError && mapping.bisectBatchOnFunctionError && batch.length > 1) {
      // Bisect: the first half next, then the rest; this uses no retry.
      state.limit = Math.ceil(batch.length / 2);
      state.invocations--;
      return;
    }
    const retries = state.invocations - 1;
    if (mapping.maximumRetryAttempts >= 0 && retries >= mapping.maximumRetryAttempts) {
      this.giveUp(shardId, failing, 'RetryAttemptsExhausted', state.invocations, reason, { statusCode: 200, executedVersion: '$LATEST', functionError });
      this.done(state, failing.length);
    }
  }

  /**
   * Leading records older than MaximumRecordAgeInSeconds are not delivered (the backlog is oldest
   * first). Their age counts from when this poller read them: DynamoDB Local rounds
   * ApproximateCreationDateTime down to the minute (AWS to the second), which would age every
   * record by up to 59 s, while the poller reads a record within moments of its write.
   */
  private expireOldRecords(shardId: string, state: ShardState): void {
    const maxAge = this.options.mapping.maximumRecordAgeSeconds;
    if (maxAge < 0) return;
    const oldest = Date.now() - maxAge * 1000;
    let expired = 0;
    while (expired < state.backlog.length && (this.readAt.get(state.backlog[expired]) ?? Infinity) < oldest) expired++;
    if (expired === 0) return;
    this.giveUp(shardId, state.backlog.slice(0, expired), 'RecordAgeExceeded', Math.max(state.invocations, 1), `older than ${maxAge} s`);
    this.done(state, expired);
  }

  /** The first `count` records of the backlog are done with: the next batch starts afresh. */
  private done(state: ShardState, count: number): void {
    state.doneSequenceNumber = sequenceOf(state.backlog[count - 1]);
    state.backlog.splice(0, count);
    state.invocations = 0;
    state.limit = this.options.mapping.batchSize;
  }

  private giveUp(
    shardId: string, records: DynamoDBRecord[], condition: StreamFailureRecord['requestContext']['condition'],
    invocations: number, reason: string, responseContext?: StreamFailureRecord['responseContext'],
  ): void {
    const arrival = (r: DynamoDBRecord) => new Date((r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.options.onGiveUp({
      requestContext: { requestId: randomUUID(), functionArn: this.options.functionArn, condition, approximateInvokeCount: invocations },
      ...(responseContext ? { responseContext } : {}),
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceOf(records[0]),
        endSequenceNumber: sequenceOf(records[records.length - 1]),
        approximateArrivalOfFirstRecord: arrival(records[0]),
        approximateArrivalOfLastRecord: arrival(records[records.length - 1]),
        batchSize: records.length,
        streamArn: this.options.streamArn,
      },
    }, records, reason);
  }
}

function sequenceOf(record: DynamoDBRecord): string {
  return record.dynamodb?.SequenceNumber ?? '';
}

import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, QueryCommand, type AttributeValue, type BatchGetItemCommandOutput, type DynamoDBClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ReconcileJob } from './index-jobs';
import { readProgress, writeProgress, type Progress, type ProgressKey } from './progress';
import { restampStreams } from './restamp';
import { CATALOGUE, KEYS, MAINTENANCE_KEY, METRICS, RESTAMP_KEY } from '../../src/contract';
import { messageGroupId, sha256 } from '../core/event-message';
import { addUnindexable, declaredSpecs, readIndexState, setIndexField } from '../core/index-state';
import { log, metricFields } from '../core/log';
import { catchUpBody, eventTimestamp } from '../core/stored-event';

export interface MaintenanceConfig {
  readonly eventsTable: string;
  readonly jobsQueueUrl: string;
  /** Each view's queue, where catch-up messages go. */
  readonly views: Record<string, { readonly queueUrl: string; readonly fifo: boolean }>;
  /** Streams a step sends catch-ups for (or checks); one step a second. */
  readonly rate: number;
}

export interface Clients {
  readonly dynamo: DynamoDBClient;
  readonly sqs: SQSClient;
}

/** What to start: bring `table`, the current table of `view`, to the head of every stream. */
export interface StartJob {
  readonly view: string;
  readonly table: string;
  /** When it has caught up, mark the table ready, so reads switch to it (a new version). */
  readonly markReady: boolean;
  readonly reason: string;
  /**
   * Only streams with an event stored at or after this time (ISO): a replay bounded by what the
   * publisher gave up on. @default every stream
   */
  readonly since?: string;
  /**
   * `restamp`: rather than sending catch-ups, give each record the index attributes of the
   * declared set `fingerprint` (its progress is kept apart, under RESTAMP_KEY). @default a catch-up job
   */
  readonly kind?: 'restamp';
  readonly fingerprint?: string;
}

/** One step of a job, as a message on the jobs queue. */
export interface JobStep {
  readonly jobId: string;
  readonly view: string;
  readonly table: string;
  readonly markReady: boolean;
  readonly step: number;
  readonly phase: 'send' | 'verify';
  /** Where in the stream catalogue this step starts. */
  readonly shard: number;
  readonly after?: string;
  readonly pass: number;
  readonly since?: string;
  readonly kind?: 'restamp';
  readonly fingerprint?: string;
}

export type JobMessage = { readonly start: StartJob } | { readonly step: JobStep } | { readonly indexes: ReconcileJob };

/** Verify passes before a job gives up and says which streams stayed behind. */
const MAX_VERIFY_PASSES = 20;

/**
 * Starts a job: its progress at step 0 (replacing any job on the table, whose later steps then
 * find themselves superseded), then its first step on the jobs queue. A table already ready stays so.
 */
export async function startJob(start: StartJob, config: MaintenanceConfig, clients: Clients): Promise<string> {
  if (!config.views[start.view]) throw new Error(`No view named "${start.view}"`);
  const jobId = randomUUID();
  const now = new Date().toISOString();
  const key = progressKey(start);
  const previous = await readProgress(clients.dynamo, start.table, key);
  await writeProgress(clients.dynamo, start.table, {
    jobId,
    view: start.view,
    reason: start.reason,
    phase: 'send',
    step: 0,
    sent: 0,
    checked: 0,
    behind: 0,
    pass: 0,
    ready: previous?.ready ?? false,
    startedAt: now,
    updatedAt: now,
  }, key);
  const catchUp: JobStep = {
    jobId, view: start.view, table: start.table, markReady: start.markReady, step: 1, phase: 'send', shard: 0, pass: 0, ...(start.since ? { since: start.since } : {}),
  };
  const first: JobStep = start.kind ? { ...catchUp, kind: start.kind, fingerprint: start.fingerprint } : catchUp;
  await enqueue(clients.sqs, config, first, 0);
  log('info', 'maintenance job started', { jobId, view: start.view, table: start.table, reason: start.reason, since: start.since });
  return jobId;
}

/**
 * Runs one step: a page of the stream catalogue (at most `rate` streams) gets catch-ups (send
 * phase) or is checked (verify phase), the progress moves on, and the next step is queued to
 * start a second after this one began (at once if this one took a second or more, so a page's
 * work does not slow the rate down; SQS delays are whole seconds). A message whose step is already done only queues the next step again (its
 * first try may have failed after the progress was written); one for another job is dropped.
 * A restamp job stamps the page's records instead of sending catch-ups (and stamps again those a
 * check finds without the set's attributes); when it is done, the indexes are marked stamped.
 */
export async function runStep(job: JobStep, config: MaintenanceConfig, clients: Clients): Promise<void> {
  const key = progressKey(job);
  const progress = await readProgress(clients.dynamo, job.table, key);
  if (progress?.jobId !== job.jobId || (progress.step !== job.step && progress.step !== job.step - 1)) {
    log('debug', 'maintenance step dropped', { jobId: job.jobId, step: job.step, current: progress?.jobId, at: progress?.step });
    return;
  }
  if (progress.step === job.step) {
    // Done already (the first try failed after writing its progress): only its next step may be missing.
    if (progress.next) await enqueue(clients.sqs, config, progress.next.step, progress.next.delaySeconds);
    return;
  }

  const began = Date.now();
  const indexState = job.kind === 'restamp' ? await readIndexState(clients.dynamo, job.table) : undefined;
  if (job.kind === 'restamp' && indexState?.fingerprint !== job.fingerprint) {
    log('info', 'restamp step dropped: the indexes changed since', { jobId: job.jobId, view: job.view, fingerprint: job.fingerprint, current: indexState?.fingerprint });
    return;
  }
  const restamp = indexState && (async (list: string[]) => {
    const outcome = await restampStreams(clients.dynamo, job.view, job.table, list, declaredSpecs(indexState), job.fingerprint!);
    if (outcome.unindexable) await addUnindexable(clients.dynamo, job.table, job.fingerprint!, outcome.unindexable);
    return outcome.stamped;
  });
  const page = await cataloguePage(clients.dynamo, config.eventsTable, { shard: job.shard, after: job.after }, config.rate);
  const streams = job.since ? await streamsWrittenSince(clients.dynamo, config.eventsTable, page.streams, job.since) : page.streams;
  let { sent, checked, behind } = progress;
  if (job.phase === 'verify' && (progress.phase !== 'verify' || progress.pass !== job.pass)) [checked, behind] = [0, 0]; // a new pass
  if (job.phase === 'send' && restamp) {
    sent += await restamp(streams);
  } else if (job.phase === 'send') {
    await sendCatchUps(clients.sqs, config, job, streams);
    sent += streams.length;
  } else if (restamp) {
    // A record still without the set's attributes (an aggregator of the earlier set wrote it
    // since) is stamped again, and checked again later.
    checked += streams.length;
    behind += await restamp(streams);
  } else {
    checked += streams.length;
    behind += (await streamsBehind(clients.dynamo, config.eventsTable, job.table, streams, progress.startedAt)).length;
  }
  let phase: Progress['phase'] = job.phase;
  let ready = progress.ready;
  let next: { step: JobStep; delaySeconds: number } | undefined;
  const paced = Date.now() - began >= 1000 ? 0 : 1;
  if (page.next) {
    next = { step: { ...job, step: job.step + 1, ...page.next }, delaySeconds: paced };
  } else if (job.phase === 'send' || behind > 0) {
    if (job.phase === 'verify' && job.pass >= MAX_VERIFY_PASSES) {
      phase = 'stalled';
    } else {
      // The end of the catalogue: check every stream (again, a little later, if some were behind).
      const verify: JobStep = { ...job, step: job.step + 1, phase: 'verify', shard: 0, after: undefined, pass: job.pass + 1 };
      next = { step: verify, delaySeconds: job.phase === 'send' ? paced : 5 };
    }
  } else {
    phase = 'done';
    ready = ready || job.markReady;
    // Every record has the set's attributes: its indexes may be queried once their GSIs are ACTIVE.
    for (const name of Object.keys(indexState?.indexes ?? {})) {
      await setIndexField(clients.dynamo, job.table, job.fingerprint!, name, { stamped: true });
    }
  }
  const done: Progress = {
    ...progress, step: job.step, phase, sent, checked, behind, ready, pass: job.phase === 'verify' ? job.pass : 0, updatedAt: new Date().toISOString(), next,
  };
  // The next step is kept with the progress, so a retry of this message can queue it again.
  if (!await writeProgress(clients.dynamo, job.table, done, key)) return; // another message did this step
  // Also metrics per view: the catch-ups this step sent and, when a check pass ends, the streams it found behind.
  const passEnded = job.phase === 'verify' && !page.next;
  const counts = { [METRICS.catchUpsSent]: job.phase === 'send' ? streams.length : 0, ...(passEnded ? { [METRICS.streamsBehind]: behind } : {}) };
  const metrics = restamp ? {} : metricFields({ [METRICS.dimensions.api]: config.eventsTable, [METRICS.dimensions.view]: job.view }, counts);
  const ended = phase === 'done' || phase === 'stalled' ? { jobDurationMs: Date.parse(done.updatedAt) - Date.parse(progress.startedAt) } : {};
  const totals = { sent, checked, behind, pass: done.pass, ready, durationMs: Date.now() - began };
  const kind = job.kind ? { kind: job.kind } : {};
  log('info', 'maintenance step done', { jobId: job.jobId, view: job.view, reason: progress.reason, ...kind, step: job.step, phase, ...totals, ...ended, ...metrics });
  if (next) await enqueue(clients.sqs, config, next.step, next.delaySeconds);
}

function progressKey(job: { readonly kind?: 'restamp' }): ProgressKey {
  return job.kind === 'restamp' ? RESTAMP_KEY : MAINTENANCE_KEY;
}

async function enqueue(sqs: SQSClient, config: MaintenanceConfig, step: JobStep, delaySeconds: number): Promise<void> {
  const body = JSON.stringify({ step } satisfies JobMessage);
  await sqs.send(new SendMessageCommand({ QueueUrl: config.jobsQueueUrl, MessageBody: body, DelaySeconds: delaySeconds }));
}

export interface CataloguePosition {
  readonly shard: number;
  /** The last stream of this shard already done. */
  readonly after?: string;
}

/**
 * Up to `limit` stream ids from the catalogue, from a position on, shard after shard; `next` is
 * where the following page starts, undefined at the end of the catalogue.
 */
export async function cataloguePage(dynamo: DynamoDBClient, eventsTable: string, from: CataloguePosition, limit: number) {
  const streams: string[] = [];
  let position: CataloguePosition | undefined = from;
  while (position && streams.length < limit) {
    const { shard, after }: CataloguePosition = position;
    const page: QueryCommandOutput = await dynamo.send(new QueryCommand({
      TableName: eventsTable,
      IndexName: CATALOGUE.indexName,
      KeyConditionExpression: '#shard = :shard',
      ExpressionAttributeNames: { '#shard': CATALOGUE.shardAttribute },
      ExpressionAttributeValues: { ':shard': { N: String(shard) } },
      Limit: limit - streams.length,
      ...(after === undefined ? {} : {
        ExclusiveStartKey: { [CATALOGUE.shardAttribute]: { N: String(shard) }, [KEYS.streamId]: { S: after }, [KEYS.version]: { N: '1' } },
      }),
    }));
    const found = (page.Items ?? []).map((item) => item[KEYS.streamId].S!);
    streams.push(...found);
    if (page.LastEvaluatedKey) position = { shard, after: found[found.length - 1] ?? after };
    else position = shard + 1 < CATALOGUE.shards ? { shard: shard + 1 } : undefined;
  }
  return { streams, next: position };
}

async function sendCatchUps(sqs: SQSClient, config: MaintenanceConfig, job: JobStep, streams: string[]): Promise<void> {
  const view = config.views[job.view];
  for (let i = 0; i < streams.length; i += 10) {
    const entries = streams.slice(i, i + 10).map((streamId, n) => ({
      Id: String(n),
      MessageBody: catchUpBody(streamId),
      ...(view.fifo ? { MessageGroupId: messageGroupId(streamId), MessageDeduplicationId: sha256(`${job.jobId}\u0000${streamId}`) } : {}),
    }));
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: view.queueUrl, Entries: entries }));
    if (result.Failed?.length) throw new Error(`could not send ${result.Failed.length} catch-up(s) to ${job.view}: ${result.Failed[0].Message ?? result.Failed[0].Code}`);
  }
}

/**
 * The streams whose view record is older than their last event written before `cutoff` (the
 * job's start). Later events reach the view as usual, and need not hold the job back.
 */
export async function streamsBehind(
  dynamo: DynamoDBClient, eventsTable: string, viewTable: string, streams: string[], cutoff: string,
): Promise<string[]> {
  const versions = await viewVersions(dynamo, viewTable, streams);
  const behind: string[] = [];
  for (const streamId of streams) {
    const required = await lastVersionBefore(dynamo, eventsTable, streamId, cutoff);
    if ((versions.get(streamId) ?? 0) < required) behind.push(streamId);
  }
  return behind;
}

/** The version each stream's record in a view table is at (absent: no record yet). Strongly consistent. */
export async function viewVersions(dynamo: DynamoDBClient, viewTable: string, streams: string[]): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  for (let i = 0; i < streams.length; i += 100) {
    let keys: Array<Record<string, AttributeValue>> | undefined = streams.slice(i, i + 100).map((s) => ({ [KEYS.streamId]: { S: s } }));
    while (keys?.length) {
      const result: BatchGetItemCommandOutput = await dynamo.send(new BatchGetItemCommand({
        RequestItems: { [viewTable]: { Keys: keys, ConsistentRead: true, ProjectionExpression: '#s, #v', ExpressionAttributeNames: { '#s': KEYS.streamId, '#v': KEYS.version } } },
      }));
      for (const item of result.Responses?.[viewTable] ?? []) versions.set(item[KEYS.streamId].S!, Number(item[KEYS.version].N));
      keys = result.UnprocessedKeys?.[viewTable]?.Keys;
    }
  }
  return versions;
}

/** The streams whose last event was stored at or after `since` (ISO time): one read of each stream's head. */
async function streamsWrittenSince(dynamo: DynamoDBClient, eventsTable: string, streams: string[], since: string): Promise<string[]> {
  const recent: string[] = [];
  for (const streamId of streams) {
    const head = await streamHead(dynamo, eventsTable, streamId);
    if (head && head.timestamp >= since) recent.push(streamId);
  }
  return recent;
}

/** A query of a stream's events (not its markers at version 0), newest first: version and timestamp only. */
function newestEvents(eventsTable: string, streamId: string, limit: number): QueryCommandInput {
  return {
    TableName: eventsTable,
    KeyConditionExpression: '#pk = :pk AND #sk > :zero',
    ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version, '#t': 'timestamp' },
    ExpressionAttributeValues: { ':pk': { S: streamId }, ':zero': { N: '0' } },
    ScanIndexForward: false,
    Limit: limit,
    ConsistentRead: true,
    ProjectionExpression: '#sk, #t',
  };
}

/** A stream's last event: its version and when it was stored; undefined for no events. */
export async function streamHead(
  dynamo: DynamoDBClient, eventsTable: string, streamId: string,
): Promise<{ version: number; timestamp: string } | undefined> {
  const page = await dynamo.send(new QueryCommand(newestEvents(eventsTable, streamId, 1)));
  const item = page.Items?.[0];
  return item ? { version: Number(item[KEYS.version].N), timestamp: eventTimestamp(item.timestamp) } : undefined;
}

/** The version of a stream's last event stored before `cutoff` (ISO time); 0 if none. Reads from the head down. */
async function lastVersionBefore(dynamo: DynamoDBClient, eventsTable: string, streamId: string, cutoff: string): Promise<number> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page: QueryCommandOutput = await dynamo.send(new QueryCommand({ ...newestEvents(eventsTable, streamId, 5), ExclusiveStartKey: startKey }));
    const before = (page.Items ?? []).find((item) => eventTimestamp(item.timestamp) <= cutoff);
    if (before) return Number(before[KEYS.version].N);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return 0;
}

import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageCommand, GetQueueAttributesCommand, ListMessageMoveTasksCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand,
  StartMessageMoveTaskCommand, type Message,
} from '@aws-sdk/client-sqs';
import { checkEventsTable } from './events-table-check';
import { viewIndexesStatus, type ViewIndexesStatus } from './index-status';
import type { Target } from './target';
import { eventTimestamp } from '../../../../lambda-src/core/stored-event';
import { registrationOf } from '../../../../lambda-src/core/view-registry';
import { cataloguePage, streamHead, viewVersions, type CataloguePosition, type JobMessage, type StartJob } from '../../../../lambda-src/maintenance/jobs';
import { readProgress, type Progress } from '../../../../lambda-src/maintenance/progress';
import { KEYS, type OperatorApiResources, type OperatorViewResources } from '../../../../src/contract';

/** Streams read per page of the catalogue by `status`. */
const STATUS_PAGE = 100;
/**
 * A replay bounded by failure records starts this long before the first record's arrival: the
 * arrival time is approximate (DynamoDB Local rounds it down to the minute, AWS to the second),
 * and an event's timestamp is taken by the writer a moment before its stream record exists.
 */
const REPLAY_MARGIN_MS = 5 * 60 * 1000;

export interface QueueDepth {
  /** Waiting to be received (delayed ones included). */
  readonly waiting: number;
  /** Received and being processed. */
  readonly inFlight: number;
}

export interface ViewStatus {
  readonly name: string;
  readonly version: number;
  readonly table: string;
  /** A new version whose table has not caught up: reads are still answered from the previous one. */
  readonly rebuilding: boolean;
  /** The latest maintenance job on the table (backfill, rebuild or replay), if any ran. */
  readonly job?: Progress;
  readonly queue: QueueDepth;
  /** Messages parked in its dead-letter queue. */
  readonly parked: number;
  /** The latest redrive of its dead-letter queue (SQS's message move task), if any ran. */
  readonly redrive?: RedriveTask;
  /** With a scan: streams whose record is older than their last event, and by how many events in all. */
  readonly streamsBehind?: number;
  readonly versionsBehind?: number;
  /** With a scan: how long ago the oldest event the view has not applied was appended (0 when up to date). */
  readonly lagMs?: number;
  /**
   * When a deploy changed the upcasters while this table stayed (ISO time): its records were built
   * with the earlier ones, until its version is raised.
   */
  readonly upcastersChangedAt?: string;
  /** Its declared indexes and what each waits for; absent for a view that never declared any. */
  readonly indexes?: ViewIndexesStatus;
}

export interface ApiStatus {
  readonly owner: string;
  readonly views: ViewStatus[];
  /** With a scan: streams in the catalogue. */
  readonly streams?: number;
  /** Stream batches the publisher gave up on, waiting for `replay --failures`. */
  readonly publisherFailures?: number;
  readonly jobs?: QueueDepth;
  readonly jobsParked?: number;
  /** What the events table lacks (an imported one is checked here, not at synth); empty when nothing. */
  readonly eventsTableProblems: string[];
}

/** A dead-letter queue redrive, as ListMessageMoveTasks reports it. */
export interface RedriveTask {
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED. */
  readonly status: string;
  /** Approximate, as SQS counts them. */
  readonly moved: number;
  /** The messages parked when it started. */
  readonly toMove: number;
  /** Messages a second, when one was asked for. */
  readonly rate?: number;
  readonly startedAt: string;
  readonly failureReason?: string;
}

async function depth(target: Target, queueUrl: string | undefined): Promise<QueueDepth | undefined> {
  return queueUrl ? (await queueState(target, queueUrl)).depth : undefined;
}

/** A queue's depth and ARN, in one GetQueueAttributes. */
async function queueState(target: Target, queueUrl: string): Promise<{ depth: QueueDepth; arn: string }> {
  const { Attributes: a = {} } = await target.sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed', 'QueueArn'],
  }));
  if (!a.QueueArn) throw new Error(`SQS answered no ARN for ${queueUrl}`);
  return {
    depth: {
      waiting: Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    },
    arn: a.QueueArn,
  };
}

const total = (d: QueueDepth | undefined) => (d ? d.waiting + d.inFlight : 0);

/**
 * Where each view stands: its job, its queue and parked messages and, with `scan`, how far
 * behind the events table it is (one read of each stream's head: a full pass over the catalogue).
 */
export async function status(target: Target, options: { scan: boolean; views?: OperatorViewResources[] }): Promise<ApiStatus> {
  const { api } = target;
  const views = options.views ?? api.views;
  const behind = new Map<string, { streams: number; versions: number; oldest?: string }>(views.map((v) => [v.name, { streams: 0, versions: 0 }]));
  let streams: number | undefined;
  if (options.scan) {
    streams = 0;
    let position: CataloguePosition | undefined = { shard: 0 };
    while (position) {
      const page: Awaited<ReturnType<typeof cataloguePage>> = await cataloguePage(target.dynamo, api.eventsTable, position, STATUS_PAGE);
      streams += page.streams.length;
      const heads = new Map<string, number>();
      for (const streamId of page.streams) heads.set(streamId, (await streamHead(target.dynamo, api.eventsTable, streamId))?.version ?? 0);
      // Views behind by the same events (after a publisher outage, say) ask for the same timestamp: read it once.
      const appendedTimes = new Map<string, Promise<string | undefined>>();
      const firstMissing = (streamId: string, version: number) => {
        const key = `${streamId}\n${version}`;
        if (!appendedTimes.has(key)) appendedTimes.set(key, appendedAt(target, streamId, version));
        return appendedTimes.get(key)!;
      };
      for (const view of views) {
        const versions = await viewVersions(target.dynamo, view.table, page.streams);
        const counts = behind.get(view.name)!;
        for (const [streamId, head] of heads) {
          const applied = versions.get(streamId) ?? 0;
          if (head <= applied) continue;
          [counts.streams, counts.versions] = [counts.streams + 1, counts.versions + head - applied];
          const appended = await firstMissing(streamId, applied + 1);
          if (appended && (counts.oldest === undefined || appended < counts.oldest)) counts.oldest = appended;
        }
      }
      position = page.next;
    }
  }
  const statuses: ViewStatus[] = [];
  const now = Date.now();
  for (const view of views) {
    const job = await readProgress(target.dynamo, view.table);
    const registered = api.viewRegistry ? await registrationOf(target.dynamo, api.viewRegistry, view.name, view.table) : undefined;
    const indexes = await viewIndexesStatus(target.dynamo, view.table);
    statuses.push({
      name: view.name,
      version: view.version,
      table: view.table,
      rebuilding: Boolean(view.previousTable) && !job?.ready,
      ...(job ? { job } : {}),
      queue: (await depth(target, view.queueUrl))!,
      ...await deadLetters(target, view),
      ...(options.scan ? scanned(behind.get(view.name)!, now) : {}),
      ...(registered?.upcastersChangedAt ? { upcastersChangedAt: registered.upcastersChangedAt } : {}),
      ...(indexes ? { indexes } : {}),
    });
  }
  return {
    owner: api.owner,
    views: statuses,
    eventsTableProblems: await checkEventsTable(target.dynamo, api.eventsTable)
      .catch((error: Error) => [`could not be described (${error.name}: ${error.message}), so its keys, stream and index are unchecked`]),
    ...(streams === undefined ? {} : { streams }),
    ...(api.publisherFailureQueueUrl ? { publisherFailures: total(await depth(target, api.publisherFailureQueueUrl)) } : {}),
    ...(api.jobsQueueUrl ? { jobs: await depth(target, api.jobsQueueUrl), jobsParked: total(await depth(target, api.jobsDeadLetterQueueUrl)) } : {}),
  };
}

function scanned(counts: { streams: number; versions: number; oldest?: string }, now: number) {
  const lagMs = counts.oldest === undefined ? 0 : Math.max(0, now - Date.parse(counts.oldest));
  return { streamsBehind: counts.streams, versionsBehind: counts.versions, lagMs };
}

/** When an event was appended (its ISO timestamp), or undefined if it is not there. */
async function appendedAt(target: Target, streamId: string, version: number): Promise<string | undefined> {
  const { Item } = await target.dynamo.send(new GetItemCommand({
    TableName: target.api.eventsTable,
    Key: { [KEYS.streamId]: { S: streamId }, [KEYS.version]: { N: String(version) } },
    ProjectionExpression: '#t',
    ExpressionAttributeNames: { '#t': 'timestamp' },
  }));
  return Item ? eventTimestamp(Item.timestamp) || undefined : undefined;
}

/** The views a command works on: the one named, or all of them. */
export function selectViews(api: OperatorApiResources, view: string | undefined): OperatorViewResources[] {
  if (view === undefined) return api.views;
  const found = api.views.find((v) => v.name === view);
  if (!found) throw new Error(`No view "${view}" in ${api.owner} (its views: ${api.views.map((v) => v.name).join(', ') || 'none'})`);
  return [found];
}

/** Queues a maintenance job per view on the jobs queue; the maintenance function runs them. */
export async function startJobs(target: Target, views: OperatorViewResources[], job: Omit<StartJob, 'view' | 'table'>): Promise<void> {
  const jobsQueueUrl = target.api.jobsQueueUrl;
  if (!jobsQueueUrl) throw new Error(`${target.api.owner} in ${target.where} has no jobs queue: deploy a version of cdk-event-sourced-api with view maintenance`);
  for (const view of views) {
    const message: JobMessage = { start: { ...job, view: view.name, table: view.table } };
    await target.sqs.send(new SendMessageCommand({ QueueUrl: jobsQueueUrl, MessageBody: JSON.stringify(message) }));
  }
}

export interface ReplayOptions {
  readonly view?: string;
  /** Bound the replay by the publisher's failure records (and take them off their queue). */
  readonly failures: boolean;
  /** Only streams written at or after this time (ISO). */
  readonly since?: string;
}

export interface ReplayOutcome {
  readonly views: string[];
  /** Failure records the replay was bounded by (and removed). */
  readonly failureRecords: number;
  readonly since?: string;
}

/**
 * Re-publishes events from the events table (the source of truth) to one view or all: each view
 * gets a catch-up job, which sends one catch-up per stream; version gating drops what a view has.
 * With `failures`, the failure records (metadata only: shard, sequence numbers, arrival times)
 * bound the replay to streams written since the first failed batch arrived, minus a margin.
 */
export async function replay(target: Target, options: ReplayOptions): Promise<ReplayOutcome> {
  const views = selectViews(target.api, options.view);
  let since = options.since;
  let received: Message[] = [];
  if (options.failures) {
    const queueUrl = target.api.publisherFailureQueueUrl;
    if (!queueUrl) throw new Error(`${target.api.owner} has no publisher failure queue`);
    received = await receiveAll(target, queueUrl);
    if (received.length === 0) return { views: [], failureRecords: 0 };
    const arrivals = received.map((m) => Date.parse(failureArrival(m)));
    const first = new Date(Math.min(...arrivals) - REPLAY_MARGIN_MS).toISOString();
    since = since && since < first ? since : first;
  }
  await startJobs(target, views, { markReady: false, reason: options.failures ? 'replay of publisher failures' : 'replay', ...(since ? { since } : {}) });
  // Only once the jobs are queued (durably): a failure before this leaves the records for another try.
  const failureQueueUrl = target.api.publisherFailureQueueUrl!;
  for (const m of received) await target.sqs.send(new DeleteMessageCommand({ QueueUrl: failureQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return { views: views.map((v) => v.name), failureRecords: received.length, ...(since ? { since } : {}) };
}

function failureArrival(message: Message): string {
  try {
    const record = JSON.parse(message.Body ?? '') as { DDBStreamBatchInfo?: { approximateArrivalOfFirstRecord?: string } };
    const arrival = record.DDBStreamBatchInfo?.approximateArrivalOfFirstRecord;
    if (arrival && !Number.isNaN(Date.parse(arrival))) return arrival;
  } catch {
    // reported below
  }
  throw new Error(`A message on the publisher failure queue is not a stream failure record: ${(message.Body ?? '').slice(0, 200)}`);
}

/** Every message on a queue, kept invisible (not deleted) while the caller works. */
async function receiveAll(target: Target, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const receive = new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 0 });
    const { Messages = [] } = await target.sqs.send(receive);
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

/** A view's parked messages and the latest redrive of its dead-letter queue. */
async function deadLetters(target: Target, view: OperatorViewResources): Promise<{ parked: number; redrive?: RedriveTask }> {
  const { depth: parked, arn } = await queueState(target, view.deadLetterQueueUrl);
  const latest = await latestRedrive(target, arn);
  return { parked: total(parked), ...(latest ? { redrive: latest } : {}) };
}

async function latestRedrive(target: Target, deadLetterQueueArn: string): Promise<RedriveTask | undefined> {
  const { Results: [task] = [] } = await target.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: deadLetterQueueArn, MaxResults: 1 }));
  if (!task) return undefined;
  return {
    status: task.Status ?? 'UNKNOWN',
    moved: task.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: task.ApproximateNumberOfMessagesToMove ?? 0,
    ...(task.MaxNumberOfMessagesPerSecond ? { rate: task.MaxNumberOfMessagesPerSecond } : {}),
    startedAt: new Date(task.StartedTimestamp ?? 0).toISOString(),
    ...(task.FailureReason ? { failureReason: task.FailureReason } : {}),
  };
}

export interface RedriveOutcome {
  readonly view: string;
  /** Messages parked when the redrive started (none: no redrive was started). */
  readonly parked: number;
}

/**
 * Redrives views' dead-letter queues: for each view with parked messages, an SQS message move
 * task from its dead-letter queue to its queue, where they are received and applied again (the
 * view's version gating drops what it has already). SQS runs one task per queue at a time: every
 * view is checked before any task starts, so a refusal starts nothing.
 */
export async function redrive(target: Target, views: OperatorViewResources[], options: { rate?: number }): Promise<RedriveOutcome[]> {
  const plans: Array<{ view: OperatorViewResources; parked: number; source: string }> = [];
  for (const view of views) {
    const { depth: parked, arn: source } = await queueState(target, view.deadLetterQueueUrl);
    const running = await latestRedrive(target, source);
    if (running && (running.status === 'RUNNING' || running.status === 'CANCELLING')) {
      throw new Error(`A redrive of ${view.name} is already running (${running.moved} of ${running.toMove} moved): follow it with: status`);
    }
    plans.push({ view, parked: total(parked), source });
  }
  for (const { view, parked, source } of plans) {
    if (parked === 0) continue;
    await target.sqs.send(new StartMessageMoveTaskCommand({
      SourceArn: source,
      DestinationArn: (await queueState(target, view.queueUrl)).arn,
      ...(options.rate ? { MaxNumberOfMessagesPerSecond: options.rate } : {}),
    }));
  }
  return plans.map(({ view, parked }) => ({ view: view.name, parked }));
}

/**
 * Drops a view's parked messages for good (PurgeQueue on its dead-letter queue); returns how many
 * were parked. Their events stay in the events table: the view is behind on those streams until
 * a replay (or the stream's next event) applies them.
 */
export async function discard(target: Target, view: OperatorViewResources): Promise<number> {
  const parked = total(await depth(target, view.deadLetterQueueUrl));
  if (parked === 0) return 0;
  try {
    await target.sqs.send(new PurgeQueueCommand({ QueueUrl: view.deadLetterQueueUrl }));
  } catch (err) {
    if ((err as Error).name === 'PurgeQueueInProgress') throw new Error(`${view.name}'s dead-letter queue was purged less than 60 seconds ago (SQS allows one purge a minute): run it again in a minute`);
    throw err;
  }
  return parked;
}

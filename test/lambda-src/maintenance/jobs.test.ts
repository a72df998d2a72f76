/**
 * Maintenance jobs (backfill, rebuild, replay) on DynamoDB Local. SQS has no local
 * implementation here, so the jobs' SQS calls (the real SQS client) go to the local runtime's SQS
 * endpoint, which keeps SQS's semantics and limits (packages/cli/test/sqs-endpoint.test.ts); the
 * view's queue is drained through the real aggregator runtime.
 */
import { SQSClient, type SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { createHandler } from '../../../lambda-src/aggregator/index';
import { runStep, startJob, type JobMessage, type MaintenanceConfig } from '../../../lambda-src/maintenance/jobs';
import { readProgress } from '../../../lambda-src/maintenance/progress';
import { appendEvent } from '../../../lambda-src/writer/append';
import { LocalQueue } from '../../../packages/cli/src/local-queue';
import { LocalSqsEndpoint } from '../../../packages/cli/src/sqs-endpoint';
import { captureLogs, createEventsTable, createViewTable, dynamoClient, scanAll, type CapturedLogs } from '../../support/local-dynamo';

const VERSION_LOG = {
  handlers: {
    Tick: (view: { versions?: number[] } | undefined, event: { version: number }) => ({ versions: [...(view?.versions ?? []), event.version] }),
  },
};

let logs: CapturedLogs;
const endpoint = new LocalSqsEndpoint();
let sqs: SQSClient;
let url: string;

beforeAll(async () => {
  url = await endpoint.start();
  sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});
afterAll(async () => {
  sqs.destroy();
  await endpoint.stop();
});
beforeEach(() => { logs = captureLogs(); });
afterEach(() => logs.restore());

let queues = 0;

/** A system with streams of 1..5 events each, a view table, and the queues of a job. */
async function system(streams: number, rate: number) {
  const { tableName: eventsTable } = await createEventsTable();
  for (let s = 0; s < streams; s++) {
    for (let v = 0; v <= s % 5; v++) await appendEvent(dynamoClient(), eventsTable, { streamId: `s-${s}`, type: 'Tick', data: {} });
  }
  const viewTable = await createViewTable();
  const n = ++queues;
  const viewQueue = new LocalQueue({ name: `view-${n}.fifo`, fifo: true, visibilityTimeoutMs: 0 });
  const jobsQueue = new LocalQueue({ name: `jobs-${n}`, fifo: false, visibilityTimeoutMs: 0 });
  endpoint.add(`${url}/000000000000/view-${n}.fifo`, viewQueue);
  endpoint.add(`${url}/000000000000/jobs-${n}`, jobsQueue);
  const config: MaintenanceConfig = {
    eventsTable, jobsQueueUrl: `${url}/000000000000/jobs-${n}`, views: { counts: { queueUrl: `${url}/000000000000/view-${n}.fifo`, fifo: true } }, rate,
  };
  const aggregator = createHandler(VERSION_LOG, { viewTable, eventsTable, client: dynamoClient(), viewName: 'counts', streamIdField: 'id' });

  /** Runs the jobs queue and (unless held) the view's queue until the job is over, or `until` holds. */
  interface DriveOptions {
    clients?: { dynamo: ReturnType<typeof dynamoClient>; sqs: SQSClient };
    drainView?: boolean;
    until?: () => Promise<boolean>;
  }
  async function drive(options: DriveOptions = {}) {
    const { clients = { dynamo: dynamoClient(), sqs }, drainView = true } = options;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (await options.until?.()) return;
      if (drainView) {
        for (let batch = viewQueue.receive(10); batch.length; batch = viewQueue.receive(10)) {
          const response = await aggregator({ Records: batch.map((m) => viewQueue.toRecord(m)) as SQSRecord[] });
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          for (const m of batch) (failed.has(m.messageId) ? viewQueue.release(m.receiptHandle) : viewQueue.delete(m.receiptHandle));
        }
      }
      const [job] = jobsQueue.receive(1);
      if (job) {
        const message = JSON.parse(job.body) as JobMessage;
        try {
          if ('start' in message) await startJob(message.start, config, clients);
          else if ('step' in message) await runStep(message.step, config, clients);
          jobsQueue.delete(job.receiptHandle);
        } catch {
          jobsQueue.release(job.receiptHandle); // retried, as the jobs queue would
        }
      } else if (jobsQueue.depth === 0) {
        return;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error('the job did not end within a minute');
  }
  return { eventsTable, viewTable, viewQueue, jobsQueue, config, drive };
}

/** A view record per stream, at its head: versions 1..head, each once, in order. */
async function expectComplete(viewTable: string, streams: number): Promise<void> {
  const records = (await scanAll(viewTable)).filter((item) => !String(item.streamId).startsWith('$'));
  expect(records).toHaveLength(streams);
  for (const record of records) {
    const head = Number(String(record.streamId).slice(2)) % 5 + 1;
    expect({ stream: record.streamId, version: record.version, state: record.state }).toEqual({
      stream: record.streamId, version: head, state: { versions: Array.from({ length: head }, (_, i) => i + 1) },
    });
  }
}

test('a backfill brings a view that never saw the events to the head of every stream, page by page, and marks it ready', async () => {
  const s = await system(23, 7);
  const jobId = await startJob({ view: 'counts', table: s.viewTable, markReady: true, reason: 'backfill' }, s.config, { dynamo: dynamoClient(), sqs });
  await s.drive();
  await expectComplete(s.viewTable, 23);
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({
    jobId, view: 'counts', reason: 'backfill', phase: 'done', ready: true, sent: 23, checked: 23, behind: 0, pass: 1,
  });
  // Pages of at most 7 streams: 4 steps send, 4 check (the last one finds the job done).
  const steps = logs.lines.filter((l) => l.message === 'maintenance step done' && l.jobId === jobId);
  expect(steps.map((l) => l.phase)).toEqual(['send', 'send', 'send', 'send', 'verify', 'verify', 'verify', 'done']);
  // Each step line is a CloudWatch metric too (Embedded Metric Format): catch-ups sent per view,
  // and at the end of a check pass, the streams found behind.
  expect(steps.map((l) => l.CatchUpsSent)).toEqual([7, 7, 7, 2, 0, 0, 0, 0]);
  expect(steps.map((l) => l.StreamsBehind)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined, 0]);
  expect(steps[0]).toMatchObject({
    Api: s.eventsTable,
    View: 'counts',
    _aws: { CloudWatchMetrics: [{ Namespace: 'CdkEventSourcedApi', Dimensions: [['Api', 'View']], Metrics: [{ Name: 'CatchUpsSent', Unit: 'Count' }] }] },
  });
  expect((steps[7]._aws as { CloudWatchMetrics: Array<{ Metrics: unknown }> }).CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'CatchUpsSent', Unit: 'Count' }, { Name: 'StreamsBehind', Unit: 'Count' }]);
});

test('until the catch-ups are applied, verify finds streams behind and checks again; without markReady, done is not ready', async () => {
  const s = await system(6, 100);
  await startJob({ view: 'counts', table: s.viewTable, markReady: false, reason: 'replay' }, s.config, { dynamo: dynamoClient(), sqs });
  // The view's queue is held: the job sends and verifies, but the view stays empty.
  const passes: number[] = [];
  await s.drive({
    drainView: false,
    until: async () => {
      const progress = await readProgress(dynamoClient(), s.viewTable);
      if (progress?.phase === 'verify' && progress.checked === 6 && !passes.includes(progress.pass)) passes.push(progress.pass);
      return passes.length >= 2;
    },
  });
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({ phase: 'verify', behind: 6, pass: 2 });
  await s.drive();
  await expectComplete(s.viewTable, 6);
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({ phase: 'done', ready: false, behind: 0 });
}, 90_000);

test('resumable: a step that fails is retried and the job still completes; a repeated message does its step once', async () => {
  const s = await system(12, 5);
  let failures = 0;
  const flaky = {
    send: (command: SendMessageBatchCommand) => {
      if (command.constructor.name === 'SendMessageBatchCommand' && failures++ < 2) return Promise.reject(new Error('SQS is down'));
      return sqs.send(command);
    },
  } as unknown as SQSClient;
  await startJob({ view: 'counts', table: s.viewTable, markReady: true, reason: 'backfill' }, s.config, { dynamo: dynamoClient(), sqs });
  // Every job message twice: at-least-once delivery of the standard jobs queue.
  const original = s.jobsQueue.send.bind(s.jobsQueue);
  s.jobsQueue.send = (body, ...rest) => {
    original(body, ...rest);
    return original(body, ...rest);
  };
  await s.drive({ clients: { dynamo: dynamoClient(), sqs: flaky } });
  expect(failures).toBeGreaterThan(2);
  await expectComplete(s.viewTable, 12);
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({ phase: 'done', ready: true, sent: 12, checked: 12 });
});

test('a new job on a table supersedes the one running there: its later steps do nothing', async () => {
  const s = await system(10, 3);
  const first = await startJob({ view: 'counts', table: s.viewTable, markReady: false, reason: 'first' }, s.config, { dynamo: dynamoClient(), sqs });
  const second = await startJob({ view: 'counts', table: s.viewTable, markReady: true, reason: 'second' }, s.config, { dynamo: dynamoClient(), sqs });
  await s.drive();
  await expectComplete(s.viewTable, 10);
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({ jobId: second, reason: 'second', phase: 'done', ready: true, sent: 10 });
  expect(logs.lines.filter((l) => l.message === 'maintenance step done' && l.jobId === first)).toEqual([]);
});

test('an unknown view is an error; an empty catalogue is done at once', async () => {
  const s = await system(0, 10);
  await expect(startJob({ view: 'nope', table: s.viewTable, markReady: true, reason: 'x' }, s.config, { dynamo: dynamoClient(), sqs })).rejects.toThrow(/No view named "nope"/);
  await startJob({ view: 'counts', table: s.viewTable, markReady: true, reason: 'backfill' }, s.config, { dynamo: dynamoClient(), sqs });
  await s.drive();
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({ phase: 'done', ready: true, sent: 0 });
});

test('a job bounded by `since` sends catch-ups only for streams written since then, and verifies only those', async () => {
  const s = await system(8, 3); // s-0..s-7, all written before `since`
  await new Promise((resolve) => setTimeout(resolve, 20));
  const since = new Date().toISOString();
  for (const streamId of ['s-1', 's-6']) await appendEvent(dynamoClient(), s.eventsTable, { streamId, type: 'Tick', data: {} });
  await appendEvent(dynamoClient(), s.eventsTable, { streamId: 'late-1', type: 'Tick', data: {} });
  await startJob({ view: 'counts', table: s.viewTable, markReady: false, reason: 'replay', since }, s.config, { dynamo: dynamoClient(), sqs });
  await s.drive();
  const records = (await scanAll(s.viewTable)).filter((item) => !String(item.streamId).startsWith('$'));
  expect(records.map((r) => [r.streamId, r.version]).sort()).toEqual([['late-1', 1], ['s-1', 3], ['s-6', 3]]);
  expect(await readProgress(dynamoClient(), s.viewTable)).toMatchObject({ phase: 'done', sent: 3, checked: 3, behind: 0, ready: false });
});

/**
 * How fast views evolve on the local runtime: the example app stores `--streams` customers (two
 * events each) in a data folder; the next start adds the "emails" view, whose backfill is timed;
 * the start after raises its version, whose rebuild is timed while GETs check that no record
 * answers 404. `npm run benchmark:views -- --streams 1000 --rate 100`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { arg, BENCHMARK_RUNTIME } from './bench-support';
import { buildExampleApp, ExampleAppOptions } from '../examples/typescript/app';
import { LocalRuntime } from '../packages/cli/src';
import { status } from '../packages/cli/src/operator/commands';
import { localTarget } from '../packages/cli/src/operator/target';

const STREAMS = arg('streams', 1000);
const RATE = arg('rate', 100);
const CONCURRENCY = 16;

async function start(root: string, name: string, options: ExampleAppOptions): Promise<LocalRuntime> {
  const app = new App({ outdir: path.join(root, name) });
  buildExampleApp(app, { catchUpRate: RATE, ...options });
  return LocalRuntime.start({ app, dataDir: path.join(root, 'data'), ...BENCHMARK_RUNTIME });
}

/** Runs `work` over the items, `CONCURRENCY` at a time. */
async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/** Waits until the emails view's job is done (or stalled); returns its phases' timings. */
async function timeJob(runtime: LocalRuntime, during?: () => Promise<void>) {
  const target = await localTarget(runtime.operatorUrl);
  const began = performance.now();
  let sentAt: number | undefined;
  try {
    for (;;) {
      const job = (await status(target, { scan: false })).views.find((v) => v.name === 'emails')!.job;
      if (job?.phase !== 'send' && sentAt === undefined && job) sentAt = performance.now();
      if (job?.phase === 'done' || job?.phase === 'stalled') return { job, sendMs: (sentAt ?? performance.now()) - began, totalMs: performance.now() - began };
      await (during ? during() : new Promise((resolve) => setTimeout(resolve, 100)));
    }
  } finally {
    target.dynamo.destroy();
    target.sqs.destroy();
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-bench-views-'));
  const ids = Array.from({ length: STREAMS }, (_, i) => `customer-${i}`);
  try {
    let runtime = await start(root, 'v1', {});
    const post = (body: object) => fetch(`${runtime.url}/`, { method: 'POST', body: JSON.stringify(body) }).then(async (res) => {
      if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
    });
    const loadStart = performance.now();
    await inParallel(ids, async (id) => {
      await post({ type: 'CustomerRegistered', id, name: id, email: `${id}@example.com` });
      await post({ type: 'EmailChanged', id, email: `${id}@example.org` });
    });
    await runtime.waitUntilIdle(600_000);
    console.log(`stored ${STREAMS} streams (${2 * STREAMS} events) in ${((performance.now() - loadStart) / 1000).toFixed(1)} s; catchUpRate ${RATE}`);
    await runtime.stop();

    // A view added: its backfill runs on start.
    const startAt = performance.now();
    runtime = await start(root, 'v2', { withEmailsView: true });
    const started = performance.now() - startAt;
    const backfill = await timeJob(runtime);
    console.log(`backfill of a new view over ${STREAMS} streams: catch-ups sent in ${(backfill.sendMs / 1000).toFixed(1)} s ` +
      `(${(STREAMS / (backfill.sendMs / 1000)).toFixed(0)} streams/s), complete and verified in ${(backfill.totalMs / 1000).toFixed(1)} s ` +
      `(${(STREAMS / (backfill.totalMs / 1000)).toFixed(0)} streams/s); start took ${(started / 1000).toFixed(1)} s; job ${backfill.job.phase}, ${backfill.job.sent} sent, ${backfill.job.behind} behind`);
    await runtime.stop();

    // A raised version: the rebuild, with reads going on.
    runtime = await start(root, 'v3', { withEmailsView: true, emailsVersion: 2 });
    let reads = 0;
    let notFound = 0;
    const rebuild = await timeJob(runtime, async () => {
      const id = ids[reads % ids.length];
      const res = await fetch(`${runtime.url}/emails/${id}`);
      await res.arrayBuffer();
      reads++;
      if (res.status === 404) notFound++;
    });
    console.log(`rebuild (version 2) of ${STREAMS} streams: ${(rebuild.totalMs / 1000).toFixed(1)} s until ready ` +
      `(catch-ups sent in ${(rebuild.sendMs / 1000).toFixed(1)} s); ${reads} GETs during it, ${notFound} answered 404; job ${rebuild.job.phase}, ready ${rebuild.job.ready}`);
    await runtime.stop();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

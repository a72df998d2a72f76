/**
 * The operator commands of the `cdk-event-sourced-api` bin (not a Lambda handler: they share
 * lambda-src's maintenance and core modules by import, bundled into the CLI package's lib/cli.js).
 */
import { COMMANDS, type OperatorCommand } from './command-names';
import { discard, redrive, replay, selectViews, startJobs, status, type ApiStatus, type RedriveTask } from './commands';
import type { ViewIndexesStatus } from './index-status';
import { localTarget, stackTarget, type Target } from './target';
import { waitIdle } from './wait-idle';

export const OPERATOR_USAGE = `Usage: cdk-event-sourced-api <status|backfill|rebuild|replay|redrive|discard|wait-idle> <where> [options]

Where (one of):
  --stack <name> [--region <r>] [--profile <p>]   a deployed stack (AWS SDK credentials)
  --local <url>                                   a running local runtime (its operator URL)
  --api <path>                                    the EventSourcedApi, when the stack has several

Commands:
  status   [--view <v>] [--no-scan] [--json]
           per view: its version and rebuild, its latest job, queued and parked messages,
           and (unless --no-scan) the streams and events it is behind the events table
  backfill [--view <v>]
           catch-up job for one view or all: every stream is brought to its last event
  rebuild  --view <v>
           runs the catch-up of the view's current version again, and switches reads to it
           when done (to rebuild with new projection code, raise the projection's version)
  replay   [--view <v>] [--failures] [--since <ISO time>]
           re-publishes events from the events table to one view or all; --failures bounds
           it by the publisher's failure records and takes them off their queue
  redrive  --view <v> | --all [--rate <n>]
           after a fix: moves a view's parked messages (or every view's) from its dead-letter
           queue back to its queue, where they are applied again; --rate caps the messages
           moved a second (1-500; default: as fast as SQS goes); follow it with status
  discard  --view <v> --yes
           drops a view's parked messages for good; their events stay in the events table,
           and the view stays behind on those streams (status shows it) until a replay
           --view <v> or the stream's next event applies them
  wait-idle --local <url> [--timeout <seconds>]
           for integration tests: returns once every event appended so far is published
           and applied by every view, or parked; fails after the timeout (default: 30),
           naming what is still pending. A local runtime only: on AWS, nothing short of a
           full scan tells an event still in the DynamoDB stream from one applied`;

export interface OperatorArgs {
  readonly command: OperatorCommand;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly local?: string;
  readonly api?: string;
  readonly view?: string;
  readonly scan: boolean;
  readonly json: boolean;
  readonly failures: boolean;
  readonly since?: string;
  /** redrive: every view with parked messages. */
  readonly all: boolean;
  /** redrive: messages moved a second. */
  readonly rate?: number;
  /** discard: confirmed. */
  readonly yes: boolean;
  /** wait-idle: how long to wait, in milliseconds. */
  readonly timeoutMs?: number;
}

/** wait-idle's default --timeout, in seconds: LocalRuntime.waitUntilIdle's. */
const DEFAULT_IDLE_TIMEOUT_S = 30;

/** SQS's bounds for MaxNumberOfMessagesPerSecond. */
const MAX_RATE = 500;

export function parseOperatorArgs(argv: string[]): OperatorArgs {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as OperatorCommand)) throw new Error(`Unknown command "${command}"\n\n${OPERATOR_USAGE}`);
  const args: Record<string, string | boolean | number> = { scan: true, json: false, failures: false, all: false, yes: false };
  const valued = ['--stack', '--region', '--profile', '--local', '--api', '--view', '--since', '--rate', '--timeout'];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (valued.includes(arg)) {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
      args[arg.slice(2)] = value;
    } else if (['--no-scan', '--json', '--failures', '--all', '--yes'].includes(arg)) {
      args[arg === '--no-scan' ? 'scan' : arg.slice(2)] = arg !== '--no-scan';
    } else {
      throw new Error(`Unknown option "${arg}" for ${command}\n\n${OPERATOR_USAGE}`);
    }
  }
  if (args.rate !== undefined) {
    if (command !== 'redrive') throw new Error('--rate goes with redrive');
    if (!/^\d+$/.test(String(args.rate)) || Number(args.rate) < 1 || Number(args.rate) > MAX_RATE) {
      throw new Error(`--rate needs a whole number of messages a second from 1 to ${MAX_RATE}, got "${args.rate}"`);
    }
    args.rate = Number(args.rate);
  }
  if (args.timeout !== undefined) {
    if (command !== 'wait-idle') throw new Error('--timeout goes with wait-idle');
    if (!/^\d+(\.\d+)?$/.test(String(args.timeout))) throw new Error(`--timeout needs a number of seconds, got "${args.timeout}"`);
  }
  if (command === 'wait-idle') {
    if (args.stack) throw new Error('wait-idle works on a local runtime only (--local <operator URL>): on AWS, nothing short of a full scan tells an event still in the DynamoDB stream from one applied');
    // It waits for every view of every API: an option that narrows it would be ignored.
    for (const option of ['view', 'api', 'json', 'failures'] as const) if (args[option]) throw new Error(`--${option} does not go with wait-idle`);
    if (!args.scan) throw new Error('--no-scan does not go with wait-idle');
    args.timeoutMs = Math.round(Number(args.timeout ?? DEFAULT_IDLE_TIMEOUT_S) * 1000);
    delete args.timeout;
  }
  const parsed = { command, ...args } as unknown as OperatorArgs;
  if (Boolean(parsed.stack) === Boolean(parsed.local)) throw new Error(`${command} needs --stack <name> or --local <url> (one of them)`);
  if (parsed.local && (parsed.region || parsed.profile)) throw new Error('--region and --profile go with --stack, not --local');
  if (command === 'rebuild' && !parsed.view) throw new Error('rebuild needs --view <name>');
  if (parsed.since !== undefined && (command !== 'replay' || Number.isNaN(Date.parse(parsed.since)))) {
    throw new Error(command === 'replay' ? `--since needs an ISO time, got "${parsed.since}"` : '--since goes with replay');
  }
  if (parsed.failures && command !== 'replay') throw new Error('--failures goes with replay');
  if (parsed.all && command !== 'redrive') throw new Error('--all goes with redrive');
  if (command === 'redrive' && Boolean(parsed.view) === parsed.all) throw new Error('redrive needs --view <name> or --all (one of them)');
  if (parsed.yes && command !== 'discard') throw new Error('--yes goes with discard');
  if (command === 'discard' && !parsed.view) throw new Error('discard needs --view <name>');
  if (command === 'discard' && !parsed.yes) {
    throw new Error(`discard drops ${parsed.view}'s parked messages for good (the view stays behind on their streams until a replay): add --yes to confirm`);
  }
  return parsed;
}

/** Runs one operator command; returns what to print. */
export async function runOperator(args: OperatorArgs): Promise<string> {
  // Asks the runtime itself: the AWS endpoints cannot tell what is still in the stream.
  if (args.command === 'wait-idle') return waitIdle(args.local!, args.timeoutMs!);
  const target: Target = args.local
    ? await localTarget(args.local, args.api)
    : await stackTarget({ stack: args.stack!, region: args.region, profile: args.profile, api: args.api });
  try {
    switch (args.command) {
      case 'status': {
        const result = await status(target, { scan: args.scan, views: selectViews(target.api, args.view) });
        return args.json ? JSON.stringify(result, null, 2) : formatStatus(result, target.where);
      }
      case 'backfill': {
        const views = selectViews(target.api, args.view);
        await startJobs(target, views, { markReady: false, reason: 'backfill (operator)' });
        return `Backfill queued for ${views.map((v) => v.name).join(', ')}; follow it with: status`;
      }
      case 'rebuild': {
        const views = selectViews(target.api, args.view);
        await startJobs(target, views, { markReady: true, reason: `rebuild (version ${views[0].version}, operator)` });
        return `Rebuild of ${views[0].name} v${views[0].version} queued; reads switch to it when it has caught up; follow it with: status`;
      }
      case 'replay': {
        const outcome = await replay(target, { view: args.view, failures: args.failures, since: args.since });
        if (args.failures && outcome.failureRecords === 0) return 'No publisher failure records: nothing to replay';
        const bound = outcome.since ? `streams written since ${outcome.since}` : 'every stream';
        const records = args.failures ? ` (bounded by ${outcome.failureRecords} failure record(s), now removed from their queue)` : '';
        return `Replay queued for ${outcome.views.join(', ')}: ${bound}${records}; follow it with: status`;
      }
      case 'redrive': {
        const outcomes = await redrive(target, selectViews(target.api, args.view), { rate: args.rate });
        const started = outcomes.filter((o) => o.parked > 0);
        if (started.length === 0) return args.view ? `Nothing parked in ${args.view}: no redrive started` : 'Nothing parked in any view: no redrive started';
        const rate = args.rate ? `, ${args.rate} a second` : '';
        return `Redrive started for ${started.map((o) => `${o.view} (${o.parked} parked)`).join(', ')}${rate}: the messages go back to the view's queue ` +
          'and are applied again; follow it with: status';
      }
      case 'discard': {
        const [view] = selectViews(target.api, args.view);
        const dropped = await discard(target, view);
        if (dropped === 0) return `Nothing parked in ${view.name}: nothing discarded`;
        return `Discarded ${dropped} parked message(s) of ${view.name} for good (SQS may take up to 60 s to delete them). Their events are still ` +
          `in the events table: ${view.name} is behind on those streams until replay --view ${view.name} (or the stream's next event) applies them; status shows it`;
      }
    }
  } finally {
    target.dynamo.destroy();
    target.sqs.destroy();
  }
}

export function formatStatus(s: ApiStatus, where: string): string {
  const lines = [`${s.owner} in ${where}`];
  const facts = [
    s.streams === undefined ? undefined : `${s.streams} stream(s)`,
    s.publisherFailures === undefined ? undefined : `publisher failure records: ${s.publisherFailures}${s.publisherFailures ? ' (replay --failures)' : ''}`,
    s.jobs ? `jobs: ${s.jobs.waiting + s.jobs.inFlight} queued, ${s.jobsParked ?? 0} parked` : undefined,
  ].filter(Boolean);
  if (facts.length) lines.push(`  ${facts.join(' · ')}`);
  for (const problem of s.eventsTableProblems) lines.push(`  events table: ${problem}`);
  for (const v of s.views) {
    const behind = v.streamsBehind === undefined ? '' : v.streamsBehind === 0 ? ', up to date'
      : `, behind: ${v.streamsBehind} stream(s), ${v.versionsBehind} event(s), lag ${formatDuration(v.lagMs ?? 0)} (the oldest event not applied)`;
    lines.push(`  ${v.name} v${v.version}${v.rebuilding ? ' (rebuilding: reads still come from the previous version)' : ''}${behind}`);
    if (v.upcastersChangedAt) lines.push(`    built with earlier upcasters (changed ${v.upcastersChangedAt}): raise its version to rebuild`);
    lines.push(`    queue: ${v.queue.waiting} waiting, ${v.queue.inFlight} in flight · parked: ${v.parked}${v.parked ? ` (after a fix: redrive --view ${v.name})` : ''}`);
    if (v.redrive) lines.push(`    redrive: ${formatRedrive(v.redrive)}`);
    if (v.job) {
      const j = v.job;
      const check = j.phase === 'verify' || j.phase === 'done' || j.phase === 'stalled' ? `, pass ${j.pass}: ${j.checked} checked, ${j.behind} behind` : '';
      lines.push(`    job: ${j.reason}: ${j.phase}, ${j.sent} stream(s) sent${check}${j.ready ? ', ready' : ''} (started ${j.startedAt}, updated ${j.updatedAt})`);
    }
    if (v.indexes) lines.push(...formatIndexes(v.indexes));
  }
  return lines.join('\n');
}

/** A view's indexes: "indexes: byStatus ready, byTotal restamping", then its restamp and the records left out. */
function formatIndexes(x: ViewIndexesStatus): string[] {
  const lines = [`    indexes: ${x.indexes.map((i) => `${i.name} ${i.state}`).join(', ') || 'none'}`];
  const r = x.restamp;
  if (r) {
    const check = r.phase === 'verify' || r.phase === 'done' || r.phase === 'stalled' ? `, pass ${r.pass}: ${r.checked} checked, ${r.behind} restamped again` : '';
    lines.push(`    restamp: ${r.reason}: ${r.phase}, ${r.sent} record(s) restamped${check} (started ${r.startedAt}, updated ${r.updatedAt})`);
  }
  if (x.unindexable) lines.push(`    ${x.unindexable} record(s) left out of an index: a key field DynamoDB refuses (see the maintenance function's warnings)`);
  return lines;
}

/** "RUNNING, 3 of 10 moved, 5 a second (started …)"; a failed one says why. */
export function formatRedrive(task: RedriveTask): string {
  const failed = task.failureReason ? `: ${task.failureReason}` : '';
  const rate = task.rate ? `, ${task.rate} a second` : '';
  return `${task.status}, ${task.moved} of ${task.toMove} moved${rate}${failed} (started ${task.startedAt})`;
}

/** "850 ms", "12.3 s", "4.5 min", "2.1 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

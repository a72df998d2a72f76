/**
 * What the library's functions said in an invocation, read from their JSON log lines (one object
 * per line: `{ level, message, ...fields }`, lambda-src/core/log.ts), so the local log can show the
 * cause of a failure or the end of a job without `--function-logs`.
 */
import * as path from 'node:path';

/** A line the function wrote as JSON, with its fields. */
type LogLine = Record<string, unknown> & { readonly level?: string; readonly message?: string };

/** The JSON lines among `logs` (a console call may hold several lines). */
export function jsonLines(logs: readonly string[]): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of logs.flatMap((l) => l.split('\n'))) {
    if (!text.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) lines.push(parsed as LogLine);
    } catch {
      // Not one of the library's lines.
    }
  }
  return lines;
}

/** Why a projection failed on a stream: the error's first line and where it was thrown. */
export interface ProjectionFailure {
  /** `Error: bad fine amount: -5`. */
  readonly error: string;
  /** The frames of the stack outside Node and the library's runtime (mapped to the projection's source when its bundle has a source map). */
  readonly frames: string[];
}

/** Messages the aggregator logs when it fails a stream (lambda-src/aggregator/runtime.ts). */
const FAILURE_MESSAGES = ['projection handler failed', 'stream processing failed'];

/**
 * The aggregator's own account of why it failed `streamId` in this invocation, if it gave one.
 * `codeDir` is the function's code folder: a projection's source map names its files relative to
 * the folder the app was synthesized in, so a mapped frame reads `<codeDir>/projections/x.ts`
 * (`/var/task/projections/x.ts` on Lambda), and without that prefix, the app's own path.
 */
export function projectionFailure(logs: readonly string[], streamId: string | undefined, codeDir?: string): ProjectionFailure | undefined {
  const line = jsonLines(logs).find((l) => l.level === 'error' && FAILURE_MESSAGES.includes(String(l.message)) && (streamId === undefined || l.streamId === streamId));
  if (!line) return undefined;
  const error = String(line.error ?? 'unknown error').split('\n')[0];
  const stack = typeof line.stack === 'string' ? line.stack.split('\n').slice(1) : [];
  const local = (frame: string) => (codeDir ? frame.split(`${codeDir}${path.sep}`).join('') : frame);
  return { error, frames: stack.map((f) => local(f.trim())).filter(isUserFrame) };
}

/**
 * A frame of the user's code: one with a file and line that is not Node's own, nor the bundle's
 * own unmapped code (the library's runtime, which the source map leaves out).
 */
function isUserFrame(frame: string): boolean {
  const location = /\(([^()]+):\d+:\d+\)$/.exec(frame)?.[1] ?? /^at (?:async )?([^ ()]+):\d+:\d+$/.exec(frame)?.[1];
  return location !== undefined && !location.startsWith('node:') && location !== 'index.js' && !/aggregator-runtime|lambda-src[\\/]/.test(location);
}

/** " at projections/fines.ts:12:11" for the top frame of the user's code, relative to `cwd` where it can be. */
export function thrownAt(failure: ProjectionFailure, cwd = process.cwd()): string {
  const top = failure.frames[0];
  if (!top) return '';
  const location = /\(([^()]+)\)$/.exec(top)?.[1] ?? top.replace(/^at /, '');
  const relative = location.startsWith(`${cwd}/`) ? location.slice(cwd.length + 1) : location;
  return ` (at ${relative})`;
}

/** The line the maintenance function logs for each step of a job (lambda-src/maintenance/jobs.ts `runStep`). */
export interface MaintenanceStep {
  readonly view: string;
  readonly reason: string;
  /** `restamp` for a job that rewrites index attributes (its `sent` counts records restamped). */
  readonly kind?: 'restamp';
  readonly step: number;
  /** The job's phase after this step: `done` or `stalled` when it ended. */
  readonly phase: 'send' | 'verify' | 'done' | 'stalled';
  readonly sent: number;
  readonly checked: number;
  readonly behind: number;
  readonly pass: number;
  readonly ready: boolean;
  /** From the job's start to its end; only on the step that ends it. */
  readonly jobDurationMs?: number;
}

/** What a reconcile step of a view's indexes did, from the lines the maintenance function logged (lambda-src/maintenance/index-jobs.ts). */
export function indexReconcileLine(logs: readonly string[]): string | undefined {
  for (const line of jsonLines(logs)) {
    if (line.message === 'view index creation started') return `${String(line.view)}: creating index ${String(line.gsi)}`;
    if (line.message === 'view index deletion started') return `${String(line.view)}: deleting index ${String(line.gsi)}`;
    if (line.message === 'view indexes reconciled') {
      const names = line.indexes as string[];
      return `${String(line.view)}: ${names.length ? `indexes ${names.join(', ')} built` : 'no index left'}`;
    }
  }
  return undefined;
}

/** The step the maintenance function logged in this invocation, if it ran one. */
export function maintenanceStep(logs: readonly string[]): MaintenanceStep | undefined {
  return jsonLines(logs).find((l) => l.message === 'maintenance step done') as unknown as MaintenanceStep | undefined;
}

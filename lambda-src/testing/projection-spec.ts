import { recordDiff, sameJson } from './record-diff';
import { apiRecordOf, describeEvent, runScenario, type ScenarioRun, type SpecContext, type Step, type StreamRun } from './scenario';
import { SpecUsageError } from './spec-events';
import { KEYS } from '../../src/contract';
import type {
  GivenRecordOptions, ProjectionSpec, SpecEvent, SpecExpectation, SpecOutcome, SpecRecord, SpecScenario,
} from '../../src/testing/types';
import { messageOf } from '../core/describe-value';

/** Why a spec failed: its message holds the diff and the event that produced the record. */
export class SpecFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecFailure';
  }
}

/** A projection under test, given its handlers and the API's settings (see `projectionSpec` in the entry point). */
export function specOf(context: SpecContext): ProjectionSpec {
  return new Scenario(context, []);
}

class Scenario implements SpecScenario {
  constructor(private readonly context: SpecContext, private readonly steps: readonly Step[]) {}

  public given(...events: SpecEvent[]): SpecScenario {
    return new Scenario(this.context, [...this.steps, ...events.map((event): Step => ({ kind: 'event', event, phase: 'given' }))]);
  }

  public givenRecord(record: SpecRecord, options: GivenRecordOptions = {}): SpecScenario {
    return new Scenario(this.context, [...this.steps, { kind: 'record', record, options }]);
  }

  public when(...events: SpecEvent[]): SpecExpectation {
    if (events.length === 0) throw new SpecUsageError('when() needs at least one event');
    return new Expectation(this.context, [...this.steps, ...events.map((event): Step => ({ kind: 'event', event, phase: 'when' }))]);
  }
}

class Expectation implements SpecExpectation {
  constructor(private readonly context: SpecContext, private readonly steps: readonly Step[]) {}

  /**
   * Also what `await` calls on an object with a `then` method: awaiting `when(…)` itself, with no
   * expectation, would pass whatever happened, so it rejects instead.
   */
  public then(expected: SpecRecord, streamId?: string): Promise<void> {
    if (typeof expected === 'function') {
      const reject = streamId as unknown as ((reason: unknown) => void) | undefined;
      const error = new SpecUsageError('A spec was awaited without an expectation: end it with .then(record), .thenRecords(…), .thenDeleted(), .thenUnchanged() or .thenFails(…)');
      if (typeof reject !== 'function') return Promise.reject(error);
      reject(error);
      return Promise.resolve();
    }
    return this.check(async (run) => {
      const [id, stream] = this.streamOf(run, streamId);
      compareRecord(expected, this.recordOf(stream, id), id, stream, this.context);
    });
  }

  public thenRecords(expected: Record<string, SpecRecord | null>): Promise<void> {
    return this.check(async (run) => {
      for (const [id, record] of Object.entries(expected)) {
        const stream = run.streams.get(id);
        if (record === null) expectNoRecord(this.recordOf(stream, id), id, stream, 'no record');
        else compareRecord(record, this.recordOf(stream, id), id, stream, this.context);
      }
    });
  }

  public thenDeleted(streamId?: string): Promise<void> {
    return this.check(async (run) => {
      const [id, stream] = this.streamOf(run, streamId);
      expectNoRecord(this.recordOf(stream, id), id, stream, 'the record deleted');
    });
  }

  public thenUnchanged(streamId?: string): Promise<void> {
    return this.check(async (run) => {
      const [id, stream] = this.streamOf(run, streamId);
      const before = stream?.before.state;
      const after = stream?.after.state;
      if (!sameJson(before, after)) {
        throw new SpecFailure(`Expected the record of stream "${id}" unchanged by the when events${producedBy(stream)}\n${recordDiff(before, after)}`);
      }
    });
  }

  public async thenFails(pattern?: RegExp | string): Promise<void> {
    const run = await runScenario(this.context, this.steps);
    if (!run.failure) {
      const [id, stream] = this.streamOf(run);
      throw new SpecFailure(`Expected a when event to fail${pattern === undefined ? '' : ` with ${String(pattern)}`}, but every event applied; ` +
        `the record of stream "${id}" is\n${JSON.stringify(this.recordOf(stream, id), null, 2) ?? '(no record)'}`);
    }
    const message = messageOf(run.failure.error);
    const matches = pattern === undefined || (typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message));
    if (!matches) {
      throw new SpecFailure(`Expected ${describeEvent(run.failure.event)} to fail with ${String(pattern)}, but it failed with:\n${message}`);
    }
  }

  public async run(): Promise<SpecOutcome> {
    const run = await runScenario(this.context, this.steps);
    const records: Record<string, SpecRecord | undefined> = {};
    for (const [id, stream] of run.streams) records[id] = this.recordOf(stream, id);
    const failure = run.failure && {
      streamId: run.failure.event.streamId,
      version: run.failure.event.version,
      type: run.failure.event.type,
      message: messageOf(run.failure.error),
      error: run.failure.error,
    };
    return { records, ...(failure ? { failure } : {}) };
  }

  /** Runs the events; an unexpected failure fails the expectation, naming the event and its error. */
  private async check(assert: (run: ScenarioRun) => Promise<void>): Promise<void> {
    const run = await runScenario(this.context, this.steps);
    if (run.failure) {
      const { event, error } = run.failure;
      const failure = new SpecFailure(`${capitalized(describeEvent(event))} failed (in Lambda it would be retried, then parked):\n${messageOf(error)}`);
      throw Object.assign(failure, { cause: error });
    }
    await assert(run);
  }

  /** The stream named, or the last `when` event's. */
  private streamOf(run: ScenarioRun, streamId?: string): [string, StreamRun | undefined] {
    const id = streamId ?? run.whenStreams[run.whenStreams.length - 1];
    return [id, run.streams.get(id)];
  }

  private recordOf(stream: StreamRun | undefined, streamId: string): SpecRecord | undefined {
    return apiRecordOf(stream?.after, streamId, this.context.streamIdField);
  }
}

/** Compares as GET answers: `version` and the stream id field only when `expected` names them. */
function compareRecord(
  expected: SpecRecord, actual: SpecRecord | undefined, streamId: string, stream: StreamRun | undefined, context: SpecContext,
): void {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    throw new SpecUsageError(`then() needs the expected record (an object); use thenDeleted() for none, got ${JSON.stringify(expected)}`);
  }
  let shown = actual;
  if (actual !== undefined) {
    const copy: SpecRecord = { ...actual };
    for (const field of [KEYS.version, context.streamIdField]) if (!Object.prototype.hasOwnProperty.call(expected, field)) delete copy[field];
    shown = copy;
  }
  if (shown === undefined || !sameJson(expected, shown)) {
    throw new SpecFailure(`The record of stream "${streamId}" is not the one expected${producedBy(stream)}\n${recordDiff(expected, shown)}`);
  }
}

function expectNoRecord(actual: SpecRecord | undefined, streamId: string, stream: StreamRun | undefined, what: string): void {
  if (actual !== undefined) {
    throw new SpecFailure(`Expected ${what} for stream "${streamId}"${producedBy(stream)}, but it is\n${JSON.stringify(actual, null, 2)}`);
  }
}

function producedBy(stream: StreamRun | undefined): string {
  return stream?.lastEvent ? ` (after ${describeEvent(stream.lastEvent)})` : ' (no event was applied to it)';
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

import { SpecUsageError, storedEventOf } from './spec-events';
import { KEYS } from '../../src/contract';
import type { GivenRecordOptions, SpecEvent, SpecRecord } from '../../src/testing/types';
import { applyInOrder, type ViewRecord } from '../aggregator/apply';
import type { ProjectionEvent, ProjectionHandlers } from '../aggregator/projection-module';
import { toApiRecord } from '../core/api-record';
import { toAttributeValue } from '../core/attribute-value';
import { messageOf } from '../core/describe-value';
import type { Upcasting } from '../core/upcast';
import { findDataProblem } from '../core/user-data';
import type { IndexSpec } from '../core/view-indexes';

/** What a spec runs against: the projection's handlers and the API's settings. */
export interface SpecContext {
  readonly handlers: ProjectionHandlers;
  readonly upcasting: Upcasting;
  readonly streamIdField: string;
  /** The stream of events that name none. */
  readonly streamId: string;
  /** The view's indexes: a record they cannot take fails its event. @default none */
  readonly indexes?: readonly IndexSpec[];
}

export type Step =
  | { readonly kind: 'event'; readonly event: SpecEvent; readonly phase: 'given' | 'when' }
  | { readonly kind: 'record'; readonly record: SpecRecord; readonly options: GivenRecordOptions };

/** One stream after a run: where it was before the `when` events, where it ended, and its last event. */
export interface StreamRun {
  readonly before: ViewRecord;
  readonly after: ViewRecord;
  /** The last event applied to it (given or when). */
  readonly lastEvent?: ProjectionEvent;
}

export interface ScenarioRun {
  readonly streams: ReadonlyMap<string, StreamRun>;
  /** Streams `when` events went to, in order. */
  readonly whenStreams: readonly string[];
  readonly failure?: { readonly event: ProjectionEvent; readonly error: unknown };
}

/**
 * Applies the steps through the aggregator's own `applyInOrder` (the record rules, upcasting,
 * unknown types advancing the version), one event at a time as deliveries arrive. A failing
 * `when` event stops its stream, as in Lambda, where the stream waits behind the parked event;
 * other streams go on.
 */
export async function runScenario(context: SpecContext, steps: readonly Step[]): Promise<ScenarioRun> {
  const records = new Map<string, ViewRecord>();
  const before = new Map<string, ViewRecord>();
  const lastEvents = new Map<string, ProjectionEvent>();
  const whenStreams: string[] = [];
  const stuck = new Set<string>();
  let failure: ScenarioRun['failure'];
  let sequence = 0;
  for (const step of steps) {
    if (step.kind === 'record') {
      const streamId = step.options.streamId ?? context.streamId;
      if (records.has(streamId)) throw new SpecUsageError(`givenRecord for stream "${streamId}" comes after its events or another givenRecord`);
      records.set(streamId, givenRecord(step.record, step.options.version ?? 0, context));
      continue;
    }
    const streamId = streamIdOf(step.event, context);
    const start = records.get(streamId) ?? { version: 0, state: undefined };
    if (step.phase === 'when') {
      if (!before.has(streamId)) before.set(streamId, start);
      if (!whenStreams.includes(streamId)) whenStreams.push(streamId);
    }
    const event = storedEventOf(step.event, streamId, start.version + 1, sequence++, context.upcasting);
    if (stuck.has(streamId)) continue;
    const outcome = await applyInOrder(context.handlers, start, [event], {
      streamIdField: context.streamIdField, upcasting: context.upcasting, indexes: context.indexes,
    });
    if (outcome.failure) {
      if (step.phase === 'given') {
        throw new SpecUsageError(`A given event failed, so the spec cannot start: ${describeEvent(event)}: ${messageOf(outcome.failure.error)}`);
      }
      failure ??= { event, error: outcome.failure.error };
      stuck.add(streamId);
      continue;
    }
    records.set(streamId, outcome.record);
    lastEvents.set(streamId, event);
  }
  const streams = new Map<string, StreamRun>();
  for (const [streamId, after] of records) {
    streams.set(streamId, { before: before.get(streamId) ?? after, after, lastEvent: lastEvents.get(streamId) });
  }
  return { streams, whenStreams, failure };
}

/** The record as `GET /{view}/{id}` answers it, through the same marshalling and reader code. */
export function apiRecordOf(record: ViewRecord | undefined, streamId: string, streamIdField: string): SpecRecord | undefined {
  if (record?.state === undefined) return undefined;
  return toApiRecord({
    [KEYS.streamId]: { S: streamId },
    [KEYS.version]: { N: String(record.version) },
    [KEYS.state]: toAttributeValue(record.state),
  }, streamIdField);
}

/** An error's message, whatever realm made it (a module the kit loads runs in Node's own). */

export function describeEvent(event: ProjectionEvent): string {
  const schema = event.schemaVersion === 1 ? '' : ` (schema version ${event.schemaVersion})`;
  return `event ${event.version} of stream "${event.streamId}", ${event.type}${schema} ${JSON.stringify(event.data)}`;
}

function streamIdOf(event: SpecEvent, context: SpecContext): string {
  const streamId = event?.streamId ?? context.streamId;
  if (typeof streamId !== 'string' || streamId.length === 0) throw new SpecUsageError(`An event's streamId must be a non-empty string, got ${JSON.stringify(streamId)}`);
  return streamId;
}

/** A record the view already holds: checked by the rules a handler's record is held to. */
function givenRecord(record: SpecRecord, version: number, context: SpecContext): ViewRecord {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new SpecUsageError('givenRecord needs an object');
  if (!Number.isInteger(version) || version < 0) throw new SpecUsageError(`givenRecord's version must be a whole number from 0, got ${JSON.stringify(version)}`);
  const state: Record<string, unknown> = { ...record };
  // As GET answers it, or as the projection returned it: the two fields the reader adds are dropped.
  delete state[KEYS.version];
  delete state[context.streamIdField];
  const problem = findDataProblem(state);
  if (problem) throw new SpecUsageError(`givenRecord's field ${problem.path} ${problem.reason}`);
  return { version, state };
}

import type { ProjectionEvent, ProjectionHandlers, ViewState } from './projection-module';
import { KEYS } from '../../src/contract';
import { Upcasting } from '../core/upcast';
import { findDataProblem } from '../core/user-data';
import { describeIndexKeyProblem, indexAttributes, type IndexSpec } from '../core/view-indexes';

/** A view record as the runtime keeps it: the projected object and the last applied version. */
export interface ViewRecord {
  readonly version: number;
  /** Undefined when the projection has no record for this stream (never made, or deleted). */
  readonly state: ViewState | undefined;
}

export interface ApplyOutcome {
  readonly record: ViewRecord;
  /** Set when a handler threw or returned something that cannot be a view record. */
  readonly failure?: { readonly version: number; readonly error: unknown };
}

export interface ApplyOptions {
  /** The field the reader adds with the stream id (the API's `streamIdField`). */
  readonly streamIdField: string;
  /** Turns stored events into their current versions before a handler sees them. @default none declared */
  readonly upcasting?: Upcasting;
  /** The view's declared indexes: a record whose key field DynamoDB would refuse fails its event. @default none */
  readonly indexes?: readonly IndexSpec[];
}

/**
 * Applies consecutive events (versions record.version+1, +2, ...) in order, stopping at the
 * first failure. Each event is upcast to its current version first, as stored (whether it came
 * in a message or from the events table), so every path applies each upcaster once per read; an
 * upcaster that fails fails its event as a throwing handler does. An event type without a handler
 * leaves the view as it is but still advances the version, so the next event is not held back
 * by a gap.
 */
export async function applyInOrder(
  handlers: ProjectionHandlers, start: ViewRecord, events: readonly ProjectionEvent[], options: ApplyOptions,
): Promise<ApplyOutcome> {
  let record = start;
  for (const event of events) {
    if (event.version !== record.version + 1) {
      throw new Error(`applyInOrder: expected version ${record.version + 1}, got ${event.version}`);
    }
    let state = record.state;
    try {
      const current = (options.upcasting ?? Upcasting.NONE).upcast(event);
      const handler = Object.prototype.hasOwnProperty.call(handlers, current.type) ? handlers[current.type] : undefined;
      if (handler) {
        const next = await handler(cloneState(record.state), current);
        checkViewRecord(next, current, options);
        state = next ?? undefined;
      }
    } catch (error) {
      return { record, failure: { version: event.version, error } };
    }
    record = { version: event.version, state };
  }
  return { record };
}

/**
 * A record is stored and served exactly as returned, or the event fails with a message that
 * names the problem: never a silently changed or dropped field.
 */
function checkViewRecord(next: unknown, event: ProjectionEvent, { streamIdField, indexes }: ApplyOptions): void {
  const returned = `Handler for "${event.type}" returned`;
  if (next === undefined || next === null) return;
  if (typeof next !== 'object' || Array.isArray(next)) {
    throw new Error(`${returned} ${Array.isArray(next) ? 'an array' : typeof next}; it must return an object or undefined`);
  }
  const problem = findDataProblem(next);
  if (problem) throw new Error(`${returned} a record whose field ${problem.path || '(the record)'} ${problem.reason}`);
  const fields = next as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(fields, KEYS.version) && fields[KEYS.version] !== undefined) {
    throw new Error(`${returned} a record with a "${KEYS.version}" field; the reader adds the version of the last applied event there`);
  }
  const id = Object.prototype.hasOwnProperty.call(fields, streamIdField) ? fields[streamIdField] : undefined;
  if (id !== undefined && id !== event.streamId) {
    throw new Error(`${returned} a record whose "${streamIdField}" is not the stream id; the reader adds the stream id there`);
  }
  // DynamoDB refuses the whole write of an item whose index key has another type; say why here.
  const { problem: keyProblem } = indexAttributes(fields, indexes ?? []);
  if (keyProblem) throw new Error(`${returned} a record whose ${describeIndexKeyProblem(keyProblem)}`);
}

/** Handlers get their own copy, so one that mutates its input cannot corrupt a retry. */
function cloneState(state: ViewState | undefined): ViewState | undefined {
  return state === undefined ? undefined : structuredClone(state);
}

import type { ProjectionEvent, ProjectionHandlers, ViewState } from './projection-module';

/** A view record as the runtime keeps it: the projected object and the last applied version. */
export interface ViewRecord {
  readonly version: number;
  /** Undefined when the projection has no record for this stream (never made, or deleted). */
  readonly state: ViewState | undefined;
}

export interface ApplyOutcome {
  readonly record: ViewRecord;
  /** Set when a handler threw or returned something that is not an object. */
  readonly failure?: { readonly version: number; readonly error: unknown };
}

/**
 * Applies consecutive events (versions record.version+1, +2, ...) in order, stopping at the
 * first failure. An event type without a handler leaves the view as it is but still advances
 * the version, so the next event is not held back by a gap.
 */
export async function applyInOrder(handlers: ProjectionHandlers, start: ViewRecord, events: readonly ProjectionEvent[]): Promise<ApplyOutcome> {
  let record = start;
  for (const event of events) {
    if (event.version !== record.version + 1) {
      throw new Error(`applyInOrder: expected version ${record.version + 1}, got ${event.version}`);
    }
    const handler = Object.prototype.hasOwnProperty.call(handlers, event.type) ? handlers[event.type] : undefined;
    let state = record.state;
    if (handler) {
      try {
        const next = await handler(cloneState(record.state), event);
        if (next !== undefined && next !== null && (typeof next !== 'object' || Array.isArray(next))) {
          throw new Error(`Handler for "${event.type}" returned ${Array.isArray(next) ? 'an array' : typeof next}; it must return an object or undefined`);
        }
        state = next ?? undefined;
      } catch (error) {
        return { record, failure: { version: event.version, error } };
      }
    }
    record = { version: event.version, state };
  }
  return { record };
}

/** Handlers get their own copy, so one that mutates its input cannot corrupt a retry. */
function cloneState(state: ViewState | undefined): ViewState | undefined {
  return state === undefined ? undefined : structuredClone(state);
}

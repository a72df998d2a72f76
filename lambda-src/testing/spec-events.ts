import { RESERVED_EVENT_FIELDS } from '../../src/contract';
import type { SpecEvent } from '../../src/testing/types';
import type { ProjectionEvent } from '../aggregator/projection-module';
import type { Upcasting } from '../core/upcast';
import { findDataProblem } from '../core/user-data';

/** First timestamp a spec fills in; each event after it is a second later, so runs are repeatable. */
const FIRST_TIMESTAMP = Date.UTC(2026, 0, 1);

/** What a spec's event may hold (types/SpecEvent); anything else is most likely data put beside `data`. */
export const SPEC_EVENT_KEYS: readonly string[] = ['type', 'data', 'streamId', 'version', 'eventId', 'timestamp', 'schemaVersion'];

/** An error in the spec itself (not in the projection): a bad event, a failing `given`. */
export class SpecUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecUsageError';
  }
}

/**
 * Turns a spec's event into the event the aggregator would hand the projection, filling in what
 * the writer sets, and refusing what the writer would refuse (an event the API could never store
 * would make a spec pass that production never sees).
 */
export function storedEventOf(event: SpecEvent, streamId: string, version: number, sequence: number, upcasting: Upcasting): ProjectionEvent {
  const where = `Event ${sequence + 1} (${JSON.stringify(event?.type)})`;
  if (typeof event !== 'object' || event === null) throw new SpecUsageError(`Event ${sequence + 1} must be an object: { type, data? }`);
  if (typeof event.type !== 'string' || event.type.length === 0) throw new SpecUsageError(`${where} needs a "type": a non-empty string`);
  const unknown = Object.keys(event).find((key) => !SPEC_EVENT_KEYS.includes(key));
  if (unknown !== undefined) {
    throw new SpecUsageError(`${where} has an unknown key "${unknown}": an event is { ${SPEC_EVENT_KEYS.join(', ')} }, its fields go under "data"`);
  }
  const data = event.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SpecUsageError(`${where}: "data" must be an object`);
  const problem = findDataProblem(data);
  if (problem) throw new SpecUsageError(`${where}: data field ${problem.path || '(the data)'} ${problem.reason}`);
  const reserved = Object.keys(data).find((key) => (RESERVED_EVENT_FIELDS as readonly string[]).includes(key));
  if (reserved) throw new SpecUsageError(`${where}: "${reserved}" is an envelope field, not data (the API takes it from the POST body itself)`);
  if (event.version !== undefined && event.version !== version) {
    throw new SpecUsageError(`${where} has version ${event.version}, but stream "${streamId}" is at ${version - 1}: a stream's versions run 1, 2, 3… without gaps`);
  }
  return {
    streamId,
    version,
    eventId: event.eventId ?? `${streamId}:${version}`,
    type: event.type,
    schemaVersion: schemaVersionOf(event, upcasting, where),
    data,
    timestamp: event.timestamp ?? new Date(FIRST_TIMESTAMP + sequence * 1000).toISOString(),
  };
}

/** The writer's rule (lambda-src/writer/schema-version.ts) for what a stored event can hold. */
function schemaVersionOf(event: SpecEvent, upcasting: Upcasting, where: string): number {
  const info = upcasting.versionsOf(event.type);
  // A renamed type has no current version of its own: its events are stored at the versions before.
  const last = info.renamedTo === undefined ? info.current : info.current - 1;
  const version = event.schemaVersion ?? last;
  if (!Number.isInteger(version) || version < info.first || version > last) {
    throw new SpecUsageError(`${where} has schemaVersion ${JSON.stringify(event.schemaVersion)}; "${event.type}" is stored at versions ${info.first} to ${last}` +
      (info.first === last && info.renamedTo === undefined ? ' (declare its versions with the eventVersions option)' : ''));
  }
  return version;
}

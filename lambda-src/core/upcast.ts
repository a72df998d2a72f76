import { errorMessage } from './error-message';
import type { StoredEvent } from './stored-event';
import { idTextProblem, isIdText } from './stream-id';
import { findDataProblem } from './user-data';
import type { UpcastResult, Upcaster } from '../../src/authoring/projection';
import { DEFAULT_SCHEMA_VERSION, type EventTypeVersionInfo, type EventVersionTable } from '../../src/contract';

/** `code` of the errors `loadUpcasting` throws, which synth's entry check reports as a finding (src/private/check-projection.ts). */
export const ENTRY_SHAPE_ERROR = 'ProjectionEntryShape';

const MAX_TYPE_LENGTH = 256;
const ONLY_VERSION_ONE: EventTypeVersionInfo = { current: DEFAULT_SCHEMA_VERSION, first: DEFAULT_SCHEMA_VERSION, acceptOlder: false };
const EXPECTED = 'it must export `upcasters`: an object mapping event types to { [fromVersion]: (event) => ({ type?, data }) }';

/**
 * The one implementation of upcasting: every path that hands an event to user code or a client
 * (the aggregator's live deliveries and gap-filling reads, catch-ups for backfills, rebuilds and
 * replays, and the reader's `GET /streams/{id}`) calls `upcast` on the event as stored, so none
 * can forget it. Stored events are never rewritten; each read upcasts again, one step per version.
 */
export class Upcasting {
  /** No versions declared: every event is at version 1, its current version. */
  public static readonly NONE = new Upcasting({}, new Map());

  constructor(
    private readonly versions: EventVersionTable,
    private readonly upcasters: ReadonlyMap<string, ReadonlyMap<number, Upcaster>>,
  ) {}

  /** The schema versions of an event type: version 1 only for a type not declared. */
  public versionsOf(type: string): EventTypeVersionInfo {
    return Object.prototype.hasOwnProperty.call(this.versions, type) ? this.versions[type] : ONLY_VERSION_ONE;
  }

  /**
   * The event at the current version of its type (after any renames), each step by the upcaster
   * of that type and version. Throws an error naming the type and versions when a step is
   * missing, throws, or returns something that is not an event.
   */
  public upcast(event: StoredEvent): StoredEvent {
    let current = event;
    for (;;) {
      const { type, schemaVersion } = current;
      const info = this.versionsOf(type);
      const target = info.current;
      if (schemaVersion === target) {
        // A renamed type's current version is the other type's (stored so before the rename was declared).
        if (info.renamedTo === undefined) return current;
        current = { ...current, type: info.renamedTo };
        continue;
      }
      const step = `"${type}" from version ${schemaVersion} to ${schemaVersion + 1}`;
      if (schemaVersion > target) {
        throw new Error(`Event ${current.eventId} is version ${schemaVersion} of "${type}", newer than its current version ${target}`);
      }
      const upcaster = this.upcasters.get(type)?.get(schemaVersion);
      if (!upcaster) throw new Error(`No upcaster for ${step} (event ${current.eventId})`);
      let result: unknown;
      try {
        // Its own copy: an upcaster that mutates its input cannot change what a retry reads.
        result = upcaster(structuredClone(current));
      } catch (error) {
        throw new Error(`Upcaster for ${step} threw: ${errorMessage(error)}`, { cause: error });
      }
      const next = checkUpcastResult(result, step);
      const nextType = next.type ?? type;
      const renames = info.renamedTo !== undefined && schemaVersion + 1 === target;
      if (nextType !== (renames ? info.renamedTo : type)) {
        throw new Error(`Upcaster for ${step} returned type "${nextType}"; ` + (renames
          ? `it must rename the event to "${info.renamedTo}" (eventVersions: renamedTo)`
          : `only the upcaster to "${type}"'s current version may rename it, to the type its renamedTo declares`));
      }
      current = { ...current, type: nextType, schemaVersion: schemaVersion + 1, data: next.data };
    }
  }
}

function checkUpcastResult(result: unknown, step: string): UpcastResult {
  const returned = `Upcaster for ${step} returned`;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new Error(`${returned} ${describe(result)}; it must return { type?, data }`);
  }
  if (typeof (result as { then?: unknown }).then === 'function') {
    throw new Error(`${returned} a Promise; upcasters are synchronous: return { type?, data }`);
  }
  const { type, data } = result as Partial<UpcastResult>;
  if (type !== undefined && !isIdText(type, MAX_TYPE_LENGTH)) throw new Error(`${returned} a "type" that ${idTextProblem(type, MAX_TYPE_LENGTH)}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${returned} "data" that is ${describe(data)}; it must be an object`);
  }
  const problem = findDataProblem(data);
  if (problem) throw new Error(`${returned} data whose field ${problem.path || '(the data)'} ${problem.reason}`);
  return { type, data };
}

/**
 * The upcasters of a module, checked against the declared versions: every step from each type's
 * first version to its current one has an upcaster, and no upcaster is for a step that can never
 * run. Accepted shapes: `export const upcasters = {...}`, `export default { upcasters }`, or
 * `export default {...}`. Synth runs this on the bundled module (src/private/check-projection.ts),
 * so a missing step fails synth, naming the type.
 */
export function loadUpcasting(mod: unknown, versions: EventVersionTable): Upcasting {
  const m = mod as { upcasters?: unknown; default?: { upcasters?: unknown } } | undefined;
  const candidate = m?.upcasters ?? m?.default?.upcasters ?? m?.default;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) throw shapeError(`exports no upcasters object; ${EXPECTED}`);
  const upcasters = new Map<string, Map<number, Upcaster>>();
  const empty = new Upcasting(versions, upcasters);
  for (const [type, steps] of Object.entries(candidate)) {
    if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) {
      throw shapeError(`has upcasters["${type}"] that is ${describe(steps)}; ${EXPECTED}`);
    }
    const info = empty.versionsOf(type);
    const byVersion = new Map<number, Upcaster>();
    for (const [from, fn] of Object.entries(steps as Record<string, unknown>)) {
      const version = Number(from);
      const where = `upcasters["${type}"][${JSON.stringify(from)}]`;
      if (!/^[1-9]\d{0,8}$/.test(from)) throw shapeError(`has ${where}: the key must be the version it upcasts from (1, 2, ...)`);
      if (typeof fn !== 'function') throw shapeError(`has ${where} that is ${describe(fn)}, not a function`);
      if (version < info.first || version >= info.current) {
        throw shapeError(`has ${where}, which never runs: "${type}" is stored at versions ${info.first} to ${info.current} ` +
          `(declare its versions in eventVersions), so it upcasts from ${info.first === info.current ? 'no version' : `versions ${info.first} to ${info.current - 1}`}`);
      }
      byVersion.set(version, fn as Upcaster);
    }
    upcasters.set(type, byVersion);
  }
  for (const [type, info] of Object.entries(versions)) {
    for (let v = info.first; v < info.current; v++) {
      if (!upcasters.get(type)?.has(v)) {
        throw shapeError(`has no upcaster for "${type}" from version ${v} to ${v + 1} (its current version is ${info.current}): add upcasters["${type}"][${v}]`);
      }
    }
  }
  return empty;
}

/** Without an upcasters module: every declared type must be at its first version already. */
export function upcastingWithout(versions: EventVersionTable): Upcasting {
  return loadUpcasting({ upcasters: {} }, versions);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}

function shapeError(finding: string): Error {
  return Object.assign(new Error(`Upcasters module ${finding}`), { code: ENTRY_SHAPE_ERROR, finding });
}

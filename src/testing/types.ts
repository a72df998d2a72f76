/**
 * Types of the projection test kit, `cdk-event-sourced-api/testing` (TypeScript and JavaScript;
 * Python and Java run the same kit through `ProjectionSpecs`). Not part of the jsii API.
 */
import type { EventTypeVersions } from '../event-type-versions';
import type { ViewIndex } from '../view-index';

/**
 * An event of a spec: only `type` is needed. The stream, its version (the stream's next one),
 * the event id, the time and the schema version (the type's current one) are filled in.
 */
export interface SpecEvent {
  readonly type: string;
  /** The event's fields. @default {} */
  readonly data?: Record<string, unknown>;
  /** @default the spec's `streamId` option ('stream-1') */
  readonly streamId?: string;
  /** Must be the stream's next version when given. @default the stream's next version */
  readonly version?: number;
  /** @default `${streamId}:${version}` */
  readonly eventId?: string;
  /** ISO-8601. @default 2026-01-01T00:00:00.000Z plus one second per event of the spec */
  readonly timestamp?: string;
  /** An older one is upcast before the projection sees it, as in Lambda. @default the type's current version */
  readonly schemaVersion?: number;
}

/** A view record as `GET /{view}/{id}` answers it: the projection's object, the stream id field and `version`. */
export type SpecRecord = Record<string, unknown>;

export interface ProjectionSpecOptions {
  /** The stream of events that name none. @default 'stream-1' */
  readonly streamId?: string;
  /** The API's `streamIdField`: the field GET adds with the stream id. @default 'id' */
  readonly streamIdField?: string;
  /** The API's `eventVersions`, for events of older schema versions. @default every type at version 1 */
  readonly eventVersions?: EventTypeVersions[];
  /** The API's upcasters: a module path (TypeScript or JavaScript) or the imported module. @default none */
  readonly upcasters?: string | object;
  /** The view's `indexes`: a record whose key field has another type fails its event, as in Lambda. @default none */
  readonly indexes?: ViewIndex[];
}

/** Where a record stands before the first event: `givenRecord(record, { version: 3 })`. */
export interface GivenRecordOptions {
  /** @default the spec's `streamId` option */
  readonly streamId?: string;
  /** The version of the last event applied to it; the stream's next event is this plus one. @default 0 */
  readonly version?: number;
}

/** What a spec's events did, for assertions of your own. */
export interface SpecOutcome {
  /** Each stream's record as GET answers it, undefined when it has none (never made, or deleted). */
  readonly records: Record<string, SpecRecord | undefined>;
  /** The first `when` event that failed (it would be retried, then parked), with its error. */
  readonly failure?: {
    readonly streamId: string; readonly version: number; readonly type: string; readonly message: string; readonly error: unknown;
  };
}

/** Events applied so far, before the ones under test. Immutable: each call returns a new scenario. */
export interface SpecScenario {
  /** Events applied before the ones under test; one of them failing is an error of the spec itself. */
  given(...events: SpecEvent[]): SpecScenario;
  /** A record that exists before the first event of its stream (a view already built). */
  givenRecord(record: SpecRecord, options?: GivenRecordOptions): SpecScenario;
  /** The events under test. */
  when(...events: SpecEvent[]): SpecExpectation;
}

/**
 * The expectations; each resolves, or rejects with an Error holding a readable diff and the event
 * that produced the record. Await it (`await spec.given(…).when(…).then(…)`). The stream checked
 * is the last `when` event's unless named.
 */
export interface SpecExpectation {
  /**
   * The record as GET answers it. `version` and the stream id field are compared only when
   * `expected` has them; every other field must match, and no other field may be there.
   */
  then(expected: SpecRecord, streamId?: string): Promise<void>;
  /** Several streams' records at once; `null` for a stream that must have no record. */
  thenRecords(expected: Record<string, SpecRecord | null>): Promise<void>;
  /** The stream has no record after the events (a handler returned undefined). */
  thenDeleted(streamId?: string): Promise<void>;
  /** The record is as it was before the `when` events (its version still advances). */
  thenUnchanged(streamId?: string): Promise<void>;
  /** A `when` event fails (in Lambda: retried, then parked), with a message matching `pattern` when given. */
  thenFails(pattern?: RegExp | string): Promise<void>;
  /** Applies the events and answers what happened, for assertions of your own. */
  run(): Promise<SpecOutcome>;
}

/** A projection under test: start with `given`, `givenRecord` or `when`. */
export interface ProjectionSpec extends SpecScenario {}

/** One case's result; `message` (the diff, or the error) when it failed. */
export interface SpecCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly message?: string;
  readonly durationMs: number;
}

/** A spec file's results. A file that cannot run (bad YAML, no projection) has one failed case named `(spec file)`. */
export interface SpecFileResult {
  readonly file: string;
  readonly projection?: string;
  readonly passed: boolean;
  readonly cases: readonly SpecCaseResult[];
}

/** Settings that take precedence over a spec file's own. */
export interface SpecFileOverrides extends ProjectionSpecOptions {
  /** The projection: a module path or the imported module. @default the spec file's `projection`, or the module named like it beside it */
  readonly projection?: string | object;
}

/**
 * Types for writing a projection in TypeScript, published as a type-only entry point:
 *
 *   import type { ProjectionHandlers } from 'cdk-event-sourced-api/projection';
 *
 *   interface Summary { orders: number; totalCents: number }
 *   export const handlers: ProjectionHandlers<Summary> = {
 *     OrderPlaced: (view, event) => ({ orders: (view?.orders ?? 0) + 1, totalCents: (view?.totalCents ?? 0) + Number(event.data.amountCents) }),
 *   };
 *
 * Generic, so not part of the jsii API (Python and Java users write projections in JavaScript or
 * TypeScript too, and use these from npm). The aggregator runtime types its events with them.
 */

/** The event a projection handler receives. */
export interface ProjectionEvent {
  /** The stream (aggregate) the event belongs to. */
  readonly streamId: string;
  /** Its version in the stream: 1, 2, 3… with no gaps; a handler sees them in this order. */
  readonly version: number;
  /** Its idempotency key (the POST's, or one the writer made). */
  readonly eventId: string;
  readonly type: string;
  /**
   * The schema version of `type` this event has. A projection always sees the current version
   * (upcasters turn older ones into it); an upcaster sees the version it upcasts from.
   */
  readonly schemaVersion: number;
  /** Every field of the POST body that is not part of the envelope. */
  readonly data: Record<string, unknown>;
  /** ISO-8601 time the writer stored the event. */
  readonly timestamp: string;
}

/**
 * Given the current record (undefined when there is none) and an event, returns the new record,
 * or undefined to delete it. May be async. Throwing fails the event (retried, then parked).
 * The record may not use the fields `version` or the stream id field (`id`) for anything else:
 * the reader adds them.
 */
export type ProjectionHandler<TRecord extends object = Record<string, unknown>> =
  (view: TRecord | undefined, event: ProjectionEvent) => TRecord | undefined | Promise<TRecord | undefined>;

/** A projection's handlers, by event type; event types without one leave the record as it is. */
export type ProjectionHandlers<TRecord extends object = Record<string, unknown>> = Record<string, ProjectionHandler<TRecord>>;

/**
 * What an upcaster returns: the event's data at the next schema version, and optionally a new
 * type (a rename). Only `type` and `data` can change; the stream, version, eventId and timestamp
 * are the stored event's.
 */
export interface UpcastResult {
  /** The event type at the next version. @default the same type */
  readonly type?: string;
  readonly data: Record<string, unknown>;
}

/**
 * Turns an event at schema version n (of its type) into version n+1. Pure and synchronous: it
 * runs wherever an event reaches user code or a client (live deliveries, catch-ups, rebuilds,
 * replays, `GET /streams/{id}`), each time it is read; the stored event is never rewritten.
 */
export type Upcaster = (event: ProjectionEvent) => UpcastResult;

/**
 * An API's upcasters, by event type and then by the version each one upcasts from:
 *
 *   export const upcasters: Upcasters = {
 *     OrderPlaced: { 1: (e) => ({ data: { amountCents: Math.round(Number(e.data.amount) * 100), currency: 'EUR' } }) },
 *   };
 */
export type Upcasters = Record<string, Record<number, Upcaster>>;

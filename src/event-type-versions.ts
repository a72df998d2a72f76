/**
 * The schema versions of one event type: which version a POST stores by default, which older
 * ones it may still send, and the JSON Schema of each older version. Events are never rewritten:
 * the API's `upcasters` module turns each stored version into the next, wherever an event reaches
 * a projection or a client.
 */
export interface EventTypeVersions {
  /** The event type, as POSTed in `type`. */
  readonly type: string;

  /**
   * The current schema version: what a POST without `schemaVersion` stores, and the only version
   * projections and `GET /streams/{id}` ever see. Each version from `firstVersion` up to this one
   * needs an upcaster from the version before it.
   */
  readonly currentVersion: number;

  /**
   * The oldest version stored events of this type have: 1, unless the type was made by an
   * upcaster that renamed another (the renamed event keeps its version number, so `OrderCreated`
   * renamed from version 1 of `OrderPlaced` starts at 2).
   * @default 1
   */
  readonly firstVersion?: number;

  /**
   * Whether a POST may name an older version in `schemaVersion` (a client still sending the old
   * shape during a rollout). It is validated against that version's schema and stored as it is.
   * A version newer than `currentVersion` is always refused (400).
   * @default true
   */
  readonly acceptOlderVersions?: boolean;

  /**
   * The type this one becomes: its last upcaster (from `currentVersion - 1`) renames it, so its
   * version `currentVersion` is that type's (which must be declared, with `firstVersion` at most
   * `currentVersion`). Its stored events stop at `currentVersion - 1`: a POST of it without
   * `schemaVersion` stores that version, so clients that still send it keep working, and
   * projections only ever see the new type.
   * @default - not renamed
   */
  readonly renamedTo?: string;

  /**
   * The JSON Schema of the data of older versions, by version number (`{ "1": { ... } }`). The
   * current version's schema is `eventSchemas[type]` (or here, under its number, if
   * `eventSchemas` has none). When the type has a schema, a POST of an older version without one
   * is refused.
   * @default - older versions are not validated, unless the type has a schema
   */
  readonly schemas?: { [version: string]: any };
}

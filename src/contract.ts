/**
 * The contract between the constructs (src/), the Lambda code (lambda-src/), the local runtime
 * (packages/cli/) and the operator commands: table keys, environment variable names, defaults,
 * headers and role metadata. One definition, so the two sides never drift apart. It imports
 * nothing, so every side can take it (the Lambda bundles include only what they use); it lives
 * under src/ because jsii compiles src/ alone. Not exported from the package index.
 */

/** Attribute names of the events table and the view tables. */
export const KEYS = {
  /** Partition key of the events table and of every view table. */
  streamId: 'streamId',
  /** Sort key of the events table; version of the last applied event in a view table. */
  version: 'version',
  /** View tables: the projection's object. Absent on a record that holds only a version. */
  state: 'state',
} as const;

/**
 * Partition keys of the events table that start with this are the store's own items; the writer
 * refuses stream ids that start with it, so no stream can share their partitions.
 */
export const INTERNAL_KEY_PREFIX = '$';

/**
 * Idempotency markers live in the events table beside the events, at version 0 (events start
 * at 1), under this partition key prefix followed by the eventId. Internal items never carry an
 * `eventId` attribute: the publisher's stream filter passes only items that have one.
 */
export const EVENT_ID_MARKER_PREFIX = `${INTERNAL_KEY_PREFIX}eventId#`;

/**
 * Events appended by `WritePath.DIRECT`, whose API Gateway mapping templates can neither turn JSON
 * into DynamoDB's typed attributes nor format a date, differ from the writer Lambda's in three
 * attributes: the POST body as sent (bytes, in a binary attribute) instead of `data`, the name of
 * the body's stream id field, and `timestamp` as epoch milliseconds (a number) instead of an ISO
 * string. Every reader turns either shape into the same event (lambda-src/core/stored-event.ts).
 */
export const DIRECT_EVENT = {
  body: 'requestBody',
  streamIdField: 'streamIdField',
} as const;

/**
 * The stream catalogue: a sparse global secondary index of the events table over each stream's
 * first event only (the writer gives version 1 a shard attribute), so the streams can be listed
 * without reading any event and at no extra write per append. Shards spread the index's writes.
 */
export const CATALOGUE = {
  indexName: 'streams',
  shardAttribute: 'catalogueShard',
  shards: 16,
} as const;

/**
 * Defaults of the props the Lambdas also read from their environment (a Lambda falls back to the
 * same value when its variable is missing, as in unit tests).
 */
export const DEFAULTS = {
  streamIdField: 'id',
  defaultPageSize: 10,
  maxPageSize: 100,
  maxBodyBytes: 65536,
  catchUpRate: 100,
  publisherRetryAttempts: 10,
  /** Messages per aggregator invocation. */
  batchSize: 10,
} as const;

/** Environment variables the library's Lambdas read. */
export const ENV = {
  eventsTable: 'EVENTS_TABLE_NAME',
  topicArn: 'TOPIC_ARN',
  fifo: 'TOPIC_FIFO',
  streamIdField: 'STREAM_ID_FIELD',
  maxBodyBytes: 'MAX_BODY_BYTES',
  viewTable: 'VIEW_TABLE_NAME',
  viewName: 'VIEW_NAME',
  /** Writer: the file of event schemas (JSON: event type -> JSON Schema), beside its code. */
  eventSchemas: 'EVENT_SCHEMAS_FILE',
  /** Writer and reader: the file of event versions (JSON: EventVersionTable), beside their code. */
  eventVersions: 'EVENT_VERSIONS_FILE',
  /** Reader: the bundled upcasters module beside its code (the aggregators have theirs in their bundle). */
  upcasters: 'UPCASTERS_FILE',
  /** Writer: "true" refuses event types without a schema. */
  rejectUnknownEventTypes: 'REJECT_UNKNOWN_EVENT_TYPES',
  /** Reader and maintenance: the view registry table (see VIEW_REGISTRY). */
  viewRegistry: 'VIEW_REGISTRY_TABLE',
  defaultView: 'DEFAULT_VIEW',
  defaultPageSize: 'DEFAULT_PAGE_SIZE',
  maxPageSize: 'MAX_PAGE_SIZE',
  corsOrigin: 'CORS_ALLOW_ORIGIN',
  jobsQueueUrl: 'JOBS_QUEUE_URL',
  /** Maintenance: streams per second a catch-up job sends (and then checks). */
  catchUpRate: 'CATCH_UP_RATE',
  /** Every function: DEBUG, INFO, WARN or ERROR (the LogLevel prop). */
  logLevel: 'LOG_LEVEL',
  /**
   * Aggregator: the file of the view's declared indexes (JSON: IndexSpec[], lambda-src/core/view-indexes.ts),
   * beside its code. A file, not a value: 20 specs can pass Lambda's 4 KB of environment.
   */
  viewIndexes: 'VIEW_INDEXES_FILE',
} as const;

/**
 * The view registry: a table in the API's stack with one item per view table (partition key
 * `view`, sort key `table`), written by that table's `Custom::ViewBackfill` resource when
 * CloudFormation creates or updates it and deleted when CloudFormation deletes it. The reader and
 * the maintenance function find the views there rather than in their environment, so views can
 * live in nested stacks and their number is not bound by Lambda's 4 KB of environment. Of a
 * view's items, the highest version wins, then the latest registered (an item lingers until
 * CloudFormation's cleanup deletes the resource it replaced).
 */
export const VIEW_REGISTRY = {
  partitionKey: 'view',
  sortKey: 'table',
} as const;

/**
 * The physical id of a view table's Custom::ViewBackfill resource: `view:table` (a view name has no
 * colon). Its Delete names the registration to remove; the local runtime's Updates send it back.
 */
export function viewTablePhysicalId(view: string, table: string): string {
  return `${view}:${table}`;
}

/** The view and table a `viewTablePhysicalId` names; undefined for any other id. */
export function parseViewTablePhysicalId(id: string | undefined): { view: string; table: string } | undefined {
  const at = id?.indexOf(':') ?? -1;
  return at > 0 ? { view: id!.slice(0, at), table: id!.slice(at + 1) } : undefined;
}

/**
 * The progress of the maintenance job on a view table lives in that table under this key (no
 * stream id starts with "$"; the reader serves no record without state). Its `ready` attribute
 * tells the reader a rebuilt table has caught up.
 */
export const MAINTENANCE_KEY = `${INTERNAL_KEY_PREFIX}maintenance`;

/**
 * The state of a view table's declared indexes (their definitions, global secondary indexes and
 * restamping) lives in that table under this key; the reader queries an index only when it says
 * the index is ready.
 */
export const INDEX_STATE_KEY = `${INTERNAL_KEY_PREFIX}indexes`;

/** The progress of the job that rewrites a view's index attributes after its indexes changed. */
export const RESTAMP_KEY = `${INTERNAL_KEY_PREFIX}restamp`;

/** View item attribute: the fingerprint of the declared indexes the item's index attributes were written for. */
export const INDEX_FINGERPRINT = 'ixv';

/** The DynamoDB types an index key can have: string or number. */
export type KeyTypeCode = 'S' | 'N';

/** One key of a declared index, as the Lambdas read it (the construct's IndexKey). */
export interface IndexKeySpec {
  /** A top-level field of the view record. */
  readonly field: string;
  readonly type: KeyTypeCode;
}

/**
 * A view's declared index, as the Lambdas read it (view-indexes.json, the Custom::ViewBackfill's
 * `indexes`); lambda-src/core/view-indexes.ts works with it.
 */
export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: IndexKeySpec;
  readonly sortKey?: IndexKeySpec;
}

/** Indexes a view may declare: DynamoDB's quota of global secondary indexes per table. */
export const MAX_INDEXES = 20;

/** The file of a view's declared indexes, beside its aggregator's code (ENV.viewIndexes). */
export const VIEW_INDEXES_FILE = 'view-indexes.json';

/**
 * Schema versions of the event types an API declares (`eventVersions`), as the writer, the
 * aggregators and the reader read them. A type not listed has version 1 only.
 */
export interface EventTypeVersionInfo {
  /** What a POST without `schemaVersion` stores, and what projections receive. */
  readonly current: number;
  /** The oldest version a stored event of this type can have (greater than 1 for a renamed type). */
  readonly first: number;
  /** Whether a POST may name a version older than `current`. */
  readonly acceptOlder: boolean;
  /**
   * The type the upcaster from `current - 1` renames this one to: stored events of this type stop
   * at `current - 1` (a POST without `schemaVersion` stores that one), and version `current` is
   * the other type's.
   */
  readonly renamedTo?: string;
}
export type EventVersionTable = Readonly<Record<string, EventTypeVersionInfo>>;

/** What the construct writes beside the writer's and the reader's code when an API declares `eventVersions`. */
export interface EventVersionsFile {
  readonly versions: EventVersionTable;
  /** Event type -> older version -> JSON Schema of its data (the writer validates POSTs of older versions with them). */
  readonly olderSchemas?: Record<string, Record<string, unknown>>;
}

/** The file names of the event versions and the reader's bundled upcasters, beside the functions' code. */
export const EVOLUTION_FILES = { versions: 'event-versions.json', upcasters: 'upcasters.js' } as const;

/** The version of an event stored without one (before versions existed, or by WritePath.DIRECT). */
export const DEFAULT_SCHEMA_VERSION = 1;

/** HTTP headers of the pagination contract (simple-es-api compatible). */
export const PAGE_HEADERS = {
  request: 'ExclusiveStartKey',
  response: 'LastEvaluatedKey',
} as const;

/** The response header that marks the answer to a POST whose eventId was already stored. */
export const REPLAY_HEADER = 'Idempotent-Replay';

/**
 * Response headers a browser script on another origin may read under CORS, beyond the safelisted
 * ones: paging, idempotent replays and retry hints. Every front door exposes exactly these.
 */
export const CORS_EXPOSED_HEADERS = [PAGE_HEADERS.response, REPLAY_HEADER, 'Retry-After'] as const;

/** Read-your-writes: the request header that asks for at least this version (as ?minVersion does). */
export const MIN_VERSION_HEADER = 'X-Min-Version';

/** Fields of a POST body that are not event data. */
export const RESERVED_EVENT_FIELDS = ['type', 'eventId', 'expectedVersion', 'schemaVersion', 'version', 'timestamp'] as const;

/** Fields of a stored event the event store sets itself: a POST that sends them answers 400. */
export const STORE_SET_FIELDS = ['version', 'timestamp'] as const satisfies ReadonlyArray<typeof RESERVED_EVENT_FIELDS[number]>;

/**
 * CloudFormation metadata key that tags every resource an EventSourcedApi creates (read by the
 * local runtime and the operator commands).
 */
export const ROLE_METADATA_KEY = 'cdk-event-sourced-api';

export type ResourceRole =
  | 'events-table' | 'topic' | 'writer' | 'publisher' | 'publisher-failure-queue' | 'reader' | 'rest-api' | 'http-api'
  | 'maintenance' | 'jobs-queue' | 'jobs-dead-letter-queue' | 'view-registry'
  | 'view-table' | 'previous-view-table' | 'queue' | 'dead-letter-queue' | 'aggregator'
  /** The POST method of `WritePath.DIRECT`: an AWS integration with the events table. */
  | 'direct-append';

export interface RoleMetadata {
  /** Construct path of the EventSourcedApi (or Projection) the resource belongs to. */
  readonly owner: string;
  readonly role: ResourceRole;
  /** The view, for a projection's resources. */
  readonly view?: string;
  /** The version of the projection code a view table belongs to. */
  readonly version?: number;
  /** The events table a direct-append method writes (its name, or a reference to it). */
  readonly table?: string;
}

/** The operator commands of the `cdk-event-sourced-api` bin (besides `local`). */
export const OPERATOR_COMMANDS = ['status', 'backfill', 'rebuild', 'replay', 'redrive', 'discard'] as const;

/** A view's resources as the operator commands need them: real table names and queue URLs. */
export interface OperatorViewResources {
  readonly name: string;
  readonly version: number;
  readonly table: string;
  readonly previousTable?: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/**
 * An EventSourcedApi's resources as the operator commands need them, whether found in a deployed
 * stack or answered by a local runtime's operator endpoint.
 */
export interface OperatorApiResources {
  /** Construct path of the EventSourcedApi. */
  readonly owner: string;
  readonly eventsTable: string;
  /** The field GET adds with the stream id (`streamIdField`), for records shown as GET answers them. */
  readonly streamIdField: string;
  readonly publisherFailureQueueUrl?: string;
  readonly jobsQueueUrl?: string;
  readonly jobsDeadLetterQueueUrl?: string;
  /** The view registry (VIEW_REGISTRY), where a view built with earlier upcasters is flagged. */
  readonly viewRegistry?: string;
  readonly views: OperatorViewResources[];
}

/** What a local runtime's operator endpoint answers: its AWS endpoints and its APIs. */
export interface LocalOperatorView {
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  readonly region: string;
  readonly apis: Array<OperatorApiResources & { readonly url: string }>;
}

/**
 * The view `GET /` and `GET /{id}` read when `defaultView` is not set: the one named "default",
 * else the first. The construct and the reader both follow this rule.
 */
export function implicitDefaultView(viewNames: readonly string[]): string | undefined {
  return viewNames.includes('default') ? 'default' : viewNames[0];
}

/**
 * The library's CloudWatch metrics (Embedded Metric Format lines from its Lambdas): their
 * namespace, names and dimensions. `Api` is the events table's name (one per deployed API, the
 * same across view versions); `View` the view's name.
 */
export const METRICS = {
  namespace: 'CdkEventSourcedApi',
  /** Writer (dimension Api only): events stored (replays excluded), requests refused with a 4xx, and the 409s among them. */
  appends: 'Appends',
  appendsRejected: 'AppendsRejected',
  appendConflicts: 'AppendConflicts',
  eventsApplied: 'EventsApplied',
  projectionLag: 'ProjectionLag',
  catchUpsSent: 'CatchUpsSent',
  streamsBehind: 'StreamsBehind',
  /** Reader (dimensions Api, View): pages of index queries answered. */
  indexQueries: 'IndexQueries',
  dimensions: { api: 'Api', view: 'View' },
} as const;

/**
 * Units of the library's metrics other than Count. A literal key (not `[METRICS.projectionLag]`),
 * so bundles that do not use it can drop it and METRICS.
 */
export const METRIC_UNITS: Readonly<Record<string, 'Milliseconds'>> = { ProjectionLag: 'Milliseconds' } satisfies Record<typeof METRICS.projectionLag, 'Milliseconds'>;

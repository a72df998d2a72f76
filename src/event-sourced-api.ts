import { Annotations, Duration, NestedStack, RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmOptions } from './alarm-options';
import { ApiKind } from './api-kind';
import { CATALOGUE, DEFAULTS, ENV, implicitDefaultView, KEYS, METRICS } from './contract';
import { EventTypeVersions } from './event-type-versions';
import { FunctionTuning } from './function-tuning';
import { LogLevel } from './log-level';
import { acknowledge, acknowledgeScanners, SCANNER_REASONS } from './private/acknowledge';
import { AppendGraph, createApiDashboard, DASHBOARD_PERIOD } from './private/api-dashboard';
import { assetDir } from './private/assets';
import { createDefaultAlarms } from './private/default-alarms';
import { createDirectAppendRole } from './private/direct-append';
import { DIRECT_MAX_BODY_CHARS } from './private/direct-append-templates';
import { allowServicesToUseKey, queueEncryption, tableEncryption } from './private/encryption';
import { eventEvolution, type EventEvolution } from './private/event-evolution';
import { readerCodeWithUpcasters, validateEventSchemas, validateVersionSchemas, writerCode } from './private/event-schemas';
import { checkExistingEventsTable } from './private/existing-events-table';
import { FrontDoor } from './private/front-door';
import { createHttpFrontDoor } from './private/http-front-door';
import { checkKnownKeys, EVENT_SOURCED_API_PROPS } from './private/known-keys';
import { FunctionLogging, functionLogging, libraryFunction } from './private/library-function';
import { libraryMetric } from './private/library-metric';
import { mountRestRoutes } from './private/mounted-front-door';
import { tagProjectionRoles, tagRole } from './private/resource-roles';
import { createRestFrontDoor } from './private/rest-front-door';
import { stackResourceProblems } from './private/stack-limits';
import { validateFunctionTuning, validateInteger, validateNestedStackName, validateProjectionEntry, validateProjectionName, validateProjectionNumbers, validateStreamIdField } from './private/validation';
import { validateViewIndexes } from './private/view-index-validation';
import { grantInTablePolicy, ownIndexesArn, ViewMaintenance } from './private/view-maintenance';
import { Projection, ProjectionDefinition } from './projection';
import { RestApiOptions } from './rest-api-options';
import { UnknownEventTypes } from './unknown-event-types';
import { WritePath } from './write-path';

/** SNS messages may be 256 KiB; the envelope needs some of it. */
const MAX_BODY_BYTES_LIMIT = 240 * 1024;

/**
 * Props of an `EventSourcedApi`.
 */
export interface EventSourcedApiProps {
  /**
   * The projected views. Each gets its own queue, dead-letter queue, aggregator and table.
   * With none, events are stored and published to `topic` only (subscribe your own consumers)
   * and the API has only `POST /`.
   * @default - no views
   */
  readonly projections?: ProjectionDefinition[];

  /**
   * The view that `GET /` and `GET /{id}` read.
   * @default - the projection named "default" if there is one, else the first projection
   */
  readonly defaultView?: string;

  /**
   * The field of a POST body that holds the stream (aggregate) id. Records read from views
   * carry the stream id under this name too.
   * @default 'id'
   */
  readonly streamIdField?: string;

  /**
   * Fan out through an SNS FIFO topic and SQS FIFO queues (ordered per stream, deduplicated).
   * With `false`, standard topic and queues: higher throughput, and the aggregator runtime
   * still applies events in version order.
   * @default true
   */
  readonly fifo?: boolean;

  /**
   * The REST API.
   * @default - a REGIONAL RestApi with IAM authorization, 100 rps / 200 burst, access logs
   */
  readonly api?: RestApiOptions;

  /**
   * Use an existing events table instead of creating one. It must have:
   * - partition key `streamId` (string) and sort key `version` (number);
   * - a stream with `StreamViewType.NEW_IMAGE` (or `NEW_AND_OLD_IMAGES`), and when imported, its
   *   stream ARN: `Table.fromTableAttributes(scope, id, { tableName, tableStreamArn })` (Python:
   *   `Table.from_table_attributes(scope, id, table_name=…, table_stream_arn=…)`);
   * - a global secondary index named `streams` with partition key `catalogueShard` (number) and
   *   sort key `streamId` (string), any projection (`ProjectionType.KEYS_ONLY` is enough): the
   *   stream catalogue that backfills, rebuilds and replays list the streams from.
   *
   * A `Table` or `TableV2` defined in the app is checked at synth, with an error naming what to
   * change; an imported table cannot be inspected, so synth warns
   * (`cdk-event-sourced-api:existing-events-table-unchecked`) with this list.
   * @default - a new table
   */
  readonly existingEventsTable?: dynamodb.ITable;

  /**
   * What happens to the events table when it leaves the stack. Only for a new table.
   * @default RemovalPolicy.RETAIN
   */
  readonly eventsTableRemovalPolicy?: RemovalPolicy;

  /**
   * Turn on DynamoDB deletion protection for the events table, so that not even a direct
   * DeleteTable call (or a stack deletion that overrides the removal policy) can drop the events.
   * Only for a new table.
   * @default false
   */
  readonly eventsTableDeletionProtection?: boolean;

  /**
   * The alarms every API gets: per view, parked messages and lag; the publisher's failures and
   * iterator age; the REST API's 5xx rate; Lambda throttles. Thresholds and actions here.
   * @default - all alarms, default thresholds, no actions
   */
  readonly alarms?: AlarmOptions;

  /**
   * Add a CloudWatch dashboard: appends, lag and parked messages per view, errors, publisher
   * iterator age and REST latency.
   * @default false
   */
  readonly dashboard?: boolean;

  /**
   * Memory and timeout of the writer (`POST /`). Not with `api.writePath: WritePath.DIRECT`, which has no writer.
   * @default - 256 MiB, 10 seconds
   */
  readonly writer?: FunctionTuning;

  /**
   * Memory and timeout of the reader (`GET` routes).
   * @default - 256 MiB, 15 seconds
   */
  readonly reader?: FunctionTuning;

  /**
   * Memory and timeout of the publisher (the events table's stream reader).
   * @default - 256 MiB, 30 seconds
   */
  readonly publisher?: FunctionTuning;

  /**
   * What happens to the view tables when they leave the stack (views can be rebuilt from events).
   * @default RemovalPolicy.DESTROY
   */
  readonly viewTablesRemovalPolicy?: RemovalPolicy;

  /**
   * Largest POST body accepted, in bytes (at most 245760); larger answers 413. With
   * `api.writePath: WritePath.DIRECT` it counts characters (UTF-16 code units, what a mapping
   * template can measure) and may be at most 59000, so that any event fits SNS's 256 KiB as
   * published.
   * @default 65536 (59000 with WritePath.DIRECT)
   */
  readonly maxBodyBytes?: number;

  /**
   * Records in a page when a list request has no `limit`.
   * @default 10
   */
  readonly defaultPageSize?: number;

  /**
   * Largest `limit` a list request may ask for (at most 1000).
   * @default 100
   */
  readonly maxPageSize?: number;

  /**
   * Retention of every Lambda's and the API's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Which log lines the library's functions write (one JSON object per line, with durations).
   * Lines that carry metrics are written at every level, so the metrics and alarms never miss
   * one. Change it to DEBUG to see each read and each batch; the local runtime takes it from
   * the template too (or from LOG_LEVEL in its own environment).
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;

  /**
   * A customer managed KMS key for everything the construct stores: the events table (when it
   * creates it), the view tables, the topic, every queue and dead-letter queue, the log groups and
   * the Lambda environments. Its key policy gets the statements SNS (to deliver to the encrypted
   * queues) and CloudWatch Logs need; an imported key's policy cannot be changed here, so it must
   * allow them already (a synth warning lists them).
   * @default - AWS managed encryption: the DynamoDB and SNS AWS managed keys, SSE-SQS, and
   * CloudWatch Logs' default encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retries of a failing stream batch before the publisher gives up on it and sends its
   * metadata to `publisherFailureQueue` (the events stay in the table and can be replayed).
   * @default 10
   */
  readonly publisherRetryAttempts?: number;

  /**
   * A JSON Schema (draft-07, with the standard formats) per event type, for the event's data: the
   * POST body without `type`, the stream id field, `eventId` and `expectedVersion`. The writer
   * answers 400 naming the first field a schema refuses by JSON Pointer (`Field /items/0/qty must
   * be >= 1`), and stores nothing. Schemas are compiled at synth, strictly: an unknown keyword or
   * format is a synth error naming the event type.
   * @default - no schemas: any data the HTTP contract allows is stored
   */
  readonly eventSchemas?: { [eventType: string]: any };

  /**
   * What the writer does with an event type that has no schema in `eventSchemas`.
   * @default UnknownEventTypes.ALLOW
   */
  readonly unknownEventTypes?: UnknownEventTypes;

  /**
   * The schema versions of event types whose shape has changed. Every stored event carries its
   * type's schema version (1 for events stored before any was declared; they are never
   * rewritten). A POST stores the current version unless it names another in `schemaVersion`
   * (an older one, if `acceptOlderVersions`; never a newer one). Projections and
   * `GET /streams/{id}` only ever see current versions: `upcasters` turns each older version into
   * the next. Not with `api.writePath: WritePath.DIRECT`.
   * @default - every event type has version 1 only
   */
  readonly eventVersions?: EventTypeVersions[];

  /**
   * Path of the upcasters module, a TypeScript or JavaScript file bundled at synth like a
   * projection. It exports `upcasters`: `{ [eventType]: { [fromVersion]: (event) => ({ type?, data }) } }`,
   * each turning version n of a type into version n+1 (and optionally renaming it). Every step
   * from each type's `firstVersion` to its `currentVersion` needs one (a synth error names the
   * type otherwise). They run wherever an event reaches a projection or a client: live
   * deliveries, gap-filling reads, backfills, rebuilds, replays and `GET /streams/{id}`. Changing
   * one changes the past: raise the `version` of the projections whose records depend on it.
   * @default - no upcasters (every declared type must be at its first version)
   */
  readonly upcasters?: string;

  /**
   * Streams per second a backfill, rebuild or replay job brings up to date (it sends one
   * catch-up message per stream, then checks every stream), so that a job never crowds out live
   * traffic. At most 1000.
   * @default 100
   */
  readonly catchUpRate?: number;
}

/**
 * A complete event-sourced API: an append-only events table, one stream reader that fans every
 * event out through SNS to one SQS queue per projected view, aggregators that build the views
 * from your code, a reader, and an optional REST front door.
 */
export class EventSourcedApi extends Construct {
  /** The append-only events table: partition key `streamId`, sort key `version`. */
  public readonly eventsTable: dynamodb.ITable;
  /** The topic every appended event is published to (FIFO by default, group = stream id). */
  public readonly topic: sns.ITopic;
  /**
   * The Lambda behind `POST /`: validates and appends events. Undefined with
   * `api.writePath: WritePath.DIRECT`, where API Gateway appends without a Lambda.
   */
  public readonly writer?: lambda.IFunction;
  /**
   * The role API Gateway appends with, with `api.writePath: WritePath.DIRECT`: it may put items in
   * the events table and check conditions there, nothing else.
   */
  public readonly directAppendRole?: iam.IRole;
  /** The only reader of the events table's stream: publishes new events to `topic`. */
  public readonly publisher: lambda.IFunction;
  /** Receives the metadata of stream batches the publisher could not publish. */
  public readonly publisherFailureQueue: sqs.IQueue;
  /** The Lambda behind the `GET` routes; undefined without projections. */
  public readonly reader?: lambda.IFunction;
  /**
   * The REST API: the construct's, or the one `api.existingApiResource` belongs to; undefined when
   * `api.enabled` is false or `api.kind` is `ApiKind.HTTP`.
   */
  public readonly restApi?: apigateway.IRestApi;
  /** The HTTP API, with `api.kind: ApiKind.HTTP`. */
  public readonly httpApi?: apigwv2.IHttpApi;
  /**
   * The URL of the routes, ending with "/" (the stage's, or the mounted resource's); undefined when
   * `api.enabled` is false, or for an imported API without a deployment stage.
   */
  public readonly url?: string;
  /** The projected views, in the order given. */
  public readonly projections: Projection[];
  /** The name of the view `GET /` and `GET /{id}` read; undefined without projections. */
  public readonly defaultView?: string;
  /** Runs backfills, rebuilds and replays of views from its jobs queue; undefined without projections. */
  public readonly maintenanceFunction?: lambda.IFunction;
  /** The alarms created by default (see `alarms` in the props); empty when turned off. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The CloudWatch dashboard, with `dashboard: true`. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The usage plan of the API keys, with `api.apiKeyRequired`. */
  public readonly usagePlan?: apigateway.UsagePlan;
  /** The API key made with the usage plan, with `api.apiKeyRequired`; its value is in API Gateway. */
  public readonly apiKey?: apigateway.IApiKey;
  /** The maintenance jobs queue (one message per step of a job); undefined without projections. */
  public readonly jobsQueue?: sqs.IQueue;
  /**
   * The view registry: one item per view table, written as CloudFormation creates, updates and
   * deletes the views (in this stack or nested ones); the reader and the maintenance function
   * find the views there. Undefined without projections.
   */
  public readonly viewRegistry?: dynamodb.ITable;

  private readonly stageName: string;
  /** The REST or HTTP API, whichever `api.kind` chose. */
  private readonly frontDoor?: FrontDoor;
  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: EventSourcedApiProps = {}) {
    super(scope, id);
    checkKnownKeys(props, EVENT_SOURCED_API_PROPS);
    const definitions = props.projections ?? [];
    const streamIdField = props.streamIdField ?? DEFAULTS.streamIdField;
    const fifo = props.fifo ?? true;
    const apiOptions = props.api ?? {};
    const apiEnabled = apiOptions.enabled ?? true;
    const direct = apiOptions.writePath === WritePath.DIRECT;
    const logging = functionLogging(props.logRetention, props.logLevel);
    this.stageName = apiOptions.stageName ?? 'prod';
    this.defaultView = validateProps(props, definitions, streamIdField, apiEnabled);
    const evolution = eventEvolution(this, props);
    if (evolution) validateVersionSchemas(evolution.declared);
    const key = props.encryptionKey;
    this.encryptionKey = key;
    if (key) allowServicesToUseKey(this, key);

    this.eventsTable = props.existingEventsTable ?? new dynamodb.Table(this, 'EventsTable', {
      partitionKey: { name: KEYS.streamId, type: dynamodb.AttributeType.STRING },
      sortKey: { name: KEYS.version, type: dynamodb.AttributeType.NUMBER },
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...tableEncryption(key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.eventsTableRemovalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: props.eventsTableDeletionProtection,
    });
    if (props.existingEventsTable) {
      checkExistingEventsTable(this, props.existingEventsTable);
    } else {
      // The stream catalogue (see CATALOGUE): backfills and rebuilds list the streams from it.
      (this.eventsTable as dynamodb.Table).addGlobalSecondaryIndex({
        indexName: CATALOGUE.indexName,
        partitionKey: { name: CATALOGUE.shardAttribute, type: dynamodb.AttributeType.NUMBER },
        sortKey: { name: KEYS.streamId, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
      if (!key) acknowledgeScanners(this.eventsTable, { checkov: { CKV_AWS_119: SCANNER_REASONS.tableKey } });
    }

    this.topic = new sns.Topic(this, 'Topic', {
      fifo: fifo || undefined,
      // FIFO high throughput: the quota is per message group (stream), at the regional maximum.
      fifoThroughputScope: fifo ? sns.FifoThroughputScope.MESSAGE_GROUP : undefined,
      enforceSSL: true,
      masterKey: key ?? kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });

    // With CORS, the handlers answer with the allowed origin on every response.
    const corsEnv: Record<string, string> = apiEnabled && apiOptions.cors ? { [ENV.corsOrigin]: apiOptions.cors.allowOrigins[0] } : {};
    if (direct) {
      this.directAppendRole = createDirectAppendRole(this, this.eventsTable, key);
    } else {
      this.writer = this.createWriter(streamIdField, props.maxBodyBytes ?? DEFAULTS.maxBodyBytes, logging, corsEnv, props.writer, props, evolution);
    }
    const retryAttempts = props.publisherRetryAttempts ?? DEFAULTS.publisherRetryAttempts;
    const { publisher, failureQueue } = this.createPublisher(fifo, retryAttempts, logging, props.publisher);
    this.publisher = publisher;
    this.publisherFailureQueue = failureQueue;

    const viewStacks = new Map<string, ViewStack>();
    const viewStackOf = (name: string | undefined): ViewStack => {
      if (name === undefined) return { scope: this, topic: this.topic };
      if (!viewStacks.has(name)) viewStacks.set(name, this.createViewStack(name));
      return viewStacks.get(name)!;
    };
    this.projections = definitions.map((definition) => {
      const home = viewStackOf(definition.nestedStack);
      return new Projection(home.scope, `Projection-${definition.name}`, {
        ...definition,
        nestedStack: undefined,
        topic: home.topic,
        eventsTable: this.eventsTable,
        fifo,
        removalPolicy: props.viewTablesRemovalPolicy,
        logRetention: logging.retention,
        logLevel: logging.level,
        streamIdField,
        encryptionKey: key,
        eventVersions: props.eventVersions,
        upcasters: props.upcasters,
      });
    });

    if (this.projections.length > 0) {
      const maintenance = new ViewMaintenance(this, 'Maintenance', {
        eventsTable: this.eventsTable,
        projections: this.projections,
        catchUpRate: props.catchUpRate ?? DEFAULTS.catchUpRate,
        logging,
        encryptionKey: key,
        owner: this.node.path,
        upcastersHash: evolution?.upcastersHash,
      });
      this.maintenanceFunction = maintenance.function;
      this.jobsQueue = maintenance.jobsQueue;
      this.viewRegistry = maintenance.registry;
      const defaultPageSize = props.defaultPageSize ?? DEFAULTS.defaultPageSize;
      const maxPageSize = props.maxPageSize ?? DEFAULTS.maxPageSize;
      this.reader = this.createReader(streamIdField, defaultPageSize, maxPageSize, logging, corsEnv, props.reader, evolution);
    }
    if (apiEnabled) {
      const frontDoorProps = {
        writer: this.writer,
        directAppend: this.directAppendRole && {
          role: this.directAppendRole,
          eventsTable: this.eventsTable,
          streamIdField,
          maxBodyChars: props.maxBodyBytes ?? DIRECT_MAX_BODY_CHARS,
          owner: this.node.path,
          corsOrigin: apiOptions.cors?.allowOrigins[0],
        },
        reader: this.reader,
        options: apiOptions,
        stageName: this.stageName,
        logRetention: logging.retention,
        encryptionKey: key,
      };
      if (apiOptions.existingApiResource) {
        const mounted = mountRestRoutes(this, apiOptions.existingApiResource, frontDoorProps);
        this.restApi = mounted.api;
        this.frontDoor = mounted;
      } else if ((apiOptions.kind ?? ApiKind.REST) === ApiKind.HTTP) {
        const http = createHttpFrontDoor(this, frontDoorProps);
        this.httpApi = http.api;
        this.frontDoor = http;
        tagRole(http.api, { owner: this.node.path, role: 'http-api' });
      } else {
        const rest = createRestFrontDoor(this, frontDoorProps);
        this.restApi = rest.api;
        this.usagePlan = rest.usagePlan;
        this.apiKey = rest.apiKey;
        this.frontDoor = rest;
        tagRole(rest.api, { owner: this.node.path, role: 'rest-api' });
      }
      this.url = this.frontDoor.url;
    }
    const owner = this.node.path;
    if (!props.existingEventsTable) tagRole(this.eventsTable, { owner, role: 'events-table' });
    tagRole(this.topic, { owner, role: 'topic' });
    if (this.writer) tagRole(this.writer, { owner, role: 'writer' });
    tagRole(this.publisher, { owner, role: 'publisher' });
    tagRole(this.publisherFailureQueue, { owner, role: 'publisher-failure-queue' });
    if (this.reader) tagRole(this.reader, { owner, role: 'reader' });
    for (const p of this.projections) tagProjectionRoles(p, owner);

    this.alarms = createDefaultAlarms(this, props.alarms ?? {});
    if (props.dashboard) this.dashboard = createApiDashboard(this, this.appendGraph());
    // At synth, once every construct of the stack exists.
    this.node.addValidation({ validate: () => stackResourceProblems(this, this.projections) });
  }

  /**
   * A nested stack for views. Its queues subscribe to the topic by its ARN (a parameter of the
   * nested stack): given the topic itself, SqsSubscription makes the queue's stack depend on the
   * topic's, and a nested stack cannot depend on its parent (CDK's NestedStackCannotDepend).
   */
  private createViewStack(name: string): ViewStack {
    const scope = new NestedStack(this, `Views-${name}`, { description: `cdk-event-sourced-api: views of ${this.node.path} (${name})` });
    return { scope, topic: sns.Topic.fromTopicArn(scope, 'Topic', this.topic.topicArn) };
  }

  /** Returns the projection with this name; throws if there is none. */
  public projection(name: string): Projection {
    const found = this.projections.find((p) => p.name === name);
    if (!found) throw new Error(`No projection named "${name}" (have: ${this.projections.map((p) => p.name).join(', ') || 'none'})`);
    return found;
  }

  /**
   * Lets the grantee call `POST /`: `execute-api:Invoke` on the stage's POST / route. Only IAM
   * authorization reads IAM policies: with another authorizer (or none) this grants nothing
   * useful, and synth warns.
   */
  public grantAppend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.executeApiArn('grantAppend', 'POST', '/')] });
  }

  /**
   * Lets the grantee call every `GET` route: `execute-api:Invoke` on GET / and GET /*. As for
   * `grantAppend`, only IAM authorization uses it; synth warns otherwise.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.executeApiArn('grantRead', 'GET', '/'), this.executeApiArn('grantRead', 'GET', '/*')],
    });
  }

  /**
   * Lets the grantee call `GET /streams/{id}` only (a stream's events): `execute-api:Invoke` on
   * GET /streams/*. `grantRead` includes it. As for `grantAppend`, only IAM authorization uses it.
   */
  public grantReadStreams(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.executeApiArn('grantReadStreams', 'GET', '/streams/*')] });
  }

  /**
   * Lets the grantee read every view table directly, each version's (during a rebuild, the
   * previous one's too): `dynamodb:BatchGetItem`, `GetRecords`, `GetShardIterator`, `Query`,
   * `GetItem`, `Scan`, `ConditionCheckItem` and `DescribeTable`, plus `kms:Decrypt` with an
   * `encryptionKey`. One grant for all of them.
   */
  public grantReadViews(grantee: iam.IGrantable): iam.Grant {
    const tables = this.projections.flatMap(viewTablesOf);
    if (tables.length === 0) throw new Error('grantReadViews() needs at least one projection: this EventSourcedApi has no views.');
    return tables.map((t) => t.grantReadData(grantee)).reduce((all, grant) => all.combine(grant));
  }

  /**
   * Lets the grantee read the events table (for replays, audits and rebuilds): the same actions
   * as `grantReadViews`, on the events table and its indexes.
   */
  public grantReadEvents(grantee: iam.IGrantable): iam.Grant {
    return this.eventsTable.grantReadData(grantee);
  }

  /**
   * Events stored by `POST /` (idempotent replays not counted): the writer's `Appends` metric
   * (namespace `CdkEventSourcedApi`, dimension `Api`, the events table's name).
   * @default - sum over 5 minutes
   */
  public metricAppends(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.writerMetric(METRICS.appends, props);
  }

  /**
   * `POST /` requests refused with a 4xx (bad JSON, invalid fields, 409 conflicts, 413, 422):
   * the writer's `AppendsRejected` metric.
   * @default - sum over 5 minutes
   */
  public metricAppendsRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.writerMetric(METRICS.appendsRejected, props);
  }

  /**
   * `POST /` requests whose `expectedVersion` did not match (409): the writer's `AppendConflicts` metric.
   * @default - sum over 5 minutes
   */
  public metricAppendConflicts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.writerMetric(METRICS.appendConflicts, props);
  }

  /**
   * Age in milliseconds of the newest stream record the publisher has read when it was read: how
   * far publishing is behind the appends (Lambda's `IteratorAge` for the publisher).
   * @default - maximum over 5 minutes
   */
  public metricPublisherIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.publisher.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Stream batches the publisher gave up on: the failure records waiting in
   * `publisherFailureQueue` (visible messages) for `replay --failures`.
   * @default - maximum over 5 minutes
   */
  public metricPublisherFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.publisherFailureQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Requests the API answered with a 5xx (API Gateway's `5XXError` of a REST API, `5xx` of an HTTP
   * API's stage). Throws without an API.
   * @default - sum over 5 minutes
   */
  public metricApiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireFrontDoor('metricApiServerErrors').metricServerErrors(props);
  }

  /**
   * Requests the API received (API Gateway's `Count`). Throws without an API.
   * @default - sum over 5 minutes
   */
  public metricApiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireFrontDoor('metricApiRequests').metricRequests(props);
  }

  /**
   * Milliseconds from a request's arrival at the API to its answer (API Gateway's `Latency`).
   * Throws without an API.
   * @default - p99 over 5 minutes
   */
  public metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireFrontDoor('metricApiLatency').metricLatency(props);
  }

  private writerMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.writer) {
      throw new Error(`The writer Lambda's metrics (${metricName}) do not exist with api.writePath: WritePath.DIRECT, which appends without ` +
        'a Lambda: use metricApiRequests() and metricApiServerErrors(), or the dashboard\'s POST / graph (API Gateway\'s metrics of the route).');
    }
    return libraryMetric(this, metricName, { api: this.eventsTable.tableName }, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** The dashboard's first graph: the writer's appends, or with WritePath.DIRECT, API Gateway's answers to POST /. */
  private appendGraph(): AppendGraph {
    const period = DASHBOARD_PERIOD;
    if (this.writer) {
      return {
        title: 'Appends per minute',
        metrics: [
          this.metricAppends({ period, label: 'stored' }), this.metricAppendsRejected({ period, label: 'rejected (4xx)' }),
          this.metricAppendConflicts({ period, label: 'conflicts (409)' }),
        ],
      };
    }
    const route = (metricName: string, label: string) => this.frontDoor?.metricRoute?.(metricName, 'POST', '/', { period, label });
    return {
      title: 'POST / per minute (API Gateway)',
      metrics: [route('Count', 'requests'), route('4XXError', 'refused (4xx)'), route('5XXError', 'failed (5xx)')]
        .filter((m): m is cloudwatch.Metric => m !== undefined),
    };
  }

  private requireFrontDoor(caller: string): FrontDoor {
    if (!this.frontDoor) throw new Error(`${caller}() needs the API, but api.enabled is false.`);
    return this.frontDoor;
  }

  private executeApiArn(caller: string, method: string, path: string): string {
    const frontDoor = this.requireFrontDoor(caller);
    const type = frontDoor.authorization.authorizationType;
    if (type !== apigateway.AuthorizationType.IAM) {
      Annotations.of(this).addWarningV2(`cdk-event-sourced-api:${caller}-without-iam`,
        `${caller}() grants execute-api:Invoke, which only IAM authorization checks; this API's routes use ` +
        `${type === apigateway.AuthorizationType.NONE ? 'no authorization' : `a ${type} authorizer`}, so the grant changes nothing.`);
    }
    return frontDoor.arnForExecuteApi(method, path);
  }

  private createWriter(
    streamIdField: string, maxBodyBytes: number, logging: FunctionLogging, corsEnv: Record<string, string>, tuning: FunctionTuning | undefined,
    schemas: Pick<EventSourcedApiProps, 'eventSchemas' | 'unknownEventTypes'>, evolution: EventEvolution | undefined,
  ): lambda.Function {
    // The current versions' schemas: eventSchemas, and those eventVersions gives under the current version.
    const current = { ...schemas.eventSchemas, ...evolution?.declared.currentSchemas };
    const hasCurrent = schemas.eventSchemas !== undefined || Object.keys(current).length > 0;
    const needed = hasCurrent || evolution !== undefined;
    const withSchemas = writerCode(needed ? { schemas: hasCurrent ? current : undefined, evolution: evolution?.declared } : undefined);
    const writer = libraryFunction(this, 'Writer', {
      code: withSchemas ? withSchemas.code : lambda.Code.fromAsset(assetDir('writer')),
      description: 'cdk-event-sourced-api: appends events (POST /)',
      environment: {
        [ENV.eventsTable]: this.eventsTable.tableName,
        [ENV.streamIdField]: streamIdField,
        [ENV.maxBodyBytes]: Tokenization.stringifyNumber(maxBodyBytes),
        ...withSchemas?.environment,
        ...(schemas.unknownEventTypes === UnknownEventTypes.REJECT ? { [ENV.rejectUnknownEventTypes]: 'true' } : {}),
        ...corsEnv,
      },
      ...sized(tuning, Duration.seconds(10)),
      logging,
      encryptionKey: this.encryptionKey,
    });
    // Append-only: the writer can read its own table (stream heads, replays) and put new items;
    // it cannot update or delete an event, and it cannot touch any view.
    writer.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
      resources: [this.eventsTable.tableArn],
    }));
    this.encryptionKey?.grantEncryptDecrypt(writer);
    return writer;
  }

  private createPublisher(fifo: boolean, retryAttempts: number, logging: FunctionLogging, tuning?: FunctionTuning) {
    const failureQueue = new sqs.Queue(this, 'PublisherFailureQueue', {
      ...queueEncryption(this.encryptionKey),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(failureQueue, { 'AwsSolutions-SQS3': 'This queue is itself a dead-letter queue: the on-failure destination of the publisher.' });
    if (!this.encryptionKey) acknowledgeScanners(failureQueue, { checkov: { CKV_AWS_27: SCANNER_REASONS.queueKey } });
    const publisher = libraryFunction(this, 'Publisher', {
      code: lambda.Code.fromAsset(assetDir('publisher')),
      description: 'cdk-event-sourced-api: publishes new events from the events stream to SNS',
      environment: { [ENV.topicArn]: this.topic.topicArn, [ENV.fifo]: String(fifo) },
      ...sized(tuning, Duration.seconds(30)),
      logging,
      encryptionKey: this.encryptionKey,
    });
    this.topic.grantPublish(publisher);
    if (!this.eventsTable.tableStreamArn) {
      // Reported at synth with every other problem of the app, rather than as an exception here.
      this.node.addValidation({
        validate: () => ['existingEventsTable has no stream: enable a NEW_IMAGE stream and import the table with Table.fromTableAttributes({ tableName, tableStreamArn }) (Python: table_name=…, table_stream_arn=…).'],
      });
      return { publisher, failureQueue };
    }
    publisher.addEventSource(new DynamoEventSource(this.eventsTable, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      bisectBatchOnError: true,
      retryAttempts,
      maxRecordAge: Duration.hours(24),
      parallelizationFactor: 1,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(failureQueue),
      // Only new events reach the publisher: events carry an eventId, the store's own items
      // (idempotency markers) do not. Not a numeric rule on `version`: in a stream record every
      // N is a JSON string, and Lambda's numeric matching only applies to JSON numbers.
      // https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
      filters: [lambda.FilterCriteria.filter({
        eventName: lambda.FilterRule.isEqual('INSERT'),
        dynamodb: { NewImage: { eventId: { S: lambda.FilterRule.exists() } } },
      })],
    }));
    return { publisher, failureQueue };
  }

  private createReader(
    streamIdField: string, defaultPageSize: number, maxPageSize: number, logging: FunctionLogging, corsEnv: Record<string, string>,
    tuning?: FunctionTuning, evolution?: EventEvolution,
  ): lambda.Function {
    const withUpcasters = evolution && readerCodeWithUpcasters(evolution);
    const reader = libraryFunction(this, 'Reader', {
      code: withUpcasters?.code ?? lambda.Code.fromAsset(assetDir('reader')),
      description: 'cdk-event-sourced-api: reads views and stream histories (GET routes)',
      environment: {
        [ENV.eventsTable]: this.eventsTable.tableName,
        ...withUpcasters?.environment,
        [ENV.viewRegistry]: this.viewRegistry!.tableName,
        [ENV.defaultView]: this.defaultView!,
        [ENV.streamIdField]: streamIdField,
        [ENV.defaultPageSize]: Tokenization.stringifyNumber(defaultPageSize),
        [ENV.maxPageSize]: Tokenization.stringifyNumber(maxPageSize),
        ...corsEnv,
      },
      // Read-your-writes (?minVersion) waits up to 10 s.
      ...sized(tuning, Duration.seconds(15)),
      logging,
      encryptionKey: this.encryptionKey,
    });
    // Read-only, and only the calls it makes: the registry, and each view's tables (the previous
    // version's too while a rebuild runs). The view tables grant it in their own resource policies,
    // so its role's policy stays the same size however many views there are, in whatever stack.
    reader.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [this.viewRegistry!.tableArn] }));
    // GET /streams/{id}: a stream's events, by key only (the table itself, not its catalogue index).
    reader.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [this.eventsTable.tableArn] }));
    for (const p of this.projections) {
      for (const table of viewTablesOf(p)) {
        grantInTablePolicy(table, reader.role!, ['dynamodb:GetItem', 'dynamodb:Scan']);
        // Index queries: the indexes of this table only, as a policy attached to a table covers
        // its own indexes (the table's ARN itself would make it depend on itself).
        if (p.indexes.length > 0) grantInTablePolicy(table, reader.role!, ['dynamodb:Query'], [ownIndexesArn(table)]);
      }
    }
    this.encryptionKey?.grantDecrypt(reader);
    return reader;
  }
}

/** Where views are created: the API itself, or a nested stack with the topic as it sees it. */
interface ViewStack {
  readonly scope: Construct;
  readonly topic: sns.ITopic;
}

/** Synth-time checks of every prop; returns the default view's name. */
function validateProps(
  props: EventSourcedApiProps, definitions: ProjectionDefinition[], streamIdField: string, apiEnabled: boolean,
): string | undefined {
  validateStreamIdField(streamIdField);
  const seen = new Set<string>();
  definitions.forEach((definition, index) => {
    validateProjectionName(definition.name, `projections[${index}].name`);
    if (seen.has(definition.name)) throw new Error(`projections[${index}].name "${definition.name}" is used by more than one projection; view names must be unique.`);
    seen.add(definition.name);
    validateProjectionEntry(definition.entry, `projections[${index}].entry`);
    validateProjectionNumbers(definition, (prop) => `projections[${index}].${prop}`);
    if (definition.nestedStack !== undefined) validateNestedStackName(definition.nestedStack, `projections[${index}].nestedStack`);
    validateViewIndexes(definition.indexes, streamIdField, `projections[${index}].indexes`);
  });

  let defaultView: string | undefined;
  if (props.defaultView !== undefined) {
    if (!seen.has(props.defaultView)) {
      throw new Error(`defaultView "${props.defaultView}" is not one of the projections (${[...seen].join(', ') || 'none'}).`);
    }
    defaultView = props.defaultView;
  } else if (definitions.length > 0) {
    defaultView = implicitDefaultView(definitions.map((d) => d.name));
  }

  const api = props.api ?? {};
  if (!apiEnabled) {
    const set = (['kind', 'writePath', 'existingApiResource', 'authorization', 'throttlingRateLimit', 'throttlingBurstLimit', 'cors', 'stageName', 'restApiName', 'cloudWatchRole', 'apiKeyRequired', 'usagePlan'] as const)
      .filter((key) => api[key] !== undefined);
    if (set.length > 0) throw new Error(`api.enabled is false, so api.${set.join(', api.')} cannot be set.`);
  }
  if (api.cors && api.cors.allowOrigins.length !== 1) {
    throw new Error('api.cors.allowOrigins must name exactly one origin (or "*"): the handlers answer with it.');
  }
  validateApiKind(api);
  if (api.writePath === WritePath.DIRECT) validateDirectWritePath(props);
  if (api.existingApiResource) {
    const theirs = ([
      ['kind', 'the routes join a REST API'], ['restApiName', 'the API is yours'], ['stageName', 'the stage is yours'],
      ['throttlingRateLimit', 'set it on your stage'], ['throttlingBurstLimit', 'set it on your stage'],
      ['cloudWatchRole', 'the API is yours'], ['usagePlan', 'add the stage to a usage plan of yours'],
    ] as const).find(([prop]) => api[prop] !== undefined);
    if (theirs) throw new Error(`api.${theirs[0]} cannot be set with api.existingApiResource: ${theirs[1]}.`);
  }
  for (const prop of ['eventsTableRemovalPolicy', 'eventsTableDeletionProtection'] as const) {
    if (props.existingEventsTable && props[prop] !== undefined) {
      throw new Error(`${prop} applies only to a new events table; it cannot be set with existingEventsTable.`);
    }
  }
  for (const fn of ['writer', 'reader', 'publisher'] as const) validateFunctionTuning(fn, props[fn]);
  if (api.writePath !== WritePath.DIRECT) validateInteger('maxBodyBytes', props.maxBodyBytes, 1, MAX_BODY_BYTES_LIMIT);
  validateInteger('maxPageSize', props.maxPageSize, 1, 1000);
  validateInteger('defaultPageSize', props.defaultPageSize, 1, props.maxPageSize ?? DEFAULTS.maxPageSize);
  validateInteger('publisherRetryAttempts', props.publisherRetryAttempts, 0, 10000);
  validateInteger('catchUpRate', props.catchUpRate, 1, 1000);
  if (props.eventSchemas !== undefined) validateEventSchemas(props.eventSchemas);
  if (props.unknownEventTypes !== undefined && props.eventSchemas === undefined) {
    throw new Error('unknownEventTypes applies only with eventSchemas: without schemas every event type is accepted.');
  }
  validateInteger('api.throttlingRateLimit', api.throttlingRateLimit, 0, 10000);
  validateInteger('api.throttlingBurstLimit', api.throttlingBurstLimit, 0, 5000);
  if (api.usagePlan !== undefined && !api.apiKeyRequired) throw new Error('api.usagePlan applies only with api.apiKeyRequired: true (it limits the API keys).');
  validateInteger('api.usagePlan.quotaLimit', api.usagePlan?.quotaLimit, 1, 2_000_000_000);
  validateInteger('api.usagePlan.throttlingRateLimit', api.usagePlan?.throttlingRateLimit, 0, 10000);
  validateInteger('api.usagePlan.throttlingBurstLimit', api.usagePlan?.throttlingBurstLimit, 0, 5000);
  return defaultView;
}

/**
 * What WritePath.DIRECT cannot do, named by the prop that asks for it: it has no writer Lambda to
 * tune or to check schemas, and API Gateway integrates with DynamoDB only from a REST API.
 */
function validateDirectWritePath(props: EventSourcedApiProps): void {
  if ((props.api?.kind ?? ApiKind.REST) === ApiKind.HTTP) {
    throw new Error('api.writePath: WritePath.DIRECT needs a REST API: an HTTP API has no DynamoDB integration. Leave out api.kind: ApiKind.HTTP, or use WritePath.LAMBDA.');
  }
  for (const prop of ['eventSchemas', 'unknownEventTypes', 'eventVersions', 'upcasters', 'writer'] as const) {
    if (props[prop] !== undefined) {
      const why = prop === 'writer' ? 'it tunes the writer Lambda' : prop === 'eventVersions' || prop === 'upcasters'
        ? 'event versions need the writer Lambda to store and check them (DIRECT stores every event at version 1)'
        : 'it is checked by the writer Lambda';
      throw new Error(`${prop} cannot be set with api.writePath: WritePath.DIRECT: ${why}, which DIRECT does not have. Use WritePath.LAMBDA.`);
    }
  }
  validateInteger('maxBodyBytes (characters, with api.writePath: WritePath.DIRECT)', props.maxBodyBytes, 1, DIRECT_MAX_BODY_CHARS);
}

/** What one kind of API cannot do, named by the prop that asks for it. */
function validateApiKind(api: RestApiOptions): void {
  const authorization = api.authorization;
  if ((api.kind ?? ApiKind.REST) === ApiKind.REST) {
    if (authorization?.jwtIssuer || authorization?.httpRouteAuthorizer) {
      throw new Error(`api.authorization: ApiAuthorization.${authorization.jwtIssuer ? 'jwt' : 'httpAuthorizer'}() is for an HTTP API (api.kind: ApiKind.HTTP); a REST API takes cognito() or authorizer().`);
    }
    return;
  }
  const restOnly = ([
    ['apiKeyRequired', 'HTTP APIs have no API keys or usage plans'],
    ['usagePlan', 'HTTP APIs have no API keys or usage plans'],
    ['cloudWatchRole', 'HTTP APIs write access logs without the account role'],
  ] as const).find(([prop]) => api[prop] !== undefined);
  if (restOnly) throw new Error(`api.${restOnly[0]} applies only to a REST API: ${restOnly[1]}. Leave it out with api.kind: ApiKind.HTTP.`);
  for (const prop of ['statusCode', 'disableCache'] as const) {
    if (api.cors?.[prop] !== undefined) throw new Error(`api.cors.${prop} applies only to a REST API: an HTTP API answers preflights itself with 204 (api.kind: ApiKind.HTTP).`);
  }
  if (authorization?.authorizerRef) {
    throw new Error('api.authorization: ApiAuthorization.authorizer() takes a REST API authorizer; with api.kind: ApiKind.HTTP use httpAuthorizer(), jwt() or cognito().');
  }
  if (authorization?.userPool && !authorization.userPoolClients) {
    throw new Error('api.authorization: ApiAuthorization.cognito() on an HTTP API needs userPoolClients (its third argument): the JWT authorizer accepts tokens of those app clients only.');
  }
}

/** A view's tables: this version's, and during a rebuild the previous version's too. */
function viewTablesOf(p: Projection): dynamodb.ITable[] {
  return p.previousTable ? [p.table, p.previousTable] : [p.table];
}

/** Memory and timeout of one of the library's functions: the user's, else the library's defaults. */
function sized(tuning: FunctionTuning | undefined, defaultTimeout: Duration): { timeout: Duration; memorySize: number } {
  return { timeout: tuning?.timeout ?? defaultTimeout, memorySize: tuning?.memorySize ?? 256 };
}

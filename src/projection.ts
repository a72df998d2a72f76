import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS, ENV, KEYS, METRICS, VIEW_INDEXES_FILE } from './contract';
import type { EventTypeVersions } from './event-type-versions';
import { LogLevel } from './log-level';
import { acknowledgeScanners, SCANNER_REASONS } from './private/acknowledge';
import { bundleProjection, type ProjectionBundle } from './private/bundle-projection';
import { checkProjectionExports } from './private/check-projection';
import { allowServicesToUseKey, queueEncryption, tableEncryption } from './private/encryption';
import { eventEvolution } from './private/event-evolution';
import { generatedCode } from './private/generated-code';
import { checkKnownKeys, PROJECTION_PROPS } from './private/known-keys';
import { functionLogging, libraryFunction } from './private/library-function';
import { libraryMetric } from './private/library-metric';
import { validateProjectionEntry, validateProjectionName, validateProjectionNumbers, validateStreamIdField } from './private/validation';
import { indexSpecsOf, validateViewIndexes } from './private/view-index-validation';
import type { ViewIndex } from './view-index';

/**
 * A projected view: its name and the code that builds it.
 */
export interface ProjectionDefinition {
  /**
   * The view's name: 1-40 lowercase letters, digits and "-", starting with a letter.
   * It is the first path segment of the view's routes (`GET /{name}`, `GET /{name}/{id}`).
   */
  readonly name: string;

  /**
   * Path of the projection's TypeScript or JavaScript file. It exports `handlers`: an object
   * mapping event types to `(view, event) => newView | undefined` functions. It is bundled with
   * the library's aggregator runtime at synth time (no bundler needed in your app).
   */
  readonly entry: string;

  /**
   * The version of the projection's code. Raise it when a change to the code changes what records
   * it builds: the view is rebuilt from the events into a fresh table while reads keep answering
   * from the table of the version before; once the new table has caught up, reads switch to it.
   * @default 1
   */
  readonly version?: number;

  /**
   * Memory of the aggregator Lambda, in MiB.
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Timeout of the aggregator Lambda. The queue's visibility timeout is six times this.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Messages per aggregator invocation (1-10).
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * Put this view in a nested stack of the API's stack: views with the same name share one
   * (`Views-<name>`), so an API is not bound by CloudFormation's 500 resources per stack (a view
   * takes 15, 12 with alarms off, and about 33 views fit in a nested stack). The reader and the
   * maintenance function find the view in the API's view registry, so nothing in the API's own
   * stack grows with the views. 1-40 lowercase letters, digits and "-", starting with a letter.
   * Moving a view between stacks replaces its table, which is then built again from the events.
   * Only for the projections of an `EventSourcedApi`; a `Projection` you create goes in the scope
   * you give it.
   * @default - the API's own stack
   */
  readonly nestedStack?: string;

  /**
   * Deliveries of a message before it is parked in the projection's dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * Indexes to query the view by (`GET /{name}?index=<index>&key=<value>`), at most 20. Each is a
   * global secondary index of the view table, made and removed after the deploy by the API's
   * maintenance function (one at a time, as DynamoDB requires); an index answers 503 until it is
   * built. Every record is checked against the key types before it is written: a record whose key
   * field has another type fails its event. A record without a key field is not in that index.
   * @default - no indexes: records are read by stream id, or listed
   */
  readonly indexes?: ViewIndex[];
}

/**
 * Props of a `Projection` construct.
 */
export interface ProjectionProps extends ProjectionDefinition {
  /** The topic every appended event is published to. */
  readonly topic: sns.ITopic;

  /** The events table; the aggregator reads missing versions from it. */
  readonly eventsTable: dynamodb.ITable;

  /**
   * Whether the topic is FIFO (the queues then are too).
   * @default true
   */
  readonly fifo?: boolean;

  /**
   * What happens to the view table when it leaves the stack. Views can be rebuilt from events.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Retention of the aggregator's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Which of the aggregator's log lines it writes; lines with metrics are written at every level.
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;

  /**
   * A customer managed key for the view table, the queues and the aggregator's logs and
   * environment. Its key policy must let SNS deliver to the queues (added here unless the key is
   * imported).
   * @default - AWS managed encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The field the reader adds to each record with its stream id. A record the projection returns
   * may not use it for anything else.
   * @default 'id'
   */
  readonly streamIdField?: string;

  /**
   * The schema versions of event types, as `EventSourcedApi`'s `eventVersions`: the aggregator
   * upcasts every older event to its type's current version before the projection sees it.
   * @default - every event type has version 1 only
   */
  readonly eventVersions?: EventTypeVersions[];

  /**
   * Path of the upcasters module (TypeScript or JavaScript), as `EventSourcedApi`'s `upcasters`:
   * bundled with the aggregator, which applies it to every event before the projection sees it.
   * @default - no upcasters
   */
  readonly upcasters?: string;
}

/**
 * The bundle, and with declared indexes their specs beside it (`view-indexes.json`, in the
 * asset's hash) and the variable that names them. Without indexes, the function is as before.
 */
function withIndexesFile(bundle: ProjectionBundle, indexes: readonly ViewIndex[]): ProjectionBundle & { environment: Record<string, string> } {
  if (indexes.length === 0) return { ...bundle, environment: {} };
  const json = JSON.stringify(indexSpecsOf(indexes));
  return {
    files: { ...bundle.files, [VIEW_INDEXES_FILE]: json },
    hash: createHash('sha256').update(bundle.hash).update('\0').update(json).digest('hex'),
    environment: { [ENV.viewIndexes]: VIEW_INDEXES_FILE },
  };
}

/**
 * One projected view: a queue subscribed to the events topic (raw delivery; FIFO when the topic
 * is), its dead-letter queue, an aggregator Lambda running the user's projection, and the view table.
 */
export class Projection extends Construct {
  /** The view's name. */
  public readonly name: string;
  /** The version of the projection's code. */
  public readonly version: number;
  /** The view table of this version: partition key `streamId`; one record per stream. */
  public readonly table: dynamodb.ITable;
  /**
   * The view table of the version before, from which reads are answered until `table` has caught
   * up; undefined at version 1. It leaves the stack (and follows the removal policy) when the
   * version is raised again.
   */
  public readonly previousTable?: dynamodb.ITable;
  /** The queue that receives every event for this view. */
  public readonly queue: sqs.IQueue;
  /** Where messages that keep failing are parked; redrive them to the queue after a fix. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The Lambda that applies events to the view. */
  public readonly aggregator: lambda.IFunction;
  /** The view's declared indexes (empty when it has none). */
  public readonly indexes: ViewIndex[];

  /** The `Api` dimension of this view's metrics: the events table's name. */
  private readonly metricsApi: string;

  constructor(scope: Construct, id: string, props: ProjectionProps) {
    super(scope, id);
    checkKnownKeys(props, PROJECTION_PROPS);
    this.metricsApi = props.eventsTable.tableName;
    validateProjectionName(props.name, 'name');
    validateProjectionEntry(props.entry, `projection "${props.name}" entry`);
    validateProjectionNumbers(props, (prop) => `projection "${props.name}" ${prop}`);
    if (props.streamIdField !== undefined) validateStreamIdField(props.streamIdField);
    validateViewIndexes(props.indexes, props.streamIdField ?? DEFAULTS.streamIdField, `projection "${props.name}" indexes`);
    this.indexes = [...props.indexes ?? []];
    if (props.nestedStack !== undefined) {
      throw new Error(`projection "${props.name}" nestedStack applies only to the projections of an EventSourcedApi; create a Projection in the (nested) stack it belongs to.`);
    }
    this.name = props.name;
    const fifo = props.fifo ?? true;
    const timeout = props.timeout ?? Duration.seconds(30);

    const key = props.encryptionKey;
    if (key) allowServicesToUseKey(this, key);
    this.version = props.version ?? 1;
    // One table per version of the code (version 1 keeps the id it always had); the version
    // before stays while the new one is rebuilt.
    const viewTable = (version: number) => new dynamodb.Table(this, version === 1 ? 'Table' : `TableV${version}`, {
      partitionKey: { name: KEYS.streamId, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...tableEncryption(key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const table = viewTable(this.version);
    this.table = table;
    const previousTable = this.version > 1 ? viewTable(this.version - 1) : undefined;
    this.previousTable = previousTable;

    // FIFO high throughput: quotas per message group (stream), not per queue.
    const highThroughput = fifo
      ? { deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP, fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID }
      : {};
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: fifo || undefined,
      ...highThroughput,
      ...queueEncryption(key),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueue = deadLetterQueue;

    // SSE-SQS or the given key, never the aws/sqs KMS key: SNS cannot deliver to a queue under it.
    const queue = new sqs.Queue(this, 'Queue', {
      fifo: fifo || undefined,
      ...highThroughput,
      ...queueEncryption(key),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.queue = queue;
    props.topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));

    const evolution = eventEvolution(this, props);
    const bundle = bundleProjection(props.name, props.entry, evolution);
    checkProjectionExports(this, `projection "${props.name}" entry`, props.entry, bundle);
    const code = withIndexesFile(bundle, this.indexes);
    const aggregator = libraryFunction(this, 'Aggregator', {
      code: generatedCode(path.dirname(path.resolve(props.entry)), code.files, code.hash),
      description: `cdk-event-sourced-api: applies events to the "${props.name}" view`,
      environment: {
        [ENV.viewName]: props.name,
        [ENV.viewTable]: table.tableName,
        [ENV.eventsTable]: props.eventsTable.tableName,
        [ENV.streamIdField]: props.streamIdField ?? DEFAULTS.streamIdField,
        ...code.environment,
        // Stack traces of a failing handler (logged with its error) point into the user's files
        // through index.js.map. Cheap here: the map covers only those files (a few hundred bytes),
        // and Node maps a stack only when one is formatted, which the aggregator does on failures.
        NODE_OPTIONS: '--enable-source-maps',
      },
      timeout,
      memorySize: props.memorySize ?? 256,
      logging: functionLogging(props.logRetention, props.logLevel),
      encryptionKey: key,
    });
    this.aggregator = aggregator;
    aggregator.addEventSource(new SqsEventSource(queue, {
      batchSize: props.batchSize ?? DEFAULTS.batchSize,
      reportBatchItemFailures: true,
    }));

    // Least privilege: read and conditionally replace its own view records, read events to fill gaps.
    aggregator.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
    }));
    aggregator.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [props.eventsTable.tableArn],
    }));
    // DynamoDB encrypts and decrypts the view table's items with the caller's permissions on the key.
    key?.grantEncryptDecrypt(aggregator);
    if (!key) {
      for (const t of [table, ...(previousTable ? [previousTable] : [])]) {
        acknowledgeScanners(t, { checkov: { CKV_AWS_119: SCANNER_REASONS.tableKey } });
      }
      for (const q of [queue, deadLetterQueue]) acknowledgeScanners(q, { checkov: { CKV_AWS_27: SCANNER_REASONS.queueKey } });
    }
  }

  /**
   * Events applied to this view (metric `EventsApplied` of the aggregator, namespace
   * `CdkEventSourcedApi`, dimensions `Api` and `View`).
   * @default - sum over 5 minutes
   */
  public metricEventsApplied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.libraryMetric(METRICS.eventsApplied, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * How far this view is behind: milliseconds from an event's append to its view record being
   * saved (metric `ProjectionLag`). Only reported while events arrive.
   * @default - maximum over 5 minutes
   */
  public metricLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.libraryMetric(METRICS.projectionLag, { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Messages parked in this view's dead-letter queue (its visible messages): events the
   * projection failed on `maxReceiveCount` times.
   * @default - maximum over 5 minutes
   */
  public metricParkedMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Age in seconds of the oldest message waiting in this view's queue.
   * @default - maximum over 5 minutes
   */
  public metricOldestMessageAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Invocations of the aggregator that failed as a whole (a handler's throw fails only its
   * messages and is not counted here: see `metricParkedMessages`).
   * @default - sum over 5 minutes
   */
  public metricAggregatorErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.aggregator.metricErrors({ statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Pages of index queries this view answered (`GET /{view}?index=`; metric `IndexQueries` of the
   * reader, namespace `CdkEventSourcedApi`, dimensions `Api` and `View`).
   * @default - sum over 5 minutes
   */
  public metricIndexQueries(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.libraryMetric(METRICS.indexQueries, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  private libraryMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return libraryMetric(this, metricName, { api: this.metricsApi, view: this.name }, props);
  }
}

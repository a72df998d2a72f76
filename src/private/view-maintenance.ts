import { CustomResource, Duration, Stack, Tokenization } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeScanners, SCANNER_REASONS } from './acknowledge';
import { assetDir } from './assets';
import { CATALOGUE, ENV } from '../contract';
import { queueEncryption } from './encryption';
import { FunctionLogging, libraryFunction } from './library-function';
import { tagRole } from './resource-roles';
import type { Projection } from '../projection';

export interface ViewMaintenanceProps {
  readonly eventsTable: dynamodb.ITable;
  readonly projections: Projection[];
  /** Streams per second a job sends catch-ups for, and checks. */
  readonly catchUpRate: number;
  readonly logging: FunctionLogging;
  readonly encryptionKey?: kms.IKey;
  /** Construct path of the EventSourcedApi, for the role metadata. */
  readonly owner: string;
}

/**
 * What keeps views complete: a jobs queue (with its dead-letter queue) and the maintenance
 * function that works through it (backfills, rebuilds, replays), and for each view table a custom
 * resource whose creation starts that table's backfill: a view added later, or a new version,
 * catches up with every event already stored, with no operator step.
 */
export class ViewMaintenance extends Construct {
  public readonly function: lambda.Function;
  public readonly jobsQueue: sqs.Queue;
  public readonly jobsDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ViewMaintenanceProps) {
    super(scope, id);
    const key = props.encryptionKey;
    this.jobsDeadLetterQueue = new sqs.Queue(this, 'JobsDeadLetterQueue', {
      ...queueEncryption(key), enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    acknowledge(this.jobsDeadLetterQueue, { 'AwsSolutions-SQS3': 'This queue is itself the dead-letter queue of the maintenance jobs queue.' });
    const timeout = Duration.seconds(60);
    this.jobsQueue = new sqs.Queue(this, 'JobsQueue', {
      ...queueEncryption(key),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.jobsDeadLetterQueue, maxReceiveCount: 10 },
    });
    if (!key) {
      for (const q of [this.jobsQueue, this.jobsDeadLetterQueue]) acknowledgeScanners(q, { checkov: { CKV_AWS_27: SCANNER_REASONS.queueKey } });
    }

    const views: Record<string, { queueUrl: string; fifo: boolean }> = {};
    for (const p of props.projections) views[p.name] = { queueUrl: p.queue.queueUrl, fifo: p.queue.fifo };
    this.function = libraryFunction(this, 'Function', {
      codeDir: assetDir('maintenance'),
      description: 'cdk-event-sourced-api: backfills, rebuilds and replays views',
      environment: {
        [ENV.eventsTable]: props.eventsTable.tableName,
        [ENV.jobsQueueUrl]: this.jobsQueue.queueUrl,
        [ENV.maintenanceViews]: Stack.of(this).toJsonString(views),
        [ENV.catchUpRate]: Tokenization.stringifyNumber(props.catchUpRate),
      },
      timeout,
      memorySize: 256,
      logging: props.logging,
      encryptionKey: key,
    });
    // One step at a time: each step queues the next.
    this.function.addEventSource(new SqsEventSource(this.jobsQueue, { batchSize: 1, reportBatchItemFailures: true }));
    this.jobsQueue.grantSendMessages(this.function);

    // Least privilege: list streams from the catalogue and read their heads; read and write the
    // view tables' progress items and check their records; send catch-ups to the views' queues.
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [props.eventsTable.tableArn, `${props.eventsTable.tableArn}/index/${CATALOGUE.indexName}`],
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem'],
      resources: props.projections.map((p) => p.table.tableArn),
    }));
    key?.grantEncryptDecrypt(this.function);
    for (const p of props.projections) {
      p.queue.grantSendMessages(this.function);
      // The creation of a view table (a new view, or a new version) starts its backfill.
      // In the view's own scope, with everything else the view adds to a stack.
      new CustomResource(p, `Backfill-v${p.version}`, {
        serviceToken: this.function.functionArn,
        resourceType: 'Custom::ViewBackfill',
        properties: { view: p.name, table: p.table.tableName, reason: p.version > 1 ? `rebuild (version ${p.version})` : 'backfill' },
      });
    }
    tagRole(this.function, { owner: props.owner, role: 'maintenance' });
    tagRole(this.jobsQueue, { owner: props.owner, role: 'jobs-queue' });
    tagRole(this.jobsDeadLetterQueue, { owner: props.owner, role: 'jobs-dead-letter-queue' });
  }
}

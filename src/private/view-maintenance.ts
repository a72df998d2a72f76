import { CustomResource, Duration, RemovalPolicy, Stack, Tokenization } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeScanners, SCANNER_REASONS } from './acknowledge';
import { assetDir } from './assets';
import { CATALOGUE, ENV, VIEW_REGISTRY } from '../contract';
import { queueEncryption, tableEncryption } from './encryption';
import { FunctionLogging, libraryFunction } from './library-function';
import { tagRole } from './resource-roles';
import { indexSpecsOf } from './view-index-validation';
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
  /** The sha256 of the API's upcasters bundle, if it has an upcasters module (see EventEvolution). */
  readonly upcastersHash?: string;
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
  /** The view registry (VIEW_REGISTRY), written by each view table's custom resource. */
  public readonly registry: dynamodb.Table;

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

    // Small (an item per view table) and written only by deploys; kept with the stack's other
    // derived data: every item is written again by its custom resource when the view changes.
    this.registry = new dynamodb.Table(this, 'Registry', {
      partitionKey: { name: VIEW_REGISTRY.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: VIEW_REGISTRY.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...tableEncryption(key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (!key) acknowledgeScanners(this.registry, { checkov: { CKV_AWS_119: SCANNER_REASONS.tableKey } });
    this.function = libraryFunction(this, 'Function', {
      code: lambda.Code.fromAsset(assetDir('maintenance')),
      description: 'cdk-event-sourced-api: backfills, rebuilds and replays views',
      environment: {
        [ENV.eventsTable]: props.eventsTable.tableName,
        [ENV.jobsQueueUrl]: this.jobsQueue.queueUrl,
        [ENV.viewRegistry]: this.registry.tableName,
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
    // registry's items; read and write the view tables' progress items and check their records;
    // send catch-ups to the views' queues.
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [props.eventsTable.tableArn, `${props.eventsTable.tableArn}/index/${CATALOGUE.indexName}`],
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [this.registry.tableArn],
    }));
    key?.grantEncryptDecrypt(this.function);
    const role = this.function.role!;
    for (const p of props.projections) {
      // Granted by the view's own resources, so the function's role policy does not grow with
      // the views (IAM allows 10,240 characters of inline policy per role) and views can live in
      // nested stacks.
      // Every view table, with indexes or not: removing a view's last index still deletes its
      // global secondary index, and the table's policy is updated before the custom resource runs.
      grantInTablePolicy(p.table, role, [
        'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem',
        // The indexes: their state item and records' index attributes, and their GSIs.
        'dynamodb:UpdateItem', 'dynamodb:UpdateTable', 'dynamodb:DescribeTable',
      ]);
      const { policyDependable: queuePolicy } = p.queue.addToResourcePolicy(
        new iam.PolicyStatement({ principals: [role], actions: ['sqs:SendMessage'], resources: [p.queue.queueArn] }));
      // The creation of a view table (a new view, or a new version) registers it and starts its
      // backfill; its deletion unregisters it. In the view's own scope (and stack), with
      // everything else the view adds to a stack; after the queue's policy, which lets it send there.
      const backfill = new CustomResource(p, `Backfill-v${p.version}`, {
        serviceToken: this.function.functionArn,
        resourceType: 'Custom::ViewBackfill',
        properties: {
          view: p.name,
          table: p.table.tableName,
          ...(p.previousTable ? { previousTable: p.previousTable.tableName } : {}),
          queueUrl: p.queue.queueUrl,
          fifo: String(p.queue.fifo),
          version: String(p.version),
          reason: p.version > 1 ? `rebuild (version ${p.version})` : 'backfill',
          // A change updates the resource: its function flags a table built with the earlier
          // upcasters (only a raised version, a new table, rebuilds it).
          ...(props.upcastersHash ? { upcastersHash: props.upcastersHash } : {}),
          // The declared indexes (IndexSpec[] as JSON), only when there are any: a stack without
          // indexes sees no update. Its function makes and removes the GSIs after the deploy.
          ...(p.indexes.length > 0 ? { indexes: JSON.stringify(indexSpecsOf(p.indexes)) } : {}),
        },
      });
      if (queuePolicy) backfill.node.addDependency(queuePolicy);
      // Records are restamped for changed indexes only once the aggregator writes them too.
      backfill.node.addDependency(p.aggregator);
    }
    tagRole(this.function, { owner: props.owner, role: 'maintenance' });
    tagRole(this.jobsQueue, { owner: props.owner, role: 'jobs-queue' });
    tagRole(this.jobsDeadLetterQueue, { owner: props.owner, role: 'jobs-dead-letter-queue' });
    tagRole(this.registry, { owner: props.owner, role: 'view-registry' });
  }
}

/**
 * Lets a role call these actions on a view table through the table's resource policy. Its
 * resource is "*" (the table itself): the table's ARN would make the table depend on itself
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-create-table.html).
 * Within one account, a resource policy that names the role is enough.
 */
export function grantInTablePolicy(table: dynamodb.ITable, role: iam.IRole, actions: string[], resources: string[] = ['*']): void {
  (table as dynamodb.Table).addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions, resources }));
}

/**
 * Every index of every table of the table's account and region: in the table's own resource
 * policy it covers that table's indexes only, as a policy applies to the resource it is attached
 * to (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-examples.html).
 */
export function ownIndexesArn(table: dynamodb.ITable): string {
  return Stack.of(table).formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*/index/*' });
}

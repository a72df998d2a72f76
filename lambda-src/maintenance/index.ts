import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isCustomResourceEvent, respond, type CustomResourceEvent } from './cfn-response';
import { deployIndexes, IndexChangeRefused, parseIndexesProperty } from './index-deploy';
import { queueReconcile, reconcileIndexes } from './index-jobs';
import { runStep, startJob, type Clients, type JobMessage, type MaintenanceConfig } from './jobs';
import { DEFAULTS, ENV, parseViewTablePhysicalId, viewTablePhysicalId } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { log } from '../core/log';
import { readRegistry, register, registrationOf, RegistryCache, unregister, type Registration } from '../core/view-registry';

let sqs: SQSClient | undefined;
/**
 * For custom resources only: a FAILED answer fails the deploy and rolls it back, so a throttled
 * DynamoDB gets 7 attempts instead of the SDK's 3 (its throttling backoff, 0.5 s doubling with
 * jitter: at most about 32 s of waiting in all, within the function's 60 s).
 */
let deployDynamo: DynamoDBClient | undefined;

let registry: RegistryCache | undefined;

/**
 * The settings, with the views from the registry: read again if `view` is not among them, unless
 * its registration is at hand (`extra`, just written by its custom resource).
 */
async function config(dynamo: DynamoDBClient, view?: string, extra?: Registration): Promise<MaintenanceConfig> {
  const table = requireEnv(ENV.viewRegistry);
  // Jobs are few: a view not yet in the cache (registered by a deploy a moment ago) is looked for at once.
  if (registry?.table !== table) registry = new RegistryCache(table, { unknownRetryMs: 0 });
  const views: Record<string, { queueUrl: string; fifo: boolean }> = {};
  const registered = [...(await registry.current(dynamo, extra ? undefined : view)).values(), ...(extra ? [extra] : [])];
  for (const r of registered) views[r.view] = { queueUrl: r.queueUrl, fifo: r.fifo };
  if (view !== undefined && !views[view]) throw new Error(`View "${view}" is not registered in ${table}`);
  return {
    eventsTable: requireEnv(ENV.eventsTable),
    jobsQueueUrl: requireEnv(ENV.jobsQueueUrl),
    views,
    rate: Number(process.env[ENV.catchUpRate] ?? DEFAULTS.catchUpRate),
  };
}

/**
 * Keeps views complete. Its jobs queue carries job messages (start a job, or one step of one);
 * CloudFormation calls it when a view table is created (a new view, or a new version of one) to
 * start that table's backfill.
 */
export async function handler(event: SQSEvent | CustomResourceEvent): Promise<SQSBatchResponse | void> {
  // The regional endpoint (or AWS_ENDPOINT_URL_SQS), not each queue URL's host: both are the same
  // on AWS, and an endpoint override (a local runtime, a VPC endpoint) must win.
  const clients = { dynamo: dynamoClient(), sqs: (sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false })) };
  if (isCustomResourceEvent(event)) return onCustomResource(event, { ...clients, dynamo: (deployDynamo ??= new DynamoDBClient({ maxAttempts: 7 })) });
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as JobMessage;
      // A reconcile needs only the jobs queue: its view may be gone by now (the step then finds its table gone).
      const settings = await config(clients.dynamo, 'start' in message ? message.start.view : 'step' in message ? message.step.view : undefined);
      if ('start' in message) await startJob(message.start, settings, clients);
      else if ('step' in message) await runStep(message.step, settings, clients);
      else await reconcileIndexes(message.indexes, settings, clients);
    } catch (error) {
      log('error', 'maintenance job failed; it will be retried', { messageId: record.messageId, error: String(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

/** The properties of a Custom::ViewBackfill resource (CloudFormation passes every value as a string). */
interface ViewTableProperties {
  readonly view: string;
  readonly table: string;
  readonly previousTable?: string;
  readonly queueUrl: string;
  readonly fifo: string;
  readonly version: string;
  readonly reason?: string;
  /** The sha256 of the API's upcasters bundle; absent without an upcasters module. */
  readonly upcastersHash?: string;
  /** The view's declared indexes: a JSON array of IndexSpec; absent for none. */
  readonly indexes?: string;
}

/**
 * A view table's resource: Create registers the table and starts its backfill; Update registers
 * it again (and backfills a table that changed); Delete unregisters the table it names by its
 * physical id, `view:table`. A new physical id makes CloudFormation delete the old one in its cleanup.
 * An Update that changes the upcasters of a table that stays warns and flags its registration:
 * its records were built with the earlier ones, and only a raised version (a new table) rebuilds.
 */
async function onCustomResource(event: CustomResourceEvent, clients: Clients): Promise<void> {
  const props = event.ResourceProperties as unknown as ViewTableProperties;
  const physicalId = viewTablePhysicalId(props.view, props.table);
  try {
    if (event.RequestType === 'Delete') {
      const named = parseViewTablePhysicalId(event.PhysicalResourceId);
      if (named) await unregister(clients.dynamo, requireEnv(ENV.viewRegistry), named.view, named.table);
      await respond(event, 'SUCCESS', event.PhysicalResourceId ?? physicalId);
      return;
    }
    const registryTable = requireEnv(ENV.viewRegistry);
    const old = event.OldResourceProperties as Partial<ViewTableProperties> | undefined;
    const starts = event.RequestType === 'Create' || old?.table !== props.table;
    const indexes = parseIndexesProperty(props.indexes);
    // First, as it may refuse the deploy: then nothing has changed.
    const indexDeploy = await deployIndexes(clients.dynamo, props.view, props.table, indexes, starts);
    const registration: Registration = {
      view: props.view,
      table: props.table,
      previousTable: props.previousTable || undefined,
      queueUrl: props.queueUrl,
      fifo: String(props.fifo) === 'true',
      version: Number(props.version ?? 1),
      registeredAt: new Date().toISOString(),
      // A table that starts now is built with the current upcasters.
      upcastersChangedAt: starts ? undefined : await upcastersChangedAt(clients, registryTable, props, old!),
      ...(indexes.length ? { indexes } : {}),
    };
    // A new version's table is a rebuild only if an earlier version was there to read from: a
    // view deployed for the first time at version 3 is built the way a new view is.
    const firstBuild = starts && props.previousTable !== undefined && !(await readRegistry(clients.dynamo, registryTable)).has(props.view);
    await register(clients.dynamo, registryTable, registration);
    if (starts) {
      const reason = firstBuild ? `backfill (new view, version ${registration.version})` : props.reason ?? 'backfill';
      const settings = await config(clients.dynamo, props.view, registration);
      await startJob({ view: props.view, table: props.table, markReady: true, reason }, settings, clients);
    }
    if (indexDeploy) {
      const settings = await config(clients.dynamo, props.view, registration);
      const { fingerprint, toStamp } = indexDeploy;
      await queueReconcile(clients, settings, { view: props.view, table: props.table, fingerprint, poll: 0 }, 0);
      // Records written before these indexes were declared lack their attributes: the GSIs would miss them.
      if (toStamp.length) {
        const reason = `restamp (index${toStamp.length > 1 ? 'es' : ''} ${toStamp.join(', ')})`;
        await startJob({ view: props.view, table: props.table, markReady: false, reason, kind: 'restamp', fingerprint }, settings, clients);
      }
    }
    await respond(event, 'SUCCESS', physicalId);
  } catch (error) {
    if (error instanceof IndexChangeRefused) {
      log('error', error.message, { view: props.view, table: props.table });
      await respond(event, 'FAILED', event.PhysicalResourceId ?? physicalId, error.message);
      return;
    }
    log('error', 'could not register the view table or start its backfill', { view: props.view, table: props.table, error: String(error) });
    await respond(event, 'FAILED', event.PhysicalResourceId ?? physicalId, `Could not register ${props.view} or start its backfill: ${String(error)}`);
  }
}

/**
 * For a table that stays: when the records in it stopped matching the upcasters. Now, if this
 * update changes them (the fingerprint differs, or one came or went), else whenever an earlier
 * deploy did (kept from the table's registration).
 */
async function upcastersChangedAt(
  clients: Clients, registryTable: string, props: ViewTableProperties, old: Partial<ViewTableProperties>,
): Promise<string | undefined> {
  if ((old.upcastersHash || undefined) !== (props.upcastersHash || undefined)) {
    log('warn', `upcasters changed; view "${props.view}" was built with the earlier ones: raise its version to rebuild it`, { view: props.view, table: props.table });
    return new Date().toISOString();
  }
  return (await registrationOf(clients.dynamo, registryTable, props.view, props.table))?.upcastersChangedAt;
}

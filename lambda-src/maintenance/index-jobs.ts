import { UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Clients, JobMessage, MaintenanceConfig } from './jobs';
import { TableIndexes } from './table-indexes';
import { errorName } from '../core/dynamo';
import { declaredSpecs, readIndexState, setIndexField, type IndexState } from '../core/index-state';
import { log } from '../core/log';
import { gsiName, keyAttribute, type IndexSpec } from '../core/view-indexes';

/** One step of making a view table's GSIs match its declared indexes, as a message on the jobs queue. */
export interface ReconcileJob {
  readonly view: string;
  readonly table: string;
  /** The declared set this job works for: a later deploy's fingerprint supersedes it. */
  readonly fingerprint: string;
  /** Steps in a row that found the table busy: the next one waits min(2^poll, 60) s. */
  readonly poll: number;
}

/** The longest wait between two looks at a busy table (SQS delays go up to 900 s). */
const MAX_POLL_DELAY_SECONDS = 60;

/** Errors that mean "not now": another index change is under way, or the account's limit of them is reached. */
const RETRY_LATER = ['LimitExceededException', 'ResourceInUseException'];

/**
 * One step: drop the job if a later deploy replaced the declared set; else record each declared
 * index's GSI state, and if the table takes an index change, make one (delete a managed GSI no
 * longer declared, else create a missing one) and look again a second later. A busy table is
 * looked at again later, backing off. The job ends when every declared GSI is ACTIVE and none is left over.
 */
export async function reconcileIndexes(job: ReconcileJob, config: MaintenanceConfig, clients: Clients): Promise<void> {
  const state = await readIndexState(clients.dynamo, job.table).catch((err: unknown) => {
    if (errorName(err) === 'ResourceNotFoundException') return undefined; // the table was deleted: nothing to reconcile
    throw err;
  });
  if (state?.fingerprint !== job.fingerprint) {
    log('info', 'index reconcile dropped: superseded', { view: job.view, table: job.table, fingerprint: job.fingerprint, current: state?.fingerprint });
    return;
  }
  const gsis = await TableIndexes.describe(clients.dynamo, job.table);
  if (!await recordGsiStates(clients.dynamo, job, state, gsis)) return;
  if (gsis.busy) return queueReconcile(clients, config, { ...job, poll: job.poll + 1 }, Math.min(2 ** job.poll, MAX_POLL_DELAY_SECONDS));

  const change = nextChange(declaredSpecs(state), gsis);
  if (!change) {
    log('info', 'view indexes reconciled', { view: job.view, table: job.table, fingerprint: job.fingerprint, indexes: Object.keys(state.indexes) });
    return;
  }
  try {
    await clients.dynamo.send(new UpdateTableCommand(change.delete ? deleteIndex(job.table, change.delete) : createIndex(job.table, change.create!)));
  } catch (err) {
    if (!RETRY_LATER.includes(errorName(err) ?? '')) throw err;
    log('info', 'index change must wait', { view: job.view, table: job.table, error: String(err) });
    return queueReconcile(clients, config, { ...job, poll: job.poll + 1 }, Math.min(2 ** job.poll, MAX_POLL_DELAY_SECONDS));
  }
  if (change.create) await setIndexField(clients.dynamo, job.table, job.fingerprint, change.create.name, { gsi: 'CREATING' });
  log('info', change.create ? 'view index creation started' : 'view index deletion started', {
    view: job.view, table: job.table, gsi: change.delete ?? gsiName(change.create!.name),
  });
  await queueReconcile(clients, config, { ...job, poll: 0 }, 1);
}

/** The declared indexes' GSI states as DescribeTable shows them, written where they changed; false when superseded. */
async function recordGsiStates(dynamo: DynamoDBClient, job: ReconcileJob, state: IndexState, gsis: TableIndexes): Promise<boolean> {
  for (const spec of declaredSpecs(state)) {
    const gsi = gsis.stateOf(spec);
    if (gsi !== state.indexes[spec.name].gsi && !await setIndexField(dynamo, job.table, job.fingerprint, spec.name, { gsi })) return false;
  }
  return true;
}

/**
 * The one index change to make next: deletions first (they free the table's quota of 20), a
 * managed GSI not declared or with other keys (a deploy refuses that, so only a GSI left by an
 * interrupted deploy); then the first declared index, by name, that has no GSI.
 */
function nextChange(specs: IndexSpec[], gsis: TableIndexes): { delete?: string; create?: IndexSpec } | undefined {
  const wanted = new Map(specs.map((s) => [gsiName(s.name), s]));
  const extra = gsis.managed.find((g) => {
    const spec = wanted.get(g.IndexName!);
    return !spec || gsis.keyTypeChange(spec) !== undefined;
  });
  if (extra) return { delete: extra.IndexName! };
  const missing = [...specs].sort((a, b) => a.name.localeCompare(b.name)).find((s) => gsis.stateOf(s) === 'ABSENT');
  return missing ? { create: missing } : undefined;
}

function deleteIndex(table: string, name: string) {
  return { TableName: table, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] };
}

/**
 * A GSI of the index's key attributes projecting every attribute (a query answers whole records).
 * The table is on demand, so the index needs no throughput.
 */
function createIndex(table: string, spec: IndexSpec) {
  const pk = keyAttribute(spec.name, 'pk');
  const sk = spec.sortKey ? keyAttribute(spec.name, 'sk') : undefined;
  return {
    TableName: table,
    AttributeDefinitions: [
      { AttributeName: pk, AttributeType: spec.partitionKey.type },
      ...(sk ? [{ AttributeName: sk, AttributeType: spec.sortKey!.type }] : []),
    ],
    GlobalSecondaryIndexUpdates: [{
      Create: {
        IndexName: gsiName(spec.name),
        KeySchema: [{ AttributeName: pk, KeyType: 'HASH' as const }, ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : [])],
        Projection: { ProjectionType: 'ALL' as const },
      },
    }],
  };
}

/** Queues a reconcile step on the jobs queue. */
export async function queueReconcile(clients: Clients, config: MaintenanceConfig, job: ReconcileJob, delaySeconds: number): Promise<void> {
  const body = JSON.stringify({ indexes: job } satisfies JobMessage);
  await clients.sqs.send(new SendMessageCommand({ QueueUrl: config.jobsQueueUrl, MessageBody: body, DelaySeconds: delaySeconds }));
}

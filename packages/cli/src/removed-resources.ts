/**
 * The cleanup of a deploy, for a data folder: what the last run deployed and this run's template no
 * longer has is removed as CloudFormation removes it. A Custom::ViewBackfill that left gets its
 * Delete (which unregisters its view table, so the view is no longer served), and a view table
 * that left goes under its DeletionPolicy: deleted, or kept outside the stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ApiDefinition } from './cloud-assembly';
import { createCustomResource } from './custom-resource';
import { deleteTable } from './dynamo-store';
import { LocalFunction } from './function-host';
import { DeployedApi } from './local-state';
import { viewTablePhysicalId } from '../../../src/contract';

/** What this run deployed, per EventSourcedApi. */
export function deployedApis(definitions: ApiDefinition[]): Record<string, DeployedApi> {
  return Object.fromEntries(definitions.map((d) => [d.owner, {
    viewTables: d.views.flatMap((v) => [v.table, ...(v.previousTable ? [v.previousTable] : [])])
      .map((t) => ({ tableName: t.tableName, deletionPolicy: t.deletionPolicy })),
    backfills: (d.maintenance?.backfills ?? []).map((b) => ({
      logicalId: b.logicalId,
      physicalResourceId: viewTablePhysicalId(b.properties.view, b.properties.table),
      properties: b.properties,
    })),
  }]));
}

export interface RemovalOptions {
  readonly dynamo: DynamoDBClient;
  /** The running maintenance function of an API (undefined when the API, or its views, left). */
  readonly maintenanceOf: (owner: string) => LocalFunction | undefined;
  readonly log: (line: string) => void;
}

/**
 * Removes what `last` deployed and `definitions` no longer have, backfill resources first (they
 * depend on their tables); returns the names of the tables a Retain policy kept.
 */
export async function removeWhatLeft(last: Record<string, DeployedApi>, definitions: ApiDefinition[], options: RemovalOptions): Promise<string[]> {
  const now = deployedApis(definitions);
  for (const [owner, before] of Object.entries(last)) {
    const fn = options.maintenanceOf(owner);
    const current = new Set((now[owner]?.backfills ?? []).map((b) => b.physicalResourceId));
    for (const backfill of before.backfills.filter((b) => !current.has(b.physicalResourceId))) {
      const stackName = definitions.find((d) => d.owner === owner)?.stackName;
      // An API that left takes its view registry with it: nothing to unregister from.
      if (!fn || !stackName) continue;
      const outcome = await createCustomResource(fn, {
        requestType: 'Delete',
        stackName,
        logicalId: backfill.logicalId,
        resourceType: 'Custom::ViewBackfill',
        properties: backfill.properties,
        physicalResourceId: backfill.physicalResourceId,
      });
      // CloudFormation does not roll back a failed cleanup: it warns, and the deploy stands.
      if (outcome.Status !== 'SUCCESS') options.log(`[local] ${stackName}/${backfill.logicalId} failed to delete: ${outcome.Reason}`);
      else options.log(`[local] ${backfill.properties.view}: table ${backfill.properties.table} unregistered (its view table resource left the template)`);
    }
  }
  const tablesNow = new Set(Object.values(now).flatMap((api) => api.viewTables.map((t) => t.tableName)));
  const retained: string[] = [];
  for (const table of Object.values(last).flatMap((api) => api.viewTables).filter((t) => !tablesNow.has(t.tableName))) {
    if (table.deletionPolicy === 'Retain' || table.deletionPolicy === 'RetainExceptOnCreate') {
      retained.push(table.tableName);
      options.log(`[local] table ${table.tableName} left the template and is retained (DeletionPolicy ${table.deletionPolicy}): kept, outside the stack`);
    } else {
      // Snapshot too: DynamoDB Local has no backups.
      await deleteTable(options.dynamo, table.tableName);
      options.log(`[local] table ${table.tableName} left the template: deleted (DeletionPolicy ${table.deletionPolicy})`);
    }
  }
  return retained;
}

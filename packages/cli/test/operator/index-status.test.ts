/**
 * status shows where each index of a view stands, from the table's `$indexes` item, its restamp
 * progress and its GSIs (real tables on DynamoDB Local).
 */
import { writeIndexState } from '../../../../lambda-src/core/index-state';
import { indexDefinition, indexesFingerprint, type IndexSpec } from '../../../../lambda-src/core/view-indexes';
import { writeProgress } from '../../../../lambda-src/maintenance/progress';
import { RESTAMP_KEY } from '../../../../src/contract';
import { createViewTable, dynamoClient, markIndexesReady } from '../../../../test/support/local-dynamo';
import { formatStatus } from '../../src/operator/cli';
import type { ApiStatus } from '../../src/operator/commands';
import { viewIndexesStatus } from '../../src/operator/index-status';

const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };
const byTotal: IndexSpec = { name: 'byTotal', partitionKey: { field: 'currency', type: 'S' }, sortKey: { field: 'total', type: 'N' } };
const byCustomer: IndexSpec = { name: 'byCustomer', partitionKey: { field: 'customerId', type: 'S' } };

test('a view that never declared indexes has no index status', async () => {
  expect(await viewIndexesStatus(dynamoClient(), await createViewTable())).toBeUndefined();
});

test('built and stamped indexes are ready', async () => {
  const table = await createViewTable({ indexes: [byStatus, byTotal] });
  await markIndexesReady(table, [byStatus, byTotal]);
  expect(await viewIndexesStatus(dynamoClient(), table)).toEqual({
    indexes: [{ name: 'byStatus', state: 'ready' }, { name: 'byTotal', state: 'ready' }], unindexable: 0,
  });
});

test('an index not built yet is creating, one whose records are not stamped is restamping, a GSI no longer declared is deleting; status prints them', async () => {
  // The table has byStatus and byCustomer; the deploy declares byStatus (changed field: to restamp) and byTotal (new).
  const table = await createViewTable({ indexes: [byStatus, byCustomer] });
  const changed: IndexSpec = { name: 'byStatus', partitionKey: { field: 'state', type: 'S' } };
  const fingerprint = indexesFingerprint([changed, byTotal]);
  await writeIndexState(dynamoClient(), table, {
    fingerprint,
    indexes: {
      byStatus: { def: indexDefinition(changed), gsi: 'ACTIVE', stamped: false },
      byTotal: { def: indexDefinition(byTotal), gsi: 'ABSENT', stamped: false },
    },
    unindexable: 2,
    updatedAt: new Date().toISOString(),
  });
  const now = new Date().toISOString();
  await writeProgress(dynamoClient(), table, {
    jobId: 'j', view: 'orders', reason: 'restamp (indexes byStatus, byTotal)', phase: 'send', step: 0, sent: 40, checked: 0, behind: 0, pass: 0, ready: false, startedAt: now, updatedAt: now,
  }, RESTAMP_KEY);
  const indexes = await viewIndexesStatus(dynamoClient(), table);
  expect(indexes).toEqual({
    indexes: [{ name: 'byStatus', state: 'restamping' }, { name: 'byTotal', state: 'creating' }, { name: 'byCustomer', state: 'deleting' }],
    restamp: expect.objectContaining({ reason: 'restamp (indexes byStatus, byTotal)', phase: 'send', sent: 40 }),
    unindexable: 2,
  });

  const status: ApiStatus = {
    owner: 'Shop/Api',
    views: [{ name: 'orders', version: 1, table, rebuilding: false, queue: { waiting: 0, inFlight: 0 }, parked: 0, indexes }],
    eventsTableProblems: [],
  };
  expect(formatStatus(status, 'local').split('\n').slice(3)).toEqual([
    '    indexes: byStatus restamping, byTotal creating, byCustomer deleting',
    `    restamp: restamp (indexes byStatus, byTotal): send, 40 record(s) restamped (started ${now}, updated ${now})`,
    '    2 record(s) left out of an index: a key field DynamoDB refuses (see the maintenance function\'s warnings)',
  ]);
});

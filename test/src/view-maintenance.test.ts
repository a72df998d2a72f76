/**
 * What keeps views complete: the stream catalogue index, the maintenance function and its jobs
 * queue, a backfill custom resource per view table, and a fresh table per projection version.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { actionsOf, COUNTER, grantsOfFunction, logicalId, logicalIdOf, referencedIds, resourcesOf, statementsOfFunction, synth } from '../support/synth';

test('the events table has the stream catalogue: a keys-only index over the shard attribute of first events', () => {
  const { template } = synth({});
  template.hasResourceProperties('AWS::DynamoDB::Table', {
    GlobalSecondaryIndexes: [{
      IndexName: 'streams',
      KeySchema: [{ AttributeName: 'catalogueShard', KeyType: 'HASH' }, { AttributeName: 'streamId', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  });
  // Without views nothing needs maintaining.
  expect(Object.values(resourcesOf(template)).filter((r) => r.Type === 'Custom::ViewBackfill')).toEqual([]);
  expect(Object.keys(template.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('ApiMaintenance'))).toBe(false);
});

describe('with two views', () => {
  const { template, api } = synth({ projections: [{ name: 'a', entry: COUNTER }, { name: 'b', entry: COUNTER }], catchUpRate: 250, fifo: false });
  const resources = resourcesOf(template);
  const maintenanceId = logicalId(template, 'AWS::Lambda::Function', 'ApiMaintenanceFunction');

  test('a jobs queue (dead-letter queue after 10 receives) feeds the maintenance function one message at a time', () => {
    const jobs = logicalId(template, 'AWS::SQS::Queue', 'ApiMaintenanceJobsQueue');
    const dlq = logicalId(template, 'AWS::SQS::Queue', 'ApiMaintenanceJobsDeadLetterQueue');
    expect(resources[jobs].Properties).toMatchObject({ RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 10 }, VisibilityTimeout: 360 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: maintenanceId }, EventSourceArn: { 'Fn::GetAtt': [jobs, 'Arn'] }, BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(resources[maintenanceId].Properties.Environment.Variables).toMatchObject({ CATCH_UP_RATE: '250', JOBS_QUEUE_URL: { Ref: jobs } });
    expect(logicalIdOf(api.maintenanceFunction!)).toBe(maintenanceId);
    expect(logicalIdOf(api.jobsQueue!)).toBe(jobs);
  });

  test('each view table has a backfill custom resource, served by the maintenance function', () => {
    const backfills = Object.entries(resources).filter(([, r]) => r.Type === 'Custom::ViewBackfill');
    expect(backfills).toHaveLength(2);
    for (const name of ['a', 'b']) {
      const table = logicalId(template, 'AWS::DynamoDB::Table', `ApiProjection${name}Table`);
      template.hasResourceProperties('Custom::ViewBackfill', {
        ServiceToken: { 'Fn::GetAtt': [maintenanceId, 'Arn'] }, view: name, table: { Ref: table }, reason: 'backfill',
      });
      // Created once the queue's policy lets the maintenance function send there (the queue itself
      // it names by Ref), and once the aggregator is updated (it writes the records of new indexes).
      const [, backfill] = backfills.find(([id]) => id.startsWith(`ApiProjection${name}Backfill`))!;
      expect((backfill as { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining([
        logicalId(template, 'AWS::SQS::QueuePolicy', `ApiProjection${name}QueuePolicy`),
        logicalId(template, 'AWS::Lambda::Function', `ApiProjection${name}Aggregator`),
      ]));
    }
  });

  test('least privilege: the catalogue and heads of the events table; progress, records and indexes of the current view tables; sends to the queues; the registry', () => {
    const id = (type: string, prefix: string) => logicalId(template, type, prefix);
    const statements = statementsOfFunction(template, 'ApiMaintenanceFunction');
    const query = statements.find((s) => actionsOf([s]).includes('dynamodb:Query'))!;
    expect(JSON.stringify(query.Resource)).toContain('/index/streams');
    const granted = new Map<string, string[]>();
    for (const g of grantsOfFunction(template, 'ApiMaintenanceFunction')) {
      for (const r of g.resources) granted.set(r, [...new Set([...(granted.get(r) ?? []), ...g.actions.filter((a) => /^(dynamodb|sqs):/.test(a))])].sort());
    }
    // UpdateItem, UpdateTable and DescribeTable: the view's indexes (their state, records' keys, GSIs).
    const viewTable = ['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:UpdateTable'];
    expect(Object.fromEntries([...granted].filter(([, actions]) => actions.length > 0))).toEqual({
      [id('AWS::DynamoDB::Table', 'ApiEventsTable')]: ['dynamodb:Query'],
      [id('AWS::DynamoDB::Table', 'ApiMaintenanceRegistry')]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'],
      [id('AWS::DynamoDB::Table', 'ApiProjectionaTable')]: viewTable,
      [id('AWS::DynamoDB::Table', 'ApiProjectionbTable')]: viewTable,
      [id('AWS::SQS::Queue', 'ApiMaintenanceJobsQueue')]: expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
      [id('AWS::SQS::Queue', 'ApiProjectionaQueue')]: ['sqs:SendMessage'],
      [id('AWS::SQS::Queue', 'ApiProjectionbQueue')]: ['sqs:SendMessage'],
    });
    // A view's records are deleted by nothing: only the registry's items are.
    expect(granted.get(id('AWS::DynamoDB::Table', 'ApiProjectionaTable'))).not.toContain('dynamodb:DeleteItem');
  });
});

describe('raising a projection version', () => {
  const at = (version: number) => synth({ projections: [{ name: 'orders', entry: COUNTER, version }] });

  test('version 2: a fresh table the aggregator writes and the backfill fills; reads have the version-1 table to fall back on', () => {
    const { template, api } = at(2);
    const current = logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectionordersTableV2');
    const previous = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) => /^ApiProjectionordersTable[0-9A-F]{8}$/.test(id))!;
    expect(previous).toBeDefined();
    expect(api.projection('orders')).toMatchObject({ version: 2 });
    expect(api.projection('orders').previousTable).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ VIEW_NAME: 'orders', VIEW_TABLE_NAME: { Ref: current } }) },
    });
    // The view's resource registers both tables, so the reader finds the version-1 table to fall back on.
    template.hasResourceProperties('Custom::ViewBackfill', {
      view: 'orders', table: { Ref: current }, previousTable: { Ref: previous }, version: '2', reason: 'rebuild (version 2)',
    });
    // The reader may read both; the aggregator writes the current one only.
    const readerTables = grantsOfFunction(template, 'ApiReader').filter((g) => g.actions.includes('dynamodb:GetItem')).flatMap((g) => g.resources);
    expect(readerTables.sort()).toEqual([current, previous].sort());
    const aggregatorTables = statementsOfFunction(template, 'ApiProjectionordersAggregator')
      .filter((s) => actionsOf([s]).includes('dynamodb:PutItem')).flatMap((s) => referencedIds(s.Resource));
    expect(aggregatorTables).toEqual([current]);
  });

  test('version 3: the version-1 table leaves the template (and so follows the removal policy); the backfill resource is a new one', () => {
    const { template } = at(3);
    const tables = Object.keys(template.findResources('AWS::DynamoDB::Table')).filter((id) => id.startsWith('ApiProjectionorders'));
    expect(tables.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ApiProjectionordersTableV2', 'ApiProjectionordersTableV3']);
    const backfills = Object.keys(template.findResources('Custom::ViewBackfill'));
    expect(backfills).toHaveLength(1);
    expect(backfills[0]).toMatch(/^ApiProjectionordersBackfillv3/);
  });

  test('a version that is not a whole number from 1, or a catch-up rate out of range, fails at synth naming it', () => {
    expect(() => at(0)).toThrow(/projections\[0\]\.version must be a whole number from 1 to 10000, got 0/);
    expect(() => at(1.5)).toThrow(/projections\[0\]\.version must be a whole number/);
    expect(() => synth({ catchUpRate: 0 })).toThrow(/catchUpRate must be a whole number from 1 to 1000/);
    expect(() => synth({ catchUpRate: 1001 })).toThrow(/catchUpRate/);
  });
});

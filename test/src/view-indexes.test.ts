/**
 * Declared indexes at synth: every mistake is an error naming its entry, and a view with indexes
 * changes the template only where it must. No view table declares a global secondary index (the
 * maintenance function makes them after the deploy, one at a time); the Custom::ViewBackfill
 * carries the indexes, the aggregator a file of them, the reader may Query the table's indexes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EventSourcedApi, IndexKeyType, Projection, type EventSourcedApiProps, type ViewIndex } from '../../src';
import { VIEW_INDEXES_FILE } from '../../src/contract';
import { COUNTER, grantsOfFunction, logicalId, resourcesOf, synth } from '../support/synth';
import { synthApp } from '../support/templates';

const S = IndexKeyType.STRING;
const N = IndexKeyType.NUMBER;
const byCustomer: ViewIndex = { name: 'byCustomer', partitionKey: { field: 'customer', type: S }, sortKey: { field: 'placedAt', type: N } };
const byStatus: ViewIndex = { name: 'byStatus', partitionKey: { field: 'status', type: S } };

const withIndexes = (indexes: ViewIndex[] | undefined, extra: EventSourcedApiProps = {}): EventSourcedApiProps => ({
  projections: [{ name: 'orders', entry: COUNTER, indexes }, { name: 'plain', entry: COUNTER }],
  ...extra,
});
const build = (indexes: unknown, extra: EventSourcedApiProps = {}) => () => synth(withIndexes(indexes as ViewIndex[], extra));

describe('synth errors name the entry', () => {
  const many = Array.from({ length: 21 }, (_, i) => ({ name: `ix${i}`, partitionKey: { field: `f${i}`, type: S } }));

  test.each<[string, unknown, RegExp]>([
    ['more than 20', many, /^projections\[0\]\.indexes: 21 given; DynamoDB allows 20 global secondary indexes per table\.$/],
    ['a name with a dash', [{ ...byStatus, name: 'by-status' }], /projections\[0\]\.indexes\[0\]\.name "by-status" is invalid: use 1-32 letters and digits, starting with a lowercase letter/],
    ['a name starting with a capital', [{ ...byStatus, name: 'ByStatus' }], /indexes\[0\]\.name "ByStatus" is invalid/],
    ['a name of 33 characters', [{ ...byStatus, name: `a${'b'.repeat(32)}` }], /indexes\[0\]\.name "ab+" is invalid/],
    ['a duplicate name', [byCustomer, byStatus, { ...byStatus, partitionKey: { field: 'other', type: S } }], /projections\[0\]\.indexes\[2\]\.name "byStatus" is already indexes\[1\]'s/],
    ['no partition key', [{ name: 'byX' }], /indexes\[0\]\.partitionKey is required/],
    ['an empty field', [{ name: 'byX', partitionKey: { field: '', type: S } }], /indexes\[0\]\.partitionKey\.field must be a record field of 1-255 characters, got ""/],
    ['a field of 256 characters', [{ name: 'byX', partitionKey: { field: 'f'.repeat(256), type: S } }], /partitionKey\.field must be a record field of 1-255 characters/],
    ['the version', [{ name: 'byX', partitionKey: { field: 'version', type: N } }], /indexes\[0\]\.partitionKey\.field "version" cannot be indexed: the reader adds it to every record \(the version\)/],
    ['the stream id field', [{ name: 'byX', partitionKey: { field: 's', type: S }, sortKey: { field: 'id', type: S } }], /indexes\[0\]\.sortKey\.field "id" cannot be indexed: .*stream id/],
    ['a type from Python that is not STRING or NUMBER', [{ name: 'byX', partitionKey: { field: 'x', type: 'BINARY' } }], /indexes\[0\]\.partitionKey\.type "BINARY" is invalid: use IndexKeyType\.STRING or IndexKeyType\.NUMBER/],
    ['a missing type', [{ name: 'byX', partitionKey: { field: 'x' } }], /partitionKey\.type undefined is invalid/],
    ['one field with two types', [byCustomer, { name: 'byPlaced', partitionKey: { field: 'placedAt', type: S } }],
      /projections\[0\]\.indexes\[1\]\.partitionKey\.field "placedAt" is STRING here but NUMBER in indexes\[0\]\.sortKey; a field has one type across a view's indexes/],
    ['the same field as partition and sort key', [{ name: 'byX', partitionKey: { field: 'x', type: S }, sortKey: { field: 'x', type: S } }], /indexes\[0\]\.sortKey\.field "x" is also its partition key/],
    ['a typo in a ViewIndex key', [{ ...byStatus, sortkey: { field: 'x', type: S } }], /projections\[0\]\.indexes\[0\] has an unknown key "sortkey"; known keys: name, partitionKey, sortKey/],
    ['a Python spelling of an IndexKey key', [{ name: 'byX', partitionKey: { field: 'x', type: S, field_name: 'y' } }], /projections\[0\]\.indexes\[0\]\.partitionKey has an unknown key "field_name"/],
    ['not a list', { byStatus }, /projections\[0\]\.indexes must be a list of indexes/],
  ])('%s', (_name, indexes, message) => {
    expect(build(indexes)).toThrow(message);
  });

  test('a custom streamIdField is refused as a key; "id" is then a field like any other', () => {
    expect(build([{ name: 'byOrder', partitionKey: { field: 'orderId', type: S } }], { streamIdField: 'orderId' })).toThrow(/"orderId" cannot be indexed/);
    expect(build([{ name: 'byId', partitionKey: { field: 'id', type: S } }], { streamIdField: 'orderId' })).not.toThrow();
  });

  test('20 indexes, and one field in several indexes with one type, are fine', () => {
    expect(build(many.slice(0, 20))).not.toThrow();
    expect(build([byCustomer, { name: 'byPlaced', partitionKey: { field: 'placedAt', type: N } }, { name: 'byStatusCustomer', partitionKey: { field: 'status', type: S }, sortKey: { field: 'customer', type: S } }])).not.toThrow();
  });

  test('a Projection of your own names itself in the error', () => {
    const stack = new Stack(new App(), 'S');
    const topic = new sns.Topic(stack, 'Topic', { fifo: true });
    const eventsTable = dynamodb.Table.fromTableName(stack, 'Events', 'events');
    expect(() => new Projection(stack, 'View', { name: 'orders', entry: COUNTER, topic, eventsTable, indexes: [byStatus, byStatus] }))
      .toThrow(/^projection "orders" indexes\[1\]\.name "byStatus" is already indexes\[0\]'s/);
  });
});

describe('a view with indexes', () => {
  const { template, stack, api } = synth(withIndexes([byCustomer, byStatus], { dashboard: true }));
  const resources = resourcesOf(template);
  const ordersTable = logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectionordersTable');
  const plainTable = logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectionplainTable');
  const backfillOf = (view: string) => Object.entries(resources).find(([id, r]) => r.Type === 'Custom::ViewBackfill' && id.startsWith(`ApiProjection${view}Backfill`))!;

  test('no table declares a global secondary index for it (only the events table its catalogue)', () => {
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::DynamoDB::Table') continue;
      const indexNames = (r.Properties.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName);
      expect([id, indexNames]).toEqual([id, id.startsWith('ApiEventsTable') ? ['streams'] : []]);
    }
  });

  test('its Custom::ViewBackfill carries the indexes as JSON specs, and runs once the aggregator is updated', () => {
    const [, orders] = backfillOf('orders');
    expect(JSON.parse(orders.Properties.indexes)).toEqual([
      { name: 'byCustomer', partitionKey: { field: 'customer', type: 'S' }, sortKey: { field: 'placedAt', type: 'N' } },
      { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } },
    ]);
    const aggregator = logicalId(template, 'AWS::Lambda::Function', 'ApiProjectionordersAggregator');
    expect((orders as { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining([aggregator]));
    // A view without indexes has no `indexes` property: stacks without indexes see no update.
    expect(backfillOf('plain')[1].Properties).not.toHaveProperty('indexes');
  });

  test('its aggregator names the file of its indexes, which is in its code', () => {
    const vars = (view: string) => resources[logicalId(template, 'AWS::Lambda::Function', `ApiProjection${view}Aggregator`)].Properties.Environment.Variables;
    expect(vars('orders')).toMatchObject({ VIEW_INDEXES_FILE: VIEW_INDEXES_FILE });
    expect(vars('plain')).not.toHaveProperty('VIEW_INDEXES_FILE');
    expect(api.projection('orders').indexes).toEqual([byCustomer, byStatus]);
    expect(api.projection('plain').indexes).toEqual([]);
  });

  test('the reader may Query the indexes of the views that have them, in each table\'s own policy; nothing else changes', () => {
    const readerRole = resources[logicalId(template, 'AWS::Lambda::Function', 'ApiReader')].Properties.Role['Fn::GetAtt'][0];
    const queryStatements = (table: string) => (resources[table].Properties.ResourcePolicy?.PolicyDocument.Statement ?? [])
      .filter((s: any) => JSON.stringify(s.Action).includes('dynamodb:Query'));
    const [statement, ...more] = queryStatements(ordersTable);
    expect(more).toEqual([]);
    expect(statement).toMatchObject({ Action: 'dynamodb:Query', Effect: 'Allow' });
    expect(JSON.stringify(statement.Principal)).toContain(readerRole);
    expect(stack.resolve(statement.Resource)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:111111111111:table/*/index/*']],
    });
    expect(queryStatements(plainTable)).toEqual([]);
    // Its other grants stay GetItem and Scan.
    const readerTables = grantsOfFunction(template, 'ApiReader').filter((g) => g.actions.includes('dynamodb:GetItem')).flatMap((g) => g.resources);
    expect(readerTables.sort()).toEqual([ordersTable, plainTable].sort());
  });

  test('the maintenance function may update and describe every view table (removing the last index deletes its GSI)', () => {
    for (const table of [ordersTable, plainTable]) {
      const actions = grantsOfFunction(template, 'ApiMaintenanceFunction').filter((g) => g.resources.includes(table)).flatMap((g) => g.actions);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:UpdateTable', 'dynamodb:DescribeTable']));
    }
  });

  test('the dashboard graphs index queries for the views with indexes', () => {
    const [dashboard] = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
    const parts: unknown[] = stack.resolve(dashboard.Properties.DashboardBody)['Fn::Join'][1];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ref')).join(''));
    const graph = body.widgets.find((w: any) => w.properties.title === 'Index queries per view (pages)');
    expect(graph.properties.metrics.map((m: any[]) => [m[0], m[1], m[m.length - 1].label])).toEqual([['CdkEventSourcedApi', 'IndexQueries', 'orders']]);
  });

  test('metricIndexQueries: IndexQueries by Api and View, summed', () => {
    const metric = api.projection('orders').metricIndexQueries();
    expect(metric).toMatchObject({ namespace: 'CdkEventSourcedApi', metricName: 'IndexQueries', statistic: 'Sum' });
    expect(Object.keys(metric.dimensions ?? {}).sort()).toEqual(['Api', 'View']);
  });
});

test('without indexes, nothing of them is in the template', () => {
  const { template } = synth(withIndexes(undefined, { dashboard: true }));
  const text = JSON.stringify(template.toJSON());
  expect(text).not.toContain('VIEW_INDEXES_FILE');
  expect(text).not.toContain('/index/*');
  expect(text).not.toContain('Index queries');
  expect(Object.values(resourcesOf(template)).filter((r) => r.Type === 'Custom::ViewBackfill' && 'indexes' in r.Properties)).toEqual([]);
  // An empty list is no indexes.
  expect(JSON.stringify(synth(withIndexes([])).template.toJSON())).not.toContain('VIEW_INDEXES_FILE');
});

test('view-indexes.json is in the aggregator\'s code, and a change of indexes changes the code\'s hash', () => {
  const assetOf = (indexes: ViewIndex[] | undefined) => {
    const app = new App();
    new EventSourcedApi(new Stack(app, 'S'), 'Api', { projections: [{ name: 'orders', entry: COUNTER, indexes }] });
    const assembly = synthApp(app);
    const template = assembly.getStackByName('S').template;
    const [aggregator] = Object.entries<any>(template.Resources).filter(([id]) => id.startsWith('ApiProjectionordersAggregator') && template.Resources[id].Type === 'AWS::Lambda::Function');
    const key: string = aggregator[1].Properties.Code.S3Key;
    const dir = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    return { key, files: fs.readdirSync(dir), read: (f: string) => fs.readFileSync(path.join(dir, f), 'utf8') };
  };
  const none = assetOf(undefined);
  const one = assetOf([byStatus]);
  const two = assetOf([byStatus, byCustomer]);
  expect(none.files).not.toContain(VIEW_INDEXES_FILE);
  expect(JSON.parse(one.read(VIEW_INDEXES_FILE))).toEqual([{ name: 'byStatus', partitionKey: { field: 'status', type: 'S' } }]);
  expect(new Set([none.key, one.key, two.key]).size).toBe(3);
});

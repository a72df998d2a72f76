import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildExampleApp } from '../../../examples/typescript/app';
import { ApiKind, EventSourcedApi, Projection } from '../../../src';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { COUNTER } from '../../../test/support/synth';
import { synthApp } from '../../../test/support/templates';
import { ApiDefinition, readCloudAssembly } from '../src/cloud-assembly';

afterAll(() => removeTempDirs());

describe('readCloudAssembly on the synthesized example app', () => {
  let apis: ApiDefinition[];
  let api: ApiDefinition;

  beforeAll(() => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    buildExampleApp(app);
    const assembly = synthApp(app);
    apis = readCloudAssembly(assembly.directory, { tablePrefix: 'local-test-' });
    api = apis[0];
  });

  test('finds one API, owned by its construct path, with two views in order', () => {
    expect(apis).toHaveLength(1);
    expect(api.owner).toBe('CustomersApi/Customers');
    expect(api.stackName).toBe('CustomersApi');
    expect(api.views.map((v) => v.name)).toEqual(['default', 'summary']);
    expect(api.reader).toBeDefined();
    expect(api.preflights).toBeUndefined();
  });

  test('tables keep the template key schema and get prefixed local names', () => {
    expect(api.eventsTable).toMatchObject({
      keySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
      stream: true,
    });
    expect(api.eventsTable.tableName).toBe(`local-test-${api.eventsTable.logicalId}`);
    for (const view of api.views) {
      expect(view.table.tableName).toBe(`local-test-${view.table.logicalId}`);
      expect(view.table.keySchema).toEqual([{ AttributeName: 'streamId', KeyType: 'HASH' }]);
      expect(view.table.stream).toBe(false);
    }
    const names = [api.eventsTable, ...api.views.map((v) => v.table)].map((t) => t.tableName);
    expect(new Set(names).size).toBe(3);
  });

  test('queue settings: FIFO, 5 receives, visibility six times the aggregator timeout, raw delivery, batches of 10', () => {
    expect(api.fifo).toBe(true);
    // No environment in the app: the region the AWS SDK would use here (test setup: us-east-1).
    expect(api.region).toBe('us-east-1');
    expect(api.topicArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:.+\.fifo$/);
    for (const view of api.views) {
      expect(view.queue).toMatchObject({ fifo: true, deduplicationPerGroup: true, maxReceiveCount: 5, visibilityTimeoutSeconds: 180 });
      expect(view.queue.arn).toMatch(/\.fifo$/);
      expect(view.deadLetterQueue).toMatchObject({ fifo: true, deduplicationPerGroup: true, maxReceiveCount: undefined });
      expect(view.rawMessageDelivery).toBe(true);
      expect(view.batchSize).toBe(10);
      expect(view.aggregator.timeoutSeconds).toBe(30);
    }
  });

  test("the publisher's stream mapping: batches of 100, 10 retries, a day's max age, bisect, the new-events filter", () => {
    expect(api.publisherStream).toEqual({
      batchSize: 100,
      maximumRetryAttempts: 10,
      maximumRecordAgeSeconds: 86400,
      bisectBatchOnFunctionError: true,
      filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { eventId: { S: [{ exists: true }] } } } }],
    });
  });

  test('function environments are resolved to the local names', () => {
    expect(api.writer!.environment).toMatchObject({ EVENTS_TABLE_NAME: api.eventsTable.tableName, STREAM_ID_FIELD: 'id', MAX_BODY_BYTES: '65536' });
    expect(api.publisher.environment).toMatchObject({ TOPIC_ARN: api.topicArn, TOPIC_FIFO: 'true' });
    const registry = api.maintenance!.registry.tableName;
    expect(api.reader!.environment).toMatchObject({ VIEW_REGISTRY_TABLE: registry, DEFAULT_VIEW: 'default', DEFAULT_PAGE_SIZE: '10', MAX_PAGE_SIZE: '100' });
    expect(api.maintenance!.function.environment).toMatchObject({ VIEW_REGISTRY_TABLE: registry });
    // Each view registers itself with local names, as its custom resource's properties resolve.
    expect(api.maintenance!.backfills.map((b) => b.properties)).toEqual(api.views.map((view) => ({
      view: view.name, table: view.table.tableName, queueUrl: view.queue.url, fifo: 'true', version: '1', reason: 'backfill',
    })));
    for (const view of api.views) {
      expect(view.aggregator.environment).toEqual({
        VIEW_NAME: view.name,
        VIEW_TABLE_NAME: view.table.tableName,
        EVENTS_TABLE_NAME: api.eventsTable.tableName,
        STREAM_ID_FIELD: 'id',
        NODE_OPTIONS: '--enable-source-maps',
        LOG_LEVEL: 'INFO',
      });
    }
    const all = [api.writer!, api.publisher, api.reader!, ...api.views.map((v) => v.aggregator)];
    for (const fn of all) expect(JSON.stringify(fn.environment)).not.toMatch(/Ref|Fn::|\$\{Token/);
  });

  test('each function points at its bundle in the assembly', () => {
    const all = [api.writer!, api.publisher, api.reader!, ...api.views.map((v) => v.aggregator)];
    for (const fn of all) {
      expect(fn.handler).toBe('index.handler');
      expect(fs.existsSync(path.join(fn.codeDir, 'index.js'))).toBe(true);
    }
    expect(new Set(api.views.map((v) => v.aggregator.codeDir)).size).toBe(2);
    expect(fs.readFileSync(path.join(api.views[1].aggregator.codeDir, 'index.js'), 'utf8')).toContain('amountCents');
  });
});

describe('readCloudAssembly: what the template leaves out, and where the stack deploys', () => {
  test('a stream mapping without retry, age and bisect settings gets Lambda\'s defaults: infinite, infinite, off', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    buildExampleApp(app);
    const directory = synthApp(app).directory;
    const file = path.join(directory, 'CustomersApi.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const resource of Object.values<any>(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      for (const key of ['MaximumRetryAttempts', 'MaximumRecordAgeInSeconds', 'BisectBatchOnFunctionError']) delete resource.Properties[key];
    }
    fs.writeFileSync(file, JSON.stringify(template));
    const [api] = readCloudAssembly(directory, { tablePrefix: 'p-' });
    expect(api.publisherStream).toMatchObject({ maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, bisectBatchOnFunctionError: false });
  });

  test('a stack with an environment: its region and account in every ARN, pseudo parameter and queue URL', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    const stack = new Stack(app, 'Placed', { env: { region: 'eu-west-1', account: '111111111111' } });
    new EventSourcedApi(stack, 'Api', { projections: [{ name: 'counter', entry: COUNTER }] });
    const [api] = readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });
    expect(api).toMatchObject({ region: 'eu-west-1', account: '111111111111' });
    expect(api.topicArn).toMatch(/^arn:aws:sns:eu-west-1:111111111111:/);
    expect(api.views[0].queue.arn).toMatch(/^arn:aws:sqs:eu-west-1:111111111111:.+\.fifo$/);
    expect(api.publisherArn).toMatch(/^arn:aws:lambda:eu-west-1:111111111111:function:/);
  });

  test('api.apiKeyRequired is read from the methods, so the local gateway asks for a key too', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    new EventSourcedApi(new Stack(app, 'Keyed'), 'Api', { projections: [{ name: 'counter', entry: COUNTER }], api: { apiKeyRequired: true } });
    new EventSourcedApi(new Stack(app, 'Open'), 'Api', { projections: [{ name: 'counter', entry: COUNTER }] });
    const apis = readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });
    expect(apis.map((a) => [a.stackName, a.apiKeyRequired]).sort()).toEqual([['Keyed', true], ['Open', false]]);
  });

  test('routes mounted on the user\'s REST API (api.existingApiResource): that API\'s settings and the resource\'s path', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    const stack = new Stack(app, 'Mounted');
    const shop = new apigateway.RestApi(stack, 'Shop', { deployOptions: { throttlingRateLimit: 3, throttlingBurstLimit: 4 } });
    shop.root.addMethod('GET', new apigateway.MockIntegration());
    new EventSourcedApi(stack, 'Api', { projections: [{ name: 'counter', entry: COUNTER }], api: { existingApiResource: shop.root.addResource('v1').addResource('orders') } });
    new EventSourcedApi(new Stack(app, 'Own'), 'Api', { projections: [{ name: 'counter', entry: COUNTER }] });
    const apis = readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });
    expect(apis.map((a) => [a.stackName, a.kind, a.basePath, a.throttle]).sort()).toEqual([
      ['Mounted', 'REST', '/v1/orders', { rateLimit: 3, burstLimit: 4 }],
      ['Own', 'REST', '/', { rateLimit: 100, burstLimit: 200 }],
    ]);
  });

  test('an HTTP API: its kind, stage, throttling and CORS configuration; a REST API is REST', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    new EventSourcedApi(new Stack(app, 'Http'), 'Api', {
      projections: [{ name: 'counter', entry: COUNTER }],
      api: { kind: ApiKind.HTTP, stageName: 'v2', throttlingRateLimit: 7, throttlingBurstLimit: 9, cors: { allowOrigins: ['https://app.example.com'], maxAge: Duration.minutes(5) } },
    });
    new EventSourcedApi(new Stack(app, 'Rest'), 'Api', { projections: [{ name: 'counter', entry: COUNTER }] });
    const apis = readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });
    const http = apis.find((a) => a.stackName === 'Http')!;
    expect(http).toMatchObject({ kind: 'HTTP', stageName: 'v2', throttle: { rateLimit: 7, burstLimit: 9 }, preflights: undefined, apiKeyRequired: false });
    expect(http.httpCors).toEqual({
      allowOrigins: ['https://app.example.com'],
      allowHeaders: expect.arrayContaining(['Content-Type', 'ExclusiveStartKey', 'X-Min-Version']),
      allowMethods: expect.arrayContaining(['GET', 'POST']),
      exposeHeaders: ['LastEvaluatedKey', 'Idempotent-Replay', 'Retry-After'],
      allowCredentials: false,
      maxAgeSeconds: 300,
    });
    const rest = apis.find((a) => a.stackName === 'Rest')!;
    expect([rest.kind, rest.httpCors, rest.stageName]).toEqual(['REST', undefined, undefined]);
  });
});

describe('readCloudAssembly on other shapes', () => {
  test('APIs inside a Stage, a standard (non-FIFO) API with CORS and custom view settings, and a lone Projection', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    const stage = new Stage(app, 'Dev');
    const stack = new Stack(stage, 'Orders');
    new EventSourcedApi(stack, 'Standard', {
      fifo: false,
      streamIdField: 'orderId',
      defaultPageSize: 5,
      api: { cors: { allowOrigins: ['https://example.com'] } },
      projections: [{ name: 'counter', entry: COUNTER, maxReceiveCount: 3, batchSize: 4, timeout: Duration.seconds(5) }],
    });
    new EventSourcedApi(stack, 'NoViews', {});
    // A Projection on its own (no writer or publisher): nothing to serve.
    new Projection(stack, 'Lone', {
      name: 'lone',
      entry: COUNTER,
      topic: new sns.Topic(stack, 'OtherTopic'),
      eventsTable: new dynamodb.Table(stack, 'OtherEvents', { partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING } }),
    });
    const apis = readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });

    expect(apis.map((a) => a.owner).sort()).toEqual(['Dev/Orders/NoViews', 'Dev/Orders/Standard']);
    const standard = apis.find((a) => a.owner === 'Dev/Orders/Standard')!;
    expect(standard.stackName).toBe('Dev-Orders');
    expect(standard.fifo).toBe(false);
    expect(standard.topicArn).not.toMatch(/\.fifo$/);
    // Each resource's preflight answer exactly as its OPTIONS integration in the template gives it.
    const preflight = (methods: string) => ({
      statusCode: 204,
      headers: {
        'Access-Control-Allow-Headers': 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,ExclusiveStartKey,X-Min-Version',
        'Access-Control-Allow-Origin': 'https://example.com',
        'Vary': 'Origin',
        'Access-Control-Allow-Methods': methods,
      },
    });
    expect(standard.preflights).toEqual({ '/': preflight('GET,POST'), '/{view}': preflight('GET'), '/{view}/{id}': preflight('GET') });
    expect(standard.writer!.environment).toMatchObject({ STREAM_ID_FIELD: 'orderId', CORS_ALLOW_ORIGIN: 'https://example.com' });
    expect(standard.publisher.environment.TOPIC_FIFO).toBe('false');
    expect(standard.reader!.environment.DEFAULT_PAGE_SIZE).toBe('5');
    expect(standard.views).toHaveLength(1);
    expect(standard.views[0]).toMatchObject({
      name: 'counter',
      batchSize: 4,
      queue: { fifo: false, maxReceiveCount: 3, visibilityTimeoutSeconds: 30 },
      deadLetterQueue: { fifo: false },
      aggregator: { timeoutSeconds: 5 },
    });

    const noViews = apis.find((a) => a.owner === 'Dev/Orders/NoViews')!;
    expect(noViews.views).toEqual([]);
    expect(noViews.reader).toBeUndefined();
    expect(noViews.eventsTable.tableName).not.toBe(standard.eventsTable.tableName);
  });

  test('an existing events table is created locally with the library schema', () => {
    const app = new App({ outdir: tempDir('es-local-assembly-') });
    const stack = new Stack(app, 'Imported');
    const table = dynamodb.Table.fromTableAttributes(stack, 'Events', {
      tableName: 'shared-events',
      tableStreamArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/shared-events/stream/2024-01-01T00:00:00.000',
    });
    new EventSourcedApi(stack, 'Api', { existingEventsTable: table, projections: [{ name: 'counter', entry: COUNTER }] });
    const [api] = readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });
    expect(api.eventsTable).toMatchObject({
      logicalId: 'ExistingEventsTable',
      keySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
      attributeDefinitions: [
        { AttributeName: 'streamId', AttributeType: 'S' }, { AttributeName: 'version', AttributeType: 'N' }, { AttributeName: 'catalogueShard', AttributeType: 'N' },
      ],
      stream: true,
      globalSecondaryIndexes: [{
        IndexName: 'streams',
        KeySchema: [{ AttributeName: 'catalogueShard', KeyType: 'HASH' }, { AttributeName: 'streamId', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }],
    });
    // Locally the table gets the run's prefix, and every function uses the table the runtime creates.
    expect(api.eventsTable.tableName).toBe('p-shared-events');
    expect(api.writer!.environment.EVENTS_TABLE_NAME).toBe(api.eventsTable.tableName);
    expect(api.views[0].aggregator.environment.EVENTS_TABLE_NAME).toBe(api.eventsTable.tableName);
  });

  test('a filter pattern AWS refuses fails the load, with event-ruler\'s reason, as it fails the deploy', () => {
    const withPattern = (pattern: string) => {
      const app = new App({ outdir: tempDir('es-local-assembly-') });
      const stack = new Stack(app, 'Filtered');
      new EventSourcedApi(stack, 'Api', { projections: [{ name: 'counter', entry: COUNTER }] });
      const mapping = app.node.findAll().find((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === 'AWS::Lambda::EventSourceMapping'
        && (c as unknown as { startingPosition?: string }).startingPosition !== undefined)!;
      mapping.addPropertyOverride('FilterCriteria.Filters', [{ Pattern: pattern }]);
      return () => readCloudAssembly(synthApp(app).directory, { tablePrefix: 'p-' });
    };
    expect(withPattern('{"eventName":"INSERT"}')).toThrow(/filter pattern 1 of its event source mapping is invalid \(AWS refuses it\): "eventName" must be an object or an array$/);
    expect(withPattern('{"dynamodb":{"NewImage":{"x":{"N":[{"numeric":[">","0"]}]}}}}')).toThrow(/Value of > must be numeric$/);
    expect(withPattern('{"eventName":')).toThrow(/filter pattern 1 of its event source mapping is not JSON/);
    expect(withPattern('{"eventName":["INSERT"],"dynamodb":{"NewImage":{"x":{"S":[{"exists":false}]}}}}')()[0].publisherStream.filterPatterns)
      .toEqual([{ eventName: ['INSERT'], dynamodb: { NewImage: { x: { S: [{ exists: false }] } } } }]);
  });

  test('a folder that is not a cloud assembly is an error', () => {
    expect(() => readCloudAssembly(tempDir(), { tablePrefix: 'p-' })).toThrow(/not a cloud assembly/);
  });
});

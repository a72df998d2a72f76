import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { ApiAuthorization, EventSourcedApi, EventSourcedApiProps, LogLevel } from '../../src';
import { acknowledgeScanners, SCANNER_REASONS } from '../../src/private/acknowledge';
import { actionsOf, COUNTER, grantsOfFunction, logicalId, logicalIdOf, referencedIds, statementsOfFunction, synth, twoViews } from '../support/synth';
import { templateOf } from '../support/templates';

describe('EventSourcedApi with two views (defaults)', () => {
  const { template, api } = synth({ projections: twoViews() });
  const resources = template.toJSON().Resources as Record<string, any>;

  test('events table: streamId/version keys, NEW_IMAGE stream, on-demand, PITR, encrypted, retained', () => {
    const id = logicalId(template, 'AWS::DynamoDB::Table', 'ApiEventsTable');
    expect(resources[id]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
        AttributeDefinitions: expect.arrayContaining([{ AttributeName: 'version', AttributeType: 'N' }]),
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  test('one view table per projection: streamId key, PITR, encrypted, destroyed with the stack', () => {
    for (const name of ['default', 'summary']) {
      const id = logicalId(template, 'AWS::DynamoDB::Table', `ApiProjection${name}Table`);
      expect(resources[id]).toMatchObject({
        DeletionPolicy: 'Delete',
        Properties: {
          KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
      });
    }
    // The events table, the two view tables and the view registry.
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
  });

  test('FIFO topic in high-throughput mode, encrypted with the SNS key, TLS-only policy', () => {
    const topic = resources[logicalId(template, 'AWS::SNS::Topic', 'ApiTopic')];
    expect(topic.Properties.FifoTopic).toBe(true);
    expect(topic.Properties.FifoThroughputScope).toBe('MessageGroup');
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toContain(':alias/aws/sns');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('each projection: high-throughput FIFO queue with raw delivery, SSE-SQS, TLS-only, and a FIFO DLQ after 5 receives', () => {
    for (const name of ['default', 'summary']) {
      const queueId = logicalId(template, 'AWS::SQS::Queue', `ApiProjection${name}Queue`);
      const dlqId = logicalId(template, 'AWS::SQS::Queue', `ApiProjection${name}DeadLetterQueue`);
      expect(resources[queueId].Properties).toMatchObject({
        FifoQueue: true,
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 180,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      });
      for (const id of [queueId, dlqId]) {
        expect(resources[id].Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      }
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs', RawMessageDelivery: true, Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
    }
    template.resourcePropertiesCountIs('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    }, 7); // the views' queues and DLQs, the publisher's failure queue, the jobs queue and its DLQ
  });

  test('the publisher is the only consumer of the stream: bisect, bounded retries, on-failure queue, new events only', () => {
    const streamMappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.StartingPosition);
    expect(streamMappings).toHaveLength(1);
    const failureQueue = logicalId(template, 'AWS::SQS::Queue', 'ApiPublisherFailureQueue');
    expect(streamMappings[0].Properties).toMatchObject({
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'ApiPublisher') },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureQueue, 'Arn'] } } },
    });
    const pattern = JSON.parse(streamMappings[0].Properties.FilterCriteria.Filters[0].Pattern);
    // Exists on the leaf type key: Lambda cannot match numeric rules on a stream record's N strings.
    expect(pattern).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { eventId: { S: [{ exists: true }] } } } });
    expect(JSON.stringify(pattern)).not.toContain('numeric');
  });

  test('aggregators consume their own queue with partial batch failures', () => {
    for (const name of ['default', 'summary']) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', `ApiProjection${name}Aggregator`) },
        EventSourceArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', `ApiProjection${name}Queue`), 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  test('every function: Node 24, arm64, X-Ray, its own log group with retention, text log format, LOG_LEVEL INFO', () => {
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(6); // writer, publisher, reader, maintenance, two aggregators
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      expect(fn.Properties.LoggingConfig.LogGroup.Ref).toBeDefined();
      // The JSON log format would wrap each line and lose its embedded metrics (see core/log.ts).
      expect(fn.Properties.LoggingConfig.LogFormat).toBeUndefined();
      expect(fn.Properties.Environment.Variables.LOG_LEVEL).toBe('INFO');
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('least privilege: the writer only reads and puts on the events table, never views, never update/delete', () => {
    const statements = statementsOfFunction(template, 'ApiWriter');
    const ddb = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
    expect(actionsOf(ddb).sort()).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    const tables = ddb.flatMap((s) => referencedIds(s.Resource));
    expect(new Set(tables)).toEqual(new Set([logicalId(template, 'AWS::DynamoDB::Table', 'ApiEventsTable')]));
  });

  test('least privilege: the reader cannot write anything; its role policy does not grow with the views (it queries events for GET /streams/{id})', () => {
    const registry = logicalId(template, 'AWS::DynamoDB::Table', 'ApiMaintenanceRegistry');
    const grants = grantsOfFunction(template, 'ApiReader').filter((g) => g.actions.some((a) => a.startsWith('dynamodb:')));
    const byTable = new Map<string, string[]>();
    for (const g of grants) for (const id of g.resources) byTable.set(id, [...(byTable.get(id) ?? []), ...g.actions].sort());
    const eventsTable = logicalId(template, 'AWS::DynamoDB::Table', 'ApiEventsTable');
    expect(Object.fromEntries(byTable)).toEqual({
      [eventsTable]: ['dynamodb:Query'],
      [registry]: ['dynamodb:Scan'],
      [logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectiondefaultTable')]: ['dynamodb:GetItem', 'dynamodb:Scan'],
      [logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectionsummaryTable')]: ['dynamodb:GetItem', 'dynamodb:Scan'],
    });
    // The view tables grant it in their own resource policies, so its role names only the registry.
    expect(statementsOfFunction(template, 'ApiReader').flatMap((s) => referencedIds(s.Resource)).filter((id) => byTable.has(id))).toEqual([registry, eventsTable]);
  });

  test("least privilege: projection A's aggregator writes only A's table, and only queries the events table", () => {
    const defaultTable = logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectiondefaultTable');
    const summaryTable = logicalId(template, 'AWS::DynamoDB::Table', 'ApiProjectionsummaryTable');
    const eventsTable = logicalId(template, 'AWS::DynamoDB::Table', 'ApiEventsTable');
    const statements = statementsOfFunction(template, 'ApiProjectiondefaultAggregator');
    const writes = statements.filter((s) => actionsOf([s]).includes('dynamodb:PutItem'));
    expect(writes.flatMap((s) => referencedIds(s.Resource))).toEqual([defaultTable]);
    const all = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
    expect(all.flatMap((s) => referencedIds(s.Resource))).not.toContain(summaryTable);
    const onEvents = all.filter((s) => referencedIds(s.Resource).includes(eventsTable));
    expect(actionsOf(onEvents)).toEqual(['dynamodb:Query']);
  });

  test('the publisher can publish to the topic and read the stream, not write tables', () => {
    const actions = actionsOf(statementsOfFunction(template, 'ApiPublisher'));
    expect(actions).toEqual(expect.arrayContaining(['sns:Publish', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']));
    expect(actions.filter((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
  });

  test('REST API: REGIONAL, the four routes with IAM auth, throttled 100/200, JSON access logs, tracing', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'GET', 'POST']);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    template.resourceCountIs('AWS::ApiGateway::Resource', 2);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{view}' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{id}' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'INFO' })],
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  test('reader environment names the view registry, the default view and the events table, not the views (it would grow with them)', () => {
    const reader = resources[logicalId(template, 'AWS::Lambda::Function', 'ApiReader')];
    expect(reader.Properties.Environment.Variables).toEqual({
      EVENTS_TABLE_NAME: { Ref: logicalId(template, 'AWS::DynamoDB::Table', 'ApiEventsTable') },
      VIEW_REGISTRY_TABLE: { Ref: logicalId(template, 'AWS::DynamoDB::Table', 'ApiMaintenanceRegistry') },
      DEFAULT_VIEW: 'default',
      STREAM_ID_FIELD: 'id',
      DEFAULT_PAGE_SIZE: '10',
      MAX_PAGE_SIZE: '100',
      ...Object.fromEntries(Object.entries(reader.Properties.Environment.Variables).filter(([name]) => /^(LOG_LEVEL|AWS_|NODE_)/.test(name))),
    });
  });

  test('public properties expose every resource', () => {
    expect(api.projections.map((p) => p.name)).toEqual(['default', 'summary']);
    // Each property is the resource of that kind in the template (not merely defined).
    const summary = api.projection('summary');
    const typeOf = (construct: IConstruct) => resources[logicalIdOf(construct)]?.Type;
    expect([summary.queue, summary.deadLetterQueue, summary.aggregator, summary.table, api.reader!, api.restApi!].map(typeOf)).toEqual([
      'AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::ApiGateway::RestApi',
    ]);
    expect(logicalIdOf(summary.queue)).not.toBe(logicalIdOf(summary.deadLetterQueue));
    expect(JSON.stringify(Stack.of(api).resolve(api.url))).toContain(logicalIdOf(api.restApi!));
    expect(api.defaultView).toBe('default');
    expect(() => api.projection('nope')).toThrow(/No projection named "nope" \(have: default, summary\)/);
  });
});

describe('options', () => {
  test('fifo: false gives a standard topic and standard queues', () => {
    const { template } = synth({ projections: twoViews(), fifo: false });
    template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: Match.absent(), FifoThroughputScope: Match.absent() });
    template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: Match.absent(), DeduplicationScope: Match.absent(), FifoThroughputLimit: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TOPIC_FIFO: 'false' }) } });
  });

  test('no projections: events are stored and published; no reader; only POST /', () => {
    const { template, api } = synth({});
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.HttpMethod)).toEqual(['POST']);
    expect(api.reader).toBeUndefined();
    expect(api.defaultView).toBeUndefined();
  });

  test('api.enabled false: no API Gateway at all, and API grants explain why they cannot work', () => {
    const { template, api, stack } = synth({ projections: twoViews(), api: { enabled: false } });
    expect(Object.keys(template.findResources('AWS::ApiGateway::RestApi'))).toHaveLength(0);
    expect(api.restApi).toBeUndefined();
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => api.grantAppend(role)).toThrow(/grantAppend\(\) needs the API, but api.enabled is false/);
    expect(() => api.grantReadViews(role)).not.toThrow();
  });

  test('ApiAuthorization.none() opens every route; an IAM grant on it is a synth warning, as it changes nothing', () => {
    const { template, api, stack } = synth({ projections: twoViews(), api: { authorization: ApiAuthorization.none() } });
    template.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
    const warnings = () => Annotations.fromStack(stack).findWarning(`/${stack.stackName}/Api`, Match.stringLikeRegexp('grantRead\\(\\) grants execute-api:Invoke'));
    expect(warnings()).toHaveLength(0);
    api.grantRead(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(warnings().map((w) => w.entry.data)).toEqual([expect.stringMatching(/only IAM authorization checks; this API's routes use no authorization, so the grant changes nothing/)]);
  });

  test('with IAM authorization (the default) a grant raises no warning', () => {
    const { api, stack } = synth({ projections: twoViews() });
    api.grantAppend(new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('grants execute-api:Invoke'))).toEqual([]);
  });

  test('grantReadStreams() lets the grantee call GET /streams/{id} and nothing else', () => {
    const { template } = synth({ projections: twoViews() }, (api, stack) => {
      api.grantReadStreams(new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('Auditor'));
    const resources = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).map((st) => JSON.stringify(st.Resource));
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatch(/\/GET\/streams\/\*"/);
  });

  test('ApiAuthorization.authorizer() attaches a custom authorizer to every route', () => {
    const { template: t2 } = synthWithAuthorizer();
    const methods = Object.values(t2.findResources('AWS::ApiGateway::Method'));
    expect(methods.length).toBe(4);
    for (const m of methods) {
      expect(m.Properties.AuthorizationType).toBe('CUSTOM');
      expect(m.Properties.AuthorizerId).toEqual({ Ref: expect.stringMatching(/^Auth/) });
    }
  });

  test('CORS: preflight OPTIONS stays open under IAM auth and handlers get the origin', () => {
    const { template } = synth({ projections: twoViews(), api: { cors: { allowOrigins: ['https://app.example.com'] } } });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const options = methods.filter((m) => m.Properties.HttpMethod === 'OPTIONS');
    expect(options.length).toBe(3);
    for (const m of options) expect(m.Properties.AuthorizationType).toBe('NONE');
    for (const m of methods.filter((x) => x.Properties.HttpMethod !== 'OPTIONS')) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CORS_ALLOW_ORIGIN: 'https://app.example.com', EVENTS_TABLE_NAME: Match.anyValue() }) } });
  });

  test('CORS: every preflight allows the ExclusiveStartKey paging and X-Min-Version headers, with CDK\'s default headers or the user\'s', () => {
    const allowed = (props: EventSourcedApiProps) => Object.values(synth(props).template.findResources('AWS::ApiGateway::Method'))
      .filter((m) => m.Properties.HttpMethod === 'OPTIONS')
      .map((m) => m.Properties.Integration.IntegrationResponses[0].ResponseParameters['method.response.header.Access-Control-Allow-Headers']);
    const defaults = allowed({ projections: twoViews(), api: { cors: { allowOrigins: ['*'] } } });
    expect(defaults).toHaveLength(3);
    for (const headers of defaults) expect(headers).toBe(`'${[...apigateway.Cors.DEFAULT_HEADERS, 'ExclusiveStartKey', 'X-Min-Version'].join(',')}'`);

    const custom = allowed({ projections: twoViews(), api: { cors: { allowOrigins: ['*'], allowHeaders: ['Content-Type', 'X-Trace'] } } });
    for (const headers of custom) expect(headers).toBe("'Content-Type,X-Trace,ExclusiveStartKey,X-Min-Version'");
    // Listed already (in any case): not twice.
    const listed = allowed({ projections: twoViews(), api: { cors: { allowOrigins: ['*'], allowHeaders: ['exclusivestartkey', 'X-MIN-VERSION'] } } });
    for (const headers of listed) expect(headers).toBe("'exclusivestartkey,X-MIN-VERSION'");
  });

  test('custom stream id field, page sizes, body limit, throttling and retention reach the template', () => {
    const { template } = synth({
      projections: twoViews(),
      streamIdField: 'customer',
      defaultPageSize: 25,
      maxPageSize: 50,
      maxBodyBytes: 1024,
      api: { throttlingRateLimit: 10, throttlingBurstLimit: 20, stageName: 'v1' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ STREAM_ID_FIELD: 'customer', MAX_BODY_BYTES: '1024' }) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DEFAULT_PAGE_SIZE: '25', MAX_PAGE_SIZE: '50' }) } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1', MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })] });
  });

  test('defaultView: the projection named default, else the first, else the one given', () => {
    expect(synth({ projections: [{ name: 'a', entry: COUNTER }, { name: 'default', entry: COUNTER }] }).api.defaultView).toBe('default');
    expect(synth({ projections: [{ name: 'a', entry: COUNTER }, { name: 'b', entry: COUNTER }] }).api.defaultView).toBe('a');
    expect(synth({ projections: [{ name: 'a', entry: COUNTER }, { name: 'b', entry: COUNTER }], defaultView: 'b' }).api.defaultView).toBe('b');
  });

  test('projection options: memory, timeout (visibility = 6x), batch size, maxReceiveCount', () => {
    const { template } = synth({ projections: [{ name: 'a', entry: COUNTER, memorySize: 512, timeout: Duration.seconds(20), batchSize: 5, maxReceiveCount: 3 }] });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Timeout: 20, Environment: { Variables: Match.objectLike({ VIEW_NAME: 'a' }) } });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5 });
  });

  test('existing events table: used as is, its stream drives the publisher', () => {
    const stack = new Stack(new App(), 'S');
    const table = dynamodb.Table.fromTableAttributes(stack, 'Existing', {
      tableName: 'my-events', tableStreamArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/my-events/stream/2026-01-01T00:00:00.000',
    });
    new EventSourcedApi(stack, 'Api', { projections: twoViews(), existingEventsTable: table });
    const t = templateOf(stack);
    t.resourceCountIs('AWS::DynamoDB::Table', 3); // two views and the registry
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/my-events/stream/2026-01-01T00:00:00.000' });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ EVENTS_TABLE_NAME: 'my-events', MAX_BODY_BYTES: '65536' }) } });
  });
});

describe('grants', () => {
  test('grantAppend allows execute-api:Invoke on POST / only; grantRead on GET routes', () => {
    const { template } = synth({ projections: twoViews() }, (api, stack) => {
      api.grantAppend(new iam.Role(stack, 'Appender', { assumedBy: new iam.AccountRootPrincipal() }));
      api.grantRead(new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const of = (role: string) => JSON.stringify(policies.find(([id]) => id.startsWith(role))![1].Properties.PolicyDocument);
    expect(of('AppenderDefaultPolicy')).toContain('execute-api:Invoke');
    expect(of('AppenderDefaultPolicy')).toContain('/prod/POST/');
    expect(of('AppenderDefaultPolicy')).not.toContain('/GET/');
    expect(of('ViewerDefaultPolicy')).toContain('/prod/GET/*');
    expect(of('ViewerDefaultPolicy')).not.toContain('/POST/');
  });

  test('grantReadViews and grantReadEvents give read-only table access; grantReadViews is one grant over every view table', () => {
    const { template } = synth({ projections: twoViews() }, (api, stack) => {
      const role = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
      const grant = api.grantReadViews(role);
      expect(grant.success).toBe(true);
      const granted = JSON.stringify(stack.resolve(grant.principalStatements.map((st) => st.toStatementJson())));
      for (const p of api.projections) expect(granted).toContain(logicalIdOf(p.table));
      api.grantReadEvents(role);
    });
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('AnalystDefaultPolicy'))![1];
    const actions = actionsOf(policy.Properties.PolicyDocument.Statement);
    expect(actions).toContain('dynamodb:Scan');
    expect(actions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    const tables = policy.Properties.PolicyDocument.Statement.flatMap((st: any) => referencedIds(st.Resource));
    // Every table but the view registry, which only the library's functions read.
    expect(new Set(tables)).toEqual(new Set(Object.keys(template.findResources('AWS::DynamoDB::Table')).filter((id) => !id.startsWith('ApiMaintenanceRegistry'))));
  });
});

describe('projection bundling', () => {
  test("the aggregator asset holds the user's code and the runtime, not the AWS SDK", () => {
    const { stack } = synth({ projections: [{ name: 'counter', entry: COUNTER }] });
    const assembly = (stack.node.root as App).synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const tpl = artifact.template;
    const aggregatorId = Object.keys(tpl.Resources).find((id) => id.startsWith('ApiProjectioncounterAggregator') && tpl.Resources[id].Type === 'AWS::Lambda::Function')!;
    const key = tpl.Resources[aggregatorId].Properties.Code.S3Key.replace(/\.zip$/, '');
    const code = fs.readFileSync(path.join(assembly.directory, `asset.${key}`, 'index.js'), 'utf8');
    expect(code).toContain('counter-projection-marker-7f3a');
    expect(code).toContain('batchItemFailures');
    expect(code).not.toMatch(/node_modules\/@aws-sdk/);
    // The runtime is about 21 KB minified (with the index key checks); the AWS SDK would add hundreds.
    expect(code.length).toBeLessThan(25_000);
  });
});

function synthWithAuthorizer() {
  const stack = new Stack(new App(), 'AuthStack');
  const authorizerFn = new lambda.Function(stack, 'AuthFn', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  // The app's own function: CDK writes the same redundant DependsOn on its role as on ours.
  acknowledgeScanners(authorizerFn, { cfnLint: { W3005: SCANNER_REASONS.redundantDependsOn } });
  const authorizer = new apigateway.TokenAuthorizer(stack, 'Auth', { handler: authorizerFn });
  new EventSourcedApi(stack, 'Api', { projections: twoViews(), api: { authorization: ApiAuthorization.authorizer(authorizer) } });
  return { template: templateOf(stack) };
}

describe('logging', () => {
  test('logLevel reaches every function of the API, aggregators and maintenance included', () => {
    const { template } = synth({ projections: twoViews(), logLevel: LogLevel.DEBUG });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(6);
    expect(functions.map((fn) => fn.Properties.Environment.Variables.LOG_LEVEL)).toEqual(functions.map(() => 'DEBUG'));
  });
});

describe('tuning', () => {
  test('writer, reader and publisher memory and timeout, and the events table\'s deletion protection, are the user\'s to set', () => {
    const { template } = synth({
      projections: twoViews(),
      writer: { memorySize: 1024, timeout: Duration.seconds(20) },
      reader: { memorySize: 512 },
      publisher: { timeout: Duration.minutes(2) },
      eventsTableDeletionProtection: true,
    });
    const fn = (prefix: string) => template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', prefix)].Properties;
    expect([fn('ApiWriter'), fn('ApiReader'), fn('ApiPublisher')].map((p) => [p.MemorySize, p.Timeout])).toEqual([[1024, 20], [512, 15], [256, 120]]);
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true, StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });
});

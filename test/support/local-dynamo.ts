/**
 * Helpers for tests against the DynamoDB Local that test/support/global-setup.ts started.
 * Every helper that makes a table gives it a name no other test (in any file) uses.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, DynamoDBRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { gsiName, indexDefinition, indexesFingerprint, keyAttribute, type IndexSpec } from '../../lambda-src/core/view-indexes';
import { register } from '../../lambda-src/core/view-registry';
import { toLambdaRecord } from '../../packages/cli/src/stream-records';
import { CATALOGUE, ENV, INDEX_STATE_KEY, KEYS, VIEW_REGISTRY } from '../../src/contract';

let rawClient: DynamoDBClient | undefined;
let docClient: DynamoDBDocumentClient | undefined;
let streamsClient: DynamoDBStreamsClient | undefined;

function requireLocalEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint || !/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) {
    throw new Error(`AWS_ENDPOINT_URL_DYNAMODB is "${endpoint}"; test/support/global-setup.ts must start DynamoDB Local first`);
  }
  return endpoint;
}

/** A low-level client for DynamoDB Local (configured from the environment, like the Lambda code). */
export function dynamoClient(): DynamoDBClient {
  requireLocalEndpoint();
  rawClient ??= new DynamoDBClient({});
  return rawClient;
}

/** A client of its own whose calls are counted by command name (a middleware, as the SDK runs it). */
export function countingClient(): { client: DynamoDBClient; calls: string[] } {
  requireLocalEndpoint();
  const client = new DynamoDBClient({});
  const calls: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    calls.push(context.commandName as string);
    return next(args);
  }, { step: 'initialize', name: 'countCalls' });
  return { client, calls };
}

/** A document client for DynamoDB Local, with the same marshalling options as the Lambda code. */
export function documentClient(): DynamoDBDocumentClient {
  docClient ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return docClient;
}

/** A DynamoDB Streams client for DynamoDB Local (AWS_ENDPOINT_URL_DYNAMODB_STREAMS). */
export function dynamoStreamsClient(): DynamoDBStreamsClient {
  requireLocalEndpoint();
  streamsClient ??= new DynamoDBStreamsClient({});
  return streamsClient;
}

let tableCounter = 0;

/** A table name no other test uses (DynamoDB allows [a-zA-Z0-9_.-], 3-255 characters). */
export function uniqueTableName(prefix: string): string {
  tableCounter += 1;
  return `${prefix}-${process.pid}-${tableCounter}-${randomUUID().slice(0, 8)}`;
}

export interface EventsTable {
  readonly tableName: string;
  /** The table's stream (NEW_IMAGE). */
  readonly streamArn: string;
}

/** An events table as the construct makes it: streamId (S) + version (N), stream NEW_IMAGE. */
export async function createEventsTable(): Promise<EventsTable> {
  const tableName = uniqueTableName('events');
  const result = await dynamoClient().send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: KEYS.streamId, AttributeType: 'S' },
      { AttributeName: KEYS.version, AttributeType: 'N' },
      { AttributeName: CATALOGUE.shardAttribute, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: KEYS.streamId, KeyType: 'HASH' },
      { AttributeName: KEYS.version, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    // The stream catalogue, as the construct defines it.
    GlobalSecondaryIndexes: [{
      IndexName: CATALOGUE.indexName,
      KeySchema: [{ AttributeName: CATALOGUE.shardAttribute, KeyType: 'HASH' }, { AttributeName: KEYS.streamId, KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  }));
  const streamArn = result.TableDescription?.LatestStreamArn;
  if (!streamArn) throw new Error(`DynamoDB Local made table ${tableName} without a stream`);
  return { tableName, streamArn };
}

/**
 * A fresh events table for the writer's handler, and the writer's environment as the construct
 * sets it by default (the table, no custom stream id field, body limit or CORS origin).
 */
export async function freshWriterTable(): Promise<string> {
  const { tableName } = await createEventsTable();
  process.env[ENV.eventsTable] = tableName;
  for (const name of [ENV.streamIdField, ENV.maxBodyBytes, ENV.corsOrigin, ENV.eventSchemas, ENV.rejectUnknownEventTypes]) delete process.env[name];
  return tableName;
}

export interface ViewTableOptions {
  /**
   * Declared indexes: their global secondary indexes are made with the table (as the maintenance
   * function's reconcile makes them, `ix_<name>` over the `ix_` key attributes, all attributes
   * projected), so they are ACTIVE at once. Use `markIndexesReady` to let the reader query them.
   */
  readonly indexes?: readonly IndexSpec[];
}

/** A view table as the construct makes it: streamId (S) only, plus the GSIs of any declared indexes. */
export async function createViewTable(options: ViewTableOptions = {}): Promise<string> {
  const tableName = uniqueTableName('view');
  const indexes = options.indexes ?? [];
  const keyAttributes = indexes.flatMap((spec) => [
    { AttributeName: keyAttribute(spec.name, 'pk'), AttributeType: spec.partitionKey.type },
    ...(spec.sortKey ? [{ AttributeName: keyAttribute(spec.name, 'sk'), AttributeType: spec.sortKey.type }] : []),
  ]);
  await dynamoClient().send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: KEYS.streamId, AttributeType: 'S' }, ...keyAttributes],
    KeySchema: [{ AttributeName: KEYS.streamId, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(indexes.length > 0 ? {
      GlobalSecondaryIndexes: indexes.map((spec) => ({
        IndexName: gsiName(spec.name),
        KeySchema: [
          { AttributeName: keyAttribute(spec.name, 'pk'), KeyType: 'HASH' as const },
          ...(spec.sortKey ? [{ AttributeName: keyAttribute(spec.name, 'sk'), KeyType: 'RANGE' as const }] : []),
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    } : {}),
  }));
  return tableName;
}

/**
 * Writes the table's index state item (INDEX_STATE_KEY) saying these indexes are built and every
 * record carries their attributes, as the maintenance function leaves it once they are ready.
 */
export async function markIndexesReady(tableName: string, specs: readonly IndexSpec[]): Promise<void> {
  await documentClient().send(new PutCommand({
    TableName: tableName,
    Item: {
      [KEYS.streamId]: INDEX_STATE_KEY,
      fingerprint: indexesFingerprint(specs),
      indexes: Object.fromEntries(specs.map((spec) => [spec.name, { def: indexDefinition(spec), gsi: 'ACTIVE', stamped: true }])),
      unindexable: 0,
      updatedAt: new Date().toISOString(),
    },
  }));
}

/** A view registry table (VIEW_REGISTRY's keys), empty. */
export async function createRegistryTable(): Promise<string> {
  const tableName = uniqueTableName('registry');
  await dynamoClient().send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: VIEW_REGISTRY.partitionKey, AttributeType: 'S' }, { AttributeName: VIEW_REGISTRY.sortKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: VIEW_REGISTRY.partitionKey, KeyType: 'HASH' }, { AttributeName: VIEW_REGISTRY.sortKey, KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  return tableName;
}

/**
 * A fresh registry with these views (name -> table, or its tables while rebuilt), named in
 * VIEW_REGISTRY_TABLE for the reader and maintenance code, as their custom resources register them.
 */
export async function useViewRegistry(views: Record<string, string | { table: string; previousTable?: string }>): Promise<string> {
  const registry = await createRegistryTable();
  for (const [view, tables] of Object.entries(views)) {
    const { table, previousTable } = typeof tables === 'string' ? { table: tables, previousTable: undefined } : tables;
    await register(dynamoClient(), registry, {
      view, table, previousTable, queueUrl: `https://sqs.local/${view}`, fifo: true, version: previousTable ? 2 : 1, registeredAt: new Date().toISOString(),
    });
  }
  process.env[ENV.viewRegistry] = registry;
  return registry;
}

/** Every item of a table (strongly consistent scan, all pages). */
export async function scanAll(tableName: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function countItems(tableName: string): Promise<number> {
  return (await scanAll(tableName)).length;
}

/** A view table item, or undefined. */
export async function getViewItem(tableName: string, streamId: string): Promise<Record<string, unknown> | undefined> {
  const result = await documentClient().send(new GetCommand({ TableName: tableName, Key: { [KEYS.streamId]: streamId }, ConsistentRead: true }));
  return result.Item;
}

/** Writes a view record directly, in the shape the aggregator writes. No state = "no record". */
export async function putViewItem(tableName: string, streamId: string, version: number, state?: Record<string, unknown>): Promise<void> {
  await documentClient().send(new PutCommand({
    TableName: tableName,
    Item: {
      [KEYS.streamId]: streamId,
      [KEYS.version]: version,
      ...(state === undefined ? {} : { [KEYS.state]: state }),
      updatedAt: new Date().toISOString(),
    },
  }));
}

/**
 * Reads a table's stream from the start, the way the Lambda event source mapping does (every
 * shard, TRIM_HORIZON, GetRecords until the shard has nothing more), and returns the records in
 * the shape Lambda delivers them. Waits until at least `atLeast` records have been read.
 */
export async function readStream(streamArn: string, atLeast = 1): Promise<DynamoDBRecord[]> {
  const streams = dynamoStreamsClient();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const records: DynamoDBRecord[] = [];
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    // Parents before children keeps each key's records in order.
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
        StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
      }));
      let iterator = ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        if (!page.Records || page.Records.length === 0) break;
        records.push(...page.Records.map((r) => toLambdaRecord(r, streamArn)));
        iterator = page.NextShardIterator;
      }
    }
    if (records.length >= atLeast) return records;
    if (Date.now() > deadline) throw new Error(`Stream ${streamArn} holds ${records.length} records, expected at least ${atLeast}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ApiEventOptions {
  readonly method?: string;
  /** The resource as configured in API Gateway, e.g. '/', '/{view}', '/{view}/{id}'. */
  readonly resource?: string;
  readonly path?: string;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly pathParameters?: Record<string, string>;
}

/**
 * An API Gateway REST (v1) proxy event. As API Gateway does, absent headers, query parameters
 * and path parameters are null, not empty objects.
 */
export function apiEvent(options: ApiEventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const resource = options.resource ?? '/';
  const path = options.path ?? resource.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.pathParameters?.[name] ?? name));
  const headers = options.headers ?? null;
  const query = options.queryStringParameters ?? null;
  return {
    body: options.body ?? null,
    headers: headers as APIGatewayProxyEvent['headers'],
    multiValueHeaders: (headers ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) : null) as APIGatewayProxyEvent['multiValueHeaders'],
    httpMethod: method,
    isBase64Encoded: options.isBase64Encoded ?? false,
    path,
    pathParameters: options.pathParameters ?? null,
    queryStringParameters: query,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    stageVariables: null,
    resource,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
      path: `/test${path}`,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123',
      resourcePath: resource,
    },
  };
}

/** A POST / event carrying a JSON body, as the writer receives it. */
export function postEvent(body: unknown, options: Omit<ApiEventOptions, 'body' | 'method' | 'resource'> = {}): APIGatewayProxyEvent {
  return apiEvent({
    ...options,
    method: 'POST',
    resource: '/',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export interface SqsRecordOptions {
  readonly messageId?: string;
  /** FIFO queues: the message group. Standard queues have none. */
  readonly messageGroupId?: string;
  readonly receiveCount?: number;
  readonly queueArn?: string;
}

let sqsSequence = 0;

/** An SQS record as Lambda delivers it. */
export function sqsRecord(body: string, options: SqsRecordOptions = {}): SQSRecord {
  sqsSequence += 1;
  const fifo = options.messageGroupId !== undefined;
  const queueArn = options.queueArn ?? `arn:aws:sqs:us-east-1:123456789012:view-queue${fifo ? '.fifo' : ''}`;
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `receipt-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(fifo ? {
        MessageGroupId: options.messageGroupId,
        MessageDeduplicationId: randomUUID(),
        SequenceNumber: '1' + String(sqsSequence).padStart(19, '0'),
      } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export interface CapturedLogs {
  readonly lines: Array<Record<string, unknown>>;
  restore(): void;
}

/**
 * Captures console output until restore() (the Lambda code logs one JSON line per entry), so the
 * test output stays readable and tests can check what was logged.
 */
export function captureLogs(): CapturedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const capture = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ message: text });
    }
  };
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(capture),
    jest.spyOn(console, 'warn').mockImplementation(capture),
    jest.spyOn(console, 'error').mockImplementation(capture),
  ];
  return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

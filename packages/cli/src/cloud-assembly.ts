import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AwsIntegrationDefinition } from './aws-integration';
import { readAwsIntegration } from './aws-integration-definition';
import { EventPattern, InvalidPatternError } from './event-pattern';
import { HttpCorsDefinition } from './http-api-cors';
import { LocalResource, pseudoParameters, resolveIntrinsics } from './intrinsics';
import { localQueueName, localTableName, localTopicName } from './local-names';
import { assemblyTemplateLoader, flattenNestedStacks, Template } from './nested-stacks';
import { CATALOGUE, DEFAULTS, ENV, KEYS, ROLE_METADATA_KEY, RoleMetadata } from '../../../src/contract';

/** A DynamoDB table as the template defines it, with the name it gets locally. */
export interface TableDefinition {
  readonly logicalId: string;
  readonly tableName: string;
  readonly keySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  readonly attributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' | 'N' | 'B' }>;
  readonly stream: boolean;
  /** What CloudFormation does with it when it leaves the template: its DeletionPolicy (Delete when unset). */
  readonly deletionPolicy: string;
  /** As the template defines them (CreateTable's shape). */
  readonly globalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>; Projection: { ProjectionType: string } }>;
}

export interface FunctionDefinition {
  readonly logicalId: string;
  readonly codeDir: string;
  readonly handler: string;
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  /** The Lambda runtime, e.g. nodejs24.x. */
  readonly runtime?: string;
  /** MiB (Lambda's default 128). */
  readonly memorySize?: number;
  /** The function's log group (its LoggingConfig, else Lambda's /aws/lambda/<name>). */
  readonly logGroupName?: string;
  /** Where the function runs. */
  readonly region?: string;
}

export interface QueueDefinition {
  readonly logicalId: string;
  /** The queue's ARN, and its URL as the template's Ref gives it. */
  readonly arn: string;
  readonly url: string;
  readonly fifo: boolean;
  /** FIFO high throughput: deduplication within a message group only. */
  readonly deduplicationPerGroup: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount?: number;
}

export interface ViewDefinition {
  readonly name: string;
  /** The projection's version; its table is that version's. */
  readonly version: number;
  readonly table: TableDefinition;
  /** The previous version's table, kept for reads while the current one is rebuilt. */
  readonly previousTable?: TableDefinition;
  readonly queue: QueueDefinition;
  readonly deadLetterQueue: QueueDefinition;
  readonly aggregator: FunctionDefinition;
  readonly batchSize: number;
  readonly rawMessageDelivery: boolean;
}

export interface StreamMappingDefinition {
  readonly batchSize: number;
  /** Retries of a failing batch before its records go to the on-failure destination; -1 is infinite (Lambda's default). */
  readonly maximumRetryAttempts: number;
  /** Records older than this are not delivered but sent to the on-failure destination; -1 is infinite (Lambda's default). */
  readonly maximumRecordAgeSeconds: number;
  /** On a function error, split the batch in two and retry each half (does not count as a retry). */
  readonly bisectBatchOnFunctionError: boolean;
  /** EventBridge-style patterns of the mapping's filter criteria. */
  readonly filterPatterns: unknown[];
}

/** A Custom::ViewBackfill: its creation starts the backfill of a view table. */
export interface BackfillDefinition {
  readonly logicalId: string;
  /** Its ResourceProperties, resolved (view, table, reason). */
  readonly properties: Record<string, string>;
}

/** What keeps views complete: the maintenance function, its jobs queue and the backfill resources. */
export interface MaintenanceDefinition {
  readonly function: FunctionDefinition;
  readonly jobsQueue: QueueDefinition;
  readonly jobsDeadLetterQueue: QueueDefinition;
  /** The view registry, which the backfill resources write. */
  readonly registry: TableDefinition;
  readonly backfills: BackfillDefinition[];
}

/** Everything the local runtime needs to run one EventSourcedApi. */
export interface ApiDefinition {
  /** Construct path of the EventSourcedApi. */
  readonly owner: string;
  readonly stackName: string;
  /** The field of a POST body that names the event's stream (`streamIdField`, `id` by default). */
  readonly streamIdField: string;
  /** The stack's region and account (its own environment, else the one the AWS SDK would use here). */
  readonly region: string;
  readonly account: string;
  readonly eventsTable: TableDefinition;
  readonly topicArn: string;
  readonly fifo: boolean;
  /** The writer Lambda; undefined with WritePath.DIRECT, where `directAppend` serves POST. */
  readonly writer?: FunctionDefinition;
  /** WritePath.DIRECT: POST is an AWS integration with DynamoDB (mapping templates, no Lambda). */
  readonly directAppend?: AwsIntegrationDefinition;
  /** The local name of an imported events table's real one, which a DIRECT template names. */
  readonly importedEventsTable?: { readonly name: string; readonly localName: string };
  readonly publisher: FunctionDefinition;
  readonly publisherStream: StreamMappingDefinition;
  /** The function ARN the publisher has in this stack's region and account. */
  readonly publisherArn: string;
  readonly reader?: FunctionDefinition;
  /** Where the publisher's stream mapping sends the metadata of batches it gives up on. */
  readonly publisherFailureQueue?: QueueDefinition;
  readonly maintenance?: MaintenanceDefinition;
  readonly views: ViewDefinition[];
  /** Which API Gateway API the template has (REST unless it has the construct's HTTP API). */
  readonly kind: 'REST' | 'HTTP';
  /** The HTTP API's stage name; undefined for a REST API. */
  readonly stageName?: string;
  /** The path of the REST API resource the routes are on: `/`, or the `api.existingApiResource`'s. */
  readonly basePath: string;
  /** The HTTP API's CORS configuration; undefined without CORS or for a REST API. */
  readonly httpCors?: HttpCorsDefinition;
  /**
   * The CORS preflight answers of the template's OPTIONS methods, by the path of their resource
   * (`/`, `/{view}`, `/orders/{view}/{id}`...): each resource answers its own. Undefined without CORS.
   */
  readonly preflights?: Record<string, PreflightDefinition>;
  /** The REST API's binary media types (base64 answers are sent as bytes only for these). */
  readonly binaryMediaTypes: string[];
  /** The stage's throttling (token bucket); undefined without an API. */
  readonly throttle?: ThrottleDefinition;
  /** Whether the routes (CORS preflights aside) require an API key (`x-api-key`). */
  readonly apiKeyRequired: boolean;
}

export interface ThrottleDefinition {
  /** Requests per second the bucket refills with. */
  readonly rateLimit: number;
  /** The bucket's size. */
  readonly burstLimit: number;
}

/** API Gateway's account-level default, which applies when the stage sets nothing. */
const ACCOUNT_THROTTLE: ThrottleDefinition = { rateLimit: 10000, burstLimit: 5000 };

/** Every function of an API: writer, publisher, reader, maintenance and the aggregators. */
export function functionsOf(definition: ApiDefinition): FunctionDefinition[] {
  const optional = [definition.writer, definition.reader, definition.maintenance?.function]
    .filter((fn): fn is FunctionDefinition => fn !== undefined);
  return [definition.publisher, ...optional, ...definition.views.map((v) => v.aggregator)];
}

/** A MOCK integration's answer to OPTIONS, as API Gateway sends it. */
export interface PreflightDefinition {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
}

interface CfnResource {
  readonly Type: string;
  readonly DeletionPolicy?: string;
  readonly Properties?: any;
  readonly Metadata?: Record<string, unknown>;
}

export interface ReadAssemblyOptions {
  /** Prefix of every local table name, so runs never share tables. */
  readonly tablePrefix: string;
  /** Names no table may take (tables kept outside the stack): a table that would gets a numbered one. */
  readonly takenTableNames?: ReadonlySet<string>;
}

/** Where a stack deploys: its own environment, else the one the AWS SDK would pick here. */
interface StackEnvironment {
  readonly region: string;
  readonly account: string;
}

/** The stack's region and account when the app names them, else AWS_REGION (or us-east-1) and a dummy account. */
function stackEnvironment(environment: string | undefined): StackEnvironment {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  const known = (value: string | undefined) => (value && !value.startsWith('unknown-') ? value : undefined);
  return {
    region: known(match?.[2]) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    account: known(match?.[1]) ?? '000000000000',
  };
}

/**
 * Reads a synthesized cloud assembly (cdk.out) and returns every EventSourcedApi in it, found by
 * the role metadata the constructs put on their resources. Works for apps in any CDK language.
 */
export function readCloudAssembly(relativeAssemblyDir: string, options: ReadAssemblyOptions): ApiDefinition[] {
  // Functions load their code from the asset folders: those must not depend on the process's cwd.
  const assemblyDir = path.resolve(relativeAssemblyDir);
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error(`${assemblyDir} is not a cloud assembly: it has no manifest.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { artifacts?: Record<string, any> };
  const apis: ApiDefinition[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      apis.push(...readCloudAssembly(path.join(assemblyDir, artifact.properties.directoryName), options));
    } else if (artifact.type === 'aws:cloudformation:stack') {
      const stackName = artifact.properties?.stackName ?? artifactId;
      const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8')) as Template;
      const assets = readAssetManifest(assemblyDir, manifest.artifacts ?? {}, artifactId);
      // Views may live in nested stacks: their resources are read as the stack's own.
      const flat = flattenNestedStacks(template, assemblyTemplateLoader(assemblyDir, assets));
      apis.push(...readStack(stackName, flat.Resources ?? {}, assets, options, stackEnvironment(artifact.environment)));
    }
  }
  return apis;
}

/** asset hash -> absolute folder (or file) of the asset in the assembly */
function readAssetManifest(assemblyDir: string, artifacts: Record<string, any>, stackArtifactId: string): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest') continue;
    if (artifact.properties?.file && !String(artifact.properties.file).startsWith(stackArtifactId)) continue;
    const assets = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.file), 'utf8'));
    for (const [hash, asset] of Object.entries<any>(assets.files ?? {})) dirs[hash] = path.join(assemblyDir, asset.source.path);
  }
  return dirs;
}

function readStack(
  stackName: string, resources: Record<string, CfnResource>, assets: Record<string, string>, options: ReadAssemblyOptions, env: StackEnvironment,
): ApiDefinition[] {
  const roles = new Map<string, Array<{ id: string; meta: RoleMetadata }>>();
  for (const [id, resource] of Object.entries(resources)) {
    const meta = resource.Metadata?.[ROLE_METADATA_KEY] as RoleMetadata | undefined;
    if (!meta) continue;
    const list = roles.get(meta.owner) ?? [];
    list.push({ id, meta });
    roles.set(meta.owner, list);
  }

  const apis: ApiDefinition[] = [];
  for (const [owner, parts] of roles) {
    const one = (role: RoleMetadata['role'], view?: string) => parts.find((p) => p.meta.role === role && p.meta.view === view);
    const writer = one('writer');
    const direct = one('direct-append');
    const publisher = one('publisher');
    const topic = one('topic');
    if (!(writer || direct) || !publisher || !topic) continue; // a Projection used on its own: nothing to serve

    // Local names and ARNs of every resource the environment may refer to.
    const local: Record<string, LocalResource> = {};
    const pseudo = pseudoParameters(env.region, env.account, stackName);
    // Names from logical ids: those of nested stacks' resources are long, and shortened with a hash.
    const tableName = (id: string) => {
      let name = localTableName(`${options.tablePrefix}${id}`);
      for (let n = 2; options.takenTableNames?.has(name); n++) name = localTableName(`${options.tablePrefix}${id}-${n}`);
      return name;
    };
    for (const [id, resource] of Object.entries(resources)) {
      const arnOf = (service: string, name: string) => `arn:aws:${service}:${env.region}:${env.account}:${name}`;
      if (resource.Type === 'AWS::DynamoDB::Table') {
        const name = tableName(id);
        local[id] = { ref: name, attributes: { Arn: arnOf('dynamodb', `table/${name}`), StreamArn: arnOf('dynamodb', `table/${name}/stream/local`) } };
      } else if (resource.Type === 'AWS::SNS::Topic') {
        const name = localTopicName(id, Boolean(resource.Properties?.FifoTopic));
        local[id] = { ref: arnOf('sns', name), attributes: { TopicName: name } };
      } else if (resource.Type === 'AWS::SQS::Queue') {
        const name = localQueueName(id, Boolean(resource.Properties?.FifoQueue));
        local[id] = { ref: `https://sqs.${env.region}.amazonaws.com/${env.account}/${name}`, attributes: { Arn: arnOf('sqs', name), QueueName: name } };
      } else if (resource.Type === 'AWS::Lambda::Function') {
        local[id] = { ref: id, attributes: { Arn: arnOf('lambda', `function:${id}`) } };
      }
    }
    // An existing (imported) events table appears in the environment (or a DIRECT template) by its
    // real name; locally it gets the run's prefix like every other table, so runs never share or
    // drop each other's data.
    const importedEventsTable: unknown = one('events-table') ? undefined
      : writer ? resources[writer.id].Properties?.Environment?.Variables?.[ENV.eventsTable] : direct!.meta.table;
    const localName = (value: string) => (typeof importedEventsTable === 'string' && value === importedEventsTable ? tableName(value) : value);
    const fn = (id: string): FunctionDefinition => {
      const props = resources[id].Properties;
      const key = String(props.Code?.S3Key ?? '');
      const codeDir = assets[key.replace(/\.zip$/, '')];
      if (!codeDir) throw new Error(`${stackName}/${id}: cannot find the asset of its code (${key}) in the assembly`);
      const environment: Record<string, string> = {};
      for (const [name, value] of Object.entries(props.Environment?.Variables ?? {})) {
        environment[name] = localName(resolveIntrinsics(value, local, pseudo));
      }
      const logGroupId = props.LoggingConfig?.LogGroup?.Ref as string | undefined;
      return {
        logicalId: id,
        codeDir,
        handler: props.Handler ?? 'index.handler',
        environment,
        timeoutSeconds: props.Timeout ?? 3,
        runtime: props.Runtime,
        // Lambda's defaults where the template leaves these out are applied by lambdaEnvironment().
        memorySize: props.MemorySize,
        logGroupName: (logGroupId && resources[logGroupId]?.Properties?.LogGroupName) || undefined,
        region: env.region,
      };
    };
    const table = (id: string): TableDefinition => ({
      logicalId: id,
      tableName: local[id].ref,
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
      deletionPolicy: resources[id].DeletionPolicy ?? 'Delete',
      keySchema: resources[id].Properties.KeySchema,
      attributeDefinitions: resources[id].Properties.AttributeDefinitions,
      stream: Boolean(resources[id].Properties.StreamSpecification),
      globalSecondaryIndexes: resources[id].Properties.GlobalSecondaryIndexes,
    });
    const queue = (id: string): QueueDefinition => {
      const props = resources[id].Properties ?? {};
      return {
        logicalId: id,
        arn: local[id].attributes!.Arn,
        url: local[id].ref,
        fifo: Boolean(props.FifoQueue),
        deduplicationPerGroup: props.DeduplicationScope === 'messageGroup',
        visibilityTimeoutSeconds: props.VisibilityTimeout ?? 30,
        maxReceiveCount: props.RedrivePolicy?.maxReceiveCount,
      };
    };
    const mappingOf = (functionId: string) => Object.values(resources).find((r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties?.FunctionName?.Ref === functionId)?.Properties ?? {};

    const writerFn = writer && fn(writer.id);
    const eventsTableId = one('events-table')?.id;
    const eventsTable: TableDefinition = eventsTableId ? table(eventsTableId) : {
      // An existing (imported) events table: create it locally with the library's schema.
      logicalId: 'ExistingEventsTable',
      tableName: localName(String(importedEventsTable)),
      keySchema: [{ AttributeName: KEYS.streamId, KeyType: 'HASH' }, { AttributeName: KEYS.version, KeyType: 'RANGE' }],
      attributeDefinitions: [
        { AttributeName: KEYS.streamId, AttributeType: 'S' }, { AttributeName: KEYS.version, AttributeType: 'N' }, { AttributeName: CATALOGUE.shardAttribute, AttributeType: 'N' },
      ],
      stream: true,
      deletionPolicy: 'Retain', // not the stack's
      globalSecondaryIndexes: [catalogueIndex()],
    };
    const publisherMapping = mappingOf(publisher.id);

    const views: ViewDefinition[] = parts.filter((p) => p.meta.role === 'aggregator').map(({ id, meta }) => {
      const queuePart = one('queue', meta.view)!;
      const subscription = Object.values(resources).find((r) => r.Type === 'AWS::SNS::Subscription'
        && JSON.stringify(r.Properties?.Endpoint) === JSON.stringify({ 'Fn::GetAtt': [queuePart.id, 'Arn'] }));
      const tablePart = one('view-table', meta.view)!;
      const previous = one('previous-view-table', meta.view);
      return {
        name: meta.view!,
        version: tablePart.meta.version ?? 1,
        table: table(tablePart.id),
        ...(previous ? { previousTable: table(previous.id) } : {}),
        queue: queue(queuePart.id),
        deadLetterQueue: queue(one('dead-letter-queue', meta.view)!.id),
        aggregator: fn(id),
        batchSize: mappingOf(id).BatchSize ?? DEFAULTS.batchSize,
        rawMessageDelivery: Boolean(subscription?.Properties?.RawMessageDelivery),
      };
    });
    const httpApiPart = one('http-api');
    const httpApi = httpApiPart && readHttpApi(resources, httpApiPart.id);
    // The construct's REST API, or the user's one its routes are mounted on (api.existingApiResource).
    const mount = appendMount(resources, writer ? appendMethodOf(resources, writer.id) : direct!.id);
    const restApi = one('rest-api') ?? (mount.restApiId ? { id: mount.restApiId } : undefined);
    const maintenance = one('maintenance');
    const failureQueue = one('publisher-failure-queue');
    const readerFn = one('reader') ? fn(one('reader')!.id) : undefined;
    // Every function that needs the field has it in its environment; DIRECT has no writer.
    const streamIdField = [writerFn, readerFn, ...views.map((v) => v.aggregator)]
      .map((f) => f?.environment[ENV.streamIdField]).find((field) => field !== undefined) ?? DEFAULTS.streamIdField;
    apis.push({
      owner,
      stackName,
      streamIdField,
      region: env.region,
      account: env.account,
      eventsTable,
      topicArn: local[topic.id].ref,
      fifo: Boolean(resources[topic.id].Properties?.FifoTopic),
      writer: writerFn,
      ...(direct ? { directAppend: readAwsIntegration(resources, direct.id, (value) => resolveIntrinsics(value, local, pseudo)) } : {}),
      ...(typeof importedEventsTable === 'string' ? { importedEventsTable: { name: importedEventsTable, localName: localName(importedEventsTable) } } : {}),
      publisher: fn(publisher.id),
      // Lambda's defaults where the template leaves a setting out
      // (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html).
      publisherStream: {
        batchSize: publisherMapping.BatchSize ?? 100,
        maximumRetryAttempts: publisherMapping.MaximumRetryAttempts ?? -1,
        maximumRecordAgeSeconds: publisherMapping.MaximumRecordAgeInSeconds ?? -1,
        bisectBatchOnFunctionError: publisherMapping.BisectBatchOnFunctionError ?? false,
        filterPatterns: filterPatternsOf(publisherMapping, `${stackName}/${publisher.id}`),
      },
      publisherArn: local[publisher.id].attributes!.Arn,
      reader: readerFn,
      ...(failureQueue ? { publisherFailureQueue: queue(failureQueue.id) } : {}),
      ...(maintenance ? {
        maintenance: {
          function: fn(maintenance.id),
          jobsQueue: queue(one('jobs-queue')!.id),
          jobsDeadLetterQueue: queue(one('jobs-dead-letter-queue')!.id),
          registry: table(one('view-registry')!.id),
          backfills: Object.entries(resources)
            .filter(([, r]) => r.Type === 'Custom::ViewBackfill' && JSON.stringify(r.Properties?.ServiceToken) === JSON.stringify({ 'Fn::GetAtt': [maintenance.id, 'Arn'] }))
            .map(([id, r]) => ({
              logicalId: id,
              properties: Object.fromEntries(Object.entries<unknown>(r.Properties ?? {})
                .filter(([name]) => name !== 'ServiceToken').map(([name, value]) => [name, resolveIntrinsics(value, local, pseudo)])),
            })),
        },
      } : {}),
      views,
      kind: httpApi ? 'HTTP' : 'REST',
      stageName: httpApi?.stageName,
      httpCors: httpApi?.httpCors,
      basePath: mount.path,
      preflights: restApi ? readPreflights(resources, restApi.id) : undefined,
      binaryMediaTypes: restApi ? resources[restApi.id].Properties?.BinaryMediaTypes ?? [] : [],
      throttle: restApi ? readThrottle(resources, restApi.id) : httpApi?.throttle,
      apiKeyRequired: Object.values(resources).some((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties?.ApiKeyRequired === true
        && r.Properties?.RestApiId?.Ref === restApi?.id),
    });
  }
  return apis;
}

/**
 * The preflights of an API from its OPTIONS methods, by resource path: CDK gives each resource a
 * MOCK integration whose response parameters are the headers as quoted literals ("'value'").
 */
function readPreflights(resources: Record<string, CfnResource>, restApiId: string): Record<string, PreflightDefinition> | undefined {
  const preflights: Record<string, PreflightDefinition> = {};
  for (const method of Object.values(resources)) {
    if (method.Type !== 'AWS::ApiGateway::Method' || method.Properties?.HttpMethod !== 'OPTIONS' || method.Properties?.RestApiId?.Ref !== restApiId) continue;
    const response = method.Properties?.Integration?.IntegrationResponses?.[0];
    if (!response) continue;
    const headers: Record<string, string> = {};
    for (const [parameter, value] of Object.entries<unknown>(response.ResponseParameters ?? {})) {
      const name = /^method\.response\.header\.(.+)$/.exec(parameter)?.[1];
      if (name && typeof value === 'string') headers[name] = value.replace(/^'(.*)'$/, '$1');
    }
    preflights[resourcePath(resources, method.Properties?.ResourceId?.Ref)] = { statusCode: Number(response.StatusCode ?? 200), headers };
  }
  return Object.keys(preflights).length ? preflights : undefined;
}

/** A REST resource's path, from the template's AWS::ApiGateway::Resource chain (PathPart, ParentId up to the root). */
function resourcePath(resources: Record<string, CfnResource>, resourceId: string | undefined): string {
  const parts: string[] = [];
  let at = resourceId;
  while (at && resources[at]?.Type === 'AWS::ApiGateway::Resource') {
    parts.unshift(resources[at].Properties.PathPart);
    at = resources[at].Properties.ParentId?.Ref;
  }
  return `/${parts.join('/')}`;
}

/** The stage's throttling for all methods (`/*` `*`), as CDK writes it from deployOptions. */
function readThrottle(resources: Record<string, CfnResource>, restApiId: string): ThrottleDefinition {
  const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Stage' && r.Properties?.RestApiId?.Ref === restApiId);
  const all = (stage?.Properties?.MethodSettings ?? []).find((m: { HttpMethod?: string; ResourcePath?: string }) => m.HttpMethod === '*' && m.ResourcePath === '/*');
  return {
    rateLimit: all?.ThrottlingRateLimit ?? ACCOUNT_THROTTLE.rateLimit,
    burstLimit: all?.ThrottlingBurstLimit ?? ACCOUNT_THROTTLE.burstLimit,
  };
}

/** The logical id of the REST API's POST method that invokes the writer; undefined without one (an HTTP API). */
function appendMethodOf(resources: Record<string, CfnResource>, writerId: string): string | undefined {
  return Object.keys(resources).find((id) => resources[id].Type === 'AWS::ApiGateway::Method' && resources[id].Properties?.HttpMethod === 'POST'
    && JSON.stringify(resources[id].Properties?.Integration?.Uri ?? '').includes(`"${writerId}"`));
}

/**
 * Where the POST method is: its REST API and the path of its resource, from the template's
 * AWS::ApiGateway::Resource chain (PathPart, ParentId up to the API's root).
 */
function appendMount(resources: Record<string, CfnResource>, methodId: string | undefined): { restApiId?: string; path: string } {
  const method = methodId === undefined ? undefined : resources[methodId];
  const restApiId: string | undefined = method?.Properties?.RestApiId?.Ref;
  return { restApiId, path: resourcePath(resources, method?.Properties?.ResourceId?.Ref) };
}

interface HttpApiSettings {
  readonly stageName: string;
  readonly httpCors?: HttpCorsDefinition;
  readonly throttle: ThrottleDefinition;
}

/** An HTTP API's stage, its throttling (DefaultRouteSettings) and its CORS configuration. */
function readHttpApi(resources: Record<string, CfnResource>, apiId: string): HttpApiSettings {
  const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage' && r.Properties?.ApiId?.Ref === apiId);
  const route = stage?.Properties?.DefaultRouteSettings ?? {};
  const cors = resources[apiId].Properties?.CorsConfiguration;
  return {
    stageName: stage?.Properties?.StageName ?? '$default',
    throttle: {
      rateLimit: route.ThrottlingRateLimit ?? ACCOUNT_THROTTLE.rateLimit,
      burstLimit: route.ThrottlingBurstLimit ?? ACCOUNT_THROTTLE.burstLimit,
    },
    httpCors: cors && {
      allowOrigins: cors.AllowOrigins ?? [],
      allowHeaders: cors.AllowHeaders ?? [],
      allowMethods: cors.AllowMethods ?? [],
      exposeHeaders: cors.ExposeHeaders ?? [],
      allowCredentials: cors.AllowCredentials === true,
      maxAgeSeconds: cors.MaxAge,
    },
  };
}

/** The stream catalogue index as the construct defines it (for an imported events table, made locally). */
function catalogueIndex(): NonNullable<TableDefinition['globalSecondaryIndexes']>[number] {
  return {
    IndexName: CATALOGUE.indexName,
    KeySchema: [{ AttributeName: CATALOGUE.shardAttribute, KeyType: 'HASH' }, { AttributeName: KEYS.streamId, KeyType: 'RANGE' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  };
}

/**
 * The patterns of a mapping's filter criteria, each checked as AWS checks it when the mapping is
 * created: a pattern AWS refuses fails here, with event-ruler's reason, as the deploy would.
 */
function filterPatternsOf(mapping: { FilterCriteria?: { Filters?: Array<{ Pattern: string }> } }, owner: string): unknown[] {
  return (mapping.FilterCriteria?.Filters ?? []).map(({ Pattern }, i) => {
    const where = `${owner}: filter pattern ${i + 1} of its event source mapping`;
    let pattern: unknown;
    try {
      pattern = JSON.parse(Pattern);
    } catch {
      throw new Error(`${where} is not JSON: ${Pattern}`);
    }
    try {
      new EventPattern(pattern);
    } catch (error) {
      if (error instanceof InvalidPatternError) throw new Error(`${where} is invalid (AWS refuses it): ${error.reason}`);
      throw error;
    }
    return pattern;
  });
}

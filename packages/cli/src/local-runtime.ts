import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Stage } from 'aws-cdk-lib';
import type { DynamoDBRecord } from 'aws-lambda';
import { LocalAwsIntegration } from './aws-integration';
import { Chaos, ChaosFault, ChaosOptions } from './chaos';
import { ApiDefinition, QueueDefinition, functionsOf, readCloudAssembly } from './cloud-assembly';
import { createCustomResource } from './custom-resource';
import { DataLock } from './data-lock';
import { DynamoProxy } from './dynamo-proxy';
import { deleteTable, DynamoStore, ensureTable, startDynamoStore } from './dynamo-store';
import { LocalFunction, sdkNodePath } from './function-host';
import { indexReconcileLine, jsonLines, maintenanceStep, projectionFailure, thrownAt, type ProjectionFailure } from './function-log-lines';
import { functionNodesFor } from './function-node';
import { hostNotes } from './host-notes';
import { HttpGateway } from './http-gateway';
import { retryWhileIndexesChange } from './index-change-retry';
import { IndexLag } from './index-lag';
import { indexLagReadHooks, indexLagWriteHooks } from './index-lag-calls';
import { LocalQueue, LocalQueueOptions, QueueMessage } from './local-queue';
import { keepMessages, LocalState, readState, restoreMessages, writeState } from './local-state';
import { closeServer, listenOnLoopback } from './loopback-server';
import { requirePackages } from './packages';
import { QueuePoller } from './queue-poller';
import { deployedApis, removeWhatLeft } from './removed-resources';
import { LocalSnsEndpoint, PublishedMessage } from './sns-endpoint';
import { LocalSqsEndpoint } from './sqs-endpoint';
import { StreamFailureRecord, StreamPoller } from './stream-poller';
import { ENV, KEYS, REPLAY_HEADER, viewTablePhysicalId, type LocalOperatorView } from '../../../src/contract';

export interface LocalRuntimeOptions {
  /** A synthesized cloud assembly (cdk.out). One of `assemblyDir` and `app` is required. */
  readonly assemblyDir?: string;
  /** A CDK app (or stage) to synthesize in this process. */
  readonly app?: Stage;
  /** Port of the first API's HTTP server; later APIs take the next free ports. @default 0 (any free port) */
  readonly port?: number;
  /**
   * How long a failed message stays invisible before its next delivery. The template's
   * visibility timeout (minutes) would make local retries slow. @default 1000 ms
   */
  readonly visibilityTimeoutMs?: number;
  /** How often idle stream and queue pollers look again. @default 50 ms */
  readonly pollIntervalMs?: number;
  /** Where the readable event log goes. @default console.log */
  readonly log?: (line: string) => void;
  /** Also show every line the Lambda functions log. @default false */
  readonly functionLogs?: boolean;
  /**
   * Answer 429 past the stage's throttling (rate and burst from the template), as API Gateway
   * does. Turn off only for measurements that are not about throttling.
   * @default true
   */
  readonly stageThrottling?: boolean;
  /**
   * Chaos mode: AWS's worst case within its guarantees. Queues deliver in varied batches, with
   * messages whose visibility runs out mid-processing; standard queues also duplicate and
   * reorder; each queue has several pollers, each with its own worker; invocations fail before,
   * part-way through, or after their work, or time out; SNS throttles, and DynamoDB throttles
   * the aggregators and the maintenance function in bursts; views' indexes lag behind their
   * tables (index queries miss a record just written, for a while). Seeded and printed: pass the seed to
   * replay each component's choices. `true` for a random seed.
   * @default false
   */
  readonly chaos?: boolean | ChaosOptions;
  /**
   * Keep the store in this folder across runs: the tables (DynamoDB Local's files), the queues'
   * messages and the publisher's stream position. A view added, or a version raised, between two
   * runs is then backfilled or rebuilt on the next start, exactly as on deploy, and a view removed
   * is cleaned up as a deploy's cleanup would. One runtime at a time: a start on a folder another
   * running runtime uses fails, naming it. Needs the DynamoDB Local started here (no
   * AWS_ENDPOINT_URL_DYNAMODB).
   * @default undefined (everything in memory, dropped at stop)
   */
  readonly dataDir?: string;
}

/** One running EventSourcedApi. */
export interface LocalApi {
  readonly definition: ApiDefinition;
  readonly url: string;
}

/** A message parked in a projection's dead-letter list. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
}

/**
 * A queue, its dead-letter list and the pollers (several in chaos mode) that feed its function,
 * each poller with an instance of the function of its own (several in chaos mode, as Lambda runs
 * concurrent batches in separate execution environments, each with its own warm state).
 */
interface ViewQueues {
  readonly queue: LocalQueue;
  readonly deadLetters: LocalQueue;
  readonly pollers: QueuePoller[];
  readonly instances: LocalFunction[];
}

/** The longest wait one `GET /idle` of the operator endpoint holds (`wait-idle` asks again for longer ones). */
export const IDLE_WAIT_MAX_MS = 60_000;

/** Lambda runs several batches of a queue at once (it starts with five pollers); chaos mode runs this many. */
const CHAOS_POLLERS_PER_QUEUE = 3;


interface RunningApi extends LocalApi {
  readonly gateway: HttpGateway;
  readonly functions: LocalFunction[];
  readonly queues: Map<string, ViewQueues>;
  readonly publisherFailures: LocalQueue;
  readonly streamPoller: StreamPoller;
  /** The maintenance function's jobs queue, its dead-letter list and its poller. */
  readonly maintenance?: ViewQueues;
}

/** Every polled queue of an API: the views' and the jobs queue. */
function polledQueues(api: RunningApi): ViewQueues[] {
  return [...api.queues.values(), ...(api.maintenance ? [api.maintenance] : [])];
}

/** How a polled queue's messages are handled and reported. */
interface PollingOptions {
  readonly target: LocalFunction;
  readonly batchSize: number;
  readonly pollers: number;
  readonly onProcessed: (message: QueueMessage, logs: readonly string[]) => void;
  readonly onFailed: (message: QueueMessage, reason: string, logs: readonly string[]) => void;
  readonly onDeadLetter: (message: QueueMessage) => void;
  readonly chaos?: Chaos;
}

/**
 * Runs every EventSourcedApi of a CDK app on this machine with the code that would deploy: the
 * bundled writer, publisher, reader and aggregators, invoked with the events Lambda would pass,
 * against DynamoDB Local, with an in-memory SNS/SQS fan-out that keeps the queues' semantics.
 */
export class LocalRuntime {
  /** Synthesizes (if given an app), creates the tables, and starts everything. */
  public static async start(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    const runtime = new LocalRuntime(options);
    try {
      await runtime.boot();
    } catch (err) {
      await runtime.stop();
      throw err;
    }
    return runtime;
  }

  private readonly running: RunningApi[] = [];
  private store?: DynamoStore;
  private sns?: LocalSnsEndpoint;
  private sqs?: LocalSqsEndpoint;
  private sqsUrl?: string;
  private operatorServer?: http.Server;
  private operatorEndpoint?: string;
  /** Every queue, by ARN (for the data folder). */
  private readonly allQueues = new Map<string, LocalQueue>();
  private state: LocalState = { streams: {}, queues: {} };
  private dynamo?: DynamoDBClient;
  private streams?: DynamoDBStreamsClient;
  private readonly tables: string[] = [];
  private readonly log: (line: string) => void;
  private readonly backgroundErrors: unknown[] = [];
  private readonly chaos?: Chaos;
  /** The DynamoDB of the functions that write views (chaos mode, or views with indexes). */
  private dynamoProxy?: DynamoProxy;
  /** Chaos mode: the reader's DynamoDB, whose index queries read the lagging shadows. */
  private readerProxy?: DynamoProxy;
  /** Chaos mode: view indexes that lag behind their tables. */
  private indexLag?: IndexLag;
  /** The data folder, absolute (resolved at start, so a later chdir changes nothing). */
  private readonly dataDir?: string;
  private lock?: DataLock;

  private constructor(private readonly options: LocalRuntimeOptions) {
    this.log = options.log ?? ((line) => console.log(line));
    this.dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
    if (options.chaos) {
      this.chaos = new Chaos(options.chaos === true ? {} : options.chaos);
      this.log(`[local] chaos mode, seed ${this.chaos.seed} (replay: --chaos-seed ${this.chaos.seed}, or chaos: { seed: ${this.chaos.seed} })`);
    }
  }

  /** Chaos mode's seed; undefined without chaos. */
  public get chaosSeed(): number | undefined {
    return this.chaos?.seed;
  }

  /** How often each chaos fault struck so far; undefined without chaos. */
  public chaosReport(): Record<ChaosFault, number> | undefined {
    return this.chaos?.report();
  }

  /** How often each chaos fault had a chance to strike so far; undefined without chaos. */
  public chaosChances(): Record<ChaosFault, number> | undefined {
    return this.chaos?.chances();
  }

  /** The APIs, in the order they were found. */
  public get apis(): LocalApi[] {
    return this.running.map(({ definition, url }) => ({ definition, url }));
  }

  /** The URL of the first (usually the only) API. */
  public get url(): string {
    if (!this.running.length) throw new Error('No EventSourcedApi is running');
    return this.running[0].url;
  }

  /**
   * The URL the operator commands take as `--local` (`cdk-event-sourced-api status --local URL`):
   * it answers this runtime's resources and AWS endpoints, and the commands then use the AWS SDK
   * on them as they would on a deployed stack.
   */
  public get operatorUrl(): string {
    if (!this.operatorEndpoint) throw new Error('The local runtime has not started');
    return this.operatorEndpoint;
  }

  /**
   * What an SNS outage looks like to the publisher: every Publish and PublishBatch answers 500
   * InternalError for `durationMs`. With the publisher's retries exhausted, its stream batches go
   * to the failure queue, as they would on AWS. For rehearsing recovery (`replay --failures`).
   */
  public simulateSnsOutage(durationMs: number): void {
    this.sns!.outageUntil = Date.now() + durationMs;
    this.log(`[local] SNS is out for ${durationMs} ms (simulated)`);
  }

  /** Messages parked in a view's dead-letter list. */
  public deadLetters(view: string, api?: string): DeadLetter[] {
    return this.viewQueues(view, api).deadLetters.peek().map((m) => ({ messageId: m.messageId, body: m.body, receiveCount: m.receiveCount }));
  }

  /**
   * Moves a view's parked messages back to its queue at once; returns how many moved. The operator
   * command `redrive` does the same through SQS's StartMessageMoveTask (asynchronous, at a rate).
   */
  public redrive(view: string, api?: string): number {
    const { queue, deadLetters } = this.viewQueues(view, api);
    const moved = deadLetters.redriveTo(queue);
    if (moved) this.log(`[local] ${view}: redrove ${moved} message(s) from the dead-letter list`);
    return moved;
  }

  /**
   * What the publisher's on-failure destination (publisherFailureQueue) received: as on AWS, the
   * metadata of the stream batches given up on (shard, sequence numbers, condition), not the records.
   */
  public publisherFailures(api?: string): StreamFailureRecord[] {
    return this.find(api).publisherFailures.peek().map((m) => JSON.parse(m.body) as StreamFailureRecord);
  }

  /**
   * Where the operator commands (`cdk-event-sourced-api status --local URL`…) find this runtime:
   * its AWS endpoints and, per API, the resources a stack would list.
   */
  public operatorView(): LocalOperatorView {
    return {
      endpoints: { dynamodb: this.store!.endpoint, sqs: this.sqsUrl! },
      region: this.running[0]?.definition.region ?? 'us-east-1',
      apis: this.running.map(({ definition: d, url }) => ({
        owner: d.owner,
        url,
        eventsTable: d.eventsTable.tableName,
        streamIdField: d.streamIdField,
        publisherFailureQueueUrl: d.publisherFailureQueue?.url,
        jobsQueueUrl: d.maintenance?.jobsQueue.url,
        jobsDeadLetterQueueUrl: d.maintenance?.jobsDeadLetterQueue.url,
        viewRegistry: d.maintenance?.registry.tableName,
        views: d.views.map((v) => ({
          name: v.name,
          version: v.version,
          table: v.table.tableName,
          previousTable: v.previousTable?.tableName,
          queueUrl: v.queue.url,
          deadLetterQueueUrl: v.deadLetterQueue.url,
        })),
      })),
    };
  }

  /**
   * Resolves when every appended event has been published and every queue is empty (parked
   * messages excepted), checked twice in a row; rejects after `timeoutMs`, naming what is pending.
   */
  public async waitUntilIdle(timeoutMs = 30_000): Promise<void> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    let quietChecks = 0;
    while (quietChecks < 2) {
      if (this.backgroundErrors.length) throw new Error(`Local runtime failed: ${String(this.backgroundErrors[0])}`);
      if (Date.now() > deadline) throw new Error(`Not idle after ${timeoutMs} ms: ${this.pending(since).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, (this.options.pollIntervalMs ?? 50) * 2));
      quietChecks = this.pending(since).length === 0 ? quietChecks + 1 : 0;
    }
  }

  /**
   * Messages that will not be applied without an operator (a fix, then redrive or replay): per
   * view its dead-letter list, and the publisher's failure records; only the non-zero counts.
   */
  public parked(): Array<{ api: string; where: string; messages: number }> {
    return this.running.flatMap((api) => [
      ...[...api.queues.entries()].map(([view, { deadLetters }]) => ({ api: api.definition.owner, where: `view ${view}`, messages: deadLetters.depth })),
      { api: api.definition.owner, where: 'publisher failures', messages: api.publisherFailures.depth },
      ...(api.maintenance ? [{ api: api.definition.owner, where: 'maintenance jobs', messages: api.maintenance.deadLetters.depth }] : []),
    ]).filter((p) => p.messages > 0);
  }

  /** Stops servers, pollers and functions; drops the tables; stops DynamoDB Local if started here. */
  public async stop(): Promise<void> {
    for (const api of this.running) {
      await api.gateway.stop();
      await api.streamPoller.stop();
      for (const { pollers } of polledQueues(api)) for (const poller of pollers) await poller.stop();
      const instances = polledQueues(api).flatMap((q) => q.instances);
      for (const fn of new Set([...api.functions, ...instances])) await fn.stop();
    }
    if (this.dataDir && this.store) this.keepState();
    this.running.length = 0;
    await closeServer(this.operatorServer);
    await this.sns?.stop();
    await this.sqs?.stop();
    await this.dynamoProxy?.stop();
    await this.readerProxy?.stop();
    this.indexLag?.stop();
    // Shadows are the runtime's own tables, never kept (a data folder's would outlive the run).
    for (const shadow of this.indexLag?.shadowTables ?? []) if (this.dynamo) await deleteTable(this.dynamo, shadow).catch(() => undefined);
    if (this.chaos) this.log(`[local] chaos (seed ${this.chaos.seed}) struck: ${Object.entries(this.chaos.report()).map(([f, n]) => `${f} ×${n}`).join(', ')}`);
    if (this.dynamo && this.store && !this.store.embedded) {
      for (const table of this.tables) await deleteTable(this.dynamo, table).catch(() => undefined);
    }
    this.dynamo?.destroy();
    this.streams?.destroy();
    await this.store?.stop();
    this.store = undefined;
    if (this.lock && this.operatorEndpoint) removeIfItSays(path.join(this.lock.dataDir, OPERATOR_URL_FILE), this.operatorEndpoint);
    this.lock?.release();
    this.lock = undefined;
  }

  private async boot(): Promise<void> {
    const assemblyDir = this.assemblyDir();
    const dataDir = this.dataDir;
    // Kept tables have stable names; in-memory runs get their own, so runs never share tables.
    const tablePrefix = dataDir ? 'local-' : `local-${randomBytes(3).toString('hex')}-`;
    if (dataDir) {
      fs.mkdirSync(path.join(dataDir, 'dynamodb'), { recursive: true });
      this.lock = DataLock.acquire(dataDir, this.log);
      this.state = readState(dataDir);
    }
    const definitions = readCloudAssembly(assemblyDir, { tablePrefix, takenTableNames: new Set(this.state.retainedTables) });
    if (definitions.length === 0) throw new Error(`No EventSourcedApi found in ${assemblyDir}`);
    requirePackages(definitions);
    const nodePath = sdkNodePath();
    const functionNodes = functionNodesFor(definitions.flatMap(functionsOf).flatMap((fn) => (fn.runtime ? [fn.runtime] : [])));
    const host = { nodeVersion: process.versions.node, functionNodes, timezoneOffsetMinutes: new Date().getTimezoneOffset(), sdkNodePath: nodePath };
    for (const note of hostNotes(definitions, host)) this.log(`[local] ${note}`);
    const nodeBinaries = Object.fromEntries(Object.entries(functionNodes)
      .flatMap(([runtime, node]) => (node?.binary ? [[runtime, node.binary]] : [])));

    this.store = await startDynamoStore(dataDir ? path.join(dataDir, 'dynamodb') : undefined);
    const clientConfig = {
      endpoint: this.store.endpoint,
      region: process.env.AWS_REGION ?? 'us-east-1',
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
    };
    this.dynamo = new DynamoDBClient(clientConfig);
    this.streams = new DynamoDBStreamsClient(clientConfig);

    const queuesByArn = new Map<string, LocalQueue[]>();
    this.sns = new LocalSnsEndpoint((message) => this.fanOut(message, queuesByArn), this.chaos?.for('sns'));
    const snsEndpoint = await this.sns.start();
    this.sqs = new LocalSqsEndpoint();
    this.sqsUrl = await this.sqs.start();

    const baseEnvironment: Record<string, string> = {
      AWS_ENDPOINT_URL_DYNAMODB: this.store.endpoint,
      AWS_ENDPOINT_URL_SNS: snsEndpoint,
      AWS_ENDPOINT_URL_SQS: this.sqsUrl,
      AWS_ACCESS_KEY_ID: clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: clientConfig.credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(process.env[ENV.logLevel] ? { [ENV.logLevel]: process.env[ENV.logLevel] } : {}),
    };
    const hostOptions = {
      baseEnvironment,
      nodePath,
      nodeBinaries,
      onLog: this.options.functionLogs ? (fn: string, line: string) => this.log(`  [${fn}] ${line}`) : undefined,
    };
    // Chaos mode throttles the DynamoDB calls of the aggregators and the maintenance function.
    // The writer and reader are spared, so HTTP clients under test need not retry 503s. Their
    // writes lag on their way to the views' indexes, which the reader's index queries read.
    // With indexes, their writes that DynamoDB Local fails while an index changes are sent again.
    let aggregatorHostOptions = hostOptions;
    let readerHostOptions = hostOptions;
    if (this.chaos && this.declaresIndexes(definitions)) {
      const lagChaos = this.chaos.for('index-lag');
      this.indexLag = new IndexLag(this.dynamo, {
        lagMs: () => (lagChaos.strikes('indexLagSpike') ? lagChaos.int(2000, 10_000) : lagChaos.int(50, 1000)),
        onError: (error) => this.log(`[local] chaos: a lagging index could not follow its table: ${String(error)}`),
      });
      this.readerProxy = new DynamoProxy(this.store.endpoint, indexLagReadHooks(this.indexLag));
      readerHostOptions = { ...hostOptions, baseEnvironment: { ...baseEnvironment, AWS_ENDPOINT_URL_DYNAMODB: await this.readerProxy.start() } };
    }
    const indexesChange = this.declaresIndexes(definitions, this.state);
    if (this.chaos || indexesChange) {
      this.dynamoProxy = new DynamoProxy(this.store.endpoint, {
        throttle: this.chaos?.for('dynamodb'),
        retry: indexesChange ? retryWhileIndexesChange(this.dynamo) : undefined,
        ...(this.indexLag ? indexLagWriteHooks(this.indexLag) : {}),
      });
      const proxied = await this.dynamoProxy.start();
      aggregatorHostOptions = { ...hostOptions, baseEnvironment: { ...baseEnvironment, AWS_ENDPOINT_URL_DYNAMODB: proxied } };
    }

    let port = this.options.port ?? 0;
    const createdTables = new Set<string>();
    for (const definition of definitions) {
      const streamArn = await this.createTables(definition, createdTables);
      // A kept view table may have indexes already: its shadow is made before anything reads it.
      for (const view of definition.views) {
        for (const table of [view.table, ...(view.previousTable ? [view.previousTable] : [])]) await this.indexLag?.tableChanged(table.tableName);
      }
      const writer = definition.writer && new LocalFunction(definition.writer, hostOptions);
      const publisher = new LocalFunction(definition.publisher, hostOptions);
      const reader = definition.reader ? new LocalFunction(definition.reader, readerHostOptions) : undefined;
      const functions = [publisher, ...(writer ? [writer] : []), ...(reader ? [reader] : [])];
      const imported = definition.importedEventsTable;
      const directAppend = definition.directAppend && new LocalAwsIntegration(definition.directAppend, {
        dynamodbEndpoint: this.store.endpoint,
        localTableName: imported ? (name) => (name === imported.name ? imported.localName : name) : undefined,
      });

      const queues = new Map<string, ViewQueues>();
      /** The latest failure of each message still being retried, shown again when it is parked. */
      const lastFailures = new Map<string, ProjectionFailure>();
      for (const view of definition.views) {
        const aggregator = new LocalFunction(view.aggregator, aggregatorHostOptions);
        functions.push(aggregator);
        const receives = view.queue.maxReceiveCount ? ` of ${view.queue.maxReceiveCount}` : '';
        const viewQueues = this.polledQueue(view.queue, view.deadLetterQueue, definition.region, {
          target: aggregator,
          batchSize: view.batchSize,
          pollers: this.chaos ? CHAOS_POLLERS_PER_QUEUE : 1,
          // The view's signals as on AWS: its lag (append to applied, the ProjectionLag metric) and parked count.
          onProcessed: (m) => {
            lastFailures.delete(m.messageId);
            const parsed = viewMessage(m);
            this.log(`[local] ${describe(m, parsed)} → ${view.name} applied${lagOf(parsed)}`);
          },
          // The projection's own error, from the aggregator's log line for the stream, without --function-logs.
          onFailed: (m, reason, logs) => {
            const failure = projectionFailure(logs, streamIdOf(m), view.aggregator.codeDir);
            if (failure) lastFailures.set(m.messageId, failure);
            this.log(`[local] ${describe(m)} → ${view.name} failed (receive ${m.receiveCount}${receives}): ${failure ? `${failure.error}${thrownAt(failure)}` : reason}`);
          },
          onDeadLetter: (m) => {
            this.log(`[local] ${describe(m)} → ${view.name} parked in its dead-letter list after ${m.receiveCount} receives ` +
              `(${queues.get(view.name)!.deadLetters.depth} parked in ${view.name})`);
            const failure = lastFailures.get(m.messageId);
            lastFailures.delete(m.messageId);
            if (failure) for (const line of [failure.error, ...failure.frames.slice(0, 5).map((f) => `  ${f}`)]) this.log(`[local]   ${line}`);
          },
          chaos: this.chaos,
        });
        queues.set(view.name, viewQueues);
        queuesByArn.set(definition.topicArn, [...(queuesByArn.get(definition.topicArn) ?? []), viewQueues.queue]);
      }

      // The on-failure destination: a queue when the template has one, as on AWS.
      const publisherFailures = definition.publisherFailureQueue
        ? this.queue(definition.publisherFailureQueue, definition.region, { visibilityTimeoutMs: 30_000 })
        : new LocalQueue({ name: 'publisher-failures', fifo: false, visibilityTimeoutMs: 30_000 });
      const maintenanceFn = definition.maintenance ? new LocalFunction(definition.maintenance.function, aggregatorHostOptions) : undefined;
      const maintenance = maintenanceFn && this.jobsQueue(definition, maintenanceFn);
      if (maintenanceFn) functions.push(maintenanceFn);
      const streamPoller = new StreamPoller(this.streams, {
        streamArn: streamArn!,
        mapping: definition.publisherStream,
        target: publisher,
        functionArn: definition.publisherArn,
        pollIntervalMs: this.options.pollIntervalMs ?? 50,
        resumeAfter: this.state.streams[definition.owner],
        onGiveUp: (failure, records, reason) => {
          publisherFailures.send(JSON.stringify(failure));
          this.log(`[local] publisher gave up on ${records.length} stream record(s) (${failure.requestContext.condition}): ${reason}; ` +
            `metadata sent to its failure queue, events ${records.map(describeRecord).join(', ')} stay in the table`);
        },
        onError: (error) => this.backgroundErrors.push(error),
        chaos: this.chaos?.for(`stream:${definition.owner}`),
      });

      const gateway = new HttpGateway({
        kind: definition.kind,
        stageName: definition.stageName,
        basePath: definition.basePath,
        httpCors: definition.httpCors,
        writer,
        directAppend,
        reader,
        preflights: definition.preflights,
        binaryMediaTypes: definition.binaryMediaTypes,
        throttle: this.options.stageThrottling === false ? undefined : definition.throttle,
        apiKeyRequired: definition.apiKeyRequired,
        onResponse: (method, url, status, headers, body) => this.logResponse(method, url, status, headers, body),
        onServerError: (method, url, status, cause, logs) => this.logServerError(method, url, status, cause, logs),
      });
      const url = await gateway.start(port);
      if (port !== 0) port++;
      const running: RunningApi = { definition, url, gateway, functions, queues, publisherFailures, streamPoller, maintenance };
      this.running.push(running);
      streamPoller.start();
      for (const { pollers } of polledQueues(running)) for (const poller of pollers) poller.start();
      const where = dataDir ? `, kept in ${dataDir}` : this.store.embedded ? ', in memory' : '';
      this.log(`[local] ${definition.owner}: ${url} (views: ${definition.views.map((v) => v.name).join(', ') || 'none'}; DynamoDB ${this.store.endpoint}${where})`);
      if (maintenanceFn) await this.createBackfills(definition, maintenanceFn, createdTables);
    }
    if (dataDir) await this.cleanUpDeploy(dataDir, definitions);
    this.operatorServer = http.createServer((req, res) => {
      const idle = /^\/idle(\?|$)/.test(req.url ?? '');
      if (!idle) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(this.operatorView()));
        return;
      }
      void this.answerIdle(new URL(req.url!, 'http://localhost').searchParams.get('timeoutMs'), res);
    });
    this.operatorEndpoint = await listenOnLoopback(this.operatorServer);
    this.lock?.started(this.url, this.operatorEndpoint);
    if (dataDir) fs.writeFileSync(path.join(dataDir, OPERATOR_URL_FILE), this.operatorEndpoint);
  }

  /** Whether a view declares indexes; with `before`, also whether one did in the last run on this data folder (their GSIs are to be deleted). */
  private declaresIndexes(definitions: readonly ApiDefinition[], before?: LocalState): boolean {
    return definitions.some((d) => [...d.maintenance?.backfills ?? [], ...before?.deployed?.[d.owner]?.backfills ?? []]
      .some((backfill) => backfill.properties.indexes !== undefined));
  }

  /** A queue of the template, served by the local SQS endpoint under its URL, with any messages a data folder kept. */
  private queue(definition: QueueDefinition, region: string, options: Partial<LocalQueueOptions> & { visibilityTimeoutMs: number }): LocalQueue {
    const { logicalId: name, arn, fifo, deduplicationPerGroup } = definition;
    const queue = new LocalQueue({ name, arn, region, fifo, deduplicationPerGroup, ...options, chaos: options.chaos?.for(`queue:${arn}`) });
    this.sqs!.add(definition.url, queue);
    this.allQueues.set(definition.arn, queue);
    restoreMessages(queue, this.state.queues[definition.arn]);
    return queue;
  }

  /**
   * A queue with its dead-letter list and the pollers that feed its function, as Lambda's SQS
   * event source mapping does.
   */
  private polledQueue(queueDef: QueueDefinition, deadLetterDef: QueueDefinition, region: string, options: PollingOptions): ViewQueues {
    const deadLetters = this.queue(deadLetterDef, region, { visibilityTimeoutMs: 0 });
    const queue = this.queue(queueDef, region, {
      visibilityTimeoutMs: this.options.visibilityTimeoutMs ?? 1000,
      maxReceiveCount: queueDef.maxReceiveCount,
      deadLetterQueue: deadLetters,
      onDeadLetter: options.onDeadLetter,
      chaos: options.chaos,
    });
    const instances = Array.from({ length: options.pollers }, (_, i) => (i === 0 ? options.target : options.target.newInstance()));
    const pollers = instances.map((target, i) => new QueuePoller({
      queue,
      target,
      batchSize: options.batchSize,
      pollIntervalMs: this.options.pollIntervalMs ?? 50,
      onProcessed: options.onProcessed,
      onFailed: options.onFailed,
      chaos: options.chaos?.for(`poller:${queueDef.arn}#${i}`),
    }));
    return { queue, deadLetters, pollers, instances };
  }

  /** The maintenance function's jobs queue, one job message at a time (batch size 1, as the template maps it). */
  private jobsQueue(definition: ApiDefinition, fn: LocalFunction): ViewQueues {
    const def = definition.maintenance!;
    return this.polledQueue(def.jobsQueue, def.jobsDeadLetterQueue, definition.region, {
      target: fn,
      batchSize: 1,
      pollers: this.chaos ? CHAOS_POLLERS_PER_QUEUE : 1,
      onProcessed: (m, logs) => this.logJob(m.body, logs),
      onFailed: (_m, reason) => this.log(`[local] maintenance: a job step failed, it will be retried: ${reason}`),
      onDeadLetter: () => this.log('[local] maintenance: a job message was parked in the jobs dead-letter list'),
      chaos: this.chaos,
    });
  }

  /**
   * What CloudFormation does on deploy: each Custom::ViewBackfill whose table this run created (a
   * new view, or a new version) is created, which registers the table and starts its backfill;
   * the others are updated, from the properties the last run on this data folder deployed, which
   * registers them again (local URLs and names may differ from the last run's) and lets the
   * function see what changed (the upcasters). A failure fails the start, as it would fail the deploy.
   */
  private async createBackfills(definition: ApiDefinition, fn: LocalFunction, createdTables: Set<string>): Promise<void> {
    const deployedBefore = this.state.deployed?.[definition.owner]?.backfills ?? [];
    for (const backfill of definition.maintenance!.backfills) {
      const created = createdTables.has(backfill.properties.table);
      const outcome = await createCustomResource(fn, {
        requestType: created ? 'Create' : 'Update',
        stackName: definition.stackName,
        logicalId: backfill.logicalId,
        resourceType: 'Custom::ViewBackfill',
        properties: backfill.properties,
        physicalResourceId: viewTablePhysicalId(backfill.properties.view, backfill.properties.table),
        oldProperties: deployedBefore.find((b) => b.logicalId === backfill.logicalId)?.properties,
      });
      if (outcome.Status !== 'SUCCESS') throw new Error(`${definition.stackName}/${backfill.logicalId} failed to ${created ? 'create' : 'update'}: ${outcome.Reason}`);
      // The job's own reason: a first build at a version above 1 is a backfill, not a rebuild.
      const lines = jsonLines(outcome.logs);
      const started = lines.find((l) => l.message === 'maintenance job started');
      // What a deploy would show in the function's logs: the upcasters changed under a view.
      for (const warning of lines.filter((l) => l.level === 'warn')) this.log(`[local] ${backfill.properties.view}: ${String(warning.message)}`);
      if (created) this.log(`[local] ${backfill.properties.view}: ${String(started?.reason ?? backfill.properties.reason)} started (table ${backfill.properties.table} is new)`);
    }
  }

  /**
   * The end of a deploy: what the last run on this data folder deployed and this template no
   * longer has is removed as CloudFormation would; what this run deployed is written down at once.
   */
  private async cleanUpDeploy(dataDir: string, definitions: ApiDefinition[]): Promise<void> {
    const retained = await removeWhatLeft(this.state.deployed ?? {}, definitions, {
      dynamo: this.dynamo!,
      maintenanceOf: (owner) => this.running.find((api) => api.definition.owner === owner)?.maintenance?.instances[0],
      log: this.log,
    });
    this.state = { ...this.state, deployed: deployedApis(definitions), retainedTables: [...this.state.retainedTables ?? [], ...retained] };
    writeState(dataDir, this.state);
  }

  /**
   * One line per job message: what the job is doing, from the step the maintenance function logged
   * (its reason, and when the job ends, what it did and how long it took), else from the message.
   */
  private logJob(body: string, logs: readonly string[]): void {
    // Index reconcile steps: a line when an index change starts and when all are built (not each look at a busy table).
    const reconciled = indexReconcileLine(logs);
    if (reconciled) {
      this.log(`[local] maintenance: ${reconciled}`);
      return;
    }
    const logged = maintenanceStep(logs);
    if (logged?.phase === 'done' || logged?.phase === 'stalled') {
      const checked = `${logged.checked} checked${logged.pass > 1 ? ` in pass ${logged.pass}` : ''}`;
      const sent = logged.kind === 'restamp' ? `${logged.sent} record(s) restamped` : `${logged.sent} stream(s) sent`;
      const outcome = logged.phase === 'done'
        ? `done in ${formatSeconds(logged.jobDurationMs ?? 0)}: ${sent}, ${checked}${logged.ready ? ', reads use this table' : ''}`
        : `stalled after ${formatSeconds(logged.jobDurationMs ?? 0)}: ${logged.behind} stream(s) still behind after ${logged.pass} checks (see status)`;
      this.log(`[local] maintenance: ${logged.view} ${logged.reason} ${outcome}`);
      return;
    }
    type JobBody = {
      start?: { view: string; reason: string }; step?: { view: string; step: number; phase: string; pass: number; kind?: string }; indexes?: unknown;
    };
    let message: JobBody;
    try {
      message = JSON.parse(body) as JobBody;
    } catch {
      this.log('[local] maintenance: a job message that is not JSON');
      return;
    }
    if (message.indexes) return; // a look at a table whose index change is under way
    const step = logged ?? message.step;
    if (step) {
      const what = logged ? `${logged.view} ${logged.reason}` : step.view;
      const sending = step.kind === 'restamp' ? 'restamping records' : 'sending catch-ups';
      this.log(`[local] maintenance: ${what} step ${step.step} (${step.phase === 'send' ? sending : `checking, pass ${step.pass}`})`);
    } else if (message.start) {
      this.log(`[local] maintenance: ${message.start.view} ${message.start.reason} queued`);
    }
  }

  private keepState(): void {
    const streams: LocalState['streams'] = { ...this.state.streams };
    for (const api of this.running) streams[api.definition.owner] = api.streamPoller.checkpoints();
    const queues: LocalState['queues'] = {};
    for (const [arn, queue] of this.allQueues) queues[arn] = keepMessages(queue);
    writeState(this.dataDir!, { ...this.state, streams, queues });
  }

  private assemblyDir(): string {
    if (this.options.assemblyDir) return path.resolve(this.options.assemblyDir);
    if (!this.options.app) throw new Error('LocalRuntime.start needs `assemblyDir` or `app`');
    return this.options.app.synth().directory;
  }

  /** Creates the tables that do not exist yet (all of them, without a data folder); notes which were created. */
  private async createTables(definition: ApiDefinition, created: Set<string>): Promise<string | undefined> {
    let streamArn: string | undefined;
    const viewTables = definition.views.flatMap((v) => [v.table, ...(v.previousTable ? [v.previousTable] : [])]);
    for (const table of [definition.eventsTable, ...(definition.maintenance ? [definition.maintenance.registry] : []), ...viewTables]) {
      const result = await ensureTable(this.dynamo!, table);
      if (table === definition.eventsTable) streamArn = result.streamArn;
      if (result.created) created.add(table.tableName);
      this.tables.push(table.tableName);
    }
    return streamArn;
  }

  private fanOut(message: PublishedMessage, queuesByArn: Map<string, LocalQueue[]>): void {
    for (const queue of queuesByArn.get(message.topicArn) ?? []) {
      queue.send(message.message, message.groupId, message.deduplicationId, message.attributes);
    }
  }

  private logResponse(method: string, url: string, status: number, headers: Record<string, string>, body: string): void {
    if (method !== 'POST') return;
    try {
      const parsed = JSON.parse(body) as { streamId?: string; version?: number; type?: string; message?: string };
      const replayed = Object.keys(headers).some((h) => h.toLowerCase() === REPLAY_HEADER.toLowerCase());
      const outcome = replayed ? 'replayed (eventId already stored)' : 'appended';
      // WritePath.DIRECT answers without the event: its publication names it.
      if (status === 201 && parsed.streamId === undefined) this.log(`[local] POST ${url} → 201 ${outcome}`);
      else if (status === 201) this.log(`[local] ${parsed.streamId} v${parsed.version} ${parsed.type} ${outcome}`);
      else this.log(`[local] POST ${url} → ${status} ${parsed.message ?? ''}`);
    } catch {
      this.log(`[local] POST ${url} → ${status}`);
    }
  }

  /** Why a request answered 5xx: the function's own log lines of that invocation. */
  private logServerError(method: string, url: string, status: number, cause: string, logs: string[]): void {
    this.log(`[local] ${method} ${url} → ${status}: ${cause}${logs.length ? '; it logged:' : ' (it logged nothing)'}`);
    for (const line of logs.flatMap((l) => l.split('\n'))) this.log(`[local]   ${line}`);
  }

  /**
   * What keeps the runtime from being idle (nothing: idle): a stream poller whose last quiet poll
   * started before `since` (it may not have seen every event appended before the wait began), a
   * queue with messages or a batch under way, a redrive (message move task) still running, a
   * write not yet in chaos mode's lagging indexes.
   */
  private pending(since: number): string[] {
    const pending = this.running.flatMap((api) => {
      const owner = api.definition.owner;
      const parts: string[] = [];
      if (!api.streamPoller.idle || (api.streamPoller.quietSince ?? -Infinity) <= since) parts.push(`${owner}: events not yet published (the stream is being read)`);
      const queues = [...api.queues.entries()].map(([view, q]) => ({ name: `view ${view}`, ...q }));
      if (api.maintenance) queues.push({ name: 'maintenance jobs', ...api.maintenance });
      for (const { name, queue, pollers } of queues) {
        const batches = pollers.filter((p) => p.busy).length;
        if (queue.depth === 0 && batches === 0) continue;
        parts.push(`${owner}: ${name}, ${queue.depth} message(s) not yet applied${batches ? ` (${batches} batch(es) under way)` : ''}`);
      }
      return parts;
    });
    if (this.sqs?.moving) pending.push('a dead-letter redrive is still moving messages');
    if (this.indexLag?.depth) pending.push(`chaos: ${this.indexLag.depth} write(s) or index change(s) not yet in the lagging indexes`);
    return pending;
  }

  /**
   * `GET <operatorUrl>/idle?timeoutMs=N`, for `wait-idle`: answers 200 `{ idle: true, parked }` once
   * idle, or 503 `{ idle: false, pending }` after N ms (at most IDLE_WAIT_MAX_MS a request).
   */
  private async answerIdle(timeoutParam: string | null, res: http.ServerResponse): Promise<void> {
    const timeoutMs = Math.min(IDLE_WAIT_MAX_MS, /^\d+$/.test(timeoutParam ?? '') ? Number(timeoutParam) : 30_000);
    const answer = (status: number, body: object) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    try {
      await this.waitUntilIdle(timeoutMs);
      answer(200, { idle: true, parked: this.parked() });
    } catch (err) {
      answer(503, { idle: false, pending: String((err as Error).message ?? err) });
    }
  }

  private find(api?: string): RunningApi {
    const found = api === undefined ? this.running[0] : this.running.find((r) => r.definition.owner === api);
    if (!found) throw new Error(`No running EventSourcedApi ${api ?? ''}`.trim());
    return found;
  }

  private viewQueues(view: string, api?: string) {
    const queues = this.find(api).queues.get(view);
    if (!queues) throw new Error(`No view named "${view}"`);
    return queues;
  }
}

/** Where a data folder's runtime says its operator URL, while it runs. */
const OPERATOR_URL_FILE = 'operator-url';

/** Removes a file that still says `content` (a later runtime's is left alone). */
function removeIfItSays(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) fs.rmSync(file);
  } catch {
    // gone already
  }
}

/** "stream-1 v3" for a message that carries a stored event, "stream-1 catch-up" for a catch-up. */
function describe(message: QueueMessage, parsed = viewMessage(message)): string {
  if (!parsed) return `message ${message.messageId}`;
  return parsed.catchUp ? `${parsed.catchUp.streamId} catch-up` : `${parsed.streamId} v${parsed.version}`;
}

/** The stream a view message is about: its event's or its catch-up's. */
function streamIdOf(message: QueueMessage): string | undefined {
  const parsed = viewMessage(message);
  return parsed?.streamId ?? parsed?.catchUp?.streamId;
}

/** "2.3 s", "850 ms". */
function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** " (lag 42 ms)": from the event's append to now; nothing for a catch-up. */
function lagOf(parsed: ViewMessage | undefined): string {
  const appended = Date.parse(parsed?.timestamp ?? '');
  return Number.isNaN(appended) ? '' : ` (lag ${Math.max(0, Date.now() - appended)} ms)`;
}

interface ViewMessage {
  readonly streamId?: string;
  readonly version?: number;
  readonly timestamp?: string;
  readonly catchUp?: { streamId?: string };
}

function viewMessage(message: QueueMessage): ViewMessage | undefined {
  try {
    return JSON.parse(message.body);
  } catch {
    return undefined;
  }
}

/** "stream-1 v3" for a stream record of an event. */
function describeRecord(record: DynamoDBRecord): string {
  const image = record.dynamodb?.NewImage;
  return `${image?.[KEYS.streamId]?.S ?? '?'} v${image?.[KEYS.version]?.N ?? '?'}`;
}

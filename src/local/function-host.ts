import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FunctionDefinition } from './cloud-assembly';

/**
 * Runs inside the worker: loads the function's bundle with the worker's own environment and
 * answers invocations. The AWS SDK v3 is resolved from `nodePath`, as the Lambda runtime
 * provides it to bundles that leave it external.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { AsyncLocalStorage } = require('node:async_hooks');
const { format } = require('node:util');
const Module = require('node:module');
// Stack traces name the projection's source where its bundle has a source map (this worker only).
process.setSourceMapsEnabled(true);
process.env.NODE_PATH = workerData.nodePath;
Module._initPaths();
// Each console line goes to the host with the invocation it was written in, so the host can tell
// why an invocation failed even when several run at once.
const invocation = new AsyncLocalStorage();
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[level] = (...args) => parentPort.postMessage({ log: format(...args), id: invocation.getStore() });
}
const mod = require(workerData.entry);
const handler = mod[workerData.handlerName];
if (typeof handler !== 'function') throw new Error(workerData.entry + ' exports no function ' + workerData.handlerName);
parentPort.on('message', ({ id, event, context, deadline }) => invocation.run(id, async () => {
  try {
    const result = await handler(event, { ...context, getRemainingTimeInMillis: () => deadline - Date.now() });
    parentPort.postMessage({ id, result });
  } catch (e) {
    parentPort.postMessage({ id, error: { name: e && e.name, message: String(e && e.message || e), stack: e && e.stack } });
  }
}));
`;

/** An invocation that failed: the handler threw, timed out or could not load. */
export class InvocationError extends Error {
  /** The lines the function logged during the invocation. */
  public logs: string[] = [];

  constructor(readonly functionId: string, message: string, readonly errorType: string) {
    super(`${functionId}: ${message}`);
  }
}

/** An invocation's result with the lines the function logged while it ran. */
export interface Invocation<T> {
  readonly result: T;
  readonly logs: string[];
}

interface Pending {
  readonly resolve: (value: Invocation<unknown>) => void;
  readonly reject: (error: InvocationError) => void;
  readonly timer: NodeJS.Timeout;
  readonly worker: Worker;
  readonly logs: string[];
}

export interface FunctionHostOptions {
  /** Environment every function gets on top of its own (endpoints, region, credentials). */
  readonly baseEnvironment: Record<string, string>;
  /** Where the AWS SDK v3 packages are found (a node_modules folder). */
  readonly nodePath: string;
  /** Receives each line a function writes to stdout or stderr. */
  readonly onLog?: (functionId: string, line: string) => void;
}

export interface InvokeOptions {
  /** Time the invocation out sooner than the function's timeout (chaos mode's timeouts). */
  readonly timeoutMs?: number;
}

/**
 * Lambda's message names the function's configured timeout ("Task timed out after 3.00 seconds");
 * an invocation chaos mode cut short says so, with how long it actually ran.
 */
export function timedOutMessage(timeoutSeconds: number, cutShortMs?: number): string {
  const lambda = `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
  return cutShortMs === undefined ? lambda : `${lambda} (chaos: cut short after ${cutShortMs} ms)`;
}

/** One Lambda function, run in a worker thread: its own environment and module cache. */
export class LocalFunction {
  private worker?: Worker;
  /** Workers that timed out, still running other invocations; terminated once those settle. */
  private readonly retiring = new Set<Worker>();
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly definition: FunctionDefinition, private readonly options: FunctionHostOptions) {}

  /** Invokes the handler with a Lambda event; rejects with an InvocationError. */
  public async invoke<T = unknown>(event: unknown, options: InvokeOptions = {}): Promise<T> {
    return (await this.invokeWithLogs<T>(event, options)).result;
  }

  /** Like `invoke`, with the lines the function logged during this invocation. */
  public invokeWithLogs<T = unknown>(event: unknown, options: InvokeOptions = {}): Promise<Invocation<T>> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.definition.timeoutSeconds * 1000;
    return new Promise<Invocation<T>>((resolve, reject) => {
      const logs: string[] = [];
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const error = new InvocationError(this.definition.logicalId, timedOutMessage(this.definition.timeoutSeconds, options.timeoutMs), 'Sandbox.Timedout');
        error.logs = logs;
        reject(error);
        // Like Lambda, a timed-out container is not reused. Unlike Lambda, one worker runs concurrent
        // invocations: those others finish first (in Lambda they have containers of their own).
        this.retire(worker);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: Invocation<unknown>) => void, reject, timer, worker, logs });
      const context = {
        functionName: this.definition.logicalId,
        awsRequestId: `local-${process.pid}-${this.definition.logicalId}-${id}`,
        invokedFunctionArn: `arn:aws:lambda:${this.definition.region ?? 'us-east-1'}:000000000000:function:${this.definition.logicalId}`,
      };
      worker.postMessage({ id, event, context, deadline: Date.now() + timeoutMs });
    });
  }

  /** Another execution environment of the same function: its own worker, module cache and warm state. */
  public newInstance(): LocalFunction {
    return new LocalFunction(this.definition, this.options);
  }

  public async stop(): Promise<void> {
    const workers = [...this.retiring, ...(this.worker ? [this.worker] : [])];
    this.worker = undefined;
    this.retiring.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private start(): Worker {
    const [file, handlerName] = splitHandler(this.definition.handler);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: { ...this.definition.environment, ...lambdaEnvironment(this.definition), ...this.options.baseEnvironment },
      workerData: { entry: path.join(this.definition.codeDir, file), handlerName, nodePath: this.options.nodePath },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          this.options.onLog?.(this.definition.logicalId, buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
        }
      });
    }
    worker.on('message', (message: { id?: number; log?: string; result?: unknown; error?: { name?: string; message: string } }) => {
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (message.log !== undefined) {
        for (const line of message.log.split('\n')) this.options.onLog?.(this.definition.logicalId, line);
        waiting?.logs.push(message.log);
        return;
      }
      if (!waiting) return;
      this.pending.delete(message.id!);
      clearTimeout(waiting.timer);
      if (this.retiring.has(worker)) this.retire(worker);
      if (message.error) {
        const error = new InvocationError(this.definition.logicalId, message.error.message, message.error.name ?? 'Error');
        error.logs = waiting.logs;
        waiting.reject(error);
      } else {
        waiting.resolve({ result: message.result, logs: waiting.logs });
      }
    });
    worker.on('error', (err) => this.failAll(worker, `could not run: ${String(err)}`));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.retiring.delete(worker);
      this.failAll(worker, 'the function exited');
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Fails the invocations sent to this worker (not those of a newer one, after a timeout). */
  private failAll(worker: Worker, message: string): void {
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      clearTimeout(waiting.timer);
      const error = new InvocationError(this.definition.logicalId, message, 'Runtime.ExitError');
      error.logs = waiting.logs;
      waiting.reject(error);
      this.pending.delete(id);
    }
  }

  /** No new invocations go to this worker; it is terminated once it runs none. */
  private retire(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    if ([...this.pending.values()].some((p) => p.worker === worker)) {
      this.retiring.add(worker);
    } else {
      this.retiring.delete(worker);
      void worker.terminate();
    }
  }
}

/**
 * The variables Lambda sets for a function, with the values its template implies
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * TZ reads ":UTC" as on Lambda, but a worker thread keeps its process's clock: the CLI runs in
 * UTC, and LocalRuntime warns when the process does not.
 */
function lambdaEnvironment(definition: FunctionDefinition): Record<string, string> {
  const region = definition.region ?? 'us-east-1';
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: definition.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: definition.logGroupName ?? `/aws/lambda/${definition.logicalId}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...(definition.runtime ? { AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}` } : {}),
    _HANDLER: definition.handler,
    LAMBDA_TASK_ROOT: definition.codeDir,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
  };
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [`${handler.slice(0, dot)}.js`, handler.slice(dot + 1)];
}

/** The node_modules folder the AWS SDK v3 resolves from, handed to the functions' workers. */
export function sdkNodePath(): string {
  const resolved = require.resolve('@aws-sdk/client-dynamodb/package.json');
  return resolved.slice(0, resolved.lastIndexOf(`${path.sep}@aws-sdk${path.sep}`));
}

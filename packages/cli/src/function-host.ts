import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { FunctionDefinition } from './cloud-assembly';
import { Sandbox, SandboxMessage, startSandbox } from './function-sandbox';
import { lambdaJson } from './lambda-json';

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
  readonly sandbox: Sandbox;
  readonly logs: string[];
}

export interface FunctionHostOptions {
  /** Environment every function gets on top of its own (endpoints, region, credentials). */
  readonly baseEnvironment: Record<string, string>;
  /** Where the AWS SDK v3 packages are found (a node_modules folder). */
  readonly nodePath: string;
  /** Receives each line a function writes to stdout or stderr. */
  readonly onLog?: (functionId: string, line: string) => void;
  /**
   * A Node binary per Lambda runtime (`nodejs24.x`): the functions of that runtime run in child
   * processes of it. The others run in worker threads of this process.
   */
  readonly nodeBinaries?: Readonly<Record<string, string>>;
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

/**
 * One Lambda function, run in a sandbox (a worker thread, or a child process on the Node of its
 * runtime): its own environment and module cache. Events and answers cross as JSON text in both
 * (lambdaJson), as through Lambda's runtime API.
 */
export class LocalFunction {
  private sandbox?: Sandbox;
  /** Sandboxes that timed out, still running other invocations; terminated once those settle. */
  private readonly retiring = new Set<Sandbox>();
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(readonly definition: FunctionDefinition, private readonly options: FunctionHostOptions) {}

  /** Invokes the handler with a Lambda event; rejects with an InvocationError. */
  public async invoke<T = unknown>(event: unknown, options: InvokeOptions = {}): Promise<T> {
    return (await this.invokeWithLogs<T>(event, options)).result;
  }

  /** Like `invoke`, with the lines the function logged during this invocation. */
  public invokeWithLogs<T = unknown>(event: unknown, options: InvokeOptions = {}): Promise<Invocation<T>> {
    let eventJson: string;
    try {
      eventJson = lambdaJson(event);
    } catch (err) {
      return Promise.reject(new InvocationError(this.definition.logicalId, `the event is not JSON: ${(err as Error).message}`, 'Runtime.InvalidEvent'));
    }
    const sandbox = this.sandbox ?? this.start();
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.definition.timeoutSeconds * 1000;
    return new Promise<Invocation<T>>((resolve, reject) => {
      const logs: string[] = [];
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const error = new InvocationError(this.definition.logicalId, timedOutMessage(this.definition.timeoutSeconds, options.timeoutMs), 'Sandbox.Timedout');
        error.logs = logs;
        reject(error);
        // Like Lambda, a timed-out container is not reused. Unlike Lambda, one sandbox runs concurrent
        // invocations: those others finish first (in Lambda they have containers of their own).
        this.retire(sandbox);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: Invocation<unknown>) => void, reject, timer, sandbox, logs });
      const context = {
        functionName: this.definition.logicalId,
        awsRequestId: `local-${process.pid}-${this.definition.logicalId}-${id}`,
        invokedFunctionArn: `arn:aws:lambda:${this.definition.region ?? 'us-east-1'}:000000000000:function:${this.definition.logicalId}`,
      };
      sandbox.send({ id, event: eventJson, context, deadline: Date.now() + timeoutMs });
    });
  }

  /** Another execution environment of the same function: its own sandbox, module cache and warm state. */
  public newInstance(): LocalFunction {
    return new LocalFunction(this.definition, this.options);
  }

  public async stop(): Promise<void> {
    const sandboxes = [...this.retiring, ...(this.sandbox ? [this.sandbox] : [])];
    this.sandbox = undefined;
    this.retiring.clear();
    await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
  }

  private start(): Sandbox {
    const [file, handlerName] = splitHandler(this.definition.handler);
    const sandbox: Sandbox = startSandbox({
      env: { ...this.definition.environment, ...lambdaEnvironment(this.definition), ...this.options.baseEnvironment },
      entry: path.join(this.definition.codeDir, file),
      handlerName,
      nodePath: this.options.nodePath,
      nodeBinary: this.definition.runtime ? this.options.nodeBinaries?.[this.definition.runtime] : undefined,
    }, {
      line: (line) => this.options.onLog?.(this.definition.logicalId, line),
      message: (message) => this.received(sandbox, message),
      fatal: (reason) => this.failAll(sandbox, `could not run: ${reason}`),
      exit: () => {
        if (this.sandbox === sandbox) this.sandbox = undefined;
        this.retiring.delete(sandbox);
        this.failAll(sandbox, 'the function exited');
      },
    });
    this.sandbox = sandbox;
    return sandbox;
  }

  private received(sandbox: Sandbox, message: SandboxMessage): void {
    const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
    if (message.log !== undefined) {
      for (const line of message.log.split('\n')) this.options.onLog?.(this.definition.logicalId, line);
      waiting?.logs.push(message.log);
      return;
    }
    if (!waiting) return;
    this.pending.delete(message.id!);
    clearTimeout(waiting.timer);
    if (this.retiring.has(sandbox)) this.retire(sandbox);
    if (message.error) {
      const error = new InvocationError(this.definition.logicalId, message.error.message, message.error.name ?? 'Error');
      error.logs = waiting.logs;
      waiting.reject(error);
    } else {
      waiting.resolve({ result: message.result === undefined ? undefined : JSON.parse(message.result), logs: waiting.logs });
    }
  }

  /** Fails the invocations sent to this sandbox (not those of a newer one, after a timeout). */
  private failAll(sandbox: Sandbox, message: string): void {
    for (const [id, waiting] of this.pending) {
      if (waiting.sandbox !== sandbox) continue;
      clearTimeout(waiting.timer);
      const error = new InvocationError(this.definition.logicalId, message, 'Runtime.ExitError');
      error.logs = waiting.logs;
      waiting.reject(error);
      this.pending.delete(id);
    }
  }

  /** No new invocations go to this sandbox; it is terminated once it runs none. */
  private retire(sandbox: Sandbox): void {
    if (this.sandbox === sandbox) this.sandbox = undefined;
    if ([...this.pending.values()].some((p) => p.sandbox === sandbox)) {
      this.retiring.add(sandbox);
    } else {
      this.retiring.delete(sandbox);
      void sandbox.terminate();
    }
  }
}

/**
 * The variables Lambda sets for a function, with the values its template implies
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * TZ reads ":UTC" as on Lambda. A child process keeps to it; a worker thread keeps its process's
 * clock: the CLI runs in UTC, and LocalRuntime warns when the process does not.
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

/** The node_modules folder the AWS SDK v3 resolves from, handed to the functions' sandboxes. */
export function sdkNodePath(): string {
  const resolved = require.resolve('@aws-sdk/client-dynamodb/package.json');
  return resolved.slice(0, resolved.lastIndexOf(`${path.sep}@aws-sdk${path.sep}`));
}

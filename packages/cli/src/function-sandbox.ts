import { ChildProcess, Serializable, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

/**
 * Runs inside the sandbox: loads the function's bundle with the sandbox's own environment and
 * answers invocations. The AWS SDK v3 is resolved from `nodePath`, as the Lambda runtime
 * provides it to bundles that leave it external. `data`, `send` and `onMessage` come from the
 * transport's prelude (below).
 */
const RUNNER_SOURCE = `
const { AsyncLocalStorage } = require('node:async_hooks');
const { format } = require('node:util');
const Module = require('node:module');
// Stack traces name the projection's source where its bundle has a source map (this sandbox only).
process.setSourceMapsEnabled(true);
process.env.NODE_PATH = data.nodePath;
Module._initPaths();
// Each console line goes to the host with the invocation it was written in, so the host can tell
// why an invocation failed even when several run at once.
const invocation = new AsyncLocalStorage();
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[level] = (...args) => send({ log: format(...args), id: invocation.getStore() });
}
const mod = require(data.entry);
const handler = mod[data.handlerName];
if (typeof handler !== 'function') throw new Error(data.entry + ' exports no function ' + data.handlerName);
// Events and answers cross as JSON text, as through Lambda's runtime API, whichever the sandbox:
// a handler gets what JSON.parse gives, and its answer is what JSON.stringify makes of it, with
// undefined answered as null and an answer JSON cannot hold failing, as the Node.js runtime does.
onMessage(({ id, event, context, deadline }) => invocation.run(id, async () => {
  try {
    const result = await handler(JSON.parse(event), { ...context, getRemainingTimeInMillis: () => deadline - Date.now() });
    let json;
    try {
      json = JSON.stringify(result === undefined ? null : result);
    } catch {
      throw new Error('Unable to stringify response body');
    }
    send({ id, result: json });
  } catch (e) {
    send({ id, error: { name: e && e.name, message: String(e && e.message || e), stack: e && e.stack } });
  }
}));
`;

const WORKER_PRELUDE = `
const { parentPort, workerData: data } = require('node:worker_threads');
const send = (message) => parentPort.postMessage(message);
const onMessage = (listener) => parentPort.on('message', listener);
`;

/**
 * A child process ends with its host: the IPC channel closes when the host exits, even when it is
 * killed. An exception nothing catches is reported before the process ends, as a worker's is.
 */
const CHILD_PRELUDE = `
const data = JSON.parse(process.argv[1]);
const send = (message) => process.send(message);
const onMessage = (listener) => process.on('message', listener);
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => process.send({ fatal: String(e) }, () => process.exit(1)));
`;

export interface SandboxMessage {
  readonly id?: number;
  readonly log?: string;
  /** The handler's answer as JSON text. */
  readonly result?: string;
  readonly error?: { readonly name?: string; readonly message: string };
}

export interface SandboxOptions {
  /** The function's whole environment (process.env inside the sandbox). */
  readonly env: Record<string, string>;
  /** The bundle file to load, the name of its handler export, and where the AWS SDK resolves from. */
  readonly entry: string;
  readonly handlerName: string;
  readonly nodePath: string;
  /** A Node binary: the function runs in a child process of it. Without one, in a worker thread of this process. */
  readonly nodeBinary?: string;
}

export interface SandboxEvents {
  readonly message: (message: SandboxMessage) => void;
  /** Each line the function wrote to stdout or stderr itself. */
  readonly line: (line: string) => void;
  /** An exception nothing caught: the sandbox ends. */
  readonly fatal: (reason: string) => void;
  /** The sandbox ended (also after `fatal`, and after `terminate`). */
  readonly exit: () => void;
}

/** Where one instance of a function runs: a worker thread, or a child process on another Node. */
export interface Sandbox {
  send(message: Serializable): void;
  /** Ends the sandbox at once, whatever it runs, as Lambda stops a timed-out environment. */
  terminate(): Promise<void>;
}

export function startSandbox(options: SandboxOptions, events: SandboxEvents): Sandbox {
  return options.nodeBinary ? childSandbox(options.nodeBinary, options, events) : workerSandbox(options, events);
}

function workerSandbox(options: SandboxOptions, events: SandboxEvents): Sandbox {
  const worker = new Worker(WORKER_PRELUDE + RUNNER_SOURCE, {
    eval: true,
    env: options.env,
    workerData: { entry: options.entry, handlerName: options.handlerName, nodePath: options.nodePath },
    stdout: true,
    stderr: true,
  });
  forwardLines(worker.stdout, events.line);
  forwardLines(worker.stderr, events.line);
  worker.on('message', events.message);
  worker.on('error', (err) => events.fatal(String(err)));
  worker.on('exit', events.exit);
  worker.unref();
  return {
    send: (message) => worker.postMessage(message),
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/**
 * A child process of `nodeBinary`, talking JSON over an IPC channel. Unlike a worker thread it has
 * its own clock, so `TZ=:UTC` in its environment holds, as on Lambda. It keeps this process alive
 * no more than a worker does (unref'd).
 */
function childSandbox(nodeBinary: string, options: SandboxOptions, events: SandboxEvents): Sandbox {
  const data = JSON.stringify({ entry: options.entry, handlerName: options.handlerName, nodePath: options.nodePath });
  const child: ChildProcess = spawn(nodeBinary, ['-e', CHILD_PRELUDE + RUNNER_SOURCE, data], {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    const end = () => {
      if (ended) return;
      ended = true;
      resolve();
      events.exit();
    };
    child.on('exit', end);
    // The binary could not be started (then no 'exit' follows).
    child.on('error', (err) => {
      events.fatal(String(err));
      end();
    });
  });
  forwardLines(child.stdout!, events.line);
  forwardLines(child.stderr!, events.line);
  child.on('message', (message: SandboxMessage & { fatal?: string }) => {
    if (message.fatal !== undefined) events.fatal(message.fatal);
    else events.message(message);
  });
  child.unref();
  child.channel?.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket).unref();
  return {
    send: (message) => {
      if (!ended && child.connected) child.send(message);
    },
    terminate: async () => {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  });
}

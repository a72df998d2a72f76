/**
 * Helpers for the local runtime's end-to-end tests: an app built in the test (projection entry
 * files written to a temp folder), a LocalRuntime on the DynamoDB Local that globalSetup started,
 * and a small HTTP client over fetch.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { dynamoClient } from './local-dynamo';
import { synthApp } from './templates';
import { LocalRuntime, LocalRuntimeOptions } from '../../packages/cli/src';
import { EventSourcedApi, EventSourcedApiProps } from '../../src';

/** A fresh temp folder (removed by `removeTempDirs`). */
export function tempDir(prefix = 'es-local-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

const tempDirs: string[] = [];

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes a projection entry (JavaScript) and returns its path. */
export function writeProjection(dir: string, name: string, source: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, source);
  return file;
}

/**
 * A projection that appends each event's version to `versions`, counts events per type and keeps
 * the last event's data: a record shows exactly which events were applied, in which order.
 * Handles Created, Updated, Boom and Tick; other types are skipped.
 */
export const VERSION_LOG_PROJECTION = `
function apply(view, event) {
  const current = view || { versions: [], types: {} };
  return {
    versions: current.versions.concat([event.version]),
    types: { ...current.types, [event.type]: (current.types[event.type] || 0) + 1 },
    last: event.data,
  };
}
exports.handlers = { Created: apply, Updated: apply, Boom: apply, Tick: apply };
`;

/** Like the version log, but `Boom` throws until the flag file exists (the "fix"). */
export function strictProjection(flagFile: string): string {
  return `
const fs = require('node:fs');
${VERSION_LOG_PROJECTION}
exports.handlers.Boom = (view, event) => {
  if (!fs.existsSync(${JSON.stringify(flagFile)})) throw new Error('Boom is not handled yet (v' + event.version + ')');
  return exports.handlers.Created(view, event);
};
`;
}

export interface LocalAppOptions {
  /** The API's props, or a function of the stack that makes them (to add a key, say). */
  readonly props: EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps);
  readonly runtime?: Omit<LocalRuntimeOptions, 'app' | 'assemblyDir'>;
}

export interface StartedApp {
  readonly runtime: LocalRuntime;
  readonly client: HttpClient;
  /** Every line the runtime logged. */
  readonly logs: string[];
  /** The stack's synthesized template. */
  readonly template: any;
  /** The synthesized cloud assembly's folder (nested stacks' templates are there too). */
  readonly assemblyDir: string;
}

/** Synthesizes an app with one EventSourcedApi into a temp folder and starts it locally. */
export async function startLocalApp(options: LocalAppOptions): Promise<StartedApp> {
  const app = new App({ outdir: tempDir('es-local-cdk-out-') });
  const stack = new Stack(app, 'LocalTest');
  new EventSourcedApi(stack, 'Api', typeof options.props === 'function' ? options.props(stack) : options.props);
  const assembly = synthApp(app);
  const template = assembly.getStackByName(stack.stackName).template;
  const logs: string[] = [];
  const runtime = await LocalRuntime.start({
    app,
    visibilityTimeoutMs: 100,
    pollIntervalMs: 20,
    log: (line) => logs.push(line),
    ...options.runtime,
  });
  return { runtime, client: new HttpClient(runtime.url), logs, template, assemblyDir: assembly.directory };
}

export interface HttpResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: T;
}

/** fetch against the local HTTP gateway. */
export class HttpClient {
  constructor(readonly baseUrl: string) {}

  public async request<T = any>(method: string, urlPath: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    const response = await fetch(`${this.baseUrl}${urlPath}`, {
      method,
      body,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    });
    const text = await response.text();
    let json: T;
    try {
      json = JSON.parse(text) as T;
    } catch {
      json = undefined as T;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  public post<T = any>(body: unknown): Promise<HttpResponse<T>> {
    return this.request<T>('POST', '/', typeof body === 'string' ? body : JSON.stringify(body));
  }

  public get<T = any>(urlPath: string, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    return this.request<T>('GET', urlPath, undefined, headers);
  }
}

/** Posts and expects 201; returns the stored event. */
export async function append(client: HttpClient, body: Record<string, unknown>): Promise<{ streamId: string; version: number; eventId: string }> {
  const response = await client.post(body);
  if (response.status !== 201) throw new Error(`POST ${JSON.stringify(body)} answered ${response.status} ${response.text}`);
  return response.json;
}

/** Opens a TCP connection to a loopback port: 'connected', or the error code (e.g. ECONNREFUSED). */
export function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

/** Every table of the shared DynamoDB Local (all pages). */
export async function listTables(): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamoClient().send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

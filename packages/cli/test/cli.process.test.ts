/**
 * The CLI as a user runs it: its own process (packages/cli/src/cli.ts on ts-node), started in the app's
 * folder, with relative paths. The local runs keep their store in a data folder, so they start a
 * DynamoDB Local of their own on it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi } from '../../../src';
import { HttpClient, removeTempDirs, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';
import { synthApp } from '../../../test/support/templates';
import { until } from '../../../test/support/until';

afterAll(() => removeTempDirs());

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'packages', 'cli', 'src', 'cli.ts');
const TS_NODE = require.resolve('ts-node/register/transpile-only');

interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the output once `pattern` appears in it. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): RunningCli {
  const env = { ...options.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') };
  const child = spawn(process.execPath, ['-r', TS_NODE, CLI, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 90_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`No ${pattern} within ${timeoutMs} ms; the CLI printed:\n${output}`));
      }, timeoutMs);
      const check = () => {
        if (!pattern.test(output)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(output);
      };
      waiters.add(check);
      void exited.then(() => setTimeout(() => {
        if (waiters.has(check)) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`The CLI exited before printing ${pattern}:\n${output}`));
        }
      }, 100));
      check();
    }),
  };
}

/** The environment without the shared DynamoDB Local (a data folder needs its own). */
function envWithoutDynamoEndpoint(): NodeJS.ProcessEnv {
  const { AWS_ENDPOINT_URL_DYNAMODB: _shared, ...env } = process.env;
  return env;
}

test('local --assembly cdk.out --data .es-data, started in the app\'s folder: both paths are that folder\'s, and an event is applied', async () => {
  const appDir = tempDir('es-local-cli-app-');
  const app = new App({ outdir: path.join(appDir, 'cdk.out') });
  const entry = writeProjection(appDir, 'ledger', VERSION_LOG_PROJECTION);
  new EventSourcedApi(new Stack(app, 'Shop'), 'Api', { projections: [{ name: 'default', entry }] });
  synthApp(app);

  const cli = runCli(['local', '--assembly', 'cdk.out', '--data', '.es-data', '--visibility-timeout', '100'], { cwd: appDir, env: envWithoutDynamoEndpoint() });
  try {
    const started = await cli.waitFor(/Ctrl-C stops/);
    const [, url, body] = /curl -X POST (\S+)\/ .*-d '([^']*)'/.exec(started)!;
    expect(fs.existsSync(path.join(appDir, '.es-data', 'runtime.lock'))).toBe(true);
    const client = new HttpClient(url);
    expect((await client.post(body)).status).toBe(201);
    await cli.waitFor(/s-1 v1 → default applied/);
    expect((await client.get('/default/s-1')).json).toMatchObject({ id: 's-1', version: 1, versions: [1] });
  } finally {
    cli.child.kill('SIGTERM');
  }
  expect(await cli.exited).toBe(0);
  expect(cli.output()).not.toMatch(/Cannot find module|failed to create/);
  expect(fs.existsSync(path.join(appDir, '.es-data', 'runtime.lock'))).toBe(false);
}, 180_000);

test('status --stack without AWS credentials says how to get them, in one line', async () => {
  const empty = path.join(tempDir('es-local-no-aws-'), 'empty');
  fs.writeFileSync(empty, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  Object.assign(env, {
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Should anything still try AWS, it reaches a closed loopback port, never the network.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  });
  const cli = runCli(['status', '--stack', 'Shop'], { cwd: tempDir('es-local-cli-'), env });
  expect(await cli.exited).toBe(1);
  expect(cli.output()).toBe('cdk-event-sourced-api: No AWS credentials to read stack Shop (Could not load credentials from any providers): ' +
    'set AWS_PROFILE or pass --profile <name>, run `aws configure` (or `aws sso login` for an SSO profile), ' +
    'or, for a local runtime, use --local <operator URL> instead of --stack\n');
}, 60_000);

test('local --ready-file: the URLs as JSON once ready (relative to the folder it starts in), wait-idle after a POST, removed on SIGINT', async () => {
  const appDir = tempDir('es-local-cli-ready-');
  const app = new App({ outdir: path.join(appDir, 'cdk.out') });
  const entry = writeProjection(appDir, 'ledger', VERSION_LOG_PROJECTION);
  new EventSourcedApi(new Stack(app, 'Shop'), 'Api', { projections: [{ name: 'default', entry }, { name: 'ledger', entry }] });
  synthApp(app);
  const readyFile = path.join(appDir, 'run', 'ready.json');
  fs.mkdirSync(path.dirname(readyFile));
  fs.writeFileSync(readyFile, '{"stale": true}'); // a killed run's: not to be taken for this one's

  const cli = runCli(['local', '--assembly', 'cdk.out', '--ready-file', 'run/ready.json'], { cwd: appDir, env: process.env });
  try {
    await cli.waitFor(/Ctrl-C stops/);
    await until('the ready file', () => fs.existsSync(readyFile), 10_000, 50);
    const ready = JSON.parse(fs.readFileSync(readyFile, 'utf8'));
    const [, url] = /curl -X POST (\S+)\/ /.exec(cli.output())!;
    expect(ready).toEqual({
      url,
      operatorUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      apis: [{ path: 'Shop/Api', url, views: ['default', 'ledger'] }],
      pid: cli.child.pid,
    });
    // Written under another name, then renamed: nothing else is left in its folder.
    expect(fs.readdirSync(path.dirname(readyFile))).toEqual(['ready.json']);

    const client = new HttpClient(ready.url);
    for (let v = 1; v <= 3; v++) expect((await client.post({ type: v === 1 ? 'Created' : 'Updated', id: 'r-1' })).status).toBe(201);
    const waited = runCli(['wait-idle', '--local', ready.operatorUrl, '--timeout', '30'], { cwd: appDir, env: process.env });
    expect(await waited.exited).toBe(0);
    expect(waited.output()).toBe('Idle: every appended event is published and applied by every view\n');
    expect((await client.get('/ledger/r-1')).json).toMatchObject({ versions: [1, 2, 3] });
  } finally {
    cli.child.kill('SIGINT');
  }
  expect(await cli.exited).toBe(0);
  expect(fs.existsSync(readyFile)).toBe(false);
  // The runtime is gone: wait-idle says so in one line, and fails.
  const ready = /status --local (\S+)/.exec(cli.output())![1];
  const late = runCli(['wait-idle', '--local', ready], { cwd: appDir, env: process.env });
  expect(await late.exited).toBe(1);
  expect(late.output()).toBe(`cdk-event-sourced-api: Cannot reach the local runtime's operator endpoint ${ready}: ECONNREFUSED\n`);
}, 180_000);

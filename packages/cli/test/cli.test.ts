import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WritePath } from '../../../src';
import { removeTempDirs, startLocalApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';
import { parseArgs, resolvePaths, startHint, synthesize } from '../src/cli';

const ROOT = path.join(__dirname, '..', '..', '..');

afterAll(() => removeTempDirs());

describe('cdk-event-sourced-api local: arguments', () => {
  test('--chaos turns chaos mode on with a random seed; --chaos-seed replays one', () => {
    expect(parseArgs(['local'])).toEqual({ functionLogs: false });
    expect(parseArgs(['local', '--chaos'])).toEqual({ functionLogs: false, chaos: {} });
    expect(parseArgs(['local', '--chaos-seed', '1234'])).toEqual({ functionLogs: false, chaos: { seed: 1234 } });
    expect(parseArgs(['local', '--chaos', '--chaos-seed', '7'])).toMatchObject({ chaos: { seed: 7 } });
    expect(parseArgs(['local', '--chaos-seed', '7', '--chaos'])).toMatchObject({ chaos: { seed: 7 } });
  });

  test('a seed that is not a whole number, or missing, is refused with the option named', () => {
    expect(() => parseArgs(['local', '--chaos-seed', 'abc'])).toThrow('--chaos-seed needs a whole number, got "abc"');
    expect(() => parseArgs(['local', '--chaos-seed', '-5'])).toThrow('--chaos-seed needs a whole number');
    expect(() => parseArgs(['local', '--chaos-seed'])).toThrow('--chaos-seed needs a value');
  });

  test('the other options, help, and unknown ones', () => {
    expect(parseArgs(['local', '--app', 'npx ts-node app.ts', '--port', '3000', '--data', '.local', '--visibility-timeout', '200', '--function-logs']))
      .toEqual({ app: 'npx ts-node app.ts', port: 3000, dataDir: '.local', visibilityTimeoutMs: 200, functionLogs: true });
    expect(parseArgs([])).toBe('help');
    expect(parseArgs(['local', '--help'])).toBe('help');
    expect(() => parseArgs(['local', '--nope'])).toThrow('Unknown option "--nope"');
    expect(() => parseArgs(['serve'])).toThrow('Unknown command "serve"');
    expect(() => parseArgs(['local', '--app', 'x', '--assembly', 'y'])).toThrow('Use --app or --assembly, not both');
    expect(parseArgs(['local', '--ready-file', 'run/ready.json'])).toEqual({ functionLogs: false, readyFile: 'run/ready.json' });
    expect(() => parseArgs(['local', '--ready-file'])).toThrow('--ready-file needs a value');
  });
});

describe('cdk-event-sourced-api local: paths', () => {
  test('--assembly, --data and --ready-file are resolved against the folder the CLI started in; other options are left as they are', () => {
    const cwd = path.join(path.sep, 'home', 'me', 'shop');
    expect(resolvePaths({ readyFile: 'run/ready.json', functionLogs: false }, cwd)).toEqual({ readyFile: path.join(cwd, 'run', 'ready.json'), functionLogs: false });
    expect(resolvePaths({ assembly: 'cdk.out', dataDir: '.es-data', port: 3000, functionLogs: false }, cwd))
      .toEqual({ assembly: path.join(cwd, 'cdk.out'), dataDir: path.join(cwd, '.es-data'), port: 3000, functionLogs: false });
    expect(resolvePaths({ assembly: '../out', functionLogs: false }, cwd)).toEqual({ assembly: path.join(cwd, '..', 'out'), functionLogs: false });
    expect(resolvePaths({ assembly: path.join(path.sep, 'tmp', 'out'), functionLogs: false }, cwd)).toMatchObject({ assembly: path.join(path.sep, 'tmp', 'out') });
    expect(resolvePaths({ app: 'npx ts-node app.ts', functionLogs: false }, cwd)).toEqual({ app: 'npx ts-node app.ts', functionLogs: false });
  });

  test('an app command that fails, or writes no assembly, leaves no assembly folder behind', () => {
    const tmp = tempDir('es-local-tmpdir-');
    expect(() => synthesize('exit 3', tmp, tmp)).toThrow('The app command failed (exit 3): exit 3');
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(() => synthesize('true', tmp, tmp)).toThrow('The app command wrote no cloud assembly: does it call app.synth()?');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

describe('cdk-event-sourced-api local: the start hint', () => {
  const entry = writeProjection(tempDir(), 'log', VERSION_LOG_PROJECTION);
  /** The body of the hint's curl -X POST. */
  const hintBody = (hint: string) => JSON.parse(/curl -X POST .* -d '([^']*)'/.exec(hint)![1]);

  test.each([
    ['WritePath.LAMBDA', {}],
    ['WritePath.DIRECT, which requires expectedVersion', { api: { writePath: WritePath.DIRECT } }],
  ])('%s: the POST it suggests uses the API\'s stream id field, and appends (201)', async (_name, props) => {
    const app = await startLocalApp({ props: { projections: [{ name: 'default', entry }], streamIdField: 'orderId', ...props } });
    try {
      const hint = startHint(app.runtime.apis[0].definition, app.runtime.url, app.runtime.operatorUrl);
      expect(hint).toContain(`curl -X POST ${app.runtime.url}/ -H 'Content-Type: application/json' -d '`);
      expect(hint).toContain(`npx cdk-event-sourced-api status --local ${app.runtime.operatorUrl}`);
      const body = hintBody(hint);
      expect(body).toMatchObject({ type: 'Created', orderId: 's-1' });
      expect(body.id).toBeUndefined();
      // As curl sends it: -d alone means application/x-www-form-urlencoded.
      const contentType = /-H 'Content-Type: ([^']+)'/.exec(hint)?.[1] ?? 'application/x-www-form-urlencoded';
      const response = await app.client.request('POST', '/', JSON.stringify(body), { 'Content-Type': contentType });
      expect([response.status, response.text]).toEqual([201, expect.any(String)]);
      await app.runtime.waitUntilIdle();
      expect((await app.client.get('/default/s-1')).json).toMatchObject({ orderId: 's-1', version: 1 });
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);
});

describe('cdk-event-sourced-api: its own output', () => {
  // As if on Node 20, where the AWS SDK warns that its releases after the first week of January
  // 2027 need Node 22; and one other warning, which must still print.
  const preload = path.join(tempDir('es-cli-preload-'), 'as-node-20.js');
  fs.writeFileSync(preload, "Object.defineProperty(process, 'version', { value: 'v20.20.2' });\nprocess.emitWarning('another warning');\n");

  const run = (env: Record<string, string> = {}) => spawnSync(process.execPath, [
    '--require', preload, '--require', 'ts-node/register/transpile-only', path.join(ROOT, 'packages', 'cli', 'src', 'cli.ts'), 'status', '--stack', 'Nope',
  ], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    // A refused port: the command fails fast after the SDK client is made.
    env: { PATH: process.env.PATH!, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', ...env },
  });

  test('an operator command prints no AWS SDK Node-version banner, but other warnings, and its error in one line', () => {
    const result = run();
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
    expect(result.stderr).toContain('another warning');
    expect(result.stderr).toContain('cdk-event-sourced-api: connect ECONNREFUSED 127.0.0.1:9');
    expect(result.status).toBe(1);
  });

  test('the banner is the AWS SDK\'s to print when the variable is set otherwise', () => {
    expect(run({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }).stderr).toContain('NodeVersionSupportWarning');
  });
});

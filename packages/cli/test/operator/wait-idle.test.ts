/**
 * wait-idle on a real local runtime: it returns only once what was appended is applied (or
 * parked), and after its timeout says what is still pending. A projection that holds its batch
 * until a flag file exists keeps a message under way for as long as the test needs.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { append, removeTempDirs, startLocalApp, StartedApp, strictProjection, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../../test/support/local-app';
import { closeServer, listenOnLoopback } from '../../src/loopback-server';
import { parseOperatorArgs, runOperator } from '../../src/operator/cli';

/** A loopback URL with nothing listening: a port just freed. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  const url = await listenOnLoopback(server);
  await closeServer(server);
  return url;
}

afterAll(() => removeTempDirs());

/** The version log, whose `Held` events are applied only once the flag file exists. */
function heldProjection(flagFile: string): string {
  return `
const fs = require('node:fs');
${VERSION_LOG_PROJECTION}
exports.handlers.Held = async (view, event) => {
  while (!fs.existsSync(${JSON.stringify(flagFile)})) await new Promise((resolve) => setTimeout(resolve, 50));
  return exports.handlers.Created(view, event);
};
`;
}

describe('arguments', () => {
  test.each([
    [['wait-idle', '--stack', 'Shop'], /^wait-idle works on a local runtime only \(--local <operator URL>\)/],
    [['wait-idle', '--local', 'http://x', '--timeout', 'soon'], /--timeout needs a number of seconds, got "soon"/],
    [['status', '--local', 'http://x', '--timeout', '5'], /--timeout goes with wait-idle/],
    [['wait-idle', '--local', 'http://x', '--view', 'ledger'], /--view does not go with wait-idle/],
    [['wait-idle', '--local', 'http://x', '--api', 'Shop/Api'], /--api does not go with wait-idle/],
    [['wait-idle', '--local', 'http://x', '--no-scan'], /--no-scan does not go with wait-idle/],
    [['wait-idle'], /wait-idle needs --stack <name> or --local <url>/],
  ])('%j is refused: %s', (argv, error) => {
    expect(() => parseOperatorArgs(argv)).toThrow(error);
  });

  test('the timeout is in seconds, 30 unless given', () => {
    expect(parseOperatorArgs(['wait-idle', '--local', 'http://x'])).toMatchObject({ command: 'wait-idle', local: 'http://x', timeoutMs: 30_000 });
    expect(parseOperatorArgs(['wait-idle', '--local', 'http://x', '--timeout', '2.5']).timeoutMs).toBe(2500);
  });

  test('an operator URL nothing answers on, or an endpoint that is not the runtime\'s, is a clear error', async () => {
    const url = await closedPortUrl();
    await expect(runOperator(parseOperatorArgs(['wait-idle', '--local', url]))).rejects.toThrow(
      new RegExp(`^Cannot reach the local runtime's operator endpoint ${url}: ECONNREFUSED$`));
    const other = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"apis":[]}'));
    const otherUrl = await listenOnLoopback(other);
    try {
      await expect(runOperator(parseOperatorArgs(['wait-idle', '--local', otherUrl]))).rejects.toThrow(
        `The local runtime at ${otherUrl} does not answer wait-idle: start it with this version of cdk-event-sourced-api-cli`);
    } finally {
      await closeServer(other);
    }
  });
});

describe('on a local runtime', () => {
  const dir = tempDir('es-wait-idle-');
  const flagFile = path.join(dir, 'release');
  let app: StartedApp;

  beforeAll(async () => {
    app = await startLocalApp({
      props: {
        projections: [
          { name: 'ledger', entry: writeProjection(dir, 'ledger', heldProjection(flagFile)) },
          { name: 'strict', entry: writeProjection(dir, 'strict', strictProjection(path.join(dir, 'never'))), maxReceiveCount: 2 },
        ],
      },
    });
  }, 90_000);
  afterAll(async () => {
    fs.writeFileSync(flagFile, 'go'); // lets a held batch finish before the runtime stops
    await app?.runtime.stop();
  });

  const waitIdle = (...options: string[]) => runOperator(parseOperatorArgs(['wait-idle', '--local', app.runtime.operatorUrl, ...options]));

  test('right after appends, it returns once every view has applied them: the views read them at once', async () => {
    for (let i = 1; i <= 5; i++) await append(app.client, { type: i === 1 ? 'Created' : 'Updated', id: 'w-1', n: i });
    await append(app.client, { type: 'Created', id: 'w-2' });
    expect(await waitIdle()).toBe('Idle: every appended event is published and applied by every view');
    for (const view of ['ledger', 'strict']) {
      expect((await app.client.get(`/${view}/w-1`)).json).toMatchObject({ versions: [1, 2, 3, 4, 5] });
      expect((await app.client.get(`/${view}/w-2`)).json).toMatchObject({ versions: [1] });
    }
  }, 60_000);

  test('a message under way past the timeout: it fails, naming the view; once applied, it returns', async () => {
    await append(app.client, { type: 'Created', id: 'w-3' });
    // Applied first, so that the held event is alone in its batch (a FIFO batch may carry both).
    expect(await waitIdle('--timeout', '20')).toBe('Idle: every appended event is published and applied by every view');
    await append(app.client, { type: 'Held', id: 'w-3' });
    try {
      await expect(waitIdle('--timeout', '1')).rejects.toThrow(
        /^Not idle after 1 s: LocalTest\/Api: view ledger, 1 message\(s\) not yet applied \(1 batch\(es\) under way\)$/);
    } finally {
      fs.writeFileSync(flagFile, 'go'); // whatever happened above, the next test starts with nothing held
    }
    expect(await waitIdle('--timeout', '20')).toBe('Idle: every appended event is published and applied by every view');
    expect((await app.client.get('/ledger/w-3')).json).toMatchObject({ versions: [1, 2] });
  }, 60_000);

  test('messages parked in a dead-letter list do not keep it waiting: it returns and counts them', async () => {
    await append(app.client, { type: 'Created', id: 'w-4' });
    await append(app.client, { type: 'Boom', id: 'w-4' });
    expect(await waitIdle('--timeout', '20')).toBe(
      'Idle: every appended event is published and applied by every view, or parked: view strict 1 (status shows them)');
    expect(app.runtime.deadLetters('strict')).toHaveLength(1);
    expect((await app.client.get('/ledger/w-4')).json).toMatchObject({ versions: [1, 2] });
  }, 60_000);
});

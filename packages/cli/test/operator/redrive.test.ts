/**
 * redrive and discard end to end on a local runtime: a projection that throws parks its messages;
 * after the fix (the projection throws only while a flag file is missing), `redrive` moves them
 * back through SQS's StartMessageMoveTask on the local SQS endpoint, and `status` follows the task.
 * The `--stack` path runs the same commands: CloudFormation is the stand-in of
 * test/support/cloudformation-stand-in.ts, and SQS (which has no local implementation but ours)
 * is the local runtime's SQS endpoint, as AWS_ENDPOINT_URL_SQS.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectionDefinition } from '../../../../src';
import { standInForLocalApp } from '../../../../test/support/cloudformation-stand-in';
import { append, removeTempDirs, startLocalApp, StartedApp, strictProjection, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../../test/support/local-app';
import { parseOperatorArgs, runOperator } from '../../src/operator/cli';
import { redrive, selectViews, status, type ApiStatus } from '../../src/operator/commands';
import { stackTarget } from '../../src/operator/target';

afterAll(() => removeTempDirs());

function projections(dir: string, flagFile: string): ProjectionDefinition[] {
  return [
    { name: 'strict', entry: writeProjection(dir, 'strict', strictProjection(flagFile)), maxReceiveCount: 2 },
    { name: 'ledger', entry: writeProjection(dir, 'ledger', VERSION_LOG_PROJECTION) },
  ];
}

async function operator(app: StartedApp, ...args: string[]): Promise<string> {
  return runOperator(parseOperatorArgs([...args, '--local', app.runtime.operatorUrl]));
}

async function operatorStatus(app: StartedApp): Promise<ApiStatus> {
  return JSON.parse(await operator(app, 'status', '--json')) as ApiStatus;
}

const viewOf = (s: ApiStatus, name: string) => s.views.find((v) => v.name === name)!;

/** Created, Boom (throws until the fix), Updated: v2 parks, and v3 after it (it waits on v2). */
async function appendFailingStream(app: StartedApp, id: string): Promise<void> {
  for (const body of [{ type: 'Created', id }, { type: 'Boom', id }, { type: 'Updated', id, name: 'after boom' }]) await append(app.client, body);
  await app.runtime.waitUntilIdle(30_000);
}

describe('a view with parked messages, on a local runtime', () => {
  const dir = tempDir('es-redrive-');
  const flagFile = path.join(dir, 'fixed');
  let app: StartedApp;
  const savedSqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;

  beforeAll(async () => {
    app = await startLocalApp({ props: { projections: projections(dir, flagFile) } });
    process.env.AWS_ENDPOINT_URL_SQS = app.runtime.operatorView().endpoints.sqs;
  }, 90_000);
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_SQS = savedSqsEndpoint;
    await app?.runtime.stop();
  });

  test('status names the command; redrive --view after the fix moves them at the rate; status follows the task; the view catches up', async () => {
    await appendFailingStream(app, 'bad-1');
    const before = await operatorStatus(app);
    expect(viewOf(before, 'strict')).toMatchObject({ parked: 2, streamsBehind: 1, versionsBehind: 2 });
    expect(viewOf(before, 'strict').redrive).toBeUndefined();
    const printed = await operator(app, 'status');
    expect(printed).toContain('parked: 2 (after a fix: redrive --view strict)');
    expect(printed).not.toContain('dead-letter queue)');

    fs.writeFileSync(flagFile, 'fixed');
    // One a second: the task is still running when status asks.
    expect(await operator(app, 'redrive', '--view', 'strict', '--rate', '1')).toBe(
      'Redrive started for strict (2 parked), 1 a second: the messages go back to the view\'s queue and are applied again; follow it with: status');
    const during = viewOf(await operatorStatus(app), 'strict');
    expect(during.redrive).toMatchObject({ status: 'RUNNING', toMove: 2, rate: 1 });
    expect(during.redrive!.moved).toBeLessThan(2);
    expect(await operator(app, 'status')).toMatch(/\n {4}redrive: RUNNING, [01] of 2 moved, 1 a second \(started \d{4}-/);
    // SQS runs one task per dead-letter queue: a second redrive is refused, with what to do.
    await expect(operator(app, 'redrive', '--all')).rejects.toThrow(/^A redrive of strict is already running \([01] of 2 moved\): follow it with: status$/);

    await app.runtime.waitUntilIdle(30_000); // the task, then the aggregator
    const after = await operatorStatus(app);
    expect(viewOf(after, 'strict')).toMatchObject({ parked: 0, streamsBehind: 0, redrive: { status: 'COMPLETED', moved: 2, toMove: 2 } });
    expect((await app.client.get('/strict/bad-1')).json).toMatchObject({ version: 3, versions: [1, 2, 3], last: { name: 'after boom' } });
    expect(await operator(app, 'status')).toContain('redrive: COMPLETED, 2 of 2 moved, 1 a second');
    expect(await operator(app, 'redrive', '--all')).toBe('Nothing parked in any view: no redrive started');
    expect(await operator(app, 'redrive', '--view', 'ledger')).toBe('Nothing parked in ledger: no redrive started');
    await expect(operator(app, 'redrive', '--view', 'nope')).rejects.toThrow(/No view "nope"/);
  }, 60_000);

  test('discard --yes drops the parked messages for good: status shows the view behind, until a replay applies them', async () => {
    fs.rmSync(flagFile, { force: true });
    await appendFailingStream(app, 'bad-2');
    expect(viewOf(await operatorStatus(app), 'strict')).toMatchObject({ parked: 2, streamsBehind: 1 });

    expect(await operator(app, 'discard', '--view', 'strict', '--yes')).toMatch(
      /^Discarded 2 parked message\(s\) of strict for good .* strict is behind on those streams until replay --view strict/);
    const after = viewOf(await operatorStatus(app), 'strict');
    expect(after).toMatchObject({ parked: 0, streamsBehind: 1, versionsBehind: 2 });
    expect(await operator(app, 'discard', '--view', 'strict', '--yes')).toBe('Nothing parked in strict: nothing discarded');

    fs.writeFileSync(flagFile, 'fixed');
    await operator(app, 'replay', '--view', 'strict');
    await app.runtime.waitUntilIdle(30_000);
    expect(viewOf(await operatorStatus(app), 'strict')).toMatchObject({ parked: 0, streamsBehind: 0 });
    expect((await app.client.get('/strict/bad-2')).json).toMatchObject({ version: 3, versions: [1, 2, 3] });
  }, 60_000);

  test('--stack: the same commands, on the resources CloudFormation names; the ARNs come from SQS', async () => {
    fs.rmSync(flagFile, { force: true });
    await appendFailingStream(app, 'bad-3');
    const deployed = await stackTarget({ stack: 'LocalTest', region: 'us-east-1' }, standInForLocalApp(app).client);
    expect(viewOf(await status(deployed, { scan: false }), 'strict')).toMatchObject({ parked: 2, redrive: { status: 'COMPLETED', moved: 2 } });

    fs.writeFileSync(flagFile, 'fixed');
    expect(await redrive(deployed, selectViews(deployed.api, undefined), {})).toEqual([{ view: 'strict', parked: 2 }, { view: 'ledger', parked: 0 }]);
    await app.runtime.waitUntilIdle(30_000);
    const after = viewOf(await status(deployed, { scan: true }), 'strict');
    expect(after).toMatchObject({ parked: 0, streamsBehind: 0, redrive: { status: 'COMPLETED', moved: 2, toMove: 2 } });
    expect(after.redrive!.rate).toBeUndefined();
    expect((await app.client.get('/strict/bad-3')).json).toMatchObject({ version: 3 });
    deployed.dynamo.destroy();
    deployed.sqs.destroy();
  }, 60_000);
});

describe('with a data folder: a message parked before a restart is redriven after it', () => {
  const dataDir = tempDir('es-redrive-data-');
  const dir = tempDir('es-redrive-projections-');
  const flagFile = path.join(dir, 'fixed');
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const start = () => startLocalApp({ props: { projections: projections(dir, flagFile) }, runtime: { dataDir } });

  // The data folder holds the tables, so these runs start a DynamoDB Local of their own on it.
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  test('run 1 parks two messages; run 2 redrives them after the fix, and the view catches up', async () => {
    const first = await start();
    try {
      // The first start backfills the new tables: done before the appends, so no catch-up parks too.
      await first.runtime.waitUntilIdle(30_000);
      await appendFailingStream(first, 'kept-1');
      expect(viewOf(await operatorStatus(first), 'strict')).toMatchObject({ parked: 2 });
    } finally {
      await first.runtime.stop();
    }

    fs.writeFileSync(flagFile, 'fixed');
    const second = await start();
    try {
      await second.runtime.waitUntilIdle(30_000);
      expect(viewOf(await operatorStatus(second), 'strict')).toMatchObject({ parked: 2, streamsBehind: 1 });
      expect(await operator(second, 'redrive', '--all')).toMatch(/^Redrive started for strict \(2 parked\)/);
      await second.runtime.waitUntilIdle(30_000);
      expect(viewOf(await operatorStatus(second), 'strict')).toMatchObject({ parked: 0, streamsBehind: 0, redrive: { status: 'COMPLETED', moved: 2 } });
      expect((await second.client.get('/strict/kept-1')).json).toMatchObject({ version: 3, versions: [1, 2, 3] });
    } finally {
      await second.runtime.stop();
    }
  }, 180_000);
});

/**
 * Views that evolve and recover, end to end over HTTP on the local runtime: a view added to a
 * system that already holds events is backfilled on start (as on deploy), a raised version
 * rebuilds without a 404, the publisher's failures are replayed with the operator command, and
 * minVersion reads your writes. The data-folder runs start their own DynamoDB Local (its files
 * live in the folder); the others use the one globalSetup started.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { RemovalPolicy } from 'aws-cdk-lib';
import { ProjectionDefinition } from '../../../src';
import {
  append, HttpClient, removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection,
} from '../../../test/support/local-app';
import { parseOperatorArgs, runOperator } from '../src/operator/cli';
import type { ApiStatus } from '../src/operator/commands';

afterAll(() => removeTempDirs());

const STREAMS = Array.from({ length: 50 }, (_, i) => `cust-${String(i).padStart(2, '0')}`);
const EVENTS_PER_STREAM = 4;
const REBUILT_PROJECTION = VERSION_LOG_PROJECTION.replace('last: event.data,', 'last: event.data, rebuilt: true,');

async function operator(app: StartedApp, ...args: string[]): Promise<string> {
  return runOperator(parseOperatorArgs([...args, '--local', app.runtime.operatorUrl]));
}

async function operatorStatus(app: StartedApp): Promise<ApiStatus> {
  return JSON.parse(await operator(app, 'status', '--json')) as ApiStatus;
}

/** 200 events over 50 streams: each stream's events in order, the streams side by side. */
async function appendHistory(client: HttpClient): Promise<void> {
  await Promise.all(STREAMS.map(async (id) => {
    await append(client, { type: 'Created', id, eventId: `${id}-1`, n: 1 });
    for (let n = 2; n <= EVENTS_PER_STREAM; n++) await append(client, { type: 'Updated', id, eventId: `${id}-${n}`, n });
  }));
}

describe('with a data folder: add a view, then rebuild it', () => {
  const dataDir = tempDir('es-local-data-');
  const dir = tempDir('es-local-projections-');
  const ledger: ProjectionDefinition = { name: 'ledger', entry: writeProjection(dir, 'ledger', VERSION_LOG_PROJECTION) };
  const audit: ProjectionDefinition = { name: 'audit', entry: writeProjection(dir, 'audit', VERSION_LOG_PROJECTION) };
  const auditV2: ProjectionDefinition = { name: 'audit', entry: writeProjection(dir, 'audit-v2', REBUILT_PROJECTION), version: 2 };
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const start = (projections: ProjectionDefinition[], catchUpRate?: number) => startLocalApp({
    props: { projections, ...(catchUpRate ? { catchUpRate } : {}) },
    // Run 3 reads as fast as it can for as long as a rebuild takes: past the stage's 100 requests
    // a second, which is not what these runs test.
    runtime: { dataDir, stageThrottling: false },
  });
  let ledgerRecords: Record<string, unknown>;

  // The data folder holds the tables, so these runs start a DynamoDB Local of their own on it.
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  test('run 1, with view ledger only: 200 events over 50 streams', async () => {
    const app = await start([ledger]);
    try {
      await appendHistory(app.client);
      await app.runtime.waitUntilIdle(60_000);
      ledgerRecords = Object.fromEntries(await Promise.all(STREAMS.map(async (id) => [id, (await app.client.get(`/ledger/${id}`)).json])));
      expect(Object.values(ledgerRecords).every((r: any) => r.version === EVENTS_PER_STREAM)).toBe(true);
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 2 adds view audit: on start it is backfilled to what a from-scratch build gives, ledger untouched', async () => {
    const app = await start([ledger, audit]);
    try {
      await app.runtime.waitUntilIdle(60_000);
      expect(app.logs.join('\n')).toContain('[local] audit: backfill started');
      // ledger existed from the first event: the same code, built from scratch.
      for (const id of STREAMS) {
        expect((await app.client.get(`/audit/${id}`)).json).toEqual(ledgerRecords[id]);
        expect((await app.client.get(`/ledger/${id}`)).json).toEqual(ledgerRecords[id]);
      }
      expect((await app.client.get('/audit?limit=100')).json).toHaveLength(STREAMS.length);
      // Only audit's queue got messages: the stream was not read again, ledger received nothing.
      expect(app.logs.filter((l) => l.includes('→ ledger'))).toEqual([]);
      const status = await operatorStatus(app);
      const auditStatus = status.views.find((v) => v.name === 'audit')!;
      expect(auditStatus.job).toMatchObject({ reason: 'backfill', phase: 'done', sent: STREAMS.length, behind: 0 });
      expect(status.views.map((v) => [v.name, v.streamsBehind, v.parked])).toEqual([['ledger', 0, 0], ['audit', 0, 0]]);
      expect(status.streams).toBe(STREAMS.length);
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 3 raises audit to version 2 with new code: no GET answers 404 during the rebuild, then every record is the new code\'s', async () => {
    const app = await start([ledger, auditV2], 10); // 10 streams a second: the rebuild takes a few seconds
    try {
      const seen = { old: 0, rebuilt: 0, other: [] as string[] };
      let rebuilding = true;
      const idle = app.runtime.waitUntilIdle(60_000).finally(() => { rebuilding = false; });
      while (rebuilding) {
        for (const id of STREAMS.slice(0, 10)) {
          const response = await app.client.get(`/audit/${id}`);
          if (response.status === 200 && response.json.version === EVENTS_PER_STREAM) {
            if (response.json.rebuilt) seen.rebuilt++;
            else seen.old++;
          } else {
            seen.other.push(`${id}: ${response.status} ${response.text}`);
          }
        }
        expect((await app.client.get('/audit?limit=100')).json).toHaveLength(STREAMS.length);
      }
      await idle;
      expect(seen.other).toEqual([]);
      expect(seen.old).toBeGreaterThan(0); // reads were answered from version 1 while version 2 caught up
      for (const id of STREAMS) expect((await app.client.get(`/audit/${id}`)).json).toEqual({ ...(ledgerRecords[id] as object), rebuilt: true });
      const audit2 = (await operatorStatus(app)).views.find((v) => v.name === 'audit')!;
      expect(audit2).toMatchObject({ version: 2, rebuilding: false, streamsBehind: 0, job: { reason: 'rebuild (version 2)', phase: 'done', ready: true } });
      expect(await operator(app, 'status', '--view', 'audit')).toMatch(/audit v2, up to date\n.*\n\s+job: rebuild \(version 2\): done, 50 stream\(s\) sent, pass 1: 50 checked, 0 behind, ready/);
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);
});

describe.each([
  ['DESTROY (the default): its table is deleted, and a new one is made when it comes back', undefined],
  ['RETAIN: its table is kept outside the stack, and a new one, under another name, is made when it comes back', RemovalPolicy.RETAIN],
])('with a data folder: remove view audit, then add it back; %s', (_name, viewTablesRemovalPolicy) => {
  const dataDir = tempDir('es-local-data-');
  const dir = tempDir('es-local-projections-');
  const ledger: ProjectionDefinition = { name: 'ledger', entry: writeProjection(dir, 'ledger', VERSION_LOG_PROJECTION) };
  const audit: ProjectionDefinition = { name: 'audit', entry: writeProjection(dir, 'audit', VERSION_LOG_PROJECTION) };
  const start = (projections: ProjectionDefinition[]) => startLocalApp({ props: { projections, viewTablesRemovalPolicy }, runtime: { dataDir } });
  const ids = ['r-1', 'r-2', 'r-3'];
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  let auditTable: string;
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  /** The tables of the runtime's own DynamoDB Local (the data folder's). */
  const tablesOf = async (app: StartedApp) => {
    const client = new DynamoDBClient({ endpoint: app.runtime.operatorView().endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    } finally {
      client.destroy();
    }
  };

  test('run 1, views ledger and audit: both get the events', async () => {
    const app = await start([ledger, audit]);
    try {
      for (const id of ids) await append(app.client, { type: 'Created', id });
      await app.runtime.waitUntilIdle(60_000);
      for (const id of ids) expect((await app.client.get(`/audit/${id}`)).json).toMatchObject({ id, version: 1 });
      auditTable = app.runtime.apis[0].definition.views.find((v) => v.name === 'audit')!.table.tableName;
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 2, without audit: it is no longer served (404, unknown view) nor registered; its table goes by its removal policy', async () => {
    const app = await start([ledger]);
    try {
      const response = await app.client.get('/audit/r-1');
      expect([response.status, response.json]).toEqual([404, { message: 'Unknown view "audit"' }]);
      expect(app.logs.join('\n')).toContain(`[local] audit: table ${auditTable} unregistered`);
      if (viewTablesRemovalPolicy === RemovalPolicy.RETAIN) expect(await tablesOf(app)).toContain(auditTable);
      else expect(await tablesOf(app)).not.toContain(auditTable);
      // While audit is gone, a stream goes on: audit must have it when it comes back.
      await append(app.client, { type: 'Updated', id: 'r-1' });
      await app.runtime.waitUntilIdle(60_000);
      expect((await app.client.get('/ledger/r-1')).json).toMatchObject({ version: 2 });
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 3, audit is back: a new table, backfilled on start with every event, and status says it is up to date', async () => {
    const app = await start([ledger, audit]);
    try {
      await app.runtime.waitUntilIdle(60_000);
      const table = app.runtime.apis[0].definition.views.find((v) => v.name === 'audit')!.table.tableName;
      expect(app.logs.join('\n')).toContain(`[local] audit: backfill started (table ${table} is new)`);
      if (viewTablesRemovalPolicy === RemovalPolicy.RETAIN) {
        expect(table).not.toBe(auditTable);
        expect(await tablesOf(app)).toEqual(expect.arrayContaining([auditTable, table]));
      } else {
        expect(table).toBe(auditTable);
      }
      for (const id of ids) expect((await app.client.get(`/audit/${id}`)).json).toEqual((await app.client.get(`/ledger/${id}`)).json);
      expect((await app.client.get('/audit/r-1')).json).toMatchObject({ version: 2, versions: [1, 2] });
      const status = await operatorStatus(app);
      expect(status.views.map((v) => [v.name, v.streamsBehind])).toEqual([['ledger', 0], ['audit', 0]]);
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);
});

describe('recovery and read-your-writes', () => {
  let app: StartedApp;
  const dir = tempDir('es-local-projections-');
  beforeAll(async () => {
    app = await startLocalApp({
      props: { projections: [{ name: 'ledger', entry: writeProjection(dir, 'ledger', VERSION_LOG_PROJECTION) }], publisherRetryAttempts: 0 },
    });
  });
  afterAll(() => app?.runtime.stop());

  test('minVersion right after a POST answers that version, with no polling by the client', async () => {
    for (let n = 1; n <= 5; n++) {
      const { version } = await append(app.client, { type: n === 1 ? 'Created' : 'Updated', id: 'ryw-1', n });
      const response = await app.client.get(`/ledger/ryw-1?minVersion=${version}`);
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ id: 'ryw-1', version, last: { n } });
      const viaHeader = await app.client.get('/ledger/ryw-1', { 'X-Min-Version': String(version) });
      expect(viaHeader.json.version).toBeGreaterThanOrEqual(version);
    }
  }, 60_000);

  test('the publisher gives up during an SNS outage; `replay --failures` completes the view and takes the records off their queue', async () => {
    await app.runtime.waitUntilIdle(30_000);
    app.runtime.simulateSnsOutage(3000);
    const lost = ['lost-1', 'lost-2', 'lost-3'];
    const firstAppend = Date.now();
    for (const id of lost) {
      await append(app.client, { type: 'Created', id });
      await append(app.client, { type: 'Updated', id });
    }
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await app.runtime.waitUntilIdle(30_000);
    const failures = app.runtime.publisherFailures();
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0].DDBStreamBatchInfo).toMatchObject({ shardId: expect.any(String), startSequenceNumber: expect.any(String) });
    for (const id of lost) expect((await app.client.get(`/ledger/${id}`)).status).toBe(404);
    const behind = await operatorStatus(app);
    expect(behind.views[0]).toMatchObject({ streamsBehind: lost.length, versionsBehind: 2 * lost.length });
    // Its lag: the oldest event it has not applied was appended before the 3.5 s wait, and after firstAppend.
    expect(behind.views[0].lagMs).toBeGreaterThanOrEqual(3500);
    expect(behind.views[0].lagMs).toBeLessThanOrEqual(Date.now() - firstAppend);

    const said = await operator(app, 'replay', '--failures');
    expect(said).toMatch(new RegExp(`^Replay queued for ledger: streams written since .* \\(bounded by ${failures.length} failure record\\(s\\)`));
    await app.runtime.waitUntilIdle(30_000);
    for (const id of lost) expect((await app.client.get(`/ledger/${id}`)).json).toMatchObject({ id, version: 2, versions: [1, 2] });
    expect(app.runtime.publisherFailures()).toEqual([]);
    const after = await operatorStatus(app);
    expect(after).toMatchObject({ publisherFailures: 0, views: [{ streamsBehind: 0, lagMs: 0, job: { reason: 'replay of publisher failures', phase: 'done' } }] });
    expect(await operator(app, 'replay', '--failures')).toBe('No publisher failure records: nothing to replay');
  }, 90_000);
});

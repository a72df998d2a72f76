/**
 * A changed upcasters module on the local runtime, with a data folder: the restart updates each
 * view table's backfill resource as a deploy would, the view tables that stay are flagged (built
 * with the earlier upcasters) and `status` says so, until a raised version builds a new table.
 */
import * as path from 'node:path';
import { EventSourcedApiProps, ProjectionDefinition } from '../../../src';
import { removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';
import { parseOperatorArgs, runOperator } from '../src/operator/cli';
import type { ApiStatus } from '../src/operator/commands';

afterAll(() => removeTempDirs());

const UPCASTERS = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'upcasters');
const NOTE = /built with earlier upcasters \(changed (\S+)\): raise its version to rebuild/;

async function operator(app: StartedApp, ...args: string[]): Promise<string> {
  return runOperator(parseOperatorArgs([...args, '--local', app.runtime.operatorUrl, '--no-scan']));
}

/** Each view's version and when its upcasters changed, as `status --json` gives them. */
async function flags(app: StartedApp): Promise<Array<[string, number, string | undefined]>> {
  const status = JSON.parse(await operator(app, 'status', '--json')) as ApiStatus;
  return status.views.map((v) => [v.name, v.version, v.upcastersChangedAt]);
}

describe('with a data folder: change the upcasters, then raise a version', () => {
  const dataDir = tempDir('es-local-data-');
  const dir = tempDir('es-local-projections-');
  const entry = writeProjection(dir, 'log', VERSION_LOG_PROJECTION);
  const start = (upcasters: string, ledger: Partial<ProjectionDefinition> = {}) => {
    const props: EventSourcedApiProps = {
      projections: [{ name: 'ledger', entry, ...ledger }, { name: 'audit', entry }],
      eventVersions: [{ type: 'OrderPlaced', currentVersion: 2 }],
      upcasters: path.join(UPCASTERS, upcasters),
    };
    return startLocalApp({ props, runtime: { dataDir } });
  };
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  let changedAt: string;
  // The data folder holds the tables, so these runs start a DynamoDB Local of their own on it.
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  test('run 1 builds the views with the first upcasters: no note', async () => {
    const app = await start('orders-rounded.ts');
    try {
      expect(await flags(app)).toEqual([['ledger', 1, undefined], ['audit', 1, undefined]]);
      expect(await operator(app, 'status')).not.toMatch(NOTE);
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 2 changes the module: both views are flagged, the log and status say to raise their version', async () => {
    const app = await start('orders-truncated.ts');
    try {
      expect(app.logs).toContain('[local] ledger: upcasters changed; view "ledger" was built with the earlier ones: raise its version to rebuild it');
      const [[, , ledger], [, , audit]] = await flags(app);
      expect(ledger).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(audit).toMatch(/^\d{4}-\d\d-\d\dT/);
      changedAt = audit!;
      expect((await operator(app, 'status')).match(new RegExp(NOTE, 'g'))).toHaveLength(2);
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);

  test('run 3 raises ledger to version 2: its new table is built with the current upcasters; audit keeps its note', async () => {
    const app = await start('orders-truncated.ts', { version: 2 });
    try {
      await app.runtime.waitUntilIdle(60_000);
      expect(await flags(app)).toEqual([['ledger', 2, undefined], ['audit', 1, changedAt]]);
      expect(app.logs.filter((l) => l.includes('upcasters changed'))).toEqual([]);
      expect(await operator(app, 'status')).toMatch(new RegExp(`  audit v1\\n    built with earlier upcasters \\(changed ${changedAt}\\)`));
    } finally {
      await app.runtime.stop();
    }
  }, 120_000);
});

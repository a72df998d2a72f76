/**
 * Events that change shape, end to end over HTTP on the local runtime: an app stores version 1 of
 * `OrderPlaced` in one run, then restarts on the same data folder at version 2 with an upcaster, a
 * rebuilt view and a new one. Every read path (the new view's backfill, the rebuild, live
 * deliveries, the operator's replay, GET /streams/{id}) must hand out version 2, upcast once, while
 * the stored events stay as they were. The same scenario runs under chaos mode. Last, an upcaster
 * that throws fails its event like a throwing projection: retried, then parked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventSourcedApiProps, ProjectionDefinition } from '../../../src';
import {
  append, HttpClient, removeTempDirs, startLocalApp, StartedApp, tempDir, writeProjection,
} from '../../../test/support/local-app';
import type { LocalRuntimeOptions } from '../src';
import { parseOperatorArgs, runOperator } from '../src/operator/cli';
import type { ApiStatus } from '../src/operator/commands';

afterAll(() => removeTempDirs());

const V1_SCHEMA = { type: 'object', required: ['amount'], additionalProperties: false, properties: { amount: { type: 'number' } } };
const V2_SCHEMA = {
  type: 'object',
  required: ['amountCents', 'currency'],
  additionalProperties: false,
  properties: { amountCents: { type: 'integer' }, currency: { type: 'string' } },
};

/** Run 1's view: the v1 shape, amounts in euros. */
const ORDERS_V1 = `
exports.handlers = {
  OrderPlaced: (view, event) => ({ orders: (view ? view.orders : 0) + 1, total: (view ? view.total : 0) + event.data.amount }),
};
`;

/**
 * Run 2's views: the v2 shape only. Counts each event and sums cents, so an event applied twice,
 * or one not upcast (no amountCents: a NaN total the runtime refuses), cannot go unseen.
 */
const ORDERS_V2 = `
const empty = { orders: 0, totalCents: 0, currencies: [], schemaVersions: [] };
exports.handlers = {
  Created: (view, event) => ({ ...(view || empty), customer: event.data.customer }),
  OrderPlaced: (view, event) => {
    const v = view || empty;
    return {
      ...v,
      orders: v.orders + 1,
      totalCents: v.totalCents + event.data.amountCents,
      currencies: v.currencies.includes(event.data.currency) ? v.currencies : v.currencies.concat([event.data.currency]),
      schemaVersions: v.schemaVersions.concat([event.schemaVersion]),
    };
  },
  Shipped: (view) => ({ ...(view || empty), shipped: true }),
};
`;

/** The upcaster, in TypeScript (bundled at synth like a projection). */
const UPCASTERS = `
interface OrderPlacedV1 { readonly eventId: string; readonly data: { readonly amount: number } }

export const upcasters = {
  OrderPlaced: {
    1: (event: OrderPlacedV1) => {
      if (event.eventId === 'cursed') throw new Error('no amount survives this one');
      return { data: { amountCents: Math.round(event.data.amount * 100), currency: 'EUR' } };
    },
  },
};
`;

/** Run 1's events: amounts in euros, with other types between them. */
const HISTORY: Record<string, Array<{ type: string; [field: string]: unknown }>> = {
  'o-1': [{ type: 'Created', customer: 'ann' }, { type: 'OrderPlaced', amount: 12.5 }, { type: 'OrderPlaced', amount: 0.3 }],
  'o-2': [{ type: 'Created', customer: 'bob' }, { type: 'OrderPlaced', amount: 12.5 }, { type: 'OrderPlaced', amount: 7.25 }],
  'o-3': [{ type: 'Created', customer: 'cy' }, { type: 'OrderPlaced', amount: 12.5 }, { type: 'Shipped' }],
  'o-4': [{ type: 'OrderPlaced', amount: 19.99 }, { type: 'OrderPlaced', amount: 0.01 }],
};

/** What run 2's views hold for run 1's events: every amount in cents, in euros, seen at version 2. */
const UPCAST_RECORDS: Record<string, Record<string, unknown>> = {
  'o-1': { customer: 'ann', orders: 2, totalCents: 1280, currencies: ['EUR'], schemaVersions: [2, 2] },
  'o-2': { customer: 'bob', orders: 2, totalCents: 1975, currencies: ['EUR'], schemaVersions: [2, 2] },
  'o-3': { customer: 'cy', orders: 1, totalCents: 1250, currencies: ['EUR'], schemaVersions: [2], shipped: true },
  'o-4': { orders: 2, totalCents: 2000, currencies: ['EUR'], schemaVersions: [2, 2] },
};

const STREAMS = Object.keys(HISTORY);

async function operator(app: StartedApp, ...args: string[]): Promise<string> {
  return runOperator(parseOperatorArgs([...args, '--local', app.runtime.operatorUrl]));
}

async function operatorStatus(app: StartedApp): Promise<ApiStatus> {
  return JSON.parse(await operator(app, 'status', '--json')) as ApiStatus;
}

async function recordsOf(client: HttpClient, view: string): Promise<Record<string, unknown>> {
  return Object.fromEntries(await Promise.all(STREAMS.map(async (id) => [id, (await client.get(`/${view}/${id}`)).json])));
}

/**
 * The records run 2's views must hold: each stream's upcast record, its id and head version;
 * `oneMore` gives the fields that one more event on a stream changed.
 */
function expectedRecords(oneMore: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  const head = (id: string) => HISTORY[id].length + (oneMore[id] ? 1 : 0);
  return Object.fromEntries(STREAMS.map((id) => [id, { ...UPCAST_RECORDS[id], ...oneMore[id], id, version: head(id) }]));
}

interface ScenarioMode {
  readonly chaos: boolean;
}

/**
 * Run 1 stores v1 events without any eventVersions; run 2, on the same data folder, declares
 * version 2 with its upcaster, raises view orders to version 2 (a rebuild) and adds view totals
 * (a backfill). Both runs under chaos mode, or neither.
 */
function defineVersionedEventsScenario(mode: ScenarioMode): void {
  const title = mode.chaos ? ', under chaos' : '';
  // Under chaos a healthy message may also meet crashes and early redeliveries, as e2e-suite.ts allows for.
  const maxReceiveCount = mode.chaos ? 10 : undefined;
  const chaos = (): Pick<LocalRuntimeOptions, 'chaos'> => (mode.chaos
    ? { chaos: process.env.CHAOS_SEED ? { seed: Number(process.env.CHAOS_SEED) } : true }
    : {});

  describe(`with a data folder: v1 events, then v2 with an upcaster, a rebuilt view and a new one${title}`, () => {
    const dataDir = tempDir('es-local-data-');
    const dir = tempDir('es-local-versions-');
    const upcasters = path.join(dir, 'upcasters.ts');
    fs.writeFileSync(upcasters, UPCASTERS);
    const ordersV1: ProjectionDefinition = { name: 'orders', entry: writeProjection(dir, 'orders-v1', ORDERS_V1), maxReceiveCount };
    const ordersV2: ProjectionDefinition = { name: 'orders', entry: writeProjection(dir, 'orders-v2', ORDERS_V2), version: 2, maxReceiveCount };
    const totals: ProjectionDefinition = { name: 'totals', entry: writeProjection(dir, 'totals', ORDERS_V2), maxReceiveCount };
    const v2Props: EventSourcedApiProps = {
      projections: [ordersV2, totals],
      eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, schemas: { 1: V1_SCHEMA } }],
      eventSchemas: { OrderPlaced: V2_SCHEMA },
      upcasters,
    };
    const start = async (props: EventSourcedApiProps) => {
      const app = await startLocalApp({ props, runtime: { dataDir, ...chaos() } });
      if (app.runtime.chaosSeed !== undefined) console.info(`chaos seed ${app.runtime.chaosSeed} (replay: CHAOS_SEED=${app.runtime.chaosSeed})`);
      return app;
    };
    const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    let app: StartedApp | undefined;

    // The data folder holds the tables, so these runs start a DynamoDB Local of their own on it.
    beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
    afterAll(async () => {
      await app?.runtime.stop();
      process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore;
    });

    test('run 1, no eventVersions: OrderPlaced is stored as sent, at schema version 1', async () => {
      const run1 = await start({ projections: [ordersV1] });
      try {
        await Promise.all(STREAMS.map(async (id) => {
          for (const { type, ...data } of HISTORY[id]) {
            const stored = await append(run1.client, { type, id, ...data });
            expect(stored).toMatchObject({ type, schemaVersion: 1 });
          }
        }));
        await run1.runtime.waitUntilIdle(60_000);
        expect((await run1.client.get('/orders/o-2')).json).toEqual({ id: 'o-2', version: 3, orders: 2, total: 19.75 });
      } finally {
        await run1.runtime.stop();
      }
    }, 120_000);

    test('run 2 backfills totals and rebuilds orders at v2: both hold every v1 event upcast, once', async () => {
      app = await start(v2Props);
      await app.runtime.waitUntilIdle(60_000);
      expect(await recordsOf(app.client, 'totals')).toEqual(expectedRecords());
      expect(await recordsOf(app.client, 'orders')).toEqual(expectedRecords());
      const status = await operatorStatus(app);
      expect(status.views.map((v) => [v.name, v.version, v.streamsBehind, v.parked])).toEqual([['orders', 2, 0, 0], ['totals', 1, 0, 0]]);
      expect(status.views.find((v) => v.name === 'orders')!.job).toMatchObject({ reason: 'rebuild (version 2)', phase: 'done' });
      expect(status.views.find((v) => v.name === 'totals')!.job).toMatchObject({ reason: 'backfill', phase: 'done' });
    }, 120_000);

    test('GET /streams/{id} shows the v1 events at version 2; ?raw=true shows them as stored', async () => {
      const history = await app!.client.get('/streams/o-1');
      expect(history.status).toBe(200);
      expect(history.json).toEqual([
        { streamId: 'o-1', version: 1, eventId: expect.any(String), type: 'Created', schemaVersion: 1, data: { customer: 'ann' }, timestamp: expect.any(String) },
        { streamId: 'o-1', version: 2, eventId: expect.any(String), type: 'OrderPlaced', schemaVersion: 2, data: { amountCents: 1250, currency: 'EUR' }, timestamp: expect.any(String) },
        { streamId: 'o-1', version: 3, eventId: expect.any(String), type: 'OrderPlaced', schemaVersion: 2, data: { amountCents: 30, currency: 'EUR' }, timestamp: expect.any(String) },
      ]);
      const raw = await app!.client.get('/streams/o-1?raw=true');
      expect(raw.json.map((e: any) => [e.type, e.schemaVersion, e.data])).toEqual([
        ['Created', 1, { customer: 'ann' }], ['OrderPlaced', 1, { amount: 12.5 }], ['OrderPlaced', 1, { amount: 0.3 }],
      ]);
      // The same events, only their shape differs.
      expect(raw.json.map((e: any) => [e.eventId, e.timestamp])).toEqual(history.json.map((e: any) => [e.eventId, e.timestamp]));
    });

    test('POST: no schemaVersion means v2 (a v1 body is 400); schemaVersion 1 is checked against v1 and stored so; 3 is 400', async () => {
      const { client } = app!;
      const current = await append(client, { type: 'OrderPlaced', id: 'o-1', amountCents: 999, currency: 'USD' });
      expect(current).toMatchObject({ version: 4, schemaVersion: 2 });
      const v1WithoutVersion = await client.post({ type: 'OrderPlaced', id: 'o-1', amount: 5 });
      expect([v1WithoutVersion.status, v1WithoutVersion.json.message]).toEqual([400, expect.stringContaining('schema of "OrderPlaced"')]);
      const v2WithVersion1 = await client.post({ type: 'OrderPlaced', id: 'o-1', schemaVersion: 1, amountCents: 5, currency: 'EUR' });
      expect([v2WithVersion1.status, v2WithVersion1.json.message]).toEqual([400, expect.stringContaining('"OrderPlaced" version 1')]);
      const future = await client.post({ type: 'OrderPlaced', id: 'o-1', schemaVersion: 3, amountCents: 5, currency: 'EUR' });
      expect([future.status, future.json.message]).toEqual([400, expect.stringMatching(/^"OrderPlaced" has no schema version 3 yet/)]);

      // A client still on v1 during the rollout: stored at version 1, and the views get it live, upcast.
      const old = await append(client, { type: 'OrderPlaced', id: 'o-2', schemaVersion: 1, amount: 5 });
      expect(old).toMatchObject({ version: 4, schemaVersion: 1, data: { amount: 5 } });
      await app!.runtime.waitUntilIdle(60_000);
      const live = {
        'o-1': { orders: 3, totalCents: 1280 + 999, currencies: ['EUR', 'USD'], schemaVersions: [2, 2, 2] },
        'o-2': { orders: 3, totalCents: 1975 + 500, schemaVersions: [2, 2, 2] },
      };
      expect(await recordsOf(client, 'orders')).toEqual(expectedRecords(live));
      expect(await recordsOf(client, 'totals')).toEqual(expectedRecords(live));
      const o2 = await client.get('/streams/o-2?fromVersion=4');
      expect(o2.json.map((e: any) => [e.version, e.schemaVersion, e.data])).toEqual([[4, 2, { amountCents: 500, currency: 'EUR' }]]);
      expect((await client.get('/streams/o-2?fromVersion=4&raw=true')).json.map((e: any) => [e.schemaVersion, e.data])).toEqual([[1, { amount: 5 }]]);
    }, 90_000);

    test('the operator\'s replay of totals leaves its records as they were: each event upcast and applied once', async () => {
      const before = await recordsOf(app!.client, 'totals');
      expect(await operator(app!, 'replay', '--view', 'totals')).toMatch(/^Replay queued for totals/);
      await app!.runtime.waitUntilIdle(60_000);
      const status = await operatorStatus(app!);
      expect(status.views.find((v) => v.name === 'totals')).toMatchObject({ streamsBehind: 0, parked: 0, job: { reason: 'replay', phase: 'done' } });
      expect(await recordsOf(app!.client, 'totals')).toEqual(before);
      expect(await recordsOf(app!.client, 'orders')).toEqual(before);
      expect([app!.runtime.deadLetters('orders'), app!.runtime.deadLetters('totals'), app!.runtime.publisherFailures()]).toEqual([[], [], []]);
      // Under chaos, the run met it: faults struck while these events were applied.
      if (mode.chaos) expect(Object.values(app!.runtime.chaosReport()!).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }, 90_000);
  });
}

defineVersionedEventsScenario({ chaos: false });
defineVersionedEventsScenario({ chaos: true });

describe('an upcaster that throws on one event', () => {
  let app: StartedApp;
  const maxReceiveCount = 2;

  beforeAll(async () => {
    const dir = tempDir('es-local-versions-');
    const upcasters = path.join(dir, 'upcasters.ts');
    fs.writeFileSync(upcasters, UPCASTERS);
    app = await startLocalApp({
      props: {
        projections: [{ name: 'totals', entry: writeProjection(dir, 'totals', ORDERS_V2), maxReceiveCount }],
        eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, schemas: { 1: V1_SCHEMA } }],
        eventSchemas: { OrderPlaced: V2_SCHEMA },
        upcasters,
      },
    });
  }, 120_000);
  afterAll(() => app?.runtime.stop());

  test('its event is retried, then parked with a message naming the type and versions; other streams go on', async () => {
    const { client, runtime } = app;
    await append(client, { type: 'OrderPlaced', id: 'bad', schemaVersion: 1, amount: 1 });
    await append(client, { type: 'OrderPlaced', id: 'bad', schemaVersion: 1, eventId: 'cursed', amount: 2 });
    await append(client, { type: 'OrderPlaced', id: 'good', schemaVersion: 1, amount: 3 });
    await append(client, { type: 'OrderPlaced', id: 'good', amountCents: 400, currency: 'EUR' });
    await runtime.waitUntilIdle(60_000);

    const thrown = 'Upcaster for "OrderPlaced" from version 1 to 2 threw: no amount survives this one';
    const failures = app.logs.filter((l) => l.startsWith('[local] bad v2 → totals failed (receive'));
    expect(failures).toHaveLength(maxReceiveCount);
    for (const line of failures) expect(line).toContain(thrown);
    expect(runtime.deadLetters('totals').map((m) => [JSON.parse(m.body).streamId, JSON.parse(m.body).version])).toEqual([['bad', 2]]);
    // The parking line is followed by the last failure, without --function-logs.
    expect(app.logs).toContain(`[local]   Error: ${thrown}`);
    const status = (JSON.parse(await runOperator(parseOperatorArgs(['status', '--json', '--local', runtime.operatorUrl]))) as ApiStatus).views[0];
    expect(status).toMatchObject({ name: 'totals', parked: 1 });

    // The view keeps the version before the failure; the other stream is complete.
    expect((await client.get('/totals/bad')).json).toMatchObject({ version: 1, totalCents: 100 });
    expect((await client.get('/totals/good')).json).toMatchObject({ version: 2, orders: 2, totalCents: 700, schemaVersions: [2, 2] });
    // The history route cannot show it upcast either; as stored it can.
    const history = await client.get('/streams/bad');
    expect([history.status, history.json.message]).toEqual([500, expect.stringContaining(thrown)]);
    expect((await client.get('/streams/bad?raw=true')).json.map((e: any) => e.data)).toEqual([{ amount: 1 }, { amount: 2 }]);
  }, 90_000);
});

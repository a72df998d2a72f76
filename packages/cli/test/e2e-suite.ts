/**
 * The local runtime end to end, over HTTP, on DynamoDB Local: the suite both local-runtime.test.ts
 * (as things usually go) and local-runtime.chaos.test.ts (under chaos mode: AWS's worst case)
 * run. Both assert the same outcomes; a few checks of the exact log lines hold only without chaos.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { IndexKeyType } from '../../../src';
import {
  append, connect, HttpClient, HttpResponse, listTables, startLocalApp, StartedApp, strictProjection, tempDir,
  VERSION_LOG_PROJECTION, writeProjection,
} from '../../../test/support/local-app';
import { documentClient, scanAll } from '../../../test/support/local-dynamo';
import { sandboxCount } from '../../../test/support/sandboxes';
import { expectedTour, streamHistoryTour } from '../../../test/support/stream-history';
import { LocalRuntime, LocalRuntimeOptions } from '../src';
import type { ChaosFault } from '../src/chaos';

/** Only `Paged` events make a record: the view's list holds exactly the paged streams. */
const PAGES_PROJECTION = `
exports.handlers = { Paged: (_view, event) => ({ n: event.data.n }) };
`;

/** An order's status, which the view's `byStatus` index serves. */
const ORDERS_PROJECTION = `
const status = (_view, event) => ({ status: event.data.status });
exports.handlers = { Placed: status, StatusSet: status };
`;

/** POSTs; on 503 (contention) retries with the same eventId, as the API asks. */
async function appendRetrying(client: HttpClient, body: Record<string, unknown>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await client.post(body);
    if (response.status === 201) return;
    if (response.status !== 503) throw new Error(`POST answered ${response.status} ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('still 503 after 20 attempts');
}

/** Many events on a few streams, all posted at once. */
async function postConcurrently(client: HttpClient, streams: string[], perStream: number): Promise<void> {
  const posts: Array<Promise<void>> = [];
  for (let i = 0; i < perStream; i++) {
    for (const streamId of streams) posts.push(appendRetrying(client, { type: 'Tick', id: streamId, eventId: `${streamId}-${i}`, i }));
  }
  await Promise.all(posts);
}

async function expectInOrder(client: HttpClient, view: string, streams: string[], perStream: number): Promise<void> {
  const all = Array.from({ length: perStream }, (_, i) => i + 1);
  for (const streamId of streams) {
    const record = await client.get(`/${view}/${streamId}`);
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({ id: streamId, version: perStream, types: { Tick: perStream } });
    expect(record.json.versions).toEqual(all);
  }
}

/** Versions of a stream in the order the runtime logged them as applied to a view. */
function appliedOrder(logs: string[], view: string, streamId: string): number[] {
  const pattern = new RegExp(`^\\[local\\] ${streamId} v(\\d+) → ${view} applied \\(lag \\d+ ms\\)$`);
  return logs.map((line) => pattern.exec(line)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
}


/** Polls until `condition` holds; fails naming `what` after `timeoutMs`. */
async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * No event lost: for every view, every stream's record is at the stream's head version (view
 * tables keep a version-only record even for streams a projection skips), no message is parked,
 * and the publisher gave nothing up. Under chaos, every fault struck but those the app gives no
 * chance to (`noChance`).
 */
async function expectNothingLost(runtime: LocalRuntime, logs: string[], noChance: readonly ChaosFault[] = []): Promise<void> {
  const [api] = runtime.apis;
  const heads = new Map<string, number>();
  for (const item of await scanAll(api.definition.eventsTable.tableName)) {
    const streamId = item.streamId as string;
    if (streamId.startsWith('$')) continue;
    heads.set(streamId, Math.max(heads.get(streamId) ?? 0, item.version as number));
  }
  expect(heads.size).toBeGreaterThan(0);
  for (const view of api.definition.views) {
    const versions = new Map((await scanAll(view.table.tableName)).map((item) => [item.streamId as string, item.version as number]));
    const behind = [...heads].filter(([streamId, head]) => versions.get(streamId) !== head).map(([streamId, head]) => `${streamId}: ${versions.get(streamId) ?? 0} of ${head}`);
    expect({ view: view.name, behind }).toEqual({ view: view.name, behind: [] });
    expect({ view: view.name, parked: runtime.deadLetters(view.name, api.definition.owner) }).toEqual({ view: view.name, parked: [] });
  }
  expect(runtime.publisherFailures()).toEqual([]);
  const report = runtime.chaosReport();
  if (report) {
    // The suite must have met chaos, not merely had it switched on: every fault had its chances
    // and struck (each strikes at its first chance), and the seed was printed for a replay.
    console.info(`chaos seed ${runtime.chaosSeed} struck: ${Object.entries(report).map(([f, n]) => `${f} ×${n}`).join(', ')}`);
    const chances = runtime.chaosChances()!;
    const faults = (Object.keys(report) as ChaosFault[]).filter((fault) => !noChance.includes(fault));
    expect(faults.filter((fault) => !(chances[fault] > 0 && report[fault] > 0))).toEqual([]);
    expect(logs).toContain(`[local] chaos mode, seed ${runtime.chaosSeed} (replay: --chaos-seed ${runtime.chaosSeed}, or chaos: { seed: ${runtime.chaosSeed} })`);
  }
}

export interface SuiteMode {
  /** Run the apps under chaos mode (seed from CHAOS_SEED, else random; printed). */
  readonly chaos: boolean;
}

export function defineEndToEndSuite(mode: SuiteMode): void {
  const title = mode.chaos ? ', under chaos' : '';
  // A message may also meet chaos faults (crashes, timeouts, throttling bursts, early redelivery,
  // each a receive): enough receives that they never park a healthy one. The default 5 parked one
  // now and then on a loaded machine, as AWS would with such luck; the views were still complete.
  const strictReceives = mode.chaos ? 8 : 2;
  const healthyReceives = mode.chaos ? 10 : undefined;
  const runtimeOptions = (): Omit<LocalRuntimeOptions, 'app' | 'assemblyDir'> => (mode.chaos
    ? { chaos: process.env.CHAOS_SEED ? { seed: Number(process.env.CHAOS_SEED) } : true }
    : {});
  const announce = (runtime: LocalRuntime) => {
    if (runtime.chaosSeed !== undefined) console.info(`chaos seed ${runtime.chaosSeed} (replay: CHAOS_SEED=${runtime.chaosSeed})`);
  };

  describe(`LocalRuntime end to end (FIFO, four views, one with an index)${title}`, () => {
    let started: StartedApp | undefined;
    let client: HttpClient;
    let runtime: LocalRuntime;
    let flagFile: string;

    beforeAll(async () => {
      const dir = tempDir();
      flagFile = path.join(dir, 'boom-is-fixed.flag');
      started = await startLocalApp({
        props: {
          projections: [
            { name: 'default', entry: writeProjection(dir, 'versions', VERSION_LOG_PROJECTION), maxReceiveCount: healthyReceives },
            { name: 'strict', entry: writeProjection(dir, 'strict', strictProjection(flagFile)), maxReceiveCount: strictReceives },
            { name: 'pages', entry: writeProjection(dir, 'pages', PAGES_PROJECTION), maxReceiveCount: healthyReceives },
            {
              name: 'orders',
              entry: writeProjection(dir, 'orders', ORDERS_PROJECTION),
              maxReceiveCount: healthyReceives,
              indexes: [{ name: 'byStatus', partitionKey: { field: 'status', type: IndexKeyType.STRING } }],
            },
          ],
        },
        runtime: runtimeOptions(),
      });
      ({ client, runtime } = started);
      announce(runtime);
    });

    afterAll(async () => {
      await started?.runtime.stop();
    });

    // First, so that the index's first write is chaos's first chance to lag it for seconds.
    test('an index query right after a write may not show it yet (under chaos it does not, at least once); a client that polls it converges', async () => {
      await runtime.waitUntilIdle(60_000); // the maintenance function builds the index
      const ids = async (status: string) => {
        const response = await client.get(`/orders?index=byStatus&key=${status}&limit=100`);
        expect({ status: response.status, body: response.text }).toEqual({ status: 200, body: expect.any(String) });
        return (response.json as Array<{ id: string }>).map((r) => r.id);
      };
      const recordAt = async (id: string, version: number) => {
        const response = await client.get(`/orders/${id}`);
        return response.status === 200 && response.json.version === version;
      };
      /** What a read of the index made right after the table had the write got wrong. */
      const stale: string[] = [];
      const orders = ['ix-1', 'ix-2', 'ix-3', 'ix-4'];
      for (const id of orders) {
        await append(client, { type: 'Placed', id, status: 'open' });
        await eventually(`${id} v1 in the table`, () => recordAt(id, 1));
        if (!(await ids('open')).includes(id)) stale.push(`${id} placed, not yet in "open"`);
        await eventually(`${id} in "open"`, async () => (await ids('open')).includes(id));

        await append(client, { type: 'StatusSet', id, status: 'closed' });
        await eventually(`${id} v2 in the table`, () => recordAt(id, 2));
        if ((await ids('open')).includes(id)) stale.push(`${id} closed, still in "open"`);
        await eventually(`${id} out of "open", in "closed"`, async () => !(await ids('open')).includes(id) && (await ids('closed')).includes(id));
      }
      // DynamoDB Local updates an index in the table's write; chaos mode makes it lag, as AWS's may.
      if (mode.chaos) {
        console.info(`index reads right after the write that were stale: ${stale.join('; ')}`);
        expect(stale.length).toBeGreaterThan(0);
      } else {
        expect(stale).toEqual([]);
      }
      // Idle includes the indexes: once idle, an index query shows every write without polling.
      await append(client, { type: 'Placed', id: 'ix-5', status: 'open' });
      await runtime.waitUntilIdle(30_000);
      expect(await ids('open')).toContain('ix-5');
      expect(await ids('closed')).toEqual(expect.arrayContaining(orders));
      expect((await ids('open')).filter((id) => orders.includes(id))).toEqual([]);
      expect(started!.logs.filter((line) => line.includes('lagging index could not follow'))).toEqual([]);
    }, 180_000);

    test('POST, then once idle, GET shows the event applied in every view', async () => {
      await append(client, { type: 'Created', id: 'cust-1', name: 'Ada' });
      await append(client, { type: 'Updated', id: 'cust-1', name: 'Ada L.' });
      await runtime.waitUntilIdle(15_000);

      const expected = { id: 'cust-1', version: 2, versions: [1, 2], types: { Created: 1, Updated: 1 }, last: { name: 'Ada L.' } };
      for (const urlPath of ['/default/cust-1', '/strict/cust-1', '/cust-1']) {
        const response = await client.get(urlPath);
        expect({ urlPath, status: response.status }).toEqual({ urlPath, status: 200 });
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(response.json).toEqual(expected);
      }
      // "pages" has no handler for these types: its record holds a version only, and is not served.
      expect((await client.get('/pages/cust-1')).status).toBe(404);
      expect((await client.get('/default?limit=100')).json).toContainEqual(expected);
      expect((await client.get('/?limit=100')).json).toContainEqual(expected);
      expect(runtime.publisherFailures()).toEqual([]);
    });

    test('pagination over 25 records: pages of 10, 10 and 5 via the ExclusiveStartKey/LastEvaluatedKey headers, and via ?cursor=', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `page-${String(i + 1).padStart(2, '0')}`);
      await Promise.all(ids.map((id, i) => append(client, { type: 'Paged', id, n: i + 1 })));
      await runtime.waitUntilIdle(15_000);

      const byHeader: string[][] = [];
      let token: string | null = null;
      do {
        const response: HttpResponse = await client.get('/pages', token ? { ExclusiveStartKey: token } : {});
        expect(response.status).toBe(200);
        byHeader.push(response.json.map((r: { id: string }) => r.id));
        token = response.headers.get('LastEvaluatedKey');
      } while (token && byHeader.length < 5);
      expect(byHeader.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(byHeader.flat().sort()).toEqual(ids);

      const byCursor: string[][] = [];
      let cursor: string | null = null;
      do {
        const response: HttpResponse = await client.get(cursor ? `/pages?cursor=${encodeURIComponent(cursor)}` : '/pages');
        expect(response.status).toBe(200);
        byCursor.push(response.json.map((r: { id: string }) => r.id));
        cursor = response.headers.get('LastEvaluatedKey');
      } while (cursor && byCursor.length < 5);
      expect(byCursor).toEqual(byHeader);

      // A record carries the projection's object, its id and version.
      expect((await client.get('/pages/page-07')).json).toEqual({ n: 7, id: 'page-07', version: 1 });
      // Tokens belong to one view.
      const first = await client.get('/pages?limit=3');
      expect(first.json).toHaveLength(3);
      const pagesToken = first.headers.get('LastEvaluatedKey')!;
      expect((await client.get('/default', { ExclusiveStartKey: pagesToken })).status).toBe(400);
      expect((await client.get('/pages?limit=0')).status).toBe(400);
    });

    test('idempotency: the same eventId twice stores one event and answers the same 201 body, the replay marked Idempotent-Replay', async () => {
      const body = { type: 'Created', id: 'idem-1', eventId: 'idem-1-created', name: 'once' };
      const first = await client.post(body);
      const replay = await client.post(body);
      expect(first.status).toBe(201);
      expect(first.headers.get('Idempotent-Replay')).toBeNull();
      expect(replay.status).toBe(201);
      expect(replay.headers.get('Idempotent-Replay')).toBe('true');
      expect(replay.text).toBe(first.text);
      expect(first.json).toMatchObject({ streamId: 'idem-1', version: 1, eventId: 'idem-1-created', type: 'Created', data: { name: 'once' } });

      const events = await documentClient().send(new QueryCommand({
        TableName: runtime.apis[0].definition.eventsTable.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': 'idem-1' },
        ConsistentRead: true,
      }));
      expect(events.Items?.map((e) => e.version)).toEqual([1]);

      await runtime.waitUntilIdle(15_000);
      expect((await client.get('/default/idem-1')).json).toMatchObject({ version: 1, versions: [1], last: { name: 'once' } });
    });

    test('GET /streams/{id}: the stream\'s events in version order, paged; 404 JSON without events; /default/streams is a record', async () => {
      for (const [type, n] of [['Created', 1], ['Updated', 2], ['Updated', 3]] as const) await append(client, { type, id: 'hist-1', n });
      expect(await streamHistoryTour(client, '', 'hist-1')).toEqual(expectedTour('hist-1', [
        { type: 'Created', schemaVersion: 1, data: { n: 1 } }, { type: 'Updated', schemaVersion: 1, data: { n: 2 } }, { type: 'Updated', schemaVersion: 1, data: { n: 3 } },
      ]));
      // A stream named "streams" is a record of the default view like any other.
      await append(client, { type: 'Created', id: 'streams', name: 'a stream called streams' });
      await runtime.waitUntilIdle(15_000);
      expect((await client.get('/default/streams')).json).toMatchObject({ id: 'streams', version: 1, last: { name: 'a stream called streams' } });
      expect((await client.get('/streams/streams')).json).toMatchObject([{ streamId: 'streams', version: 1, type: 'Created' }]);
    });

    test('a wrong expectedVersion answers 409 and appends nothing', async () => {
      await append(client, { type: 'Created', id: 'occ-1' });
      for (const expectedVersion of [0, 2, 7]) {
        const conflict = await client.post({ type: 'Updated', id: 'occ-1', expectedVersion, name: 'lost' });
        expect(conflict.status).toBe(409);
        expect(conflict.headers.get('content-type')).toBe('application/json');
        expect(typeof conflict.json.message).toBe('string');
      }
      await runtime.waitUntilIdle(15_000);
      expect((await client.get('/default/occ-1')).json).toMatchObject({ version: 1, versions: [1] });

      // The right one is accepted.
      const ok = await client.post({ type: 'Updated', id: 'occ-1', expectedVersion: 1, name: 'won' });
      expect(ok.status).toBe(201);
      expect(ok.json.version).toBe(2);
      await runtime.waitUntilIdle(15_000);
      expect((await client.get('/default/occ-1')).json).toMatchObject({ version: 2, versions: [1, 2], last: { name: 'won' } });
    });

    test('API Gateway fidelity: unknown routes 403, bad JSON 400, percent-encoded ids, 404s', async () => {
      for (const [method, urlPath] of [['GET', '/a/b/c'], ['DELETE', '/'], ['PUT', '/default/x'], ['POST', '/default']]) {
        const response = await client.request(method, urlPath);
        expect({ method, urlPath, status: response.status, body: response.json }).toEqual({
          method, urlPath, status: 403, body: { message: 'Missing Authentication Token' },
        });
      }

      for (const bad of ['{"type": "Created", "id":', '[1,2]', '"text"', '{"id":"no-type"}', '']) {
        const response = await client.request('POST', '/', bad, { 'Content-Type': 'application/json' });
        expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(typeof response.json.message).toBe('string');
      }

      const id = 'order 42/ü%?#';
      await append(client, { type: 'Created', id, name: 'encoded' });
      await runtime.waitUntilIdle(15_000);
      for (const urlPath of [`/default/${encodeURIComponent(id)}`, `/${encodeURIComponent(id)}`]) {
        const response = await client.get(urlPath);
        expect({ urlPath, status: response.status }).toEqual({ urlPath, status: 200 });
        expect(response.json).toMatchObject({ id, version: 1, last: { name: 'encoded' } });
      }
      expect((await client.get('/default/%E0%A4%A')).status).toBe(400);
      expect((await client.get('/nope/x')).status).toBe(404);
      expect((await client.get('/default/never-written')).status).toBe(404);
    });

    test('a projection that throws: the message is retried, parked in its dead-letter list; other views and streams go on; redrive after a fix applies it', async () => {
      for (const body of [
        { type: 'Created', id: 'dlq-bad' },
        { type: 'Boom', id: 'dlq-bad' },
        { type: 'Updated', id: 'dlq-bad', name: 'after boom' },
        { type: 'Created', id: 'dlq-good' },
        { type: 'Updated', id: 'dlq-good', name: 'fine' },
      ]) await append(client, body);
      await runtime.waitUntilIdle(20_000);

      // v2 failed maxReceiveCount times and was parked; v3 waits on v2 (filled from the events table) and fails too.
      const parked = runtime.deadLetters('strict');
      expect(parked.map((m) => [JSON.parse(m.body).streamId, JSON.parse(m.body).version]).sort()).toEqual([['dlq-bad', 2], ['dlq-bad', 3]]);
      for (const m of parked) expect(m.receiveCount).toBe(strictReceives);
      // Each parking line says how many the view has parked: these two are all it holds.
      const parkedLines = started!.logs.filter((l) => l.startsWith('[local] dlq-bad v') && l.includes('→ strict parked'));
      expect(parkedLines.map((l) => l.replace(/^\[local\] dlq-bad v\d/, 'v?').replace(/\(\d parked/, '(n parked')).sort()).toEqual(
        parkedLines.map(() => `v? → strict parked in its dead-letter list after ${strictReceives} receives (n parked in strict)`),
      );
      expect(parkedLines.map((l) => Number(/\((\d) parked in strict\)$/.exec(l)![1])).sort()).toEqual([1, 2]);
      // An applied event's line gives its lag, from its append to applied.
      expect(started!.logs.find((l) => l.startsWith('[local] dlq-good v2 → strict applied'))).toMatch(/^\[local\] dlq-good v2 → strict applied \(lag \d+ ms\)$/);
      // Under chaos a message may also be received again while in flight; the count is exact without.
      if (!mode.chaos) expect(started!.logs.filter((l) => l.startsWith('[local] dlq-bad v2 → strict failed (receive'))).toHaveLength(strictReceives);

      // The failing view keeps the version before the failure...
      expect((await client.get('/strict/dlq-bad')).json).toMatchObject({ version: 1, versions: [1] });
      // ...while the other views, and the other streams of this view, are complete.
      expect((await client.get('/default/dlq-bad')).json).toMatchObject({ version: 3, versions: [1, 2, 3] });
      expect((await client.get('/strict/dlq-good')).json).toMatchObject({ version: 2, versions: [1, 2], last: { name: 'fine' } });
      expect(runtime.deadLetters('default')).toEqual([]);
      expect(runtime.deadLetters('pages')).toEqual([]);

      // Redrive before the fix: parked again.
      expect(runtime.redrive('strict')).toBe(2);
      await runtime.waitUntilIdle(20_000);
      expect(runtime.deadLetters('strict')).toHaveLength(2);
      expect((await client.get('/strict/dlq-bad')).json).toMatchObject({ version: 1 });

      // The fix, then redrive: the event and the later one are applied, in order.
      fs.writeFileSync(flagFile, 'fixed');
      expect(runtime.redrive('strict')).toBe(2);
      expect(started!.logs).toContain('[local] strict: redrove 2 message(s) from the dead-letter list');
      await runtime.waitUntilIdle(20_000);
      expect(runtime.deadLetters('strict')).toEqual([]);
      expect((await client.get('/strict/dlq-bad')).json).toMatchObject({
        version: 3, versions: [1, 2, 3], types: { Created: 1, Boom: 1, Updated: 1 }, last: { name: 'after boom' },
      });
      expect(runtime.redrive('strict')).toBe(0);

      // And the stream goes on.
      await append(client, { type: 'Boom', id: 'dlq-bad' });
      await runtime.waitUntilIdle(20_000);
      expect((await client.get('/strict/dlq-bad')).json).toMatchObject({ version: 4, versions: [1, 2, 3, 4] });
      expect(() => runtime.deadLetters('missing')).toThrow(/No view named "missing"/);
    });

    test('FIFO: many events posted concurrently on a few streams are applied once each, in version order', async () => {
      const streams = ['fifo-a', 'fifo-b', 'fifo-c', 'fifo-d'];
      await postConcurrently(client, streams, 10);
      await runtime.waitUntilIdle(30_000);
      await expectInOrder(client, 'default', streams, 10);
      await expectInOrder(client, 'strict', streams, 10);
      // FIFO groups: the queue delivered each stream's messages one after another, in order. Under
      // chaos a group's visibility may run out mid-batch and two batches of it overlap (as on AWS):
      // then only the views say the order held.
      if (!mode.chaos) {
        const inOrder = Array.from({ length: 10 }, (_, i) => i + 1);
        for (const streamId of streams) {
          expect({ streamId, order: appliedOrder(started!.logs, 'default', streamId) }).toEqual({ streamId, order: inOrder });
          expect({ streamId, order: appliedOrder(started!.logs, 'strict', streamId) }).toEqual({ streamId, order: inOrder });
        }
      }
    });

    test('nothing was lost: every view is at the head of every stream, and nothing is parked or given up on', async () => {
      await runtime.waitUntilIdle(30_000);
      await expectNothingLost(runtime, started!.logs);
    });
  });

  describe(`LocalRuntime with standard queues (fifo: false) and CORS, then stop()${title}`, () => {
    let started: StartedApp | undefined;
    const ORIGIN = 'https://app.example.com';

    beforeAll(async () => {
      const dir = tempDir();
      started = await startLocalApp({
        props: (stack) => ({
          fifo: false,
          projections: [{ name: 'default', entry: writeProjection(dir, 'versions', VERSION_LOG_PROJECTION), maxReceiveCount: healthyReceives }],
          api: { cors: { allowOrigins: [ORIGIN] } },
          // Locally nothing is encrypted, but an app with a key must run the same.
          encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }),
        }),
        runtime: runtimeOptions(),
      });
      announce(started.runtime);
    });

    test('a browser on another origin can page a view: the preflight allows ExclusiveStartKey, answers expose LastEvaluatedKey', async () => {
      const client = started!.client;
      for (let i = 0; i < 3; i++) await append(client, { type: 'Created', id: `cors-${i}` });
      await started!.runtime.waitUntilIdle();
      const listed = (value: string | null) => (value ?? '').split(',').map((h) => h.trim().toLowerCase());

      // What a browser checks before it sends the paging header on a cross-origin GET (Fetch standard, CORS-preflight).
      const preflight = await client.request('OPTIONS', '/', undefined, {
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'exclusivestartkey',
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(listed(preflight.headers.get('access-control-allow-methods'))).toContain('get');
      expect(listed(preflight.headers.get('access-control-allow-headers'))).toContain('exclusivestartkey');

      // ...and what it lets a script read of the answer.
      const first = await client.get('/?limit=2', { Origin: ORIGIN });
      expect(first.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(listed(first.headers.get('access-control-expose-headers'))).toContain('lastevaluatedkey');
      const token = first.headers.get('LastEvaluatedKey');
      expect(token).toBeTruthy();
      const second = await client.get('/?limit=2', { Origin: ORIGIN, ExclusiveStartKey: token! });
      expect(second.status).toBe(200);
      expect(second.json.length).toBeGreaterThan(0);
    });

    afterAll(async () => {
      await started?.runtime.stop();
    });

    test('many events posted concurrently on a few streams: each view record ends at the last version, applied in order', async () => {
      const { client, runtime } = started!;
      expect(runtime.apis[0].definition.fifo).toBe(false);
      const streams = ['std-a', 'std-b', 'std-c', 'std-d', 'std-e', 'std-f', 'std-g', 'std-h'];
      await postConcurrently(client, streams, 8);
      await runtime.waitUntilIdle(30_000);
      await expectInOrder(client, 'default', streams, 8);
    });

    test('nothing was lost: every view is at the head of every stream, and nothing is parked or given up on', async () => {
      await started!.runtime.waitUntilIdle(30_000);
      // This app's view has no index to lag.
      await expectNothingLost(started!.runtime, started!.logs, ['indexLagSpike']);
    });

    test('stop() closes the HTTP port, drops the tables from the shared DynamoDB Local and ends the functions\' sandboxes', async () => {
      const { client, runtime } = started!;
      const port = Number(new URL(runtime.url).port);
      const tables = [runtime.apis[0].definition.eventsTable.tableName, ...runtime.apis[0].definition.views.map((v) => v.table.tableName)];
      expect(tables).toHaveLength(2);
      expect(await listTables()).toEqual(expect.arrayContaining(tables));
      // Every function has run by now (the reader too), so each has a sandbox.
      expect((await client.get('/default/std-a')).status).toBe(200);
      const sandboxesBefore = sandboxCount();

      await runtime.stop();

      expect(await connect(port)).toBe('ECONNREFUSED');
      const remaining = await listTables();
      for (const table of tables) expect(remaining).not.toContain(table);
      // writer, publisher, reader and one aggregator.
      expect(sandboxesBefore - sandboxCount()).toBeGreaterThanOrEqual(4);
      expect(() => runtime.url).toThrow(/No EventSourcedApi is running/);
      await runtime.stop(); // twice is harmless
    });
  });

}

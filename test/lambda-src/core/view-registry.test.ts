/**
 * The view registry on DynamoDB Local: what a deploy's creates, updates and deletes leave, which
 * registration wins, and how an execution environment's cache reads it again.
 */
import * as fc from 'fast-check';
import { readRegistry, register, RegistryCache, unregister, type Registration } from '../../../lambda-src/core/view-registry';
import { runs } from '../../support/arbitraries';
import { countingClient, createRegistryTable, dynamoClient } from '../../support/local-dynamo';

const registration = (view: string, table: string, version: number, registeredAt: string, previousTable?: string): Registration => ({
  view, table, version, registeredAt, previousTable, queueUrl: `https://sqs.local/${view}`, fifo: true,
});

/** One deploy step on a view's table: its resource created or updated (registered), or deleted. */
const step = fc.record({
  view: fc.constantFrom('orders', 'stock', 'a-b'),
  table: fc.constantFrom('t1', 't2', 't3'),
  version: fc.integer({ min: 1, max: 4 }),
  delete: fc.boolean(),
});

test('any sequence of registrations and deletions: each view is answered by its highest version, then its latest registration', async () => {
  await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
    const table = await createRegistryTable();
    // What the registry should hold: one entry per (view, table), as the steps left it.
    const model = new Map<string, Registration>();
    let clock = Date.parse('2026-11-23T00:00:00Z');
    for (const s of steps) {
      const key = `${s.view}:${s.table}`;
      if (s.delete) {
        await unregister(dynamoClient(), table, s.view, s.table);
        model.delete(key);
      } else {
        const r = registration(s.view, s.table, s.version, new Date(clock += 1000).toISOString());
        await register(dynamoClient(), table, r);
        model.set(key, r);
      }
    }
    const expected = new Map<string, Registration>();
    for (const r of model.values()) {
      const held = expected.get(r.view);
      if (!held || r.version > held.version || (r.version === held.version && r.registeredAt > held.registeredAt)) expected.set(r.view, r);
    }
    expect(Object.fromEntries(await readRegistry(dynamoClient(), table))).toEqual(Object.fromEntries(expected));
  }), runs(60));
});

test('a rolled-back version raise leaves the version before registered; a successful one, after cleanup, only the new one', async () => {
  const table = await createRegistryTable();
  await register(dynamoClient(), table, registration('orders', 'v1', 1, '2026-11-23T00:00:00Z'));
  // The deploy creates version 2's resource: it wins while both are registered.
  await register(dynamoClient(), table, registration('orders', 'v2', 2, '2026-11-23T00:01:00Z', 'v1'));
  expect((await readRegistry(dynamoClient(), table)).get('orders')).toMatchObject({ table: 'v2', previousTable: 'v1' });
  // Rolled back: CloudFormation deletes the resource it created; version 1's stays.
  await unregister(dynamoClient(), table, 'orders', 'v2');
  expect((await readRegistry(dynamoClient(), table)).get('orders')).toMatchObject({ table: 'v1', version: 1 });
  // Done again, and cleaned up: version 1's resource is deleted.
  await register(dynamoClient(), table, registration('orders', 'v2', 2, '2026-11-23T00:02:00Z', 'v1'));
  await unregister(dynamoClient(), table, 'orders', 'v1');
  expect([...(await readRegistry(dynamoClient(), table)).values()].map((r) => r.table)).toEqual(['v2']);
});

test('more views than one scan page holds are all read', async () => {
  const table = await createRegistryTable();
  // About 1.2 MB of registrations (long queue URLs fill the pages): DynamoDB, and DynamoDB Local, end a scan page at 1 MB.
  const views = Array.from({ length: 300 }, (_, i) => `view-${i}`);
  for (let i = 0; i < views.length; i += 25) {
    await Promise.all(views.slice(i, i + 25).map((view) =>
      register(dynamoClient(), table, { ...registration(view, `table-${view}`, 1, '2026-11-23T00:00:00Z'), queueUrl: 'q'.repeat(4000) })));
  }
  const { client, calls } = countingClient();
  expect([...(await readRegistry(client, table)).keys()].sort()).toEqual([...views].sort());
  expect(calls.length).toBeGreaterThan(1);
});

describe('RegistryCache', () => {
  test('reads once, then again only when stale, or for an unknown view at most every unknownRetryMs', async () => {
    const table = await createRegistryTable();
    await register(dynamoClient(), table, registration('orders', 't1', 1, '2026-11-23T00:00:00Z'));
    const { client, calls } = countingClient();
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const cache = new RegistryCache(table, { maxAgeMs: 60_000, unknownRetryMs: 5_000 });
      expect([...(await cache.current(client)).keys()]).toEqual(['orders']);
      await cache.current(client, 'orders');
      expect(calls).toEqual(['ScanCommand']);

      // A view added by a deploy: asked for by name, it is looked for again, but not at once again.
      await register(dynamoClient(), table, registration('stock', 't9', 1, '2026-11-23T00:00:01Z'));
      now += 1_000;
      expect((await cache.current(client, 'stock')).has('stock')).toBe(false); // read 1 s ago: not yet
      now += 4_000;
      expect((await cache.current(client, 'stock')).has('stock')).toBe(true);
      expect(calls).toHaveLength(2);
      for (let i = 0; i < 20; i++) await cache.current(client, 'no-such-view');
      expect(calls).toHaveLength(2); // unknown names do not turn into scans

      // Stale after maxAgeMs: a version raise reaches warm environments within a minute.
      await register(dynamoClient(), table, registration('orders', 't2', 2, '2026-11-23T00:00:02Z', 't1'));
      now += 59_000;
      expect((await cache.current(client)).get('orders')?.table).toBe('t1');
      now += 1_000;
      expect((await cache.current(client)).get('orders')?.table).toBe('t2');
      expect(calls).toHaveLength(3);

      cache.invalidate();
      await cache.current(client);
      expect(calls).toHaveLength(4);
    } finally {
      clock.mockRestore();
    }
  });
});

/**
 * Each view table's Custom::ViewBackfill carries the fingerprint of the API's upcasters (the
 * sha256 of their bundle): a deploy that changes the module updates the resource, whose function
 * flags the views built with the earlier upcasters (test/lambda-src/maintenance/view-registration.test.ts).
 */
import * as path from 'node:path';
import { EventSourcedApiProps } from '../../src';
import { COUNTER, resourcesOf, synth } from '../support/synth';

const UPCASTERS = path.join(__dirname, '..', 'fixtures', 'upcasters');

const props = (upcasters?: string): EventSourcedApiProps => ({
  projections: [{ name: 'orders', entry: COUNTER }, { name: 'totals', entry: COUNTER, version: 2 }],
  ...(upcasters ? { eventVersions: [{ type: 'OrderPlaced', currentVersion: 2 }], upcasters: path.join(UPCASTERS, upcasters) } : {}),
});

/** The upcastersHash of each view's backfill resource, by view. */
function fingerprints(upcasters?: string): Record<string, unknown> {
  const backfills = Object.values(resourcesOf(synth(props(upcasters)).template)).filter((r) => r.Type === 'Custom::ViewBackfill');
  return Object.fromEntries(backfills.map((r) => [r.Properties.view, r.Properties.upcastersHash]));
}

test('every view table\'s backfill resource carries the fingerprint; it changes with the module and only then', () => {
  const rounded = fingerprints('orders-rounded.ts');
  expect(rounded.orders).toMatch(/^[0-9a-f]{64}$/);
  expect(rounded).toEqual({ orders: rounded.orders, totals: rounded.orders });
  expect(fingerprints('orders-rounded.ts')).toEqual(rounded);
  const truncated = fingerprints('orders-truncated.ts');
  expect(truncated.orders).toMatch(/^[0-9a-f]{64}$/);
  expect(truncated.orders).not.toBe(rounded.orders);
});

test('an API without an upcasters module has no fingerprint', () => {
  expect(fingerprints()).toEqual({ orders: undefined, totals: undefined });
});

/**
 * The "summary" projection tested as an app tests it, with the kit (in an app:
 * 'cdk-event-sourced-api/testing'). No DynamoDB, no local runtime: the kit runs the module
 * through the aggregator's own apply code, in this process.
 */
import * as path from 'node:path';
import { projectionSpec, runSpecFile } from '../../../src/testing';

const summary = projectionSpec(path.join(__dirname, '..', 'projections', 'summary.ts'));
const registered = { type: 'CustomerRegistered', data: { name: 'Ada' } };
const order = (amountCents: unknown) => ({ type: 'OrderPlaced', data: { amountCents } });

test('an order counts, and its amount adds up', async () => {
  // Timestamps are filled in from 2026-01-01T00:00:00Z, a second per event: the order is the second.
  await summary.given(registered).when(order(1999))
    .then({ orders: 1, totalCents: 1999, lastOrderAt: '2026-01-01T00:00:01.000Z', version: 2 });
});

test('a negative amount fails, as the Lambda would (it retries, then parks the event)', async () => {
  await summary.given(registered).when(order(-5)).thenFails(/whole, non-negative amountCents, got -5/);
});

test('a forgotten customer has no summary', async () => {
  await summary.given(registered, order(1999)).when({ type: 'CustomerForgotten' }).thenDeleted();
});

test('an event it has no handler for leaves the record as it was', async () => {
  await summary.given(registered).when({ type: 'CustomerRenamed', data: { name: 'Ada Lovelace' } }).thenUnchanged();
});

test('a summary built before goes on from its version', async () => {
  await summary.givenRecord({ orders: 4, totalCents: 8000 }, { streamId: 'c-1', version: 7 })
    .when({ ...order(1000), streamId: 'c-1' })
    .then({ id: 'c-1', version: 8, orders: 5, totalCents: 9000, lastOrderAt: '2026-01-01T00:00:00.000Z' });
});

test('each customer has a summary of their own', async () => {
  await summary
    .given({ ...registered, streamId: 'c-1' }, { ...registered, streamId: 'c-2' })
    .when({ ...order(300), streamId: 'c-1' }, { type: 'CustomerForgotten', streamId: 'c-2' })
    .thenRecords({ 'c-1': { orders: 1, totalCents: 300, lastOrderAt: '2026-01-01T00:00:02.000Z' }, 'c-2': null });
});

test('run() answers the records and the failure, for assertions of your own', async () => {
  const outcome = await summary.given(registered, order(100)).when(order(1.5), order(200)).run();
  // The failing event stops its stream, as in Lambda: the order after it is not applied.
  expect(outcome.failure).toMatchObject({ streamId: 'stream-1', version: 3, type: 'OrderPlaced' });
  expect(outcome.records['stream-1']).toMatchObject({ version: 2, orders: 1, totalCents: 100 });
});

test('a wrong expectation fails with the diff and the event that produced the record', async () => {
  const wrong = summary.given(registered).when(order(1999)).then({ orders: 2, totalCents: 1999, lastOrderAt: '2026-01-01T00:00:01.000Z' });
  await expect(wrong).rejects.toThrow('after event 2 of stream "stream-1", OrderPlaced {"amountCents":1999}');
  await expect(wrong).rejects.toThrow(/^- {3}"orders": 2,\n\+ {3}"orders": 1,$/m);
});

test('the spec file beside the projection passes, case by case', async () => {
  const result = await runSpecFile(path.join(__dirname, '..', 'projections', 'summary.spec.yaml'));
  expect(result.cases.filter((c) => !c.passed)).toEqual([]);
  expect(result.cases.map((c) => c.name)).toContain('each customer has a summary of their own');
  expect(result.passed).toBe(true);
});

/**
 * The projection authoring types, as a user's TypeScript sees them: a typed projection compiles
 * under `tsc --strict` with no event shape of its own, and a handler returning the wrong record
 * shape does not. `cdk-event-sourced-api/projection` is mapped to the source of the entry point
 * here (test/bindings checks the built package's projection.d.ts).
 */
import * as path from 'node:path';
import { removeTempDirs } from '../../support/local-app';
import { compileProjection, TYPED_PROJECTION } from '../../support/typed-projection';

const ROOT = path.join(__dirname, '..', '..', '..');
afterAll(() => removeTempDirs());

test('a typed projection compiles under tsc --strict, with handler parameters inferred from ProjectionHandlers<TRecord>', () => {
  const { status, output } = compileProjection(TYPED_PROJECTION, path.join(ROOT, 'src', 'authoring', 'projection.ts'));
  expect(output).toBe('');
  expect(status).toBe(0);
});

test('a handler that returns another shape, or reads a field events do not have, is a compile error', () => {
  const wrong = TYPED_PROJECTION
    .replace('orders: (view?.orders ?? 0) + 1,', "orders: 'many',")
    .replace('lastOrderAt: event.timestamp,', 'lastOrderAt: event.when,');
  const { status, output } = compileProjection(wrong, path.join(ROOT, 'src', 'authoring', 'projection.ts'));
  expect(status).not.toBe(0);
  expect(output).toMatch(/Type 'string' is not assignable to type 'number'/);
  expect(output).toMatch(/Property 'when' does not exist on type 'ProjectionEvent'/);
});

const TYPED_UPCASTERS = `
import type { Upcasters } from 'cdk-event-sourced-api/projection';

export const upcasters: Upcasters = {
  OrderPlaced: {
    1: (event) => ({ data: { amountCents: Math.round(Number(event.data.amount) * 100), currency: 'EUR', from: event.schemaVersion } }),
  },
  CustomerJoined: { 1: (event) => ({ type: 'CustomerRegistered', data: event.data }) },
};
`;

test('an upcasters module is typed by the same entry point: each upcaster returns { type?, data }', () => {
  const entry = path.join(ROOT, 'src', 'authoring', 'projection.ts');
  expect(compileProjection(TYPED_UPCASTERS, entry)).toEqual({ status: 0, output: '' });
  const wrong = compileProjection(TYPED_UPCASTERS.replace("({ type: 'CustomerRegistered', data: event.data })", "({ kind: 'CustomerRegistered' })"), entry);
  expect(wrong.status).not.toBe(0);
  expect(wrong.output).toMatch(/Property 'data' is missing in type '{ kind: string; }' but required in type 'UpcastResult'/);
});

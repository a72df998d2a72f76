/**
 * `ProjectionSpecs.verify` (src/projection-specs.ts), the jsii entry Python and Java tests call: it
 * runs a spec file in a child Node process with the bundled kit (assets/projection-spec, made by
 * `npx projen bundle:lambdas`) and answers a result to assert on, never throwing for a failing
 * case, a bad spec file or a child that does not finish.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectionSpecs } from '../../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-projection-specs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const projection = path.join(dir, 'orders.ts');
fs.writeFileSync(projection, `
interface Orders { orders: number; cents: number }
export const handlers = {
  OrderPlaced: (view: Orders | undefined, event: { data: { amountCents: number } }): Orders => {
    if (event.data.amountCents < 0) throw new Error('amountCents must not be negative');
    if (event.data.amountCents === 999) for (;;) { /* hangs */ }
    return { orders: (view?.orders ?? 0) + 1, cents: (view?.cents ?? 0) + event.data.amountCents };
  },
  OrderCancelled: () => undefined,
};
`);

function spec(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const CASES = `
cases:
  - name: counts orders
    given: [{ type: OrderPlaced, data: { amountCents: 100 } }]
    when: [{ type: OrderPlaced, data: { amountCents: 50 } }]
    then: { orders: 2, cents: 150, orderId: stream-1 }
  - name: refuses a negative amount
    when: [{ type: OrderPlaced, data: { amountCents: -1 } }]
    thenFails: must not be negative
`;

test('a passing spec file: every case passed, no failures, a summary line per case', () => {
  const file = spec('passing.spec.yaml', CASES);
  const result = ProjectionSpecs.verify(projection, file, { streamIdField: 'orderId' });
  expect(result.failures).toEqual([]);
  expect(result).toMatchObject({
    specFile: file,
    passed: true,
    cases: [{ name: 'counts orders', passed: true }, { name: 'refuses a negative amount', passed: true }],
  });
  expect(result.summary).toBe(`PASS ${file} > counts orders\nPASS ${file} > refuses a negative amount\n2 passed, 0 failed`);
});

test('a failing case is a failure with its name and diff; the options take precedence over the file\'s', () => {
  const file = spec('failing.spec.yaml', `streamIdField: orderId\n${CASES}`);
  const result = ProjectionSpecs.verify(projection, file, { streamIdField: 'customerId' });
  expect(result.passed).toBe(false);
  expect(result.failures.map((f) => f.name)).toEqual(['counts orders']);
  expect(result.failures[0].message).toMatch(/^The record of stream "stream-1" is not the one expected \(after event 2 of stream "stream-1", OrderPlaced \{"amountCents":50\}\)\n- expected\n\+ actual\n/);
  expect(result.failures[0].message).toContain('-   "orderId": "stream-1"');
  expect(result.summary).toContain(`FAIL ${file} > counts orders\n    The record of stream "stream-1" is not the one expected`);
  expect(result.summary.endsWith(`PASS ${file} > refuses a negative amount\n1 passed, 1 failed`)).toBe(true);
  expect(result.cases[0].durationMs).toBeGreaterThanOrEqual(0);
});

test('a spec file that cannot run is one failed case named (spec file)', () => {
  const file = spec('broken.spec.yaml', 'cases:\n  - name: x\n   when: [\n');
  const result = ProjectionSpecs.verify(projection, file);
  expect(result.passed).toBe(false);
  expect(result.failures).toEqual([{ name: '(spec file)', passed: false, message: expect.stringContaining(`${file}: is not valid YAML`), durationMs: expect.any(Number) }]);
  const missing = ProjectionSpecs.verify(path.join(dir, 'missing.ts'), spec('missing.spec.json', JSON.stringify({ cases: [{ name: 'x', when: [{ type: 'A' }], thenFails: true }] })));
  expect(missing.failures[0].message).toMatch(/The projection module .*missing\.ts does not exist/);
});

test('a spec that does not finish in time is a failed result, not a hang', () => {
  const file = spec('hangs.spec.yaml', 'cases:\n  - name: hangs\n    when: [{ type: OrderPlaced, data: { amountCents: 999 } }]\n    thenDeleted: true\n');
  const result = ProjectionSpecs.verify(projection, file, { timeoutSeconds: 3 });
  expect(result.passed).toBe(false);
  expect(result.failures).toEqual([{ name: '(spec file)', passed: false, durationMs: 0, message: expect.stringMatching(/^The spec did not finish \(spawnSync .* ETIMEDOUT\)/) }]);
}, 20_000);

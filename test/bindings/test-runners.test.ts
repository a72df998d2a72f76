/**
 * `cdk-event-sourced-api/testing` as users import it: the packed library tarball (dist/js)
 * installed in an empty folder, a TypeScript projection beside the tests, and each test runner
 * the guide names run on it. vitest (from this repository's devDependencies, linked in) with the
 * extensionless subpath, as a bundling runner resolves it; node's test runner from a native ES
 * module, where a CommonJS package's subpath needs its `.js`. Jest runs the kit in
 * examples/typescript/test. Each runs one passing and one deliberately failing expectation, whose
 * diff must reach the runner's output.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, run, userEnv } from './python-venv';

const PROJECTION = `import type { ProjectionHandlers } from 'cdk-event-sourced-api/projection';

interface Summary { orders: number; totalCents: number }

export const handlers: ProjectionHandlers<Summary> = {
  OrderPlaced: (view, event) => ({ orders: (view?.orders ?? 0) + 1, totalCents: (view?.totalCents ?? 0) + Number(event.data.amountCents) }),
};
`;

function specTests(importLine: string): string {
  return `${importLine}
const spec = projectionSpec('summary.ts');

test('an order counts', async () => {
  await spec.when({ type: 'OrderPlaced', data: { amountCents: 1999 } }).then({ orders: 1, totalCents: 1999 });
});

test('a wrong expectation fails with a diff', async () => {
  await spec.when({ type: 'OrderPlaced', data: { amountCents: 5 } }).then({ orders: 2, totalCents: 5 });
});
`;
}

let app: string;

beforeAll(() => {
  const dir = path.join(ROOT, 'dist', 'js');
  const tarball = fs.readdirSync(dir).find((f) => /^cdk-event-sourced-api@.*\.jsii\.tgz$/.test(f));
  if (!tarball) throw new Error('No library tarball in dist/js: run `npx projen compile && npx projen package:js` first');
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'test-runners-'));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'runners-app', private: true }));
  // The kit needs none of the library's peers (aws-cdk-lib, constructs): skipped, so nothing comes from the registry.
  run('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', path.join(dir, tarball)], { cwd: app, env: userEnv() });
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'vitest'), path.join(app, 'node_modules', 'vitest'));
  fs.writeFileSync(path.join(app, 'summary.ts'), PROJECTION);
}, 120_000);

afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

function runner(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, args, { cwd: app, env: { ...userEnv(), CI: 'true', NO_COLOR: '1' }, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function expectOnePassOneDiff({ status, output }: { status: number | null; output: string }): void {
  expect(status).toBe(1);
  expect(output).toMatch(/The record of stream "stream-1" is not the one expected \(after event 1 of stream "stream-1", OrderPlaced \{"amountCents":5\}\)/);
  expect(output).toMatch(/-\s+"orders": 2,/);
  expect(output).toMatch(/\+\s+"orders": 1,/);
}

test('vitest', () => {
  fs.writeFileSync(path.join(app, 'summary.test.ts'), specTests(
    "import { test } from 'vitest';\nimport { projectionSpec } from 'cdk-event-sourced-api/testing';",
  ));
  const result = runner([path.join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'summary.test.ts']);
  expectOnePassOneDiff(result);
  expect(result.output).toMatch(/Tests\s+1 failed \| 1 passed \(2\)/);
}, 120_000);

test("node's test runner, from an ES module", () => {
  fs.writeFileSync(path.join(app, 'summary.test.mjs'), specTests(
    "import { test } from 'node:test';\nimport { projectionSpec } from 'cdk-event-sourced-api/testing.js';",
  ));
  const result = runner(['--test', '--test-reporter=spec', 'summary.test.mjs']);
  expectOnePassOneDiff(result);
  expect(result.output).toMatch(/pass 1/);
  expect(result.output).toMatch(/fail 1/);
}, 120_000);

/**
 * What the local log tells a developer without --function-logs: why a projection failed (its own
 * error, where it was thrown), and how a maintenance job went, from its start to its end, in the
 * words that tell a backfill from a rebuild.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiAuthorization } from '../../../src';
import { HttpClient, removeTempDirs, startLocalApp, tempDir, type StartedApp } from '../../../test/support/local-app';

afterAll(() => removeTempDirs());

/** Waits until a logged line matches. */
async function lineMatching(app: StartedApp, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = app.logs.find((l) => pattern.test(l));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No line matches ${pattern}; the log:\n${app.logs.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a projection that throws', () => {
  let app: StartedApp;
  let entry: string;
  beforeAll(async () => {
    const dir = tempDir('es-local-fines-');
    entry = path.join(dir, 'fines.ts');
    fs.writeFileSync(entry, [
      'export const handlers = {',
      '  FineCharged: (view: { total: number } | undefined, event: { data: { amount: number } }) => {',
      '    if (event.data.amount < 0) throw new Error(`bad fine amount: ${event.data.amount}`);',
      '    return { total: (view?.total ?? 0) + event.data.amount };',
      '  },',
      '};',
      '',
    ].join('\n'));
    app = await startLocalApp({
      props: { projections: [{ name: 'fines', entry, maxReceiveCount: 2 }], api: { authorization: ApiAuthorization.none() } },
      runtime: { visibilityTimeoutMs: 50 },
    });
  });
  afterAll(() => app?.runtime.stop());

  test('its error is on every failed line and under the parked one, without --function-logs', async () => {
    const client = new HttpClient(app.runtime.url);
    expect((await client.post({ type: 'FineCharged', id: 'book-3', amount: -5 })).status).toBe(201);
    const failed = await lineMatching(app, /book-3 v1 → fines failed \(receive 1 of 2\)/);
    expect(failed).toContain(': Error: bad fine amount: -5');
    // Where it was thrown, in the projection's own source (its bundle's source map), not the minified bundle.
    expect(failed).toMatch(/\(at .*fines\.ts:3:\d+\)$/);
    expect(failed).not.toMatch(/index\.js/);
    const parked = await lineMatching(app, /book-3 v1 → fines parked/);
    const after = app.logs.slice(app.logs.indexOf(parked) + 1);
    expect(after[0]).toBe('[local]   Error: bad fine amount: -5');
    expect(after[1]).toMatch(/^\[local\] {5}at .*fines\.ts:3:\d+/);
    // No line of the aggregator's own JSON: those need --function-logs.
    expect(app.logs.some((l) => l.includes('"level":"error"'))).toBe(false);
  });
});

describe('maintenance jobs say what they are and when they are done', () => {
  test('a view deployed at version 3 on a new store is a backfill, and its end is logged with what it did', async () => {
    const dir = tempDir('es-local-loans-');
    const entry = path.join(dir, 'loans.js');
    fs.writeFileSync(entry, 'exports.handlers = { Lent: (v) => ({ n: ((v && v.n) || 0) + 1 }) };\n');
    const app = await startLocalApp({ props: { projections: [{ name: 'loans', entry, version: 3 }], api: { authorization: ApiAuthorization.none() } } });
    try {
      expect(await lineMatching(app, /loans: .* started \(table/)).toMatch(/loans: backfill \(new view, version 3\) started/);
      const done = await lineMatching(app, /maintenance: loans .* done in /);
      expect(done).toMatch(/^\[local\] maintenance: loans backfill \(new view, version 3\) done in \d+(\.\d)? m?s: 0 stream\(s\) sent, 0 checked, reads use this table$/);
      expect(app.logs.some((l) => /rebuild/.test(l))).toBe(false);
    } finally {
      await app.runtime.stop();
    }
  });
});

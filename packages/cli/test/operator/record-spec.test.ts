/**
 * `cdk-event-sourced-api spec` on a real local runtime: events appended over HTTP, the spec file
 * written from the events table and the view, then run by the test kit against the same
 * projection module: the round trip passes, and the file fails once its `then:` says otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { runSpecFile } from '../../../../lambda-src/testing/spec-run';
import { append, removeTempDirs, startLocalApp, StartedApp, tempDir, writeProjection } from '../../../../test/support/local-app';
import { parseSpecArgs, runSpecCommand, specFileText, type Recording, type SpecArgs } from '../../src/operator/record-spec';

afterAll(() => removeTempDirs());

/**
 * Orders: a record with a field named `id`, which the API may hold since its stream id field is
 * `orderId` (a spec run with the default field would refuse it), a total, and deletion on Closed.
 */
const ORDERS = `
exports.handlers = {
  Opened: (view, event) => ({ id: event.data.ref, lines: 0, totalCents: 0, openedAt: event.timestamp }),
  LineAdded: (view, event) => ({ ...view, lines: view.lines + 1, totalCents: view.totalCents + event.data.cents, lastEventId: event.eventId }),
  Closed: () => undefined,
};
`;

describe('arguments', () => {
  test.each([
    [['--view', 'orders', '--local', 'http://x'], /spec needs --stream <id>/],
    [['--stream', 's-1', '--local', 'http://x'], /spec needs --view <name>/],
    [['--stream', 's-1', '--view', 'orders'], /spec needs --stack <name> or --local <url> \(one of them\)/],
    [['--stream', 's-1', '--view', 'orders', '--local', 'http://x', '--profile', 'ops'], /--region and --profile go with --stack/],
    [['--stream', 's-1', '--view', 'orders', '--local', 'http://x', '--since', 'now'], /Unknown option "--since" for spec/],
    [['--stream', '--view', 'orders'], /--stream needs a value/],
  ])('%j is refused: %s', (argv, error) => {
    expect(() => parseSpecArgs(argv)).toThrow(error);
  });

  test('a full command line, and help', () => {
    expect(parseSpecArgs(['--stream', 'o-1', '--view', 'orders', '--stack', 'Shop', '--region', 'eu-west-1', '--api', 'Api', '--out', 'x.spec.yaml', '--name', 'bug 12']))
      .toEqual({ stream: 'o-1', view: 'orders', stack: 'Shop', region: 'eu-west-1', api: 'Api', out: 'x.spec.yaml', name: 'bug 12' });
    expect(parseSpecArgs(['--stream', 'o-1', '--help'])).toBe('help');
  });
});

test('events of an older schema version keep it, and the file says the API\'s eventVersions are needed', () => {
  const recording: Recording = {
    view: { name: 'orders', version: 2, table: 't', queueUrl: 'q', deadLetterQueueUrl: 'd' },
    streamIdField: 'id',
    events: [
      { streamId: 'o/1', version: 1, eventId: 'e1', type: 'Opened', schemaVersion: 2, data: { ref: 'A' }, timestamp: '2026-03-01T10:00:00.000Z' },
      { streamId: 'o/1', version: 2, eventId: 'e2', type: 'LineAdded', schemaVersion: 1, data: { cents: 5 }, timestamp: '2026-03-01T10:00:01.000Z' },
    ],
    record: { id: 'o/1', version: 2, lines: 1 },
    head: 4,
    rebuilding: false,
  };
  const text = specFileText(recording, { streamId: 'o/1', where: 'the local runtime at http://x', now: new Date('2026-03-02T00:00:00Z') });
  expect(text).toMatch(/^# .*older schema version: add the API's eventVersions/m);
  expect(text).toMatch(/^# The view has applied 2 of the stream's 4 events: versions 3 to 4 are left out/m);
  expect(text).toMatch(/^# projection: \.\/path\/to\/orders\.ts {3}<- fill in/m);
  const spec = parse(text);
  expect(spec.projection).toBeUndefined();
  expect(spec.streamIdField).toBeUndefined();
  expect(spec.cases[0].when).toEqual([
    { type: 'Opened', data: { ref: 'A' }, schemaVersion: 2, eventId: 'e1', timestamp: '2026-03-01T10:00:00.000Z' },
    { type: 'LineAdded', data: { cents: 5 }, eventId: 'e2', timestamp: '2026-03-01T10:00:01.000Z' },
  ]);
});

describe('on a local runtime', () => {
  const dir = tempDir('es-record-spec-');
  const entry = writeProjection(dir, 'orders', ORDERS);
  let app: StartedApp;

  beforeAll(async () => {
    app = await startLocalApp({ props: { streamIdField: 'orderId', projections: [{ name: 'orders', entry }] } });
  }, 90_000);
  afterAll(async () => {
    await app?.runtime.stop();
  });

  const spec = (...options: string[]) => runSpecCommand(parseSpecArgs(['--local', app.runtime.operatorUrl, ...options]) as SpecArgs, dir);

  test('a stream and its record become a spec file that passes against the projection, and fails once `then:` says otherwise', async () => {
    const appended = [
      await append(app.client, { type: 'Opened', orderId: 'o-1', ref: 'R-7' }),
      await append(app.client, { type: 'LineAdded', orderId: 'o-1', cents: 1999 }),
      await append(app.client, { type: 'Ignored', orderId: 'o-1', note: 'no handler: still advances the version' }),
      await append(app.client, { type: 'LineAdded', orderId: 'o-1', cents: 1 }),
    ] as unknown as Array<{ eventId: string; timestamp: string }>;
    await app.runtime.waitUntilIdle();
    const record = (await app.client.get('/orders/o-1')).json;
    expect(record).toMatchObject({ orderId: 'o-1', version: 4, id: 'R-7', totalCents: 2000 });

    const printed = await spec('--stream', 'o-1', '--view', 'orders', '--projection', entry, '--out', 'specs/bug.spec.yaml', '--name', 'total of o-1');
    expect(printed).toBe('Wrote specs/bug.spec.yaml: 4 event(s) of stream o-1 and its record in view orders (version 4). Run it with: cdk-event-sourced-api test specs/bug.spec.yaml');
    const file = path.join(dir, 'specs', 'bug.spec.yaml');
    const written = parse(fs.readFileSync(file, 'utf8'));
    expect(written).toMatchObject({ projection: '../orders.js', streamIdField: 'orderId', streamId: 'o-1' });
    expect(written.cases).toHaveLength(1);
    expect(written.cases[0].name).toBe('total of o-1');
    expect(written.cases[0].when).toEqual([
      { type: 'Opened', data: { ref: 'R-7' } },
      { type: 'LineAdded', data: { cents: 1999 } },
      { type: 'Ignored', data: { note: 'no handler: still advances the version' } },
      { type: 'LineAdded', data: { cents: 1 } },
    ].map((e, i) => ({ ...e, eventId: appended[i].eventId, timestamp: appended[i].timestamp })));
    expect(written.cases[0].then).toEqual(record);

    expect(await runSpecFile(file)).toMatchObject({ passed: true, cases: [{ name: 'total of o-1', passed: true }] });
    // The API's stream id field is in the file because it matters: with the default one, `id` is the stream's.
    expect((await runSpecFile(file, { streamIdField: 'id' })).passed).toBe(false);
    // The bug report: what the record should be. The same file now fails, with the difference.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('totalCents: 2000', 'totalCents: 2001'));
    const failed = await runSpecFile(file);
    expect(failed.passed).toBe(false);
    expect(failed.cases[0].message).toMatch(/-\s+"totalCents": 2001,\n\+\s+"totalCents": 2000/);
  }, 60_000);

  test('a deleted record is thenDeleted; without --projection the file says to fill it in', async () => {
    await append(app.client, { type: 'Opened', orderId: 'o 2', ref: 'R-8' });
    await append(app.client, { type: 'Closed', orderId: 'o 2' });
    await app.runtime.waitUntilIdle();
    expect(await spec('--stream', 'o 2', '--view', 'orders')).toBe(
      'Wrote orders.o_2.spec.yaml: 2 event(s) of stream o 2 and its deleted record in view orders. Fill in its projection: line, then run it with: cdk-event-sourced-api test orders.o_2.spec.yaml');
    const file = path.join(dir, 'orders.o_2.spec.yaml');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# projection: \.\/path\/to\/orders\.ts/m);
    expect(parse(text).cases[0]).toMatchObject({ thenDeleted: true, when: [{ type: 'Opened' }, { type: 'Closed' }] });
    expect(await runSpecFile(file, { projection: entry })).toMatchObject({ passed: true });
    expect((await runSpecFile(file)).cases[0].message).toMatch(/names no projection/);
    // Recording again would lose edits to the file.
    await expect(spec('--stream', 'o 2', '--view', 'orders')).rejects.toThrow(`${file} exists already: name another file with --out, or remove it`);
  }, 60_000);

  test('a stream with no events, a view that does not exist, a projection path that does not: clear errors, no file', async () => {
    await expect(spec('--stream', 'nobody', '--view', 'orders')).rejects.toThrow(/^No events in stream "nobody" of LocalTest\/Api in the local runtime at /);
    await expect(spec('--stream', 'o-1', '--view', 'totals')).rejects.toThrow('No view "totals" in LocalTest/Api (there are: orders)');
    await expect(spec('--stream', 'o-1', '--view', 'orders', '--projection', 'missing.js')).rejects.toThrow(/^--projection missing\.js: no such file/);
    expect(fs.existsSync(path.join(dir, 'orders.nobody.spec.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'totals.o-1.spec.yaml'))).toBe(false);
  }, 60_000);
});

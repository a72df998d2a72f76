/**
 * The local runtime end to end with views in nested stacks: "default" in the API's own stack,
 * "first" and "second" in the nested stack "one", "third" in "two". The runtime reads the nested
 * templates from the cloud assembly; events POSTed reach every view, and GET reads each back (the
 * reader finds the views through the registry their Custom::ViewBackfill resources wrote).
 */
import { append, removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';

const VIEWS = ['default', 'first', 'second', 'third'];
const STREAMS = ['nested-1', 'nested-2'];

let app: StartedApp;

beforeAll(async () => {
  const entry = writeProjection(tempDir('es-local-nested-'), 'log', VERSION_LOG_PROJECTION);
  app = await startLocalApp({
    props: {
      projections: [
        { name: 'default', entry },
        { name: 'first', entry, nestedStack: 'one' },
        { name: 'second', entry, nestedStack: 'one' },
        { name: 'third', entry, nestedStack: 'two' },
      ],
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.runtime.stop();
  removeTempDirs();
});

test('the views live in the API\'s stack and in two nested stacks, as the template says', () => {
  const nestedStacks = Object.entries<any>(app.template.Resources).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack').map(([id]) => id);
  expect(nestedStacks).toHaveLength(2);
  const views = app.runtime.apis[0].definition.views;
  expect(views.map((v) => v.name)).toEqual(VIEWS);
  // A nested stack's resources have its logical id and a dash as their prefix.
  const stackOf = (logicalId: string) => nestedStacks.find((id) => logicalId.startsWith(`${id}-`)) ?? 'the API\'s stack';
  const homes = views.map((v) => [v.table, v.queue, v.deadLetterQueue, v.aggregator].map((r) => stackOf(r.logicalId)));
  for (const home of homes) expect(new Set(home).size).toBe(1); // a view's resources live together
  const [[parent], [first], [second], [third]] = homes;
  expect(parent).toBe('the API\'s stack');
  expect(first).toMatch(/^ApiViewsone/);
  expect(second).toBe(first);
  expect(third).toMatch(/^ApiViewstwo/);
});

test('every event reaches every view, nested or not, and GET reads each record and list back', async () => {
  for (const id of STREAMS) {
    await append(app.client, { type: 'Created', id, n: 1 });
    await append(app.client, { type: 'Updated', id, n: 2 });
    await append(app.client, { type: 'Updated', id, n: 3 });
  }
  await app.runtime.waitUntilIdle(60_000);

  for (const view of VIEWS) {
    for (const id of STREAMS) {
      const record = await app.client.get(`/${view}/${id}?minVersion=3`);
      expect({ view, status: record.status }).toEqual({ view, status: 200 });
      expect(record.json).toEqual({ id, version: 3, versions: [1, 2, 3], types: { Created: 1, Updated: 2 }, last: { n: 3 } });
    }
    const list = await app.client.get(`/${view}`);
    expect(list.status).toBe(200);
    expect(list.json.map((r: { id: string }) => r.id).sort()).toEqual(STREAMS);
  }
  expect((await app.client.get(`/${STREAMS[0]}`)).json).toMatchObject({ id: STREAMS[0], version: 3 }); // the default view
  const unknown = await app.client.get(`/fourth/${STREAMS[0]}`);
  expect(unknown.status).toBe(404);
  // No view failed an event or parked one on the way, and the publisher gave nothing up.
  expect(app.logs.filter((line) => / → \S+ (failed|parked)|gave up/.test(line))).toEqual([]);
}, 90_000);

/**
 * Field fidelity end to end, on the local runtime: generated event data with odd but storable keys
 * and values (keys named after Object.prototype members, unicode, edge numbers, nesting) goes
 * POST -> events table -> stream -> publisher -> SNS -> SQS -> aggregator -> view table -> GET.
 * A projection that copies `event.data` into its record must read back exactly what was sent,
 * and so must the 201 answer; the projection also checks that every key of `event.data` arrived
 * as an own property.
 *
 * fast-check prints the seed of a failing run; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import * as fc from 'fast-check';
import { runs, storableData } from '../../../test/support/arbitraries';
import { removeTempDirs, startLocalApp, StartedApp, tempDir, writeProjection } from '../../../test/support/local-app';

/** The record is the event's data. */
const COPY_PROJECTION = `
exports.handlers = { Copied: (_view, event) => ({ ...event.data }) };
`;

/** The own keys the projection saw in event.data. */
const KEYS_PROJECTION = `
exports.handlers = {
  Keys: (_view, event) => ({ keys: Object.keys(event.data), own: Object.keys(event.data).every((k) => Object.prototype.hasOwnProperty.call(event.data, k)) }),
};
`;

const RUNS = 8;
const EVENTS_PER_RUN = 20;

let app: StartedApp;
let run = 0;

beforeAll(async () => {
  const dir = tempDir();
  app = await startLocalApp({
    props: {
      projections: [
        { name: 'copy', entry: writeProjection(dir, 'copy', COPY_PROJECTION) },
        { name: 'keys', entry: writeProjection(dir, 'keys', KEYS_PROJECTION) },
      ],
      fifo: false,
    },
  });
});

afterAll(async () => {
  await app?.runtime.stop();
  removeTempDirs();
});

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

test(`property: ${RUNS * EVENTS_PER_RUN} generated events read back from a view exactly as they were posted`, async () => {
  await fc.assert(fc.asyncProperty(fc.array(storableData, { minLength: EVENTS_PER_RUN, maxLength: EVENTS_PER_RUN }), async (batch) => {
    run++;
    const streams = batch.map((_, i) => `run-${run}-${i}`);
    for (const [i, data] of batch.entries()) {
      for (const type of ['Copied', 'Keys']) {
        const response = await app.client.post({ ...data, type, id: streams[i] });
        expect(response.status).toBe(201);
        expect(response.json.data).toEqual(asJson(data));
      }
    }
    await app.runtime.waitUntilIdle(60_000);
    for (const [i, data] of batch.entries()) {
      const copied = await app.client.get(`/copy/${encodeURIComponent(streams[i])}`);
      expect(copied.status).toBe(200);
      // Version 2: the Keys event, which this projection skips, still advances it.
      expect(copied.json).toEqual({ ...(asJson(data) as object), id: streams[i], version: 2 });

      const keys = await app.client.get(`/keys/${encodeURIComponent(streams[i])}`);
      expect(keys.json).toMatchObject({ own: true, version: 2 });
      expect([...keys.json.keys].sort()).toEqual(Object.keys(data).sort());
    }
  }), runs(RUNS, { shrink: false }));
  expect(app.runtime.deadLetters('copy')).toEqual([]);
  expect(app.runtime.publisherFailures()).toEqual([]);
}, 600_000);

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi, EventSourcedApiProps } from '../../src';
import { COUNTER, EXAMPLE_PROJECTIONS, FIXTURES } from '../support/synth';
import { synthApp } from '../support/templates';

// Code made at synth (bundled projections, the writer with its schemas) is written into the cloud
// assembly only: a synth leaves nothing in the system's temporary folder, whether it succeeds or
// fails. Here the temporary folder is one of the test's own: others on the machine use the shared
// one. (Setting TMPDIR would not reach node:os from inside jest's sandbox, so node:os's tmpdir is
// spied; the library's `import * as os` reads it through.)
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-generated-code-test-'));
const privateTmp = path.join(outside, 'tmp');
beforeAll(() => {
  fs.mkdirSync(privateTmp);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jest.spyOn(require('node:os') as typeof os, 'tmpdir').mockReturnValue(privateTmp);
  expect(os.tmpdir()).toBe(privateTmp);
});
afterAll(() => {
  jest.restoreAllMocks();
  fs.rmSync(outside, { recursive: true, force: true });
});

let apps = 0;
/** Synthesizes into an assembly outside the private temporary folder. */
function synthesize(props: EventSourcedApiProps): string {
  const app = new App({ outdir: path.join(outside, `assembly-${++apps}`) });
  new EventSourcedApi(new Stack(app, 'S'), 'Api', props);
  return synthApp(app).directory;
}

describe('synth leaves no temporary folder behind', () => {
  test('on success: two views and a writer with schemas, their code in the assembly', () => {
    const assembly = synthesize({
      projections: [{ name: 'default', entry: path.join(EXAMPLE_PROJECTIONS, 'default.ts') }, { name: 'counter', entry: COUNTER }],
      eventSchemas: { Incremented: { type: 'object' } },
    });
    expect(fs.readdirSync(privateTmp)).toEqual([]);
    const assets = fs.readdirSync(assembly).filter((f) => f.startsWith('asset.'));
    const files = assets.flatMap((a) => fs.readdirSync(path.join(assembly, a)));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.js.map', 'event-schemas.js', 'event-schemas.json']));
  });

  test.each([
    ['a projection that does not bundle', 'broken-syntax.ts', /could not bundle entry/],
    ['a projection with the wrong exports', 'exports/handler-typo.ts', /did you mean `handlers`/],
  ])('on failure: %s', (_what, file, message) => {
    expect(() => synthesize({ projections: [{ name: 'broken', entry: path.join(FIXTURES, file) }] })).toThrow(message);
    expect(fs.readdirSync(privateTmp)).toEqual([]);
  });
});

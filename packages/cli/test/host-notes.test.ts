import * as fs from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi } from '../../../src';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { twoViews } from '../../../test/support/synth';
import { synthApp } from '../../../test/support/templates';
import { readCloudAssembly } from '../src';
import { sdkNodePath } from '../src/function-host';
import { hostNotes } from '../src/host-notes';

afterAll(() => removeTempDirs());

const app = new App({ outdir: tempDir('es-local-cdk-out-') });
new EventSourcedApi(new Stack(app, 'Notes'), 'Api', { projections: twoViews() });
const definitions = readCloudAssembly(synthApp(app).directory, { tablePrefix: '' });
const nodePath = sdkNodePath();
const sdkVersion = (JSON.parse(fs.readFileSync(require.resolve('@aws-sdk/client-dynamodb/package.json'), 'utf8')) as { version: string }).version;

test('on another Node major with no Node 24 found, outside UTC, it warns about both and says how to install Node 24; it always names the SDK', () => {
  const notes = hostNotes(definitions, { nodeVersion: '20.20.2', functionNodes: { 'nodejs24.x': undefined }, timezoneOffsetMinutes: -60, sdkNodePath: nodePath });
  expect(notes).toEqual([
    'warning: the functions run on Node 20.20.2 here; on Lambda they run on nodejs24.x (Node 24). ' +
      'To run them on Node 24, install it beside the app: npm install --save-dev node@24',
    expect.stringMatching(/^warning: this process's clock is not UTC \(offset 60 min\)/),
    `the functions load the AWS SDK for JavaScript v3 ${sdkVersion} from ${nodePath}; on Lambda, nodejs24.x provides its own v3 release (it varies by runtime and region).`,
  ]);
});

test('on the same Node major in UTC, it says the functions run in worker threads of this process', () => {
  const notes = hostNotes(definitions, { nodeVersion: '24.1.0', functionNodes: { 'nodejs24.x': { version: '24.1.0' } }, timezoneOffsetMinutes: 0, sdkNodePath: nodePath });
  expect(notes).toEqual([
    'the nodejs24.x functions run on Node 24.1.0, this process\'s, each in a worker thread.',
    expect.stringMatching(/^the functions load the AWS SDK/),
  ]);
});

test('in threads, a clock outside UTC is a warning; in child processes, which keep TZ=:UTC, it is not', () => {
  const inThreads = hostNotes(definitions, { nodeVersion: '24.1.0', functionNodes: { 'nodejs24.x': { version: '24.1.0' } }, timezoneOffsetMinutes: 120, sdkNodePath: nodePath });
  expect(inThreads).toContainEqual(expect.stringMatching(/^warning: this process's clock is not UTC/));
  const inChildren = hostNotes(definitions, {
    nodeVersion: '20.20.2',
    functionNodes: { 'nodejs24.x': { version: '24.21.0', binary: '/app/node_modules/node/bin/node' } },
    timezoneOffsetMinutes: 120,
    sdkNodePath: nodePath,
  });
  expect(inChildren).toEqual([
    'the nodejs24.x functions run on Node 24.21.0 (/app/node_modules/node/bin/node), each in a child process.',
    expect.stringMatching(/^the functions load the AWS SDK/),
  ]);
});

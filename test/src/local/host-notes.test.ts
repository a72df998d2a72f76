import * as fs from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi } from '../../../src';
import { readCloudAssembly } from '../../../src/local';
import { sdkNodePath } from '../../../src/local/function-host';
import { hostNotes } from '../../../src/local/host-notes';
import { removeTempDirs, tempDir } from '../../support/local-app';
import { twoViews } from '../../support/synth';
import { synthApp } from '../../support/templates';

afterAll(() => removeTempDirs());

const app = new App({ outdir: tempDir('es-local-cdk-out-') });
new EventSourcedApi(new Stack(app, 'Notes'), 'Api', { projections: twoViews() });
const definitions = readCloudAssembly(synthApp(app).directory, { tablePrefix: '' });
const nodePath = sdkNodePath();
const sdkVersion = (JSON.parse(fs.readFileSync(require.resolve('@aws-sdk/client-dynamodb/package.json'), 'utf8')) as { version: string }).version;

test('on another Node major and outside UTC, it warns about both; it always names the SDK the functions load', () => {
  const notes = hostNotes(definitions, { nodeVersion: '20.20.2', timezoneOffsetMinutes: -60, sdkNodePath: nodePath });
  expect(notes).toEqual([
    'warning: the functions run on Node 20.20.2 here; on Lambda they run on nodejs24.x (Node 24).',
    expect.stringMatching(/^warning: this process's clock is not UTC \(offset 60 min\)/),
    `the functions load the AWS SDK for JavaScript v3 ${sdkVersion} from ${nodePath}; on Lambda, nodejs24.x provides its own v3 release (it varies by runtime and region).`,
  ]);
});

test('on the same Node major in UTC, only the SDK note', () => {
  expect(hostNotes(definitions, { nodeVersion: '24.1.0', timezoneOffsetMinutes: 0, sdkNodePath: nodePath })).toHaveLength(1);
});

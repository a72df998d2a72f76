/**
 * Synthesizes the example app
 * (examples/typescript) and prints what it would deploy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/typescript/app';
import { EventSourcedApi } from '../src';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-demo-'));
const started = Date.now();
const app = new App({ outdir });
const stack = buildExampleApp(app);
const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties?: any }> };
const resources = Object.entries(template.Resources);

console.log(`Synthesized ${stack.stackName} in ${Date.now() - started} ms -> ${outdir}`);
console.log(`\n${resources.length} CloudFormation resources:`);
const byType = new Map<string, number>();
for (const [, r] of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
for (const [type, count] of [...byType.entries()].sort()) console.log(`  ${String(count).padStart(3)}  ${type}`);

console.log('\nRoutes:');
const pathOf = (id: string): string => {
  const r = template.Resources[id];
  if (!r || r.Type !== 'AWS::ApiGateway::Resource') return '';
  const parent = r.Properties.ParentId?.Ref ? pathOf(r.Properties.ParentId.Ref) : '';
  return `${parent}/${r.Properties.PathPart}`;
};
for (const [, r] of resources) {
  if (r.Type !== 'AWS::ApiGateway::Method' || r.Properties.HttpMethod === 'OPTIONS') continue;
  const p = r.Properties.ResourceId?.Ref ? pathOf(r.Properties.ResourceId.Ref) : '/';
  console.log(`  ${r.Properties.HttpMethod.padEnd(5)} ${p.padEnd(14)} auth=${r.Properties.AuthorizationType}`);
}

console.log('\nLambda functions:');
for (const [id, r] of resources) {
  if (r.Type !== 'AWS::Lambda::Function') continue;
  const assetPath = path.join(outdir, `asset.${r.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
  const size = fs.existsSync(assetPath) ? `${(fs.statSync(assetPath).size / 1024).toFixed(1)} KiB` : 'n/a';
  console.log(`  ${id.padEnd(52)} ${r.Properties.Runtime} ${r.Properties.Architectures?.join(',')} bundle ${size}`);
}
const topic = resources.find(([, r]) => r.Type === 'AWS::SNS::Topic')?.[1];
console.log(`\nFan-out: SNS topic FifoTopic=${topic?.Properties.FifoTopic ?? false}, ${byType.get('AWS::SQS::Queue')} queues (a queue + DLQ per view, 1 publisher failure queue)`);

// What each extra view costs, in CloudFormation resources.
const counterEntry = path.join(__dirname, '..', 'examples', 'typescript', 'projections', 'summary.ts');
console.log('\nResources by number of projections:');
for (const views of [0, 1, 2, 10]) {
  const scaleApp = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-scale-')) });
  const scaleStack = new Stack(scaleApp, `Scale${views}`);
  new EventSourcedApi(scaleStack, 'Api', {
    projections: Array.from({ length: views }, (_, i) => ({ name: `view-${i + 1}`, entry: counterEntry })),
  });
  const count = Object.keys(scaleApp.synth().getStackByName(scaleStack.stackName).template.Resources).length;
  console.log(`  ${String(views).padStart(2)} projection(s): ${count} resources`);
}

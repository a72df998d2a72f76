/**
 * eventSchemas and unknownEventTypes on the construct: the schemas ship beside the writer's code
 * (with the compiler, which other APIs do not load), and every mistake is a synth error naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Lazy, Stack } from 'aws-cdk-lib';
import { EventSourcedApi, EventSourcedApiProps, UnknownEventTypes } from '../../src';
import { logicalId, resourcesOf, synth, twoViews } from '../support/synth';
import { synthApp } from '../support/templates';

const SCHEMAS = { OrderPlaced: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } };

/** The writer's code folder in the cloud assembly, and its environment. */
function writerOf(props: EventSourcedApiProps): { files: string[]; dir: string; env: Record<string, unknown> } {
  const app = new App();
  const stack = new Stack(app, 'Schemas');
  new EventSourcedApi(stack, 'Api', props);
  const assembly = synthApp(app);
  const template = assembly.getStackByName('Schemas').template as { Resources: Record<string, any> };
  const [, writer] = Object.entries(template.Resources).find(([id, r]) => id.startsWith('ApiWriter') && r.Type === 'AWS::Lambda::Function')!;
  // Without the CDK CLI there is no asset metadata: the code's S3 key names the asset's folder.
  const hash = String(writer.Properties.Code.S3Key).replace(/\.zip$/, '');
  const dir = path.join(assembly.directory, `asset.${hash}`);
  return { files: fs.readdirSync(dir).sort(), dir, env: writer.Properties.Environment.Variables };
}

test('the schemas and their compiler ship beside the writer\'s code, and the writer is told where', () => {
  const { files, dir, env } = writerOf({ projections: twoViews(), eventSchemas: SCHEMAS, unknownEventTypes: UnknownEventTypes.REJECT });
  expect(files).toEqual(['event-schemas.js', 'event-schemas.json', 'index.js']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'event-schemas.json'), 'utf8'))).toEqual(SCHEMAS);
  expect(env).toMatchObject({ EVENT_SCHEMAS_FILE: 'event-schemas.json', REJECT_UNKNOWN_EVENT_TYPES: 'true' });
});

test('without schemas the writer is the shared bundle alone: no compiler to load, no schema settings', () => {
  const { files, env } = writerOf({ projections: twoViews() });
  expect(files).toEqual(['index.js']);
  expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['EVENT_SCHEMAS_FILE']));
  expect(Object.keys(env)).not.toContain('REJECT_UNKNOWN_EVENT_TYPES');
  // ALLOW is the default: nothing to tell the writer.
  expect(writerOf({ eventSchemas: SCHEMAS, unknownEventTypes: UnknownEventTypes.ALLOW }).env).not.toHaveProperty('REJECT_UNKNOWN_EVENT_TYPES');
});

test('mistakes are synth errors naming the prop and the event type', () => {
  const build = (props: EventSourcedApiProps) => () => new EventSourcedApi(new Stack(), 'Api', props);
  expect(build({ eventSchemas: { Bad: { type: 'object', propertiez: {} } } })).toThrow(/eventSchemas\["Bad"\] is not a JSON Schema the writer can use: .*unknown keyword: "propertiez"/);
  expect(build({ eventSchemas: { Odd: { type: 'string', format: 'colour' } } })).toThrow(/eventSchemas\["Odd"\] .*unknown format "colour"/);
  expect(build({ eventSchemas: { Listy: [1, 2] } })).toThrow(/eventSchemas\["Listy"\] must be a JSON Schema \(an object or a boolean\)/);
  expect(build({ eventSchemas: { '': {} } })).toThrow(/eventSchemas has an event type of 0 characters/);
  expect(build({ eventSchemas: { Late: { type: 'object', maxProperties: Lazy.number({ produce: () => 3 }) } } })).toThrow(/eventSchemas must be plain JSON known at synth time/);
  expect(build({ unknownEventTypes: UnknownEventTypes.REJECT })).toThrow(/unknownEventTypes applies only with eventSchemas/);
});

test('a boolean schema is a schema: true accepts any data of that type', () => {
  const { template } = synth({ projections: twoViews(), eventSchemas: { Anything: true, Nothing: false } });
  const writer = resourcesOf(template)[logicalId(template, 'AWS::Lambda::Function', 'ApiWriter')];
  expect(writer.Properties.Environment.Variables.EVENT_SCHEMAS_FILE).toBe('event-schemas.json');
});

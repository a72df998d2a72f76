/**
 * eventVersions and upcasters on the construct: what ships beside the writer and the reader, what
 * the aggregators bundle, and every mistake as a synth error naming the prop and the type.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EventSourcedApi, EventSourcedApiProps, EventTypeVersions, WritePath } from '../../src';
import { COUNTER, statementsOfFunction, synth } from '../support/synth';
import { synthApp } from '../support/templates';

const UPCASTERS = path.join(__dirname, '..', 'fixtures', 'upcasters');
const ORDERS = path.join(UPCASTERS, 'orders.ts');
const V1 = { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } };
const V2 = { type: 'object', required: ['amountCents', 'currency'], properties: { amountCents: { type: 'integer' }, currency: { type: 'string' } } };
const ORDER_PLACED_V2: EventTypeVersions = { type: 'OrderPlaced', currentVersion: 2, schemas: { 1: V1 } };

/** A function's code folder in the cloud assembly (by logical id prefix), and its environment. */
function functionOf(props: EventSourcedApiProps, idPrefix: string): { files: string[]; dir: string; env: Record<string, string> } {
  const app = new App();
  const stack = new Stack(app, 'Versions');
  new EventSourcedApi(stack, 'Api', props);
  const assembly = synthApp(app);
  const template = assembly.getStackByName('Versions').template as { Resources: Record<string, any> };
  const [, fn] = Object.entries(template.Resources).find(([id, r]) => id.startsWith(idPrefix) && r.Type === 'AWS::Lambda::Function')!;
  const dir = path.join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
  return { files: fs.readdirSync(dir).sort(), dir, env: fn.Properties.Environment.Variables };
}

const PROPS: EventSourcedApiProps = {
  projections: [{ name: 'orders', entry: COUNTER }],
  eventSchemas: { OrderPlaced: V2 },
  eventVersions: [ORDER_PLACED_V2],
  upcasters: ORDERS,
};

test('the writer gets the versions and the older schemas beside its code, with the schema compiler', () => {
  const { files, dir, env } = functionOf(PROPS, 'ApiWriter');
  expect(files).toEqual(['event-schemas.js', 'event-schemas.json', 'event-versions.json', 'index.js']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'event-versions.json'), 'utf8'))).toEqual({
    versions: { OrderPlaced: { current: 2, first: 1, acceptOlder: true } },
    olderSchemas: { OrderPlaced: { 1: V1 } },
  });
  expect(env).toMatchObject({ EVENT_VERSIONS_FILE: 'event-versions.json', EVENT_SCHEMAS_FILE: 'event-schemas.json' });
});

test('the reader gets the versions and the bundled upcasters, and may query the events table (GET /streams/{id})', () => {
  const { files, dir, env } = functionOf(PROPS, 'ApiReader');
  expect(files).toEqual(['event-versions.json', 'index.js', 'upcasters.js', 'upcasters.js.map']);
  expect(fs.readFileSync(path.join(dir, 'upcasters.js'), 'utf8')).toContain('amountCents');
  expect(env).toMatchObject({ EVENT_VERSIONS_FILE: 'event-versions.json', UPCASTERS_FILE: 'upcasters.js' });
  const { template } = synth(PROPS);
  const statements = statementsOfFunction(template, 'ApiReader');
  const query = statements.find((s) => s.Action === 'dynamodb:Query');
  expect(JSON.stringify(query?.Resource)).toContain('ApiEventsTable');
  const dynamodbActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => String(a).startsWith('dynamodb:'));
  expect(dynamodbActions.filter((a) => /Put|Update|Delete|Write/.test(String(a)))).toEqual([]);
});

test('each aggregator bundles the upcasters and the versions with the projection', () => {
  const { files, dir } = functionOf(PROPS, 'ApiProjectionorders');
  expect(files).toContain('index.js');
  const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  expect(code).toContain('amountCents');
  expect(code).toMatch(/versions:\{OrderPlaced:\{current:2,first:1,acceptOlder:!0\}\}/);
});

test('an API without versions bundles as before: no versions file, no upcasters', () => {
  const { files, env } = functionOf({ projections: [{ name: 'orders', entry: COUNTER }] }, 'ApiReader');
  expect(files).toEqual(['index.js']);
  expect(env).not.toHaveProperty('EVENT_VERSIONS_FILE');
  expect(env).not.toHaveProperty('UPCASTERS_FILE');
});

describe('mistakes are synth errors naming the prop and the type', () => {
  const build = (props: EventSourcedApiProps) => () => new EventSourcedApi(new Stack(), 'Api', { projections: [{ name: 'orders', entry: COUNTER }], ...props });

  test('a version with no upcaster from the version before', () => {
    expect(build({ eventVersions: [ORDER_PLACED_V2] })).toThrow(/eventVersions: "OrderPlaced" is stored at versions 1 to 2, so it needs an upcaster .*upcasters\["OrderPlaced"\]\[1\]/);
    expect(build({ eventVersions: [{ type: 'OrderPlaced', currentVersion: 3 }], upcasters: path.join(UPCASTERS, 'missing-step.ts') }))
      .toThrow(/upcasters ".*missing-step.ts" has no upcaster for "OrderPlaced" from version 2 to 3 \(its current version is 3\)/);
  });

  test('an upcaster that can never run', () => {
    expect(build({ eventVersions: [ORDER_PLACED_V2], upcasters: path.join(UPCASTERS, 'useless-step.ts') }))
      .toThrow(/upcasters ".*useless-step.ts" has upcasters\["Shipped"\]\["1"\], which never runs: "Shipped" is stored at versions 1 to 1/);
  });

  test('bad entries', () => {
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 0 }] })).toThrow(/eventVersions\[0\]\.currentVersion must be a whole number from 1/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 1.5 }] })).toThrow(/eventVersions\[0\]\.currentVersion must be a whole number/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 2, firstVersion: 3 }] })).toThrow(/eventVersions\[0\]\.firstVersion \(3\) is above its currentVersion \(2\)/);
    expect(build({ eventVersions: [{ type: '', currentVersion: 1 }] })).toThrow(/eventVersions\[0\]\.type must be an event type of 1-256 characters/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 1 }, { type: 'A', currentVersion: 1 }] })).toThrow(/eventVersions\[1\]\.type "A" is declared more than once/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 1, schemas: { one: {} } }] })).toThrow(/eventVersions\[0\]\.schemas\["one"\]: the key must be a version number/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 1, schemas: { 2: {} } }] })).toThrow(/eventVersions\[0\]\.schemas\["2"\]: "A" has versions 1 to 1 only/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 1, schemas: { 1: { type: 'object', propertiez: {} } } }] }))
      .toThrow(/eventSchemas\["A"\] is not a JSON Schema the writer can use: .*propertiez/);
    expect(build({ eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, schemas: { 1: { type: 'nope' } } }], upcasters: ORDERS }))
      .toThrow(/eventVersions "OrderPlaced" schemas\["1"\] is not a JSON Schema the writer can use/);
    expect(build({ eventSchemas: { A: V2 }, eventVersions: [{ type: 'A', currentVersion: 1, schemas: { 1: V2 } }] }))
      .toThrow(/eventVersions\[0\]\.schemas\["1"\] is the schema of the current version, which eventSchemas\["A"\] gives already/);
    expect(build({ eventVersions: [{ type: 'A', currentVersion: 1, typo: 1 } as EventTypeVersions] })).toThrow(/eventVersions\[0\] has an unknown key "typo"/);
    expect(build({ upcasters: 'nowhere.ts' })).toThrow(/upcasters "nowhere.ts" does not exist/);
  });

  test('renames name a declared type whose versions hold the renamed events', () => {
    expect(build({ eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, renamedTo: 'OrderCreated' }], upcasters: ORDERS }))
      .toThrow(/eventVersions\[0\]\.renamedTo "OrderCreated" must be declared in eventVersions too/);
    expect(build({ eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, renamedTo: 'OrderPlaced' }], upcasters: ORDERS }))
      .toThrow(/eventVersions\[0\]\.renamedTo must name another event type/);
    expect(build({ eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, renamedTo: 'OrderCreated' }, { type: 'OrderCreated', currentVersion: 1 }], upcasters: ORDERS }))
      .toThrow(/eventVersions\[0\]\.renamedTo "OrderCreated": the renamed events are version 2 of it, outside its versions 1 to 1/);
  });

  test('WritePath.DIRECT has no writer Lambda to store versions', () => {
    expect(build({ api: { writePath: WritePath.DIRECT }, eventVersions: [{ type: 'A', currentVersion: 1 }] }))
      .toThrow(/eventVersions cannot be set with api.writePath: WritePath.DIRECT: event versions need the writer Lambda/);
    expect(build({ api: { writePath: WritePath.DIRECT }, upcasters: ORDERS })).toThrow(/upcasters cannot be set with api.writePath: WritePath.DIRECT/);
  });
});

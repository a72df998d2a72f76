import * as path from 'node:path';
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { EventSourcedApi, EventSourcedApiProps } from '../../src';
import { COUNTER, FIXTURES } from '../support/synth';
import { templateOf } from '../support/templates';

function build(props: EventSourcedApiProps, stack = new Stack(new App(), 'S')) {
  return () => new EventSourcedApi(stack, 'Api', props);
}
const view = (name: string, entry = COUNTER) => ({ name, entry });

// The misuses the README promises a synth error for are in readme-synth-errors.test.ts; here are
// the rest, and more variants of some.
describe('synth-time validation names the bad prop', () => {
  test.each([
    ['Orders', /projections\[0\]\.name "Orders" is invalid/],
    ['my view', /projections\[0\]\.name "my view" is invalid/],
    ['9lives', /projections\[0\]\.name "9lives" is invalid/],
    ['a'.repeat(41), /is invalid/],
    ['', /is invalid/],
  ])('bad projection name %p', (name, message) => {
    expect(build({ projections: [view(name)] })).toThrow(message);
  });

  test('an entry that is not a .ts or .js file', () => {
    expect(build({ projections: [view('a', path.join(FIXTURES, 'not-code.txt'))] })).toThrow(/projections\[0\]\.entry ".*not-code\.txt" must be a \.ts/);
  });

  test('a missing entry with an absolute path names it once', () => {
    const missing = path.join(FIXTURES, 'missing.ts');
    expect(build({ projections: [view('a', missing)] })).toThrow(`projections[0].entry "${missing}" does not exist.`);
  });

  test('a missing entry with a relative path says where it was looked for', () => {
    expect(build({ projections: [view('a', 'views/missing.ts')] }))
      .toThrow(`projections[0].entry "views/missing.ts" does not exist in ${process.cwd()} (a relative entry is resolved from the current directory).`);
  });

  test('defaultView must be a projection, also when there are none', () => {
    expect(build({ defaultView: 'b' })).toThrow(/defaultView "b" is not one of the projections \(none\)/);
  });

  test.each(['type', 'eventId', 'expectedVersion', 'version', 'has space', ''])('streamIdField %p is rejected', (field) => {
    expect(build({ streamIdField: field })).toThrow(/streamIdField/);
  });

  test('api options conflict with api.enabled false', () => {
    expect(build({ api: { enabled: false, throttlingRateLimit: 5, stageName: 'x' } })).toThrow(/api\.throttlingRateLimit, api\.stageName cannot be set/);
  });

  test('CORS needs exactly one origin', () => {
    expect(build({ api: { cors: { allowOrigins: ['https://a.example', 'https://b.example'] } } })).toThrow(/api\.cors\.allowOrigins must name exactly one origin/);
  });

  test.each([
    [{ maxBodyBytes: 0 }, /maxBodyBytes must be a whole number from 1 to 245760, got 0/],
    [{ maxBodyBytes: 300_000 }, /maxBodyBytes must be a whole number from 1 to 245760/],
    [{ maxPageSize: 1001 }, /maxPageSize/],
    [{ defaultPageSize: 200 }, /defaultPageSize must be a whole number from 1 to 100/],
    [{ publisherRetryAttempts: -1 }, /publisherRetryAttempts/],
    [{ api: { throttlingRateLimit: 1.5 } }, /api\.throttlingRateLimit/],
  ])('numbers out of range %p', (props, message) => {
    expect(build(props as EventSourcedApiProps)).toThrow(message);
  });

  test.each([
    [{ batchSize: 11 }, /projections\[0\]\.batchSize must be a whole number from 1 to 10/],
    [{ maxReceiveCount: 0 }, /projections\[0\]\.maxReceiveCount/],
    [{ memorySize: 64 }, /projections\[0\]\.memorySize/],
  ])('projection numbers out of range %p', (extra, message) => {
    expect(build({ projections: [{ ...view('a'), ...extra }] })).toThrow(message);
  });

  test('existing events table needs a stream and takes no removal policy', () => {
    const stack = new Stack(new App(), 'S');
    const noStream = dynamodb.Table.fromTableName(stack, 'NoStream', 'events');
    // A validation: construction goes on, synth reports it (with any other problem of the app).
    expect(build({ existingEventsTable: noStream }, stack)).not.toThrow();
    expect(() => Template.fromStack(stack)).toThrow(/Validation failed with the following errors:\n\s+\[S\/Api\] existingEventsTable has no stream/);
    const stack2 = new Stack(new App(), 'S2');
    const withStream = dynamodb.Table.fromTableAttributes(stack2, 'T', { tableName: 'e', tableStreamArn: 'arn:aws:dynamodb:eu-west-1:1:table/e/stream/x' });
    expect(build({ existingEventsTable: withStream, eventsTableRemovalPolicy: RemovalPolicy.DESTROY }, stack2)).toThrow(/eventsTableRemovalPolicy applies only to a new events table/);
  });
});

describe('an existing events table is checked as far as synth can', () => {
  /** Synth errors of an API on this table (made in the same stack); [] when it synthesizes. */
  function problems(table: (stack: Stack) => dynamodb.ITable): string[] {
    const stack = new Stack(new App(), 'S');
    new EventSourcedApi(stack, 'Api', { existingEventsTable: table(stack), projections: [view('a')] });
    try {
      Template.fromStack(stack);
      return [];
    } catch (error) {
      return String((error as Error).message).split('\n').filter((line) => line.includes('[S/Api]')).map((line) => line.replace(/^\s*\[S\/Api\] /, ''));
    }
  }
  const keys = { partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING }, sortKey: { name: 'version', type: dynamodb.AttributeType.NUMBER } };
  const catalogue = {
    indexName: 'streams',
    partitionKey: { name: 'catalogueShard', type: dynamodb.AttributeType.NUMBER },
    sortKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.KEYS_ONLY,
  };
  const table = (props: Partial<dynamodb.TableProps>, index: Partial<dynamodb.GlobalSecondaryIndexProps> | null = catalogue) => (stack: Stack) => {
    const t = new dynamodb.Table(stack, 'Events', { ...keys, stream: dynamodb.StreamViewType.NEW_IMAGE, ...props });
    if (index) t.addGlobalSecondaryIndex({ ...catalogue, ...index });
    return t;
  };

  test('a table as the construct would make it passes, with NEW_AND_OLD_IMAGES too, and an index added after the API', () => {
    expect(problems(table({}))).toEqual([]);
    expect(problems(table({ stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES }, { projectionType: dynamodb.ProjectionType.ALL }))).toEqual([]);
    const stack = new Stack(new App(), 'S');
    const late = new dynamodb.Table(stack, 'Events', { ...keys, stream: dynamodb.StreamViewType.NEW_IMAGE });
    new EventSourcedApi(stack, 'Api', { existingEventsTable: late, projections: [view('a')] });
    late.addGlobalSecondaryIndex(catalogue);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('the trial\'s table (pk, KEYS_ONLY, no index): every problem at once, each naming what to change', () => {
    expect(problems(table({ partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, sortKey: undefined, stream: dynamodb.StreamViewType.KEYS_ONLY }, null))).toEqual([
      'existingEventsTable\'s partition key is "pk" (S); it must be "streamId" (S): partitionKey: { name: \'streamId\', type: AttributeType.STRING }.',
      'existingEventsTable\'s sort key is missing; it must be "version" (N): sortKey: { name: \'version\', type: AttributeType.NUMBER }.',
      'existingEventsTable\'s stream is KEYS_ONLY; the publisher reads each new event from the stream\'s new image: stream: StreamViewType.NEW_IMAGE (or NEW_AND_OLD_IMAGES; TableV2: dynamoStream).',
      expect.stringMatching(/^existingEventsTable has no global secondary index "streams", the stream catalogue .*: addGlobalSecondaryIndex\(\{ indexName: 'streams', partitionKey: \{ name: 'catalogueShard', type: AttributeType.NUMBER \}, sortKey: \{ name: 'streamId', type: AttributeType.STRING \}, projectionType: ProjectionType.KEYS_ONLY \}\)\.$/),
    ]);
  });

  test.each([
    [{ sortKey: { name: 'version', type: dynamodb.AttributeType.STRING } }, undefined, /^existingEventsTable's sort key is "version" \(S\); it must be "version" \(N\)/],
    [{ stream: dynamodb.StreamViewType.OLD_IMAGE }, undefined, /^existingEventsTable's stream is OLD_IMAGE; /],
    [{}, { partitionKey: { name: 'shard', type: dynamodb.AttributeType.NUMBER } }, /^existingEventsTable's "streams" index's partition key is "shard" \(N\); it must be "catalogueShard" \(N\)/],
    [{}, { sortKey: { name: 'id', type: dynamodb.AttributeType.STRING } }, /^existingEventsTable's "streams" index's sort key is "id" \(S\); it must be "streamId" \(S\)/],
  ])('%p %p', (props, index, message) => {
    const found = problems(table(props, index));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  test('a TableV2 is read the same way', () => {
    expect(problems((stack) => new dynamodb.TableV2(stack, 'Events', { ...keys, dynamoStream: dynamodb.StreamViewType.NEW_IMAGE, globalSecondaryIndexes: [catalogue] }))).toEqual([]);
    expect(problems((stack) => new dynamodb.TableV2(stack, 'Events', { ...keys, dynamoStream: dynamodb.StreamViewType.KEYS_ONLY }))).toEqual([
      expect.stringMatching(/stream is KEYS_ONLY/), expect.stringMatching(/no global secondary index "streams"/),
    ]);
  });

  test('an imported table cannot be inspected: synth warns, listing what it must have, in both spellings', () => {
    const stack = new Stack(new App(), 'S');
    const imported = dynamodb.Table.fromTableAttributes(stack, 'T', { tableName: 'e', tableStreamArn: 'arn:aws:dynamodb:eu-west-1:1:table/e/stream/x' });
    new EventSourcedApi(stack, 'Api', { existingEventsTable: imported, projections: [view('a')] });
    Template.fromStack(stack);
    const warnings = Annotations.fromStack(stack).findWarning('/S/Api', Match.stringLikeRegexp('existingEventsTable is imported'));
    expect(warnings).toHaveLength(1);
    const text = String(warnings[0].entry.data);
    for (const part of ['"streamId" (string)', '"version" (number)', 'NEW_IMAGE', 'table_stream_arn', '"streams"', '"catalogueShard" (number)', 'existing-events-table-unchecked']) {
      expect(text).toContain(part);
    }
  });
});

describe('function tuning and events table options', () => {
  test.each([
    [{ writer: { memorySize: 64 } }, /writer\.memorySize must be a whole number from 128 to 10240, got 64/],
    [{ reader: { memorySize: 10241 } }, /reader\.memorySize must be a whole number from 128 to 10240/],
    [{ publisher: { timeout: Duration.minutes(16) } }, /publisher\.timeout must be whole seconds from 1 second to 15 minutes, got 16 minutes/],
    [{ writer: { timeout: Duration.millis(500) } }, /writer\.timeout must be whole seconds/],
  ])('%j is refused, naming the prop', (props, message) => {
    expect(build({ projections: [view('a')], ...props })).toThrow(message);
  });

  test('deletion protection, like the removal policy, is only for a new events table', () => {
    const stack = new Stack(new App(), 'S');
    const existingEventsTable = dynamodb.Table.fromTableAttributes(stack, 'T', { tableName: 't', tableStreamArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/x' });
    expect(build({ existingEventsTable, eventsTableDeletionProtection: true }, stack)).toThrow(/eventsTableDeletionProtection applies only to a new events table/);
  });

  test('tokens are left for CloudFormation: a memory size from a parameter reaches the function as a reference', () => {
    const stack = new Stack(new App(), 'S');
    const memory = new CfnParameter(stack, 'WriterMemory', { type: 'Number', default: 512 });
    new EventSourcedApi(stack, 'Api', { projections: [view('a')], writer: { memorySize: memory.valueAsNumber }, maxBodyBytes: memory.valueAsNumber });
    const template = templateOf(stack);
    const writer = Object.values<any>(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Description?.includes('appends events'));
    expect(writer.Properties.MemorySize).toEqual({ Ref: 'WriterMemory' });
    expect(writer.Properties.Environment.Variables.MAX_BODY_BYTES).toEqual({ Ref: 'WriterMemory' });
  });
});

describe('past CloudFormation\'s 500 resources per stack', () => {
  const views = (count: number) => Array.from({ length: count }, (_, i) => view(`view-${i}`));

  test('an API with 40 views fails at synth with its own message, naming the views, what each costs and how many fit', () => {
    const stack = new Stack(new App(), 'Crowded');
    new EventSourcedApi(stack, 'Api', { projections: views(40) });
    let message = '';
    try {
      (stack.node.root as App).synth();
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).toMatch(/Stack "Crowded" would have \d{3} CloudFormation resources, over the 500 a stack may hold/);
    expect(message).toMatch(/for its 40 views \(1\d each: /);
    expect(message).toMatch(/so about (2\d|3\d) views fit beside the rest of this stack/);
    expect(message).toMatch(/Put views in nested stacks with the nestedStack of their projection \(about 3\d views fit in each/);
    expect(message).toMatch(/alarms: \{ enabled: false \} saves 3 resources per view/);
    // Ours comes first: CDK's generic count by type never runs.
    expect(message).not.toMatch(/Number of resources in stack/);
  });

  test('the user\'s own resources in the stack count too, and fewer views then fit', () => {
    const stack = new Stack(new App(), 'Shared');
    new EventSourcedApi(stack, 'Api', { projections: views(25) });
    for (let i = 0; i < 150; i++) new dynamodb.Table(stack, `Other${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    expect(() => (stack.node.root as App).synth()).toThrow(/for its 25 views .*so about (1\d|2\d) views fit beside the rest of this stack/s);
  });

  test('30 views fit; CDK\'s context @aws-cdk/core:stackResourceLimit raises or turns off the limit, for both checks', () => {
    const fits = new Stack(new App(), 'Fits');
    new EventSourcedApi(fits, 'Api', { projections: views(30) });
    expect(Object.keys(templateOf(fits).toJSON().Resources).length).toBeLessThanOrEqual(500);
    // Over CloudFormation's limit on purpose: not recorded for cfn-lint, which would rightly refuse them (E3010).
    const unlimited = new Stack(new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } }), 'Unlimited');
    new EventSourcedApi(unlimited, 'Api', { projections: views(40) });
    expect(Object.keys(Template.fromStack(unlimited).toJSON().Resources).length).toBeGreaterThan(500);
    const raised = new Stack(new App({ context: { '@aws-cdk/core:stackResourceLimit': 1000 } }), 'Raised');
    new EventSourcedApi(raised, 'Api', { projections: views(40) });
    expect(() => Template.fromStack(raised)).not.toThrow();
  });
});

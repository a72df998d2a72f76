/**
 * The operator commands' arguments, and the deployed-stack path. CloudFormation has no local
 * implementation, so its two calls (GetTemplate, ListStackResources) are answered by a mocked
 * client (test/support/cloudformation-stand-in.ts) from synthesized templates (nested stacks'
 * included) and a local runtime's resource names; everything after that is the real AWS SDK on
 * DynamoDB Local and the local runtime's SQS endpoint, exactly as `--stack` runs against AWS.
 */
import { App, CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { IConstruct } from 'constructs';
import { EventSourcedApi, WritePath } from '../../../../src';
import { cloudFormationStandIn, standInForLocalApp as cloudFormation } from '../../../../test/support/cloudformation-stand-in';
import { append, removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../../test/support/local-app';
import { flatId } from '../../../../test/support/nested-stacks';
import { COUNTER } from '../../../../test/support/synth';
import { synthApp } from '../../../../test/support/templates';
import { formatDuration, formatStatus, parseOperatorArgs } from '../../src/operator/cli';
import { status } from '../../src/operator/commands';
import { localTarget, stackTarget } from '../../src/operator/target';

afterAll(() => removeTempDirs());

/** The deployed path's API equals the local one (which also gives the API's URL), and so does status. */
async function expectSameAsLocal(app: StartedApp, deployed: Awaited<ReturnType<typeof stackTarget>>) {
  const local = await localTarget(app.runtime.operatorUrl);
  const { url: _apiUrl, ...localApi } = local.api as typeof local.api & { url: string };
  expect(deployed.api).toEqual(localApi);
  const [fromStack, fromLocal] = [await status(deployed, { scan: true }), await status(local, { scan: true })];
  expect(fromStack).toEqual(fromLocal);
  // The table the construct made has what the API needs.
  expect(fromStack.eventsTableProblems).toEqual([]);
  return fromStack;
}

describe('arguments', () => {
  test.each([
    [['status'], /needs --stack <name> or --local <url>/],
    [['status', '--stack', 'A', '--local', 'http://x'], /one of them/],
    [['status', '--local', 'http://x', '--region', 'eu-west-1'], /--region and --profile go with --stack/],
    [['rebuild', '--stack', 'A'], /rebuild needs --view/],
    [['replay', '--stack', 'A', '--since', 'yesterday'], /--since needs an ISO time, got "yesterday"/],
    [['status', '--stack', 'A', '--failures'], /--failures goes with replay/],
    [['backfill', '--stack', 'A', '--since', '2026-01-01T00:00:00Z'], /--since goes with replay/],
    [['status', '--stack'], /--stack needs a value/],
    [['status', '--stack', 'A', '--verbose'], /Unknown option "--verbose" for status/],
    [['restore', '--stack', 'A'], /Unknown command "restore"/],
    [['redrive', '--stack', 'A'], /redrive needs --view <name> or --all \(one of them\)/],
    [['redrive', '--stack', 'A', '--view', 'v', '--all'], /redrive needs --view <name> or --all \(one of them\)/],
    [['redrive', '--stack', 'A', '--all', '--rate', '0'], /--rate needs a whole number of messages a second from 1 to 500, got "0"/],
    [['redrive', '--stack', 'A', '--all', '--rate', '501'], /from 1 to 500, got "501"/],
    [['redrive', '--stack', 'A', '--all', '--rate', '2.5'], /got "2.5"/],
    [['redrive', '--stack', 'A', '--all', '--rate'], /--rate needs a value/],
    [['replay', '--stack', 'A', '--rate', '5'], /--rate goes with redrive/],
    [['backfill', '--stack', 'A', '--all'], /--all goes with redrive/],
    [['discard', '--stack', 'A', '--yes'], /discard needs --view <name>/],
    [['discard', '--stack', 'A', '--view', 'summary'], /discard drops summary's parked messages for good .*: add --yes to confirm/],
    [['redrive', '--stack', 'A', '--all', '--yes'], /--yes goes with discard/],
  ])('%j is refused: %s', (argv, error) => {
    expect(() => parseOperatorArgs(argv)).toThrow(error);
  });

  test('a full command line', () => {
    expect(parseOperatorArgs(['replay', '--stack', 'Shop', '--region', 'eu-west-1', '--profile', 'ops', '--view', 'summary', '--failures'])).toEqual({
      command: 'replay', stack: 'Shop', region: 'eu-west-1', profile: 'ops', view: 'summary', failures: true, scan: true, json: false, all: false, yes: false,
    });
  });

  test('redrive and discard command lines', () => {
    expect(parseOperatorArgs(['redrive', '--local', 'http://x', '--view', 'summary', '--rate', '25'])).toMatchObject({ command: 'redrive', view: 'summary', rate: 25, all: false });
    expect(parseOperatorArgs(['redrive', '--stack', 'Shop', '--all'])).toMatchObject({ command: 'redrive', all: true });
    expect(parseOperatorArgs(['redrive', '--stack', 'Shop', '--all']).rate).toBeUndefined();
    expect(parseOperatorArgs(['discard', '--stack', 'Shop', '--view', 'summary', '--yes'])).toMatchObject({ command: 'discard', view: 'summary', yes: true });
  });
});

describe('status as printed', () => {
  test('a view behind gives its streams, events and lag; durations read in the unit that fits', () => {
    const view = { name: 'summary', version: 2, table: 't', rebuilding: false, queue: { waiting: 3, inFlight: 1 }, parked: 1, streamsBehind: 2, versionsBehind: 5, lagMs: 95_000 };
    const printed = formatStatus({ owner: 'App/Api', views: [view], eventsTableProblems: [] }, 'local');
    expect(printed).toContain('summary v2, behind: 2 stream(s), 5 event(s), lag 1.6 min (the oldest event not applied)');
    expect(printed).toContain('queue: 3 waiting, 1 in flight · parked: 1 (after a fix: redrive --view summary)');
    const redrive = { status: 'FAILED', moved: 1, toMove: 3, rate: 5, startedAt: '2026-01-01T00:00:00.000Z', failureReason: 'AWS.SimpleQueueService.NonExistentQueue' };
    expect(formatStatus({ owner: 'App/Api', views: [{ ...view, redrive }], eventsTableProblems: [] }, 'local')).toContain(
      '    redrive: FAILED, 1 of 3 moved, 5 a second: AWS.SimpleQueueService.NonExistentQueue (started 2026-01-01T00:00:00.000Z)');
    expect(printed).not.toContain('redrive:');
    expect(printed).not.toContain('events table:');
    expect(formatStatus({ owner: 'App/Api', views: [view], eventsTableProblems: ['it has no stream; enable one'] }, 'local'))
      .toContain('App/Api in local\n  events table: it has no stream; enable one\n');
    expect(printed).not.toContain('upcasters');
    expect(formatStatus({ owner: 'App/Api', views: [{ ...view, upcastersChangedAt: '2026-01-02T03:04:05.000Z' }], eventsTableProblems: [] }, 'local')).toContain(
      '  summary v2, behind: 2 stream(s), 5 event(s), lag 1.6 min (the oldest event not applied)\n' +
      '    built with earlier upcasters (changed 2026-01-02T03:04:05.000Z): raise its version to rebuild\n');
    expect([0, 999, 1000, 59_949, 60_000, 3_600_000 * 2.5].map(formatDuration)).toEqual(['0 ms', '999 ms', '1.0 s', '59.9 s', '1.0 min', '2.5 h']);
  });
});

/**
 * For a describe block: a local app with these views (each on VERSION_LOG_PROJECTION) that has one
 * event applied, standing in for the deployed stack; its SQS endpoint is the one the operator uses.
 */
function useDeployedApp(views: Array<{ name: string; nestedStack?: string }>, streamId: string): () => StartedApp {
  let app: StartedApp;
  const savedSqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
  beforeAll(async () => {
    const entry = writeProjection(tempDir('es-operator-'), 'log', VERSION_LOG_PROJECTION);
    app = await startLocalApp({ props: { projections: views.map((view) => ({ ...view, entry })) } });
    process.env.AWS_ENDPOINT_URL_SQS = app.runtime.operatorView().endpoints.sqs;
    await append(app.client, { type: 'Created', id: streamId });
    await app.runtime.waitUntilIdle(30_000);
  }, 90_000);
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_SQS = savedSqsEndpoint;
    await app?.runtime.stop();
  });
  return () => app;
}

describe('a deployed stack, found through CloudFormation', () => {
  const started = useDeployedApp([{ name: 'ledger' }], 'op-1');

  test('the resources come from the template\'s role metadata and every page of ListStackResources; status matches the local path', async () => {
    const app = started();
    const { client, calls } = cloudFormation(app);
    const deployed = await stackTarget({ stack: 'LocalTest', region: 'us-east-1' }, client);
    // 9 resources, two a page (DescribeStackResources would have answered only a stack's first 100).
    expect(calls).toEqual(['GetTemplateCommand LocalTest', ...['', ' 2', ' 4', ' 6', ' 8'].map((token) => `ListStackResourcesCommand LocalTest${token}`)]);
    const fromStack = await expectSameAsLocal(app, deployed);
    expect(fromStack).toMatchObject({ streams: 1, publisherFailures: 0, views: [{ name: 'ledger', version: 1, streamsBehind: 0, lagMs: 0, parked: 0, rebuilding: false }] });
    expect(formatStatus(fromStack, deployed.where)).toContain('ledger v1, up to date');
  });

  test('a stack that does not exist, or an API name that does not match, is a clear error', async () => {
    const app = started();
    await expect(stackTarget({ stack: 'Nope' }, cloudFormation(app).client)).rejects.toThrow(/Stack with id Nope does not exist/);
    await expect(stackTarget({ stack: 'LocalTest', api: 'Other' }, cloudFormation(app).client)).rejects.toThrow(/No EventSourcedApi "Other" in stack LocalTest \(there are: LocalTest\/Api\)/);
    await expect(localTarget('http://127.0.0.1:9/')).rejects.toThrow(/Cannot reach the local runtime's operator endpoint/);
  });
});

describe('a deployed stack whose views live in nested stacks', () => {
  const started = useDeployedApp([
    { name: 'ledger' }, { name: 'first', nestedStack: 'one' }, { name: 'second', nestedStack: 'one' }, { name: 'third', nestedStack: 'two' },
  ], 'op-nested-1');

  test("each nested stack's template and resources are read by its stack id; its views join the API, status matches the local path", async () => {
    const app = started();
    const { client, calls, stackIds } = cloudFormation(app);
    const deployed = await stackTarget({ stack: 'LocalTest', region: 'us-east-1' }, client);
    expect(stackIds.size).toBe(2);
    const stacks = ['LocalTest', ...stackIds.values()];
    expect(calls.filter((c) => c.startsWith('GetTemplateCommand'))).toEqual(stacks.map((s) => `GetTemplateCommand ${s}`));
    for (const stack of stacks) expect(calls).toContain(`ListStackResourcesCommand ${stack} 2`); // every page, in every stack
    expect(deployed.api.views.map((v) => v.name)).toEqual(['ledger', 'first', 'second', 'third']);
    const fromStack = await expectSameAsLocal(app, deployed);
    expect(fromStack.views).toEqual(['ledger', 'first', 'second', 'third'].map((name) => expect.objectContaining({ name, streamsBehind: 0, parked: 0 })));
  });
});

test('a stack nested in a nested stack is read too: an API in a nested stack, a view in a nested stack of its own', async () => {
  const cdkApp = new App({ outdir: tempDir('es-operator-deep-') });
  const root = new Stack(cdkApp, 'Root');
  const api = new EventSourcedApi(new NestedStack(root, 'Outer'), 'Api', {
    projections: [{ name: 'top', entry: COUNTER }, { name: 'deep', entry: COUNTER, nestedStack: 'deep' }],
  });
  const assembly = synthApp(cdkApp);
  const { client, calls, stackIds } = cloudFormationStandIn({
    assemblyDir: assembly.directory,
    stackName: 'Root',
    template: assembly.getStackByName('Root').template,
    physicalName: (id) => `physical-${id}`,
  });
  const deployed = await stackTarget({ stack: 'Root', region: 'us-east-1' }, client);

  const physical = (construct: IConstruct) => `physical-${flatId(construct.node.defaultChild as CfnElement)}`;
  const [outer, deep] = [...stackIds.keys()];
  expect(deep.startsWith(`${outer}-`)).toBe(true);
  expect(calls.filter((c) => c.startsWith('GetTemplateCommand'))).toEqual(['Root', outer, deep].map((id) => `GetTemplateCommand ${stackIds.get(id) ?? id}`));
  expect(deployed.api).toEqual({
    owner: 'Root/Outer/Api',
    eventsTable: physical(api.eventsTable),
    streamIdField: 'id',
    publisherFailureQueueUrl: physical(api.publisherFailureQueue),
    jobsQueueUrl: physical(api.jobsQueue!),
    jobsDeadLetterQueueUrl: expect.stringMatching(/^physical-OuterNestedStack/),
    viewRegistry: physical(api.viewRegistry!),
    views: api.projections.map((p) => ({
      name: p.name,
      version: 1,
      table: physical(p.table),
      previousTable: undefined,
      queueUrl: physical(p.queue),
      deadLetterQueueUrl: physical(p.deadLetterQueue),
    })),
  });
  expect(deployed.api.views[1].table.startsWith(`physical-${deep}-`)).toBe(true);
});

test('an API appending without a Lambda (WritePath.DIRECT) is found by its publisher; an imported events table by its append method; its stream id field by its functions', async () => {
  const cdkApp = new App({ outdir: tempDir('es-operator-direct-') });
  const stack = new Stack(cdkApp, 'Direct');
  const existingEventsTable = dynamodb.Table.fromTableAttributes(stack, 'Events', {
    tableName: 'shared-events', tableStreamArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/shared-events/stream/2026-01-01T00:00:00.000',
  });
  new EventSourcedApi(stack, 'Api', { existingEventsTable, streamIdField: 'sku', projections: [{ name: 'top', entry: COUNTER }], api: { writePath: WritePath.DIRECT } });
  const assembly = synthApp(cdkApp);
  const { client } = cloudFormationStandIn({
    assemblyDir: assembly.directory, stackName: 'Direct', template: assembly.getStackByName('Direct').template, physicalName: (id) => `physical-${id}`,
  });
  const deployed = await stackTarget({ stack: 'Direct', region: 'us-east-1' }, client);
  expect(deployed.api).toMatchObject({ owner: 'Direct/Api', eventsTable: 'shared-events', streamIdField: 'sku', views: [{ name: 'top' }] });
});

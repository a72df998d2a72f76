/**
 * The operator commands' arguments, and the deployed-stack path. CloudFormation has no local
 * implementation here, so its two calls (GetTemplate, ListStackResources) are answered by a
 * stand-in client from a synthesized template and a local runtime's resource names; everything
 * after that is the real AWS SDK on DynamoDB Local and the local runtime's SQS endpoint, exactly
 * as `--stack` runs against AWS.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { formatDuration, formatStatus, parseOperatorArgs } from '../../../lambda-src/operator/cli';
import { status } from '../../../lambda-src/operator/commands';
import { localTarget, stackTarget } from '../../../lambda-src/operator/target';
import { append, removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../support/local-app';

afterAll(() => removeTempDirs());

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
  ])('%j is refused: %s', (argv, error) => {
    expect(() => parseOperatorArgs(argv)).toThrow(error);
  });

  test('a full command line', () => {
    expect(parseOperatorArgs(['replay', '--stack', 'Shop', '--region', 'eu-west-1', '--profile', 'ops', '--view', 'summary', '--failures'])).toEqual({
      command: 'replay', stack: 'Shop', region: 'eu-west-1', profile: 'ops', view: 'summary', failures: true, scan: true, json: false,
    });
  });
});

describe('status as printed', () => {
  test('a view behind gives its streams, events and lag; durations read in the unit that fits', () => {
    const view = { name: 'summary', version: 2, table: 't', rebuilding: false, queue: { waiting: 3, inFlight: 1 }, parked: 1, streamsBehind: 2, versionsBehind: 5, lagMs: 95_000 };
    const printed = formatStatus({ owner: 'App/Api', views: [view] }, 'local');
    expect(printed).toContain('summary v2, behind: 2 stream(s), 5 event(s), lag 1.6 min (the oldest event not applied)');
    expect(printed).toContain('queue: 3 waiting, 1 in flight · parked: 1 (redrive from its dead-letter queue)');
    expect([0, 999, 1000, 59_949, 60_000, 3_600_000 * 2.5].map(formatDuration)).toEqual(['0 ms', '999 ms', '1.0 s', '59.9 s', '1.0 min', '2.5 h']);
  });
});

describe('a deployed stack, found through CloudFormation', () => {
  let app: StartedApp;
  let template: any;
  const savedSqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;

  beforeAll(async () => {
    const dir = tempDir('es-operator-');
    app = await startLocalApp({
      props: { projections: [{ name: 'ledger', entry: writeProjection(dir, 'ledger', VERSION_LOG_PROJECTION) }] },
    });
    template = app.template; // as GetTemplate returns it
    process.env.AWS_ENDPOINT_URL_SQS = app.runtime.operatorView().endpoints.sqs;
    await append(app.client, { type: 'Created', id: 'op-1' });
    await app.runtime.waitUntilIdle(30_000);
  }, 60_000);
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_SQS = savedSqsEndpoint;
    await app?.runtime.stop();
  });

  /** Answers GetTemplate and ListStackResources (two resources a page) for the stack the local runtime runs. */
  function cloudFormation(stackName: string): { client: CloudFormationClient; calls: string[] } {
    const calls: string[] = [];
    const view = app.runtime.operatorView().apis[0];
    const definition = app.runtime.apis[0].definition;
    const physical: Record<string, string> = { [definition.eventsTable.logicalId]: view.eventsTable };
    for (const v of definition.views) {
      physical[v.table.logicalId] = v.table.tableName;
      physical[v.queue.logicalId] = v.queue.url;
      physical[v.deadLetterQueue.logicalId] = v.deadLetterQueue.url;
    }
    const { jobsQueue, jobsDeadLetterQueue } = definition.maintenance!;
    for (const q of [definition.publisherFailureQueue!, jobsQueue, jobsDeadLetterQueue]) physical[q.logicalId] = q.url;
    physical[definition.writer.logicalId] = 'writer-function';
    const client = {
      send: async (command: { constructor: { name: string }; input: { StackName?: string; NextToken?: string } }) => {
        calls.push(`${command.constructor.name} ${command.input.StackName}${command.input.NextToken ? ` ${command.input.NextToken}` : ''}`);
        if (command.input.StackName !== stackName) {
          throw Object.assign(new Error(`Stack with id ${command.input.StackName} does not exist`), { name: 'ValidationError' });
        }
        if (command.constructor.name === 'GetTemplateCommand') return { TemplateBody: JSON.stringify(template) };
        const resources = Object.entries(physical).map(([LogicalResourceId, PhysicalResourceId]) => ({ LogicalResourceId, PhysicalResourceId }));
        const start = Number(command.input.NextToken ?? 0);
        return { StackResourceSummaries: resources.slice(start, start + 2), NextToken: start + 2 < resources.length ? String(start + 2) : undefined };
      },
    };
    return { client: client as unknown as CloudFormationClient, calls };
  }

  test('the resources come from the template\'s role metadata and every page of ListStackResources; status matches the local path', async () => {
    const { client, calls } = cloudFormation('LocalTest');
    const deployed = await stackTarget({ stack: 'LocalTest', region: 'us-east-1' }, client);
    // 8 resources, two a page (DescribeStackResources would have answered only a stack's first 100).
    expect(calls).toEqual(['GetTemplateCommand LocalTest', ...['', ' 2', ' 4', ' 6'].map((token) => `ListStackResourcesCommand LocalTest${token}`)]);
    const local = await localTarget(app.runtime.operatorUrl);
    const { url: _apiUrl, ...localApi } = local.api as typeof local.api & { url: string }; // the local view also gives the API's URL
    expect(deployed.api).toEqual(localApi);
    const [fromStack, fromLocal] = [await status(deployed, { scan: true }), await status(local, { scan: true })];
    expect(fromStack).toEqual(fromLocal);
    expect(fromStack).toMatchObject({ streams: 1, publisherFailures: 0, views: [{ name: 'ledger', version: 1, streamsBehind: 0, lagMs: 0, parked: 0, rebuilding: false }] });
    expect(formatStatus(fromStack, deployed.where)).toContain('ledger v1, up to date');
  });

  test('a stack that does not exist, or an API name that does not match, is a clear error', async () => {
    await expect(stackTarget({ stack: 'Nope' }, cloudFormation('LocalTest').client)).rejects.toThrow(/Stack with id Nope does not exist/);
    await expect(stackTarget({ stack: 'LocalTest', api: 'Other' }, cloudFormation('LocalTest').client)).rejects.toThrow(/No EventSourcedApi "Other" in stack LocalTest \(there are: LocalTest\/Api\)/);
    await expect(localTarget('http://127.0.0.1:9/')).rejects.toThrow(/Cannot reach the local runtime's operator endpoint/);
  });
});

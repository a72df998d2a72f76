/**
 * What the view-maintenance handler's tests share: its jobs queue served by the local runtime's
 * SQS endpoint (SQS has no local implementation here), a loopback server standing in for
 * CloudFormation's ResponseURL, an events table and a fresh view registry per test on DynamoDB
 * Local, and `send` to drive the Custom::ViewBackfill resource as CloudFormation does.
 */
import * as http from 'node:http';
import { captureLogs, createEventsTable, createRegistryTable, type CapturedLogs } from './local-dynamo';
import { handler } from '../../lambda-src/maintenance/index';
import { LocalQueue } from '../../packages/cli/src/local-queue';
import { closeServer, listenOnLoopback, withBody } from '../../packages/cli/src/loopback-server';
import { LocalSqsEndpoint } from '../../packages/cli/src/sqs-endpoint';
import { ENV } from '../../src/contract';

export interface CloudFormationAnswer { readonly Status: string; readonly PhysicalResourceId: string; readonly Reason?: string }

export interface MaintenanceHarness {
  /** The jobs queue the handler sends its steps to (purged before each test). */
  readonly jobs: LocalQueue;
  /** This test's answers to CloudFormation, in order. */
  readonly answers: CloudFormationAnswer[];
  /** This test's log lines. */
  logs(): CapturedLogs;
  /** This test's view registry table. */
  registry(): string;
  /** One request as CloudFormation sends it; resolves with the answer it got. */
  send(
    type: 'Create' | 'Update' | 'Delete',
    properties: Record<string, string>,
    extra?: { physicalId?: string; old?: Record<string, string> },
  ): Promise<CloudFormationAnswer>;
}

/** Registers the jest hooks that set the harness up and tear it down; call at a test file's top level. */
export function maintenanceHarness(queueName: string): MaintenanceHarness {
  const endpoint = new LocalSqsEndpoint();
  const jobs = new LocalQueue({ name: queueName, fifo: false, visibilityTimeoutMs: 0 });
  const answers: CloudFormationAnswer[] = [];
  const cloudFormation = http.createServer(withBody((_req, res, body) => {
    answers.push(JSON.parse(body.toString('utf8')) as CloudFormationAnswer);
    res.writeHead(200).end();
  }));
  const saved = { ...process.env };
  let responseUrl = '';
  let logs: CapturedLogs | undefined;
  let registry = '';

  beforeAll(async () => {
    const sqsUrl = await endpoint.start();
    const queueUrl = `${sqsUrl}/000000000000/${queueName}`;
    endpoint.add(queueUrl, jobs);
    responseUrl = `${await listenOnLoopback(cloudFormation)}/answer`;
    const { tableName } = await createEventsTable();
    process.env.AWS_ENDPOINT_URL_SQS = sqsUrl;
    process.env[ENV.eventsTable] = tableName;
    process.env[ENV.jobsQueueUrl] = queueUrl;
  });
  afterAll(async () => {
    process.env = saved;
    await endpoint.stop();
    await closeServer(cloudFormation);
  });
  beforeEach(async () => {
    logs = captureLogs();
    answers.length = 0;
    jobs.purge();
    registry = await createRegistryTable();
    process.env[ENV.viewRegistry] = registry;
  });
  afterEach(() => logs?.restore());

  return {
    jobs,
    answers,
    logs: () => logs!,
    registry: () => registry,
    async send(type, properties, extra = {}) {
      await handler({
        RequestType: type,
        ResponseURL: responseUrl,
        StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/Shop/1',
        RequestId: `r-${answers.length}`,
        LogicalResourceId: 'ProjectionordersBackfillv1',
        PhysicalResourceId: extra.physicalId,
        ResourceProperties: { ServiceToken: 'arn:fn', ...properties },
        OldResourceProperties: extra.old,
      } as Parameters<typeof handler>[0]);
      return answers[answers.length - 1];
    },
  };
}

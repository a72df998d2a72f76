import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { taggedResources, type TaggedResource } from './stack-resources';
import { DEFAULTS, ENV, type LocalOperatorView, type OperatorApiResources, type RoleMetadata } from '../../../../src/contract';

/** What a command works on: one API, and the clients that reach it. */
export interface Target {
  readonly api: OperatorApiResources;
  readonly dynamo: DynamoDBClient;
  readonly sqs: SQSClient;
  /** For messages: "stack Shop (eu-west-1)" or "the local runtime at …". */
  readonly where: string;
}

/** The one API, or the one named by `--api` (its construct path). */
function pick(apis: OperatorApiResources[], api: string | undefined, where: string): OperatorApiResources {
  if (apis.length === 0) throw new Error(`No EventSourcedApi in ${where}`);
  if (api === undefined) {
    if (apis.length > 1) throw new Error(`${where} has ${apis.length} EventSourcedApis: name one with --api (${apis.map((a) => a.owner).join(', ')})`);
    return apis[0];
  }
  const found = apis.find((a) => a.owner === api || a.owner.endsWith(`/${api}`));
  if (!found) throw new Error(`No EventSourcedApi "${api}" in ${where} (there are: ${apis.map((a) => a.owner).join(', ')})`);
  return found;
}

/** A running local runtime, found by its operator URL. */
export async function localTarget(url: string, api?: string): Promise<Target> {
  let view: LocalOperatorView;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`it answered ${response.status}`);
    view = await response.json() as LocalOperatorView;
  } catch (err) {
    throw new Error(`Cannot reach the local runtime's operator endpoint ${url}: ${String((err as Error).message ?? err)}`);
  }
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const where = `the local runtime at ${url}`;
  return {
    api: pick(view.apis, api, where),
    dynamo: new DynamoDBClient({ endpoint: view.endpoints.dynamodb, region: view.region, credentials }),
    sqs: new SQSClient({ endpoint: view.endpoints.sqs, region: view.region, credentials }),
    where,
  };
}

interface StackOptions {
  readonly stack: string;
  readonly region?: string;
  readonly profile?: string;
  readonly api?: string;
}

/**
 * A deployed stack: the role metadata of its template, and of the templates of the stacks nested
 * in it, says which resource is what; ListStackResources gives their names.
 */
export async function stackTarget(options: StackOptions, cloudFormation?: CloudFormationClient): Promise<Target> {
  const config = { ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) };
  // Loaded only here: the local path (--local) must not need the CloudFormation client installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const cfn = cloudFormation ?? new sdk.CloudFormationClient(config);
  const where = `stack ${options.stack}${options.region ? ` (${options.region})` : ''}`;
  const byOwner = new Map<string, TaggedResource[]>();
  const tagged = await taggedResources(cfn, options.stack, sdk).catch((err: unknown) => { throw withSetupAdvice(err, options); });
  for (const part of tagged) byOwner.set(part.meta.owner, [...(byOwner.get(part.meta.owner) ?? []), part]);
  const apis: OperatorApiResources[] = [];
  for (const [owner, parts] of byOwner) {
    const name = (role: RoleMetadata['role'], view?: string) => parts.find((p) => p.meta.role === role && p.meta.view === view)?.physicalId;
    // Every EventSourcedApi has a publisher; a Projection used on its own has none.
    if (!parts.some((p) => p.meta.role === 'publisher')) continue;
    // An imported events table is not in the stack: the writer's environment names it, or with
    // WritePath.DIRECT the append method's metadata.
    const writer = parts.find((p) => p.meta.role === 'writer');
    const named = writer?.properties?.Environment?.Variables?.[ENV.eventsTable] ?? parts.find((p) => p.meta.role === 'direct-append')?.meta.table;
    const eventsTable = name('events-table') ?? (typeof named === 'string' ? named : undefined);
    if (!eventsTable) throw new Error(`${where}: cannot tell the name of ${owner}'s events table from the template`);
    // Every function of the API is given it (the writer, the reader, each view's aggregator).
    const streamIdField = parts.map((p) => p.properties?.Environment?.Variables?.[ENV.streamIdField]).find((v) => typeof v === 'string');
    const views = parts.filter((p) => p.meta.role === 'view-table').map(({ meta }) => ({
      name: meta.view!,
      version: meta.version ?? 1,
      table: name('view-table', meta.view)!,
      previousTable: name('previous-view-table', meta.view),
      queueUrl: name('queue', meta.view)!,
      deadLetterQueueUrl: name('dead-letter-queue', meta.view)!,
    }));
    apis.push({
      owner,
      eventsTable,
      streamIdField: typeof streamIdField === 'string' ? streamIdField : DEFAULTS.streamIdField,
      publisherFailureQueueUrl: name('publisher-failure-queue'),
      jobsQueueUrl: name('jobs-queue'),
      jobsDeadLetterQueueUrl: name('jobs-dead-letter-queue'),
      viewRegistry: name('view-registry'),
      views,
    });
  }
  // The regional SQS endpoint (or AWS_ENDPOINT_URL_SQS), as the maintenance function uses it.
  const sqs = new SQSClient({ ...config, useQueueUrlAsEndpoint: false });
  return { api: pick(apis, options.api, where), dynamo: new DynamoDBClient(config), sqs, where };
}

/**
 * The SDK's bare "Could not load credentials from any providers" or "Region is missing", with
 * what to do about it (the first AWS call of a --stack command is where they surface).
 */
function withSetupAdvice(err: unknown, options: StackOptions): unknown {
  const { name, message } = err as { name?: string; message?: string };
  const local = 'or, for a local runtime, use --local <operator URL> instead of --stack';
  if (name === 'CredentialsProviderError') {
    return new Error(`No AWS credentials to read stack ${options.stack}${options.profile ? ` with profile ${options.profile}` : ''} (${message}): ` +
      `set AWS_PROFILE or pass --profile <name>, run \`aws configure\` (or \`aws sso login\` for an SSO profile), ${local}`);
  }
  if (typeof message === 'string' && /region is missing/i.test(message)) {
    return new Error(`No AWS region to find stack ${options.stack} in: pass --region <region> or set AWS_REGION, ${local}`);
  }
  return err;
}

import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { LocalFunction } from './function-host';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

/** CloudFormation's answer from a custom resource's function. */
export interface CustomResourceOutcome {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId?: string;
}

/** The answer, with the lines the function logged while it handled the request. */
export type CustomResourceResult = CustomResourceOutcome & { readonly logs: readonly string[] };

export interface CustomResourceRequest {
  /**
   * Create; Update (the resource was created by an earlier run); Delete with the properties it
   * had (it left the template). @default 'Create'
   */
  readonly requestType?: 'Create' | 'Update' | 'Delete';
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly properties: Record<string, string>;
  /** For an Update or a Delete: the id the Create answered with. */
  readonly physicalResourceId?: string;
  /** For an Update: the properties the earlier run deployed (the same as `properties` when unknown). */
  readonly oldProperties?: Record<string, string>;
}

/** CloudFormation waits up to an hour for a custom resource; locally a function gets this long to answer. */
const ANSWER_TIMEOUT_MS = 120_000;

/**
 * Creates (updates, deletes) a custom resource as CloudFormation does: invokes its function with a
 * Create (Update, Delete) request whose ResponseURL is a loopback server standing in for the presigned S3 URL
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html), and
 * resolves with the answer the function PUT there. A function that never answers times out.
 */
export async function createCustomResource(
  fn: LocalFunction, request: CustomResourceRequest, timeoutMs = ANSWER_TIMEOUT_MS,
): Promise<CustomResourceResult> {
  let answered!: (outcome: CustomResourceOutcome) => void;
  const answer = new Promise<CustomResourceOutcome>((resolve) => { answered = resolve; });
  const server = http.createServer(withBody((_req, res, body) => {
    res.writeHead(200).end();
    try {
      answered(JSON.parse(body.toString('utf8')) as CustomResourceOutcome);
    } catch (err) {
      answered({ Status: 'FAILED', Reason: `the function's answer is not JSON: ${String(err)}` });
    }
  }));
  const url = await listenOnLoopback(server);
  let timer: NodeJS.Timeout | undefined;
  try {
    const stackId = `arn:aws:cloudformation:local:000000000000:stack/${request.stackName}/${randomUUID()}`;
    const properties = { ServiceToken: fn.definition.logicalId, ...request.properties };
    const requestType = request.requestType ?? 'Create';
    const invocation = fn.invokeWithLogs({
      RequestType: requestType,
      ServiceToken: fn.definition.logicalId,
      ResponseURL: `${url}/cloudformation-response/${request.logicalId}`,
      StackId: stackId,
      RequestId: randomUUID(),
      LogicalResourceId: request.logicalId,
      ResourceType: request.resourceType,
      ResourceProperties: properties,
      // An Update carries the properties the template declared before it
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html).
      ...(requestType === 'Update'
        ? { OldResourceProperties: request.oldProperties ? { ServiceToken: fn.definition.logicalId, ...request.oldProperties } : properties }
        : {}),
      ...(requestType !== 'Create' ? { PhysicalResourceId: request.physicalResourceId } : {}),
    });
    const timeout = new Promise<CustomResourceOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ Status: 'FAILED', Reason: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    });
    const failed = invocation.then(() => timeout, (err) => ({ Status: 'FAILED' as const, Reason: `the function failed: ${String((err as Error).message ?? err)}` }));
    const outcome = await Promise.race([answer, failed]);
    // The function answers, then returns: wait a moment for its lines, not for a function that hangs.
    const logs = await Promise.race([
      invocation.then((i) => i.logs, (err: { logs?: string[] }) => err.logs ?? []),
      new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 1000).unref()),
    ]);
    return { ...outcome, logs };
  } finally {
    if (timer) clearTimeout(timer);
    await closeServer(server);
  }
}

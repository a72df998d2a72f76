/**
 * The local HttpGateway in front of stand-in functions that record the events they get, for the
 * gateway's own tests (REST and HTTP API kinds).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PreflightDefinition, ThrottleDefinition } from '../../packages/cli/src/cloud-assembly';
import { InvocationError, LocalFunction } from '../../packages/cli/src/function-host';
import { HttpCorsDefinition } from '../../packages/cli/src/http-api-cors';
import { HttpGateway } from '../../packages/cli/src/http-gateway';

export type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** A stand-in for a LocalFunction: records the events it gets, answers with `handler`, and "logs" one line per invocation. */
export function fakeFunction(name: string, events: APIGatewayProxyEvent[], handler?: Handler): LocalFunction {
  const answer: Handler = handler ?? (async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fn: name }) }));
  const invokeWithLogs = async (event: APIGatewayProxyEvent) => {
    events.push(event);
    const logs = [`${name} got ${event.httpMethod} ${event.path}`];
    try {
      return { result: await answer(event), logs };
    } catch (err) {
      throw Object.assign(new InvocationError(name, String((err as Error).message), 'Error'), { logs });
    }
  };
  return { invokeWithLogs } as unknown as LocalFunction;
}

export async function startGateway(options: {
  kind?: 'REST' | 'HTTP';
  stageName?: string;
  httpCors?: HttpCorsDefinition;
  reader?: boolean;
  /** The same preflight on every resource... */
  preflight?: PreflightDefinition;
  /** ...or each resource's own, by path. */
  preflights?: Record<string, PreflightDefinition>;
  writer?: Handler;
  binaryMediaTypes?: string[];
  throttle?: ThrottleDefinition;
  apiKeyRequired?: boolean;
} = {}) {
  const writerEvents: APIGatewayProxyEvent[] = [];
  const readerEvents: APIGatewayProxyEvent[] = [];
  const responses: Array<[string, string, number]> = [];
  const serverErrors: Array<[string, string, number, string, string[]]> = [];
  const gateway = new HttpGateway({
    kind: options.kind,
    stageName: options.stageName,
    httpCors: options.httpCors,
    writer: fakeFunction('writer', writerEvents, options.writer),
    reader: options.reader === false ? undefined : fakeFunction('reader', readerEvents),
    preflights: options.preflights ?? (options.preflight && { '/': options.preflight, '/{view}': options.preflight, '/{view}/{id}': options.preflight }),
    binaryMediaTypes: options.binaryMediaTypes,
    throttle: options.throttle,
    apiKeyRequired: options.apiKeyRequired,
    onResponse: (method, url, status) => responses.push([method, url, status]),
    onServerError: (...args) => serverErrors.push(args),
  });
  const url = await gateway.start();
  return { gateway, url, writerEvents, readerEvents, responses, serverErrors };
}


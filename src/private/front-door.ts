import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DirectAppendProps } from './direct-append';
import { ApiAuthorization } from '../api-authorization';
import { MIN_VERSION_HEADER, PAGE_HEADERS } from '../contract';
import { RestApiOptions } from '../rest-api-options';

/** What a front door (REST or HTTP) is built from. */
export interface FrontDoorProps {
  /** Serves `POST /`, unless `directAppend` does. */
  readonly writer?: lambda.IFunction;
  /** `WritePath.DIRECT`: `POST /` appends through an AWS integration, no Lambda. */
  readonly directAppend?: DirectAppendProps;
  readonly reader?: lambda.IFunction;
  readonly options: RestApiOptions;
  readonly stageName: string;
  readonly logRetention: logs.RetentionDays;
  readonly encryptionKey?: kms.IKey;
}

/** What the construct needs of its front door, whichever kind it is. */
export interface FrontDoor {
  /** The URL of the routes, ending with "/"; undefined when the API has no stage here (an imported one). */
  readonly url?: string;
  readonly authorization: ApiAuthorization;
  /** The execute-api ARN of a route of the stage, for IAM grants. */
  arnForExecuteApi(method: string, path: string): string;
  /** 5xx answers, requests, and latency of the stage (sum, sum, p99 unless `props` say otherwise). */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * A metric of API Gateway's for one route (its detailed metrics: `Count`, `4XXError`, `5XXError`),
   * sum unless `props` say otherwise; undefined where the stage is not known here.
   */
  metricRoute?(metricName: string, method: string, path: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Request headers a browser may send only if the preflight allows them. */
export const CLIENT_HEADERS: readonly string[] = [PAGE_HEADERS.request, MIN_VERSION_HEADER];

/** The user's allowed headers and the API's own (unless a wildcard already allows every header). */
export function withClientHeaders(allowHeaders: string[]): string[] {
  if (allowHeaders.includes('*')) return allowHeaders;
  const missing = CLIENT_HEADERS.filter((name) => !allowHeaders.some((h) => h.toLowerCase() === name.toLowerCase()));
  return [...allowHeaders, ...missing];
}

/**
 * The methods of the construct's routes at the base path (`/`) or below it (`/{view}`,
 * `/{view}/{id}`): what a CORS preflight there allows unless `api.cors.allowMethods` says otherwise,
 * so that no preflight advertises a method no route has.
 */
export function routeMethods(props: FrontDoorProps, at: 'base' | 'views'): string[] {
  if (at === 'views') return ['GET'];
  return props.reader ? ['GET', 'POST'] : ['POST'];
}

/** The same routes on either kind of API: POST / appends; GET /, /{view} and /{view}/{id} read. */
export const ROUTES = {
  append: { method: 'POST', path: '/' },
  reads: [{ method: 'GET', path: '/' }, { method: 'GET', path: '/{view}' }, { method: 'GET', path: '/{view}/{id}' }],
} as const;

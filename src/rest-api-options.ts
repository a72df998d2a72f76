import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiAuthorization } from './api-authorization';

/**
 * The REST front door of an `EventSourcedApi`.
 */
export interface RestApiOptions {
  /**
   * Whether to create the REST API. `false` leaves only the event store, fan-out and views;
   * append by invoking `writer` and read the view tables directly.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * How callers are authorized on every route (CORS preflight `OPTIONS` stays open).
   * @default ApiAuthorization.iam()
   */
  readonly authorization?: ApiAuthorization;

  /**
   * Steady-state requests per second of the stage.
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst requests of the stage.
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * CORS: adds preflight `OPTIONS` routes, and the handlers answer with the first allowed origin
   * and expose the `LastEvaluatedKey` header.
   * @default - no CORS
   */
  readonly cors?: apigateway.CorsOptions;

  /**
   * Name of the deployment stage.
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Name of the REST API.
   * @default - the construct's path
   */
  readonly restApiName?: string;

  /**
   * Create the account-level role that lets API Gateway write access and execution logs.
   * Turn off when another stack of the account and region already manages it.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

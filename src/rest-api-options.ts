import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiAuthorization } from './api-authorization';
import { ApiKind } from './api-kind';
import { WritePath } from './write-path';

/**
 * The front door of an `EventSourcedApi`: a REST API by default, or an HTTP API.
 */
export interface RestApiOptions {
  /**
   * A REST API (API Gateway v1) or an HTTP API (v2, cheaper and faster; no API keys). Both have
   * the same routes, headers and status codes, and the same handlers (HTTP API integrations use
   * payload format 1.0).
   * @default ApiKind.REST
   */
  readonly kind?: ApiKind;

  /**
   * How `POST /` stores events: the writer Lambda, or `WritePath.DIRECT`, an API Gateway AWS
   * integration that runs the same DynamoDB transaction (event and eventId marker) from mapping
   * templates, with no Lambda. DIRECT needs a REST API and `expectedVersion` in every request
   * (it cannot read the stream's head); a request model checks the envelope (`type`, the stream
   * id, `eventId`, `expectedVersion`) and answers 400, and the data is stored as sent, without the
   * writer's checks. A 201 answers `{"stored":true}`, not the event. See docs/front-doors.md for exactly
   * what it checks and what it cannot.
   * @default WritePath.LAMBDA
   */
  readonly writePath?: WritePath;

  /**
   * Mount the routes on a resource of an existing REST API instead of creating one: `POST` and
   * `GET` on it, `GET {view}` and `GET {view}/{id}` below it (e.g. `myApi.root.addResource('orders')`
   * serves `POST /orders`). The API, its stage, deployment, logging, throttling and usage plans
   * stay yours, so `kind`, `restApiName`, `stageName`, the throttling props, `cloudWatchRole` and
   * `usagePlan` cannot be set; `authorization`, `apiKeyRequired` and `cors` apply to the routes.
   * The API metrics and the 5xx alarm then cover your whole API.
   * @default - the construct creates its own API
   */
  readonly existingApiResource?: apigateway.IResource;

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
   * CORS: a REST API gets preflight `OPTIONS` routes, and the handlers answer with the allowed
   * origin and expose the `LastEvaluatedKey` header. An HTTP API gets a CORS configuration: API
   * Gateway answers preflights and sets the CORS headers of every answer itself (it exposes
   * `LastEvaluatedKey` too). `statusCode` and `disableCache` apply to a REST API only.
   * @default - no CORS
   */
  readonly cors?: apigateway.CorsOptions;

  /**
   * Name of the deployment stage.
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Name of the API (REST or HTTP).
   * @default - the construct's path
   */
  readonly restApiName?: string;

  /**
   * REST API only. Require an API key (the `x-api-key` header) on every route besides CORS preflights. The API
   * gets a usage plan, with `usagePlan`'s limits, and one key in it (`apiKey`); add more with
   * `usagePlan.addApiKey()`. A key identifies and meters a caller; it is not authorization, which
   * `authorization` still does.
   * @default false
   */
  readonly apiKeyRequired?: boolean;

  /**
   * REST API only. Limits of the usage plan the API keys belong to. Only with `apiKeyRequired`.
   * @default - no quota; the stage's throttling
   */
  readonly usagePlan?: UsagePlanLimits;

  /**
   * REST API only. Create the account-level role that lets API Gateway write access and execution logs.
   * Turn off when another stack of the account and region already manages it.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
}

/**
 * What each API key of the usage plan may use.
 */
export interface UsagePlanLimits {
  /**
   * Requests each key may make per `quotaPeriod`.
   * @default - no quota
   */
  readonly quotaLimit?: number;

  /**
   * The period of `quotaLimit`.
   * @default apigateway.Period.DAY
   */
  readonly quotaPeriod?: apigateway.Period;

  /**
   * Steady-state requests per second of each key.
   * @default - the stage's throttling
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst requests of each key.
   * @default - the stage's throttling
   */
  readonly throttlingBurstLimit?: number;
}

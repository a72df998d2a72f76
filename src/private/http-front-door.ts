import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeScanners, SCANNER_REASONS } from './acknowledge';
import { FrontDoor, FrontDoorProps, ROUTES, routeMethods, withClientHeaders } from './front-door';
import { ApiAuthorization } from '../api-authorization';
import { CORS_EXPOSED_HEADERS } from '../contract';

/** The HTTP API front door. */
export interface HttpFrontDoor extends FrontDoor {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
}

/**
 * HTTP API variables of an access log line, one JSON object per request
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
 * Not REST's standard fields: `$context.resourcePath` and others do not exist on HTTP APIs.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  userArn: '$context.identity.userArn',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

/**
 * An HTTP API with the REST API's routes. Lambda proxy integrations use payload format 1.0, the
 * REST API's event and answer, so the handlers and the HTTP contract are the same on both kinds.
 */
export function createHttpFrontDoor(scope: Construct, props: FrontDoorProps): HttpFrontDoor {
  const { options, stageName } = props;
  const cors = options.cors;
  const api = new apigwv2.HttpApi(scope, 'HttpApi', {
    apiName: options.restApiName,
    description: 'cdk-event-sourced-api: POST / appends events, GET reads views',
    createDefaultStage: false,
    // API Gateway answers preflights itself and sets the CORS headers of every answer from this
    // configuration, ignoring those the functions send: the headers clients read must be exposed
    // here, and only the routes' methods allowed (an HTTP API's CORS configuration is API-wide).
    corsPreflight: cors && {
      allowOrigins: cors.allowOrigins,
      allowHeaders: withClientHeaders(cors.allowHeaders ?? apigateway.Cors.DEFAULT_HEADERS),
      allowMethods: (cors.allowMethods ?? routeMethods(props, 'base')).map(corsMethod),
      allowCredentials: cors.allowCredentials,
      exposeHeaders: [...new Set([...(cors.exposeHeaders ?? []), ...CORS_EXPOSED_HEADERS])],
      maxAge: cors.maxAge,
    },
  });
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY, encryptionKey: props.encryptionKey,
  });
  if (!props.encryptionKey) acknowledgeScanners(accessLogs, { checkov: { CKV_AWS_158: SCANNER_REASONS.logGroupKey } });
  const stage = api.addStage('Stage', {
    stageName,
    autoDeploy: true,
    throttle: { rateLimit: options.throttlingRateLimit ?? 100, burstLimit: options.throttlingBurstLimit ?? 200 },
    detailedMetricsEnabled: true,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
    },
  });

  const authorization = options.authorization ?? ApiAuthorization.iam();
  const authorizer = routeAuthorizer(authorization);
  const routeOptions = { authorizer, authorizationScopes: authorization.authorizationScopes };
  const integration = (id: string, fn: lambda.IFunction) =>
    new HttpLambdaIntegration(id, fn, { payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0 });
  // An HTTP API always has the writer: WritePath.DIRECT needs a REST API (synth checks it).
  api.addRoutes({ path: ROUTES.append.path, methods: [apigwv2.HttpMethod.POST], integration: integration('Append', props.writer!), ...routeOptions });
  if (props.reader) {
    const read = integration('Read', props.reader);
    for (const route of ROUTES.reads) api.addRoutes({ path: route.path, methods: [apigwv2.HttpMethod.GET], integration: read, ...routeOptions });
  }
  if (authorization.authorizationType === apigateway.AuthorizationType.NONE) {
    acknowledge(api, { 'AwsSolutions-APIG4': 'Authorization was explicitly turned off with ApiAuthorization.none().' });
  }

  return {
    api,
    stage,
    // A named stage's URL has no trailing "/": add it, as the REST API's has.
    url: stage.url.endsWith('/') ? stage.url : `${stage.url}/`,
    authorization,
    arnForExecuteApi: (method, path) => api.arnForExecuteApi(method, path, stageName),
    metricServerErrors: (metricProps) => stage.metricServerError({ statistic: cloudwatch.Stats.SUM, ...metricProps }),
    metricRequests: (metricProps) => stage.metricCount({ statistic: cloudwatch.Stats.SUM, ...metricProps }),
    metricLatency: (metricProps) => stage.metricLatency({ statistic: cloudwatch.Stats.p(99), ...metricProps }),
  };
}

/** The HTTP API authorizer of each route (validation has refused REST-only kinds already). */
function routeAuthorizer(authorization: ApiAuthorization): apigwv2.IHttpRouteAuthorizer {
  if (authorization.httpRouteAuthorizer) return authorization.httpRouteAuthorizer;
  if (authorization.userPool) {
    return new HttpUserPoolAuthorizer('CognitoAuthorizer', authorization.userPool, { userPoolClients: authorization.userPoolClients });
  }
  if (authorization.jwtIssuer) {
    return new HttpJwtAuthorizer('JwtAuthorizer', authorization.jwtIssuer.issuer, { jwtAudience: authorization.jwtIssuer.audience });
  }
  if (authorization.authorizationType === apigateway.AuthorizationType.NONE) return new apigwv2.HttpNoneAuthorizer();
  return new HttpIamAuthorizer();
}

function corsMethod(method: string): apigwv2.CorsHttpMethod {
  const found = Object.values(apigwv2.CorsHttpMethod).find((m) => m === method.toUpperCase());
  if (!found) throw new Error(`api.cors.allowMethods "${method}" is not an HTTP method an HTTP API's CORS configuration accepts.`);
  return found;
}

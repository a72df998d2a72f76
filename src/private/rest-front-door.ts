import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeScanners, MANAGED_POLICY, SCANNER_REASONS } from './acknowledge';
import { addDirectAppend, addInvalidBodyResponse } from './direct-append';
import { FrontDoor, FrontDoorProps, routeMethods, withClientHeaders } from './front-door';
import { ApiAuthorization } from '../api-authorization';
import { UsagePlanLimits } from '../rest-api-options';

/** The REST API front door, with the usage plan and first key when keys are required. */
export interface RestFrontDoor extends FrontDoor {
  readonly api: apigateway.RestApi;
  readonly usagePlan?: apigateway.UsagePlan;
  readonly apiKey?: apigateway.IApiKey;
}

/** A REGIONAL REST API whose routes are Lambda proxy integrations of the writer and reader. */
export function createRestFrontDoor(scope: Construct, props: FrontDoorProps): RestFrontDoor {
  const { options, stageName } = props;
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY, encryptionKey: props.encryptionKey,
  });
  if (!props.encryptionKey) acknowledgeScanners(accessLogs, { checkov: { CKV_AWS_158: SCANNER_REASONS.logGroupKey } });
  const api = new apigateway.RestApi(scope, 'Api', {
    restApiName: options.restApiName,
    description: 'cdk-event-sourced-api: POST / appends events, GET reads views',
    endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
    cloudWatchRole: options.cloudWatchRole ?? true,
    cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
    defaultCorsPreflightOptions: restCors(options.cors, routeMethods(props, 'base')),
    deployOptions: {
      stageName,
      throttlingRateLimit: options.throttlingRateLimit ?? 100,
      throttlingBurstLimit: options.throttlingBurstLimit ?? 200,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      loggingLevel: apigateway.MethodLoggingLevel.INFO,
      tracingEnabled: true,
      metricsEnabled: true,
    },
  });
  acknowledgeScanners(api.deploymentStage, { checkov: { CKV_AWS_120: SCANNER_REASONS.apiCaching } });

  const authorization = addRestRoutes(scope, api.root, props, { basePreflight: false });
  if (props.directAppend) addInvalidBodyResponse(api, props.directAppend.streamIdField, props.directAppend.corsOrigin);
  const noAuth = authorization.authorizationType === apigateway.AuthorizationType.NONE;
  if (noAuth) acknowledge(api, { 'AwsSolutions-APIG4': 'Authorization was explicitly turned off with ApiAuthorization.none().' });
  acknowledge(api, {
    'AwsSolutions-APIG2': props.directAppend
      ? 'POST / bodies are validated by a request validator and model; GET parameters by the reader Lambda, which answers 4xx JSON naming the problem.'
      : 'Request bodies and parameters are validated by the writer and reader Lambdas, which answer 4xx JSON naming the problem.',
    'AwsSolutions-APIG3': 'A WAFv2 web ACL is account- and app-specific: associate one with the stage (restApi.deploymentStage) where needed.',
    ...(authorization.authorizationType === apigateway.AuthorizationType.COGNITO ? {} : {
      'AwsSolutions-COG4': noAuth
        ? 'Authorization was explicitly turned off with ApiAuthorization.none().'
        : 'Routes use IAM (SigV4) or the authorizer given in api.authorization.',
    }),
    [MANAGED_POLICY.apiGatewayLogs]: 'The AWS managed policy of the API Gateway account role only lets API Gateway write its logs.',
  });

  const keys = options.apiKeyRequired ? addUsagePlan(scope, api, options.usagePlan ?? {}) : undefined;
  return {
    api,
    usagePlan: keys?.plan,
    apiKey: keys?.key,
    url: api.url,
    authorization,
    arnForExecuteApi: (method, path) => api.arnForExecuteApi(method, path, stageName),
    metricServerErrors: (metricProps) => api.metricServerError({ statistic: cloudwatch.Stats.SUM, ...metricProps }),
    metricRequests: (metricProps) => api.metricCount({ statistic: cloudwatch.Stats.SUM, ...metricProps }),
    metricLatency: (metricProps) => api.metricLatency({ statistic: cloudwatch.Stats.p(99), ...metricProps }),
    metricRoute: (metricName, method, path, metricProps) => routeMetric(api.restApiName, stageName, metricName, method, path, metricProps),
  };
}

/** API Gateway's detailed metric of one route of a REST API's stage (the stage has metricsEnabled). */
export function routeMetric(
  apiName: string, stageName: string, metricName: string, method: string, path: string, props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: { ApiName: apiName, Stage: stageName, Method: method, Resource: path },
    statistic: cloudwatch.Stats.SUM,
    ...props,
  });
}

/**
 * The routes on `base` (the API's root, or a resource of the user's API): POST appends, GET on
 * `base`, `{view}` and `{view}/{id}` read. Authorization is set per method, not as a default, so
 * CORS preflight OPTIONS stays open. With `api.cors`, the new resources get preflights of their
 * own, each allowing the methods its routes have; `base` too with `basePreflight` (a new API's root
 * has its preflight from the API's defaults already).
 */
export function addRestRoutes(
  scope: Construct, base: apigateway.IResource, props: FrontDoorProps, placement: { basePreflight: boolean },
): ApiAuthorization {
  const { options } = props;
  const cors = options.cors;
  const authorization = options.authorization ?? ApiAuthorization.iam();
  const authorizer = authorization.userPool
    ? new apigateway.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', { cognitoUserPools: [authorization.userPool] })
    : authorization.authorizerRef;
  const methodOptions: apigateway.MethodOptions = {
    authorizationType: authorization.authorizationType,
    authorizer,
    authorizationScopes: authorization.authorizationScopes,
    apiKeyRequired: options.apiKeyRequired,
  };
  if (cors && placement.basePreflight) base.addCorsPreflight(restCors(cors, routeMethods(props, 'base'))!);
  if (props.directAppend) addDirectAppend(scope, base, props.directAppend, methodOptions);
  else base.addMethod('POST', new apigateway.LambdaIntegration(props.writer!, { allowTestInvoke: false }), methodOptions);
  if (props.reader) {
    const read = new apigateway.LambdaIntegration(props.reader, { allowTestInvoke: false });
    base.addMethod('GET', read, methodOptions);
    const view = base.addResource('{view}', cors ? { defaultCorsPreflightOptions: restCors(cors, routeMethods(props, 'views')) } : undefined);
    view.addMethod('GET', read, methodOptions);
    view.addResource('{id}').addMethod('GET', read, methodOptions);
  }
  return authorization;
}

/**
 * CORS of a resource of the construct's: the user's, with the headers the API's clients send
 * allowed and, unless the user lists methods, the methods of the resource's routes.
 */
export function restCors(cors: apigateway.CorsOptions | undefined, methods: string[]): apigateway.CorsOptions | undefined {
  return cors && {
    ...cors,
    allowHeaders: withClientHeaders(cors.allowHeaders ?? apigateway.Cors.DEFAULT_HEADERS),
    allowMethods: cors.allowMethods ?? methods,
  };
}

/** A usage plan on the stage with one API key in it (more keys: `usagePlan.addApiKey()`). */
function addUsagePlan(scope: Construct, api: apigateway.RestApi, limits: UsagePlanLimits): { plan: apigateway.UsagePlan; key: apigateway.IApiKey } {
  const throttled = limits.throttlingRateLimit !== undefined || limits.throttlingBurstLimit !== undefined;
  const plan = api.addUsagePlan('UsagePlan', {
    description: `cdk-event-sourced-api: API keys of ${scope.node.path}`,
    apiStages: [{ api, stage: api.deploymentStage }],
    quota: limits.quotaLimit === undefined ? undefined : { limit: limits.quotaLimit, period: limits.quotaPeriod ?? apigateway.Period.DAY },
    throttle: throttled ? { rateLimit: limits.throttlingRateLimit, burstLimit: limits.throttlingBurstLimit } : undefined,
  });
  const key = api.addApiKey('ApiKey', { description: `cdk-event-sourced-api: the first API key of ${scope.node.path}` });
  plan.addApiKey(key);
  return { plan, key };
}

import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './acknowledge';
import { FrontDoor, FrontDoorProps } from './front-door';
import { addRestRoutes, routeMetric } from './rest-front-door';

/** The routes on the user's REST API. */
export interface MountedFrontDoor extends FrontDoor {
  readonly api: apigateway.IRestApi;
}

/**
 * The routes mounted on a resource of the user's REST API. The API, its stage, deployment, logs,
 * throttling and usage plans stay the user's; the construct adds methods and resources only.
 */
export function mountRestRoutes(scope: Construct, resource: apigateway.IResource, props: FrontDoorProps): MountedFrontDoor {
  const api = resource.api;
  if (props.options.cors && resource.defaultCorsPreflightOptions) {
    throw new Error(`api.cors cannot be set: ${resource.path} of the existing API has CORS preflight options already, which the routes take; leave api.cors out.`);
  }
  const before = new Set(api.node.findAll().map((c) => c.node.path));
  const authorization = addRestRoutes(scope, resource, props, { basePreflight: true });
  // cdk-nag judges these methods in the user's API: say why what they leave open is open.
  const added = api.node.findAll().filter((c: IConstruct) => !before.has(c.node.path) && c instanceof apigateway.Method);
  for (const method of added) {
    acknowledge(method, {
      ...(authorization.authorizationType === apigateway.AuthorizationType.COGNITO ? {} : { 'AwsSolutions-COG4': 'Routes use IAM (SigV4), no authorization or the authorizer given in api.authorization.' }),
      ...(authorization.authorizationType === apigateway.AuthorizationType.NONE ? { 'AwsSolutions-APIG4': 'Authorization was explicitly turned off with ApiAuthorization.none().' } : {}),
    });
  }
  const stage = deploymentStageOf(api);
  const base = resource.path === '/' ? '' : resource.path;
  /** A route's path in the user's API: the resource's path, then the route's below it. */
  const fullPath = (path: string) => `${base}${path === '/' && base ? '' : path}` || '/';
  const metric = (metricName: string, statistic: string, metricProps?: cloudwatch.MetricOptions) => new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiName: api.restApiName }, statistic, ...metricProps,
  });
  return {
    api,
    url: stage ? `${stage.urlForPath(resource.path)}${base ? '/' : ''}` : undefined,
    authorization,
    arnForExecuteApi: (method, path) => api.arnForExecuteApi(method, fullPath(path), stage?.stageName ?? '*'),
    // API Gateway's metrics are per API (or per stage), not per resource: these cover the whole API.
    metricServerErrors: (metricProps) => metric('5XXError', cloudwatch.Stats.SUM, metricProps),
    metricRequests: (metricProps) => metric('Count', cloudwatch.Stats.SUM, metricProps),
    metricLatency: (metricProps) => metric('Latency', cloudwatch.Stats.p(99), metricProps),
    // Per route only where the user's stage has detailed metrics (metricsEnabled).
    metricRoute: stage
      ? (metricName, method, path, metricProps) => routeMetric(api.restApiName, stage.stageName, metricName, method, fullPath(path), metricProps)
      : undefined,
  };
}

/** The API's deployment stage, if it has one here (an imported API without a stage has none). */
function deploymentStageOf(api: apigateway.IRestApi): apigateway.Stage | undefined {
  try {
    return api.deploymentStage;
  } catch {
    return undefined;
  }
}

/**
 * `api.existingApiResource`: the routes mounted on a resource of the user's REST API. The API, its
 * stage and deployment stay the user's; the construct adds its methods and resources only.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps } from '../../src';
import { logicalIdOf, synth, twoViews } from '../support/synth';
import { synthApp } from '../support/templates';

/** The user's API, with a resource to mount on (its own stage "live"). */
function mounted(api: Omit<NonNullable<EventSourcedApiProps['api']>, 'existingApiResource'> = {}, apiProps: apigateway.RestApiProps = {}) {
  let userApi!: apigateway.RestApi;
  const result = synth((stack) => {
    userApi = new apigateway.RestApi(stack, 'ShopApi', { deployOptions: { stageName: 'live' }, ...apiProps });
    userApi.root.addResource('health').addMethod('GET', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.IAM });
    return { projections: twoViews(), api: { ...api, existingApiResource: userApi.root.addResource('orders') } };
  });
  return { ...result, userApi };
}

const pathOf = (resources: Record<string, any>, id: string | undefined): string => {
  const parts: string[] = [];
  while (id && resources[id]?.Type === 'AWS::ApiGateway::Resource') {
    parts.unshift(resources[id].Properties.PathPart);
    id = resources[id].Properties.ParentId.Ref;
  }
  return `/${parts.join('/')}`;
};

describe('api.existingApiResource', () => {
  test('the routes are methods of the user\'s API under the resource; no API, stage, logs or role of the construct\'s', () => {
    const { template, api, userApi } = mounted();
    const resources = template.toJSON().Resources;
    const methods = Object.values<any>(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    const routes = methods.map((m) => `${m.HttpMethod} ${m.ResourceId.Ref ? pathOf(resources, m.ResourceId.Ref) : '/'}`).sort();
    expect(routes).toEqual(['GET /health', 'GET /orders', 'GET /orders/{view}', 'GET /orders/{view}/{id}', 'POST /orders']);
    for (const m of methods) expect(m.RestApiId).toEqual({ Ref: logicalIdOf(userApi) });
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGateway::Stage', 1);
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.includes('ApiAccessLogs'))).toEqual([]);
    expect(api.restApi).toBe(userApi);
    // The user's deployment depends on the mounted methods, so a deploy publishes them.
    const [deployment] = Object.values<any>(template.findResources('AWS::ApiGateway::Deployment'));
    const post = Object.entries<any>(template.findResources('AWS::ApiGateway::Method')).find(([, m]) => m.Properties.HttpMethod === 'POST')![0];
    expect(deployment.DependsOn).toContain(post);
  });

  test('url is the resource\'s under the user\'s stage; grants name its routes only', () => {
    const { api, stack } = mounted();
    expect(JSON.stringify(stack.resolve(api.url))).toMatch(/\{"Ref":"ShopApiDeploymentStagelive[0-9A-F]+"\},"\/orders\/"\]\]\}$/);
    const role = new iam.Role(stack, 'Appender', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantAppend(role);
    api.grantRead(role);
    const statement = JSON.stringify(stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document));
    const resources = [...statement.matchAll(/"\/(POST|GET)\/[^"]*"/g)].map((m) => m[0]);
    expect(resources).toEqual(['"/POST/orders"', '"/GET/orders"', '"/GET/orders/*"']);
    expect(statement).toContain(`{"Ref":"${logicalIdOf(api.restApi!.deploymentStage)}"},"/POST/orders"`);
  });

  test('authorization, API keys and CORS apply to the mounted routes', () => {
    const { template } = mounted({ authorization: ApiAuthorization.none(), apiKeyRequired: true, cors: { allowOrigins: ['https://shop.example.com'] } });
    const methods = Object.values<any>(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    const ours = methods.filter((m) => m.HttpMethod !== 'OPTIONS' && m.Integration?.Type === 'AWS_PROXY');
    expect(ours).toHaveLength(4);
    for (const m of ours) expect([m.AuthorizationType, m.ApiKeyRequired]).toEqual(['NONE', true]);
    expect(methods.filter((m) => m.HttpMethod === 'OPTIONS')).toHaveLength(3);
  });

  test('what belongs to the user\'s API cannot be set, naming the prop; nor CORS twice', () => {
    const withResource = (api: NonNullable<EventSourcedApiProps['api']>, apiProps: apigateway.RestApiProps = {}) => () => {
      const stack = new Stack();
      const userApi = new apigateway.RestApi(stack, 'ShopApi', apiProps);
      userApi.root.addMethod('GET', new apigateway.MockIntegration());
      new EventSourcedApi(stack, 'Api', { projections: twoViews(), api: { ...api, existingApiResource: userApi.root.addResource('orders') } });
    };
    expect(withResource({ stageName: 'v1' })).toThrow(/api\.stageName cannot be set with api\.existingApiResource: the stage is yours/);
    expect(withResource({ throttlingRateLimit: 5 })).toThrow(/api\.throttlingRateLimit cannot be set with api\.existingApiResource/);
    expect(withResource({ apiKeyRequired: true, usagePlan: { quotaLimit: 5 } })).toThrow(/api\.usagePlan cannot be set with api\.existingApiResource/);
    expect(withResource({ kind: ApiKind.REST })).toThrow(/api\.kind cannot be set with api\.existingApiResource/);
    expect(withResource({ cors: { allowOrigins: ['*'] } }, { defaultCorsPreflightOptions: { allowOrigins: ['*'] } }))
      .toThrow(/api\.cors cannot be set: \/orders of the existing API has CORS preflight options already/);
    expect(withResource({ enabled: false })).toThrow(/api\.enabled is false, so api\.existingApiResource cannot be set/);
  });

  test('the metrics are the whole API\'s, by its name', () => {
    const { api, userApi, stack } = mounted();
    expect(stack.resolve(api.metricApiServerErrors().dimensions)).toEqual({ ApiName: stack.resolve(userApi.restApiName) });
    expect(api.metricApiRequests().metricName).toBe('Count');
  });

  test('cdk-nag: no finding on the construct\'s routes (the user\'s API has its own)', () => {
    const app = new App();
    const stack = new Stack(app, 'NagMounted');
    const userApi = new apigateway.RestApi(stack, 'ShopApi');
    userApi.root.addMethod('GET', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.IAM });
    new EventSourcedApi(stack, 'Api', { projections: twoViews(), api: { existingApiResource: userApi.root.addResource('orders') } });
    synthApp(app);
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const onOurs = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`))
      .filter((finding) => finding.includes('/orders'));
    expect(onOurs).toEqual([]);
    // Not vacuous: the user's own API is judged (no access logs on its stage, say).
    expect(report.violations.length).toBeGreaterThan(0);
  });
});

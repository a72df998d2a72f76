/**
 * How the REST API authorizes callers and meters them: Cognito user pools (with and without
 * scopes), and API keys in a usage plan. Template tests; the local runtime does not enforce them.
 */
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization, EventSourcedApi, EventSourcedApiProps } from '../../src';
import { logicalIdOf, synth, twoViews } from '../support/synth';

const methods = (template: ReturnType<typeof synth>['template']) => Object.values(template.findResources('AWS::ApiGateway::Method'));
const withPool = (api: (pool: cognito.UserPool) => EventSourcedApiProps['api']) => (stack: Stack): EventSourcedApiProps =>
  ({ projections: twoViews(), api: api(new cognito.UserPool(stack, 'Users')) });

describe('ApiAuthorization.cognito()', () => {
  test('every route but the CORS preflights takes an ID token of the pool, through one authorizer of the API', () => {
    const { template, stack } = synth(withPool((pool) => ({ authorization: ApiAuthorization.cognito(pool), cors: { allowOrigins: ['*'] } })));
    const pool = logicalIdOf(stack.node.findChild('Users'));
    const authorizers = template.findResources('AWS::ApiGateway::Authorizer');
    expect(Object.values(authorizers).map((a) => a.Properties)).toEqual([expect.objectContaining({
      Type: 'COGNITO_USER_POOLS', IdentitySource: 'method.request.header.Authorization', ProviderARNs: [{ 'Fn::GetAtt': [pool, 'Arn'] }],
    })]);
    const [authorizerId] = Object.keys(authorizers);
    const routes = methods(template).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(routes).toHaveLength(4);
    for (const m of routes) {
      expect(m.Properties).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: authorizerId } });
      expect(m.Properties.AuthorizationScopes).toBeUndefined();
    }
    for (const m of methods(template).filter((x) => x.Properties.HttpMethod === 'OPTIONS')) expect(m.Properties.AuthorizationType).toBe('NONE');
  });

  test('with scopes, an access token must carry one of them', () => {
    const { template } = synth(withPool((pool) => ({ authorization: ApiAuthorization.cognito(pool, ['orders/read', 'orders/write']) })));
    for (const m of methods(template)) expect(m.Properties.AuthorizationScopes).toEqual(['orders/read', 'orders/write']);
  });

  test('empty scopes are refused: leave them out to accept ID tokens', () => {
    const pool = cognito.UserPool.fromUserPoolId(new Stack(), 'P', 'eu-west-1_abc');
    expect(() => ApiAuthorization.cognito(pool, [])).toThrow(/scopes must be non-empty strings/);
    expect(() => ApiAuthorization.cognito(pool, [' '])).toThrow(/scopes must be non-empty strings/);
  });
});

describe('api.apiKeyRequired', () => {
  test('every route but the CORS preflights needs a key of the usage plan, which has the stage and the first key', () => {
    const { template, api } = synth({
      projections: twoViews(),
      api: { apiKeyRequired: true, cors: { allowOrigins: ['*'] }, usagePlan: { quotaLimit: 5000, quotaPeriod: apigateway.Period.MONTH, throttlingRateLimit: 5, throttlingBurstLimit: 10 } },
    });
    for (const m of methods(template)) expect(m.Properties.ApiKeyRequired ?? false).toBe(m.Properties.HttpMethod !== 'OPTIONS');
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [{ ApiId: { Ref: logicalIdOf(api.restApi!) }, Stage: { Ref: logicalIdOf((api.restApi as apigateway.RestApi).deploymentStage) } }],
      Quota: { Limit: 5000, Period: 'MONTH' },
      Throttle: { RateLimit: 5, BurstLimit: 10 },
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: logicalIdOf(api.apiKey!) }, KeyType: 'API_KEY', UsagePlanId: { Ref: logicalIdOf(api.usagePlan!) },
    });
  });

  test('without limits the plan only groups the keys (no quota, the stage\'s throttling); without apiKeyRequired there is no plan', () => {
    const { template } = synth({ projections: twoViews(), api: { apiKeyRequired: true } });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Quota: Match.absent(), Throttle: Match.absent() });
    const { template: plain, api } = synth({ projections: twoViews() });
    plain.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    for (const m of methods(plain)) expect(m.Properties.ApiKeyRequired).toBeUndefined();
    expect(api.usagePlan).toBeUndefined();
  });

  test('limits without keys, and out-of-range limits, are refused at synth naming the prop', () => {
    const build = (api: EventSourcedApiProps['api']) => () => new EventSourcedApi(new Stack(), 'Api', { projections: twoViews(), api });
    expect(build({ usagePlan: { quotaLimit: 10 } })).toThrow(/api\.usagePlan applies only with api\.apiKeyRequired: true/);
    expect(build({ apiKeyRequired: true, usagePlan: { quotaLimit: 0 } })).toThrow(/api\.usagePlan\.quotaLimit/);
    expect(build({ apiKeyRequired: true, usagePlan: { throttlingRateLimit: 20000 } })).toThrow(/api\.usagePlan\.throttlingRateLimit/);
    expect(build({ enabled: false, apiKeyRequired: true })).toThrow(/api\.enabled is false, so api\.apiKeyRequired cannot be set/);
  });
});

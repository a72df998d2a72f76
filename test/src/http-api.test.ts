/**
 * `api.kind: ApiKind.HTTP`: an HTTP API (API Gateway v2) with the REST API's routes, payload
 * format 1.0 integrations, the stage's throttling and access logs, CORS answered by API Gateway,
 * IAM, JWT, Cognito and Lambda authorization, and synth errors for what an HTTP API cannot do.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps } from '../../src';
import { acknowledgeScanners, SCANNER_REASONS } from '../../src/private/acknowledge';
import { logicalIdOf, synth, twoViews } from '../support/synth';

type Template = ReturnType<typeof synth>['template'];
const routes = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
const http = (api: EventSourcedApiProps['api'] = {}): EventSourcedApiProps => ({ projections: twoViews(), api: { kind: ApiKind.HTTP, ...api } });

describe('the HTTP API', () => {
  test('has the REST API\'s four routes, IAM-authorized, as payload 1.0 proxy integrations of the writer and reader; nothing of API Gateway v1', () => {
    const { template, api } = synth(http());
    expect(routes(template).map((r) => r.RouteKey).sort()).toEqual(['GET /', 'GET /{view}', 'GET /{view}/{id}', 'POST /']);
    for (const r of routes(template)) expect(r.AuthorizationType).toBe('AWS_IAM');
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    expect(Object.keys(integrations)).toHaveLength(2);
    for (const i of Object.values(integrations)) expect(i.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '1.0' });
    const target = (key: string) => {
      const ref = routes(template).find((r) => r.RouteKey === key)!.Target['Fn::Join'][1][1].Ref;
      return integrations[ref].Properties.IntegrationUri['Fn::GetAtt'][0];
    };
    expect(target('POST /')).toBe(logicalIdOf(api.writer!));
    for (const key of ['GET /', 'GET /{view}', 'GET /{view}/{id}']) expect(target(key)).toBe(logicalIdOf(api.reader!));
    expect(Object.keys(template.toJSON().Resources).filter((id) => template.toJSON().Resources[id].Type.startsWith('AWS::ApiGateway::'))).toEqual([]);
    expect(api.restApi).toBeUndefined();
    expect(api.httpApi).toBeDefined();
  });

  test('without views only POST / exists', () => {
    const { template } = synth({ api: { kind: ApiKind.HTTP } });
    expect(routes(template).map((r) => r.RouteKey)).toEqual(['POST /']);
  });

  test('one stage, "prod" unless named, deployed automatically, throttled and access-logged as JSON with the request id; the URL ends with "/"', () => {
    const { template, api, stack } = synth(http({ throttlingRateLimit: 20, throttlingBurstLimit: 40 }));
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).map((s) => s.Properties);
    expect(stages).toHaveLength(1);
    expect(stages[0]).toMatchObject({ StageName: 'prod', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
    const format = JSON.parse(stages[0].AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(stages[0].AccessLogSettings.DestinationArn['Fn::GetAtt'][1]).toBe('Arn');
    expect(stack.resolve(api.url)['Fn::Join'][1].slice(-1)[0]).toMatch(/\/prod\/$/);
    const named = synth(http({ stageName: 'v1' })).template;
    named.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'v1', DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 } });
  });

  test('the functions may be invoked by this API only, from any of its routes', () => {
    const { template, api } = synth(http());
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    const apiId = logicalIdOf(api.httpApi!);
    for (const fn of [api.writer!, api.reader!]) {
      const of = permissions.filter((p) => p.FunctionName['Fn::GetAtt']?.[0] === logicalIdOf(fn));
      expect(of.length).toBeGreaterThan(0);
      for (const p of of) {
        expect(p.Principal).toBe('apigateway.amazonaws.com');
        expect(JSON.stringify(p.SourceArn)).toContain(`"Ref":"${apiId}"`);
      }
    }
  });

  test('CORS: API Gateway answers preflights (no OPTIONS route), allows the client headers and the routes\' methods, and exposes the headers clients read', () => {
    const { template } = synth(http({ cors: { allowOrigins: ['https://app.example.com'], allowHeaders: ['Content-Type', 'Authorization'], exposeHeaders: ['X-Other'] } }));
    expect(routes(template).some((r) => r.RouteKey.startsWith('OPTIONS'))).toBe(false);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com'],
        AllowHeaders: ['Content-Type', 'Authorization', 'ExclusiveStartKey', 'X-Min-Version'],
        AllowMethods: ['GET', 'POST'],
        ExposeHeaders: ['X-Other', 'LastEvaluatedKey', 'Idempotent-Replay', 'Retry-After'],
      },
    });
  });

  test('grants name the stage\'s routes of the HTTP API; with IAM no warning, with JWT a warning', () => {
    const { template, api, stack } = synth(http(), (a, s) => {
      a.grantAppend(new iam.Role(s, 'Appender', { assumedBy: new iam.AccountRootPrincipal() }));
      a.grantRead(new iam.Role(s, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() }));
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('grants execute-api:Invoke'))).toEqual([]);
    const policy = (role: string) => JSON.stringify(Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(role))![1].Properties.PolicyDocument);
    expect(policy('AppenderDefaultPolicy')).toContain(`{"Ref":"${logicalIdOf(api.httpApi!)}"},"/prod/POST/"`);
    expect(policy('ViewerDefaultPolicy')).toContain('/prod/GET/*');
    const jwt = synth(http({ authorization: ApiAuthorization.jwt('https://issuer.example.com/', ['client']) }));
    jwt.api.grantAppend(new iam.Role(jwt.stack, 'Appender', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(Annotations.fromStack(jwt.stack).findWarning('*', Match.stringLikeRegexp('grantAppend\\(\\) grants execute-api:Invoke'))).toHaveLength(1);
  });

  test('metrics and the 5xx alarm read the HTTP API\'s stage', () => {
    const { api, stack, template } = synth(http());
    const dims = (m: ReturnType<EventSourcedApi['metricApiLatency']>) => stack.resolve(m.dimensions);
    expect(api.metricApiServerErrors().metricName).toBe('5xx');
    expect(api.metricApiRequests().metricName).toBe('Count');
    expect(api.metricApiLatency().statistic).toBe('p99');
    expect(dims(api.metricApiServerErrors())).toEqual({ ApiId: { Ref: logicalIdOf(api.httpApi!) }, Stage: 'prod' });
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a) => JSON.stringify(a.Properties).includes('5xx'));
    expect(JSON.stringify(alarm!.Properties.Metrics)).toContain('"MetricName":"Count"');
  });
});

describe('authorization of the HTTP API', () => {
  test('none() leaves every route open', () => {
    for (const r of routes(synth(http({ authorization: ApiAuthorization.none() })).template)) expect(r.AuthorizationType).toBe('NONE');
  });

  test('jwt(): one JWT authorizer of the issuer and audience, with the scopes on every route', () => {
    const { template } = synth(http({ authorization: ApiAuthorization.jwt('https://example.auth0.com/', ['client-a', 'client-b'], ['orders:write']) }));
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.values(authorizers).map((a) => a.Properties)).toEqual([expect.objectContaining({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://example.auth0.com/', Audience: ['client-a', 'client-b'] },
    })]);
    for (const r of routes(template)) {
      expect(r).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: Object.keys(authorizers)[0] }, AuthorizationScopes: ['orders:write'] });
    }
  });

  test('cognito() with app clients: a JWT authorizer for the pool\'s issuer and the clients', () => {
    const { template, stack } = synth((s) => {
      const pool = new cognito.UserPool(s, 'Users');
      return http({ authorization: ApiAuthorization.cognito(pool, undefined, [pool.addClient('Web')]) });
    });
    const pool = logicalIdOf(stack.node.findChild('Users'));
    const [authorizer] = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer')).map((a) => a.Properties);
    expect(authorizer.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(authorizer.JwtConfiguration.Issuer)).toContain(`{"Ref":"${pool}"}`);
    expect(authorizer.JwtConfiguration.Audience).toEqual([{ Ref: logicalIdOf(stack.node.findChild('Users').node.findChild('Web')) }]);
    for (const r of routes(template)) expect(r.AuthorizationType).toBe('JWT');
  });

  test('httpAuthorizer(): a Lambda authorizer on every route', () => {
    const { template } = synth((s) => {
      const fn = new lambda.Function(s, 'AuthFn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({isAuthorized:true})') });
      // The app's own function: CDK writes the same redundant DependsOn on its role as on ours.
      acknowledgeScanners(fn, { cfnLint: { W3005: SCANNER_REASONS.redundantDependsOn } });
      return http({ authorization: ApiAuthorization.httpAuthorizer(new HttpLambdaAuthorizer('Auth', fn)) });
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST' });
    for (const r of routes(template)) expect(r.AuthorizationType).toBe('CUSTOM');
  });

  test('the factories refuse a bad issuer, audience or scopes, naming the argument', () => {
    expect(() => ApiAuthorization.jwt('http://issuer.example.com', ['a'])).toThrow(/jwt\(\) issuer "http:\/\/issuer.example.com" must be an https:\/\/ URL/);
    expect(() => ApiAuthorization.jwt('https://issuer.example.com', [])).toThrow(/jwt\(\) audience must name at least one client id/);
    expect(() => ApiAuthorization.jwt('https://issuer.example.com', ['a'], [''])).toThrow(/jwt\(\) scopes must be non-empty strings/);
    const pool = cognito.UserPool.fromUserPoolId(new Stack(), 'P', 'eu-west-1_abc');
    expect(() => ApiAuthorization.cognito(pool, undefined, [])).toThrow(/cognito\(\) userPoolClients must name at least one app client/);
  });
});

describe('what an HTTP API cannot do is a synth error naming the prop', () => {
  const build = (props: EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps)) => () => {
    const stack = new Stack();
    return new EventSourcedApi(stack, 'Api', typeof props === 'function' ? props(stack) : props);
  };

  test.each<[string, EventSourcedApiProps['api'], RegExp]>([
    ['API keys', { apiKeyRequired: true }, /api\.apiKeyRequired applies only to a REST API: HTTP APIs have no API keys/],
    ['a usage plan', { usagePlan: { quotaLimit: 5 } }, /api\.usagePlan applies only to a REST API/],
    ['the account role', { cloudWatchRole: false }, /api\.cloudWatchRole applies only to a REST API/],
    ['a preflight status code', { cors: { allowOrigins: ['*'], statusCode: 200 } }, /api\.cors\.statusCode applies only to a REST API/],
    ['a method CORS does not know', { cors: { allowOrigins: ['*'], allowMethods: ['FETCH'] } }, /api\.cors\.allowMethods "FETCH"/],
  ])('%s', (_what, api, error) => {
    expect(build(http(api))).toThrow(error);
  });

  test('a REST authorizer on an HTTP API, a JWT one on a REST API, and Cognito without app clients', () => {
    expect(build((stack) => {
      const fn = new lambda.Function(stack, 'AuthFn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      return http({ authorization: ApiAuthorization.authorizer(new apigateway.TokenAuthorizer(stack, 'Auth', { handler: fn })) });
    })).toThrow(/api\.authorization: ApiAuthorization\.authorizer\(\) takes a REST API authorizer; with api\.kind: ApiKind\.HTTP use httpAuthorizer\(\), jwt\(\) or cognito\(\)/);
    expect(build({ projections: twoViews(), api: { authorization: ApiAuthorization.jwt('https://issuer.example.com/', ['a']) } }))
      .toThrow(/api\.authorization: ApiAuthorization\.jwt\(\) is for an HTTP API/);
    expect(build((stack) => http({ authorization: ApiAuthorization.cognito(new cognito.UserPool(stack, 'Users')) })))
      .toThrow(/cognito\(\) on an HTTP API needs userPoolClients/);
    expect(build({ api: { enabled: false, kind: ApiKind.HTTP } })).toThrow(/api\.enabled is false, so api\.kind cannot be set/);
  });
});

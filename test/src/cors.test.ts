/**
 * CORS on every front door: a preflight allows only the methods the routes under it have, and
 * every answer a browser script reads exposes the same headers (paging, idempotent replays, retry
 * hints), whichever kind of API answers.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiKind, EventSourcedApiProps, WritePath } from '../../src';
import { CORS_EXPOSED_HEADERS } from '../../src/contract';
import { synth, twoViews } from '../support/synth';

const cors = { allowOrigins: ['https://app.example.com'] };

/** Path of each REST resource with a preflight -> the methods its preflight allows. */
function restPreflights(template: Template): Record<string, string> {
  const resources = template.toJSON().Resources as Record<string, any>;
  const pathOf = (id: string | undefined): string => {
    const parts: string[] = [];
    while (id && resources[id]?.Type === 'AWS::ApiGateway::Resource') {
      parts.unshift(resources[id].Properties.PathPart);
      id = resources[id].Properties.ParentId.Ref;
    }
    return `/${parts.join('/')}`;
  };
  const allowed: Record<string, string> = {};
  for (const method of Object.values<any>(template.findResources('AWS::ApiGateway::Method'))) {
    if (method.Properties.HttpMethod !== 'OPTIONS') continue;
    const resourceId = method.Properties.ResourceId.Ref ?? undefined;
    const header = method.Properties.Integration.IntegrationResponses[0].ResponseParameters['method.response.header.Access-Control-Allow-Methods'];
    allowed[pathOf(resourceId)] = header;
  }
  return allowed;
}

/** Every method (but OPTIONS) of each REST resource, as the preflight there should allow them. */
function restRoutes(template: Template): Record<string, string[]> {
  const resources = template.toJSON().Resources as Record<string, any>;
  const routes: Record<string, string[]> = {};
  for (const [, method] of Object.entries<any>(template.findResources('AWS::ApiGateway::Method'))) {
    if (method.Properties.HttpMethod === 'OPTIONS') continue;
    const id = method.Properties.ResourceId.Ref;
    let path = '/';
    if (resources[id]?.Type === 'AWS::ApiGateway::Resource') {
      const parts: string[] = [];
      let at: string | undefined = id;
      while (at && resources[at]?.Type === 'AWS::ApiGateway::Resource') {
        parts.unshift(resources[at].Properties.PathPart);
        at = resources[at].Properties.ParentId.Ref;
      }
      path = `/${parts.join('/')}`;
    }
    routes[path] = [...(routes[path] ?? []), method.Properties.HttpMethod].sort();
  }
  return routes;
}

describe('CORS preflights allow only the methods of the routes they stand for', () => {
  const cases: Array<[string, EventSourcedApiProps]> = [
    ['a REST API with views', { projections: twoViews(), api: { cors } }],
    ['a REST API without views (POST / only)', { api: { cors } }],
    ['a REST API with WritePath.DIRECT', { projections: twoViews(), api: { cors, writePath: WritePath.DIRECT } }],
  ];
  test.each(cases)('%s', (_name, props) => {
    const { template } = synth(props);
    const preflights = restPreflights(template);
    const routes = restRoutes(template);
    expect(Object.keys(preflights).sort()).toEqual(Object.keys(routes).sort());
    for (const [path, methods] of Object.entries(routes)) {
      expect([path, preflights[path]]).toEqual([path, `'${methods.join(',')}'`]);
    }
  });

  test('mounted on the user\'s REST API: the same, on the resources the construct adds', () => {
    const { template } = synth((stack) => {
      const userApi = new apigateway.RestApi(stack, 'ShopApi', { deployOptions: { stageName: 'live' } });
      userApi.root.addMethod('ANY', new apigateway.MockIntegration());
      return { projections: twoViews(), api: { cors, existingApiResource: userApi.root.addResource('orders') } };
    });
    expect(restPreflights(template)).toEqual({ '/orders': '\'GET,POST\'', '/orders/{view}': '\'GET\'', '/orders/{view}/{id}': '\'GET\'' });
  });

  test('an HTTP API\'s configuration (API-wide) allows GET and POST', () => {
    const { template } = synth({ projections: twoViews(), api: { cors, kind: ApiKind.HTTP } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowMethods: ['GET', 'POST'] } });
  });

  test('methods the user lists are kept as they are, on both kinds', () => {
    const listed = { ...cors, allowMethods: ['GET', 'POST', 'PUT'] };
    const rest = restPreflights(synth({ projections: twoViews(), api: { cors: listed } }).template);
    expect(new Set(Object.values(rest))).toEqual(new Set(['\'GET,POST,PUT\'']));
    synth({ projections: twoViews(), api: { cors: listed, kind: ApiKind.HTTP } }).template
      .hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowMethods: ['GET', 'POST', 'PUT'] } });
  });
});

describe('CORS answers expose the headers clients read, on every kind', () => {
  test('the list the HTTP API guide promises', () => {
    expect([...CORS_EXPOSED_HEADERS]).toEqual(['LastEvaluatedKey', 'Idempotent-Replay', 'Retry-After']);
  });

  test('an HTTP API exposes them beside the user\'s own', () => {
    const { template } = synth({ projections: twoViews(), api: { cors: { ...cors, exposeHeaders: ['X-Other'] }, kind: ApiKind.HTTP } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { ExposeHeaders: ['X-Other', ...CORS_EXPOSED_HEADERS] },
    });
  });

  test('a DIRECT append\'s integration responses expose them', () => {
    const { template } = synth({ projections: twoViews(), api: { cors, writePath: WritePath.DIRECT } });
    const post = Object.values<any>(template.findResources('AWS::ApiGateway::Method')).find((m) => m.Properties.HttpMethod === 'POST');
    for (const response of post.Properties.Integration.IntegrationResponses) {
      expect(response.ResponseParameters['method.response.header.Access-Control-Expose-Headers']).toBe(`'${CORS_EXPOSED_HEADERS.join(',')}'`);
    }
  });
});

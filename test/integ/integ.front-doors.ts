/**
 * Integration test (deploys with `integ-runner`; CI only compares the committed snapshot): three
 * EventSourcedApis, the default REST API behind IAM, an HTTP API without authorization, and a REST
 * API appending without a Lambda (WritePath.DIRECT), each appending an event and reading it back
 * from its view once deployed (the HTTP API's view also through a declared index).
 *
 * The REST APIs' routes need SigV4, which the assertion provider's HTTP calls cannot sign: the
 * writer and reader are invoked with the proxy events API Gateway sends them, and DIRECT's POST /
 * runs through API Gateway's TestInvokeMethod, which runs its model and mapping templates and calls
 * DynamoDB as the deployed method does. The HTTP API is called over HTTPS, as a client would.
 */
import * as path from 'node:path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps, IndexKeyType, ProjectionDefinition, WritePath } from '../../src';

const projections: ProjectionDefinition[] = [
  { name: 'default', entry: path.join(__dirname, '..', '..', 'examples', 'typescript', 'projections', 'default.ts') },
];
// Nothing of the test outlives it.
const disposable: EventSourcedApiProps = { projections, eventsTableRemovalPolicy: RemovalPolicy.DESTROY, alarms: { enabled: false } };

const app = new App();
const restStack = new Stack(app, 'EsapiIntegRest');
const rest = new EventSourcedApi(restStack, 'Customers', disposable);
const httpStack = new Stack(app, 'EsapiIntegHttp');
// The HTTP API's view also declares an index, so a deploy proves its GSI is made and queried.
const indexed: ProjectionDefinition[] = [{
  ...projections[0],
  indexes: [{ name: 'byStatus', partitionKey: { field: 'status', type: IndexKeyType.STRING } }],
}];
const http = new EventSourcedApi(httpStack, 'Customers', {
  ...disposable, projections: indexed, api: { kind: ApiKind.HTTP, authorization: ApiAuthorization.none() },
});

const directStack = new Stack(app, 'EsapiIntegDirect');
const direct = new EventSourcedApi(directStack, 'Customers', { ...disposable, api: { writePath: WritePath.DIRECT } });

const integ = new IntegTest(app, 'FrontDoors', { testCases: [restStack, httpStack, directStack], regions: ['eu-west-1'] });

/** The REST API's proxy event for a route, as API Gateway sends it. */
function proxyEvent(
  httpMethod: string, resource: string, pathParameters: Record<string, string> | null, body: unknown, headers: Record<string, string> = {},
) {
  return JSON.stringify({
    httpMethod,
    resource,
    path: resource,
    pathParameters,
    headers: { 'Content-Type': 'application/json', ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { stage: 'prod', resourcePath: resource },
  });
}

integ.assertions.invokeFunction({
  functionName: rest.writer!.functionName,
  payload: proxyEvent('POST', '/', null, { type: 'CustomerRegistered', id: 'integ-1', eventId: 'integ-1', name: 'Integ' }),
}).expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp('"statusCode":201') }))
  .next(integ.assertions.invokeFunction({
    functionName: rest.reader!.functionName,
    payload: proxyEvent('GET', '/{view}/{id}', { view: 'default', id: 'integ-1' }, undefined, { 'X-Min-Version': '1' }),
  }).expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp('"statusCode":200.*Integ') })));

integ.assertions.httpApiCall(http.url!, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ type: 'CustomerRegistered', id: 'integ-2', eventId: 'integ-2', name: 'Integ' }),
}).expect(ExpectedResult.objectLike({ status: 201 }))
  .next(integ.assertions.httpApiCall(`${http.url}default/integ-2`, { headers: { 'X-Min-Version': '1' } })
    .expect(ExpectedResult.objectLike({ status: 200, body: { id: 'integ-2', version: 1, name: 'Integ' } })))
  // The index answers 503 while its GSI is built, and lags its table: ask until it has the record.
  .next(integ.assertions.httpApiCall(`${http.url}default?index=byStatus&key=active`)
    .expect(ExpectedResult.objectLike({ status: 200, body: Match.arrayWith([Match.objectLike({ id: 'integ-2', status: 'active' })]) }))
    .waitForAssertions());

const testInvoke = (body: unknown) => {
  const call = integ.assertions.awsApiCall('APIGateway', 'testInvokeMethod', {
    restApiId: direct.restApi!.restApiId,
    resourceId: direct.restApi!.root.resourceId,
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  // TestInvokeMethod is authorized as apigateway:POST on the method.
  call.provider.addToRolePolicy({ Effect: 'Allow', Action: ['apigateway:POST'], Resource: ['*'] });
  return call;
};
const registered = { type: 'CustomerRegistered', id: 'integ-3', eventId: 'integ-3', expectedVersion: 0, name: 'Integ' };
testInvoke(registered).expect(ExpectedResult.objectLike({ status: 201, body: '{"stored":true}' }))
  .next(testInvoke(registered).expect(ExpectedResult.objectLike({ status: 201, headers: { 'Idempotent-Replay': 'true' } })))
  .next(testInvoke({ ...registered, eventId: 'integ-3b' }).expect(ExpectedResult.objectLike({ status: 409 })))
  .next(testInvoke({ type: 'CustomerRegistered', id: 'integ-3' }).expect(ExpectedResult.objectLike({ status: 400 })))
  .next(integ.assertions.invokeFunction({
    functionName: direct.reader!.functionName,
    payload: proxyEvent('GET', '/{view}/{id}', { view: 'default', id: 'integ-3' }, undefined, { 'X-Min-Version': '1' }),
  }).expect(ExpectedResult.objectLike({ Payload: Match.stringLikeRegexp('"statusCode":200.*Integ') })));

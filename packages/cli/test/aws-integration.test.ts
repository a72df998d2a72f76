/**
 * The local runtime's API Gateway AWS integration, on DynamoDB Local, with small definitions of
 * its own: how API Gateway chooses a request template (Content-Type and passthrough behaviour), an
 * integration response (DynamoDB's status against selection patterns, else the default, else
 * 500), what it answers for a body the model refuses, and that a template that fails is a 500.
 */
import { randomUUID } from 'node:crypto';
import { createEventsTable } from '../../../test/support/local-dynamo';
import { AwsIntegrationDefinition, LocalAwsIntegration } from '../src/aws-integration';

let table: string;
beforeAll(async () => {
  table = (await createEventsTable()).tableName;
});

/** GetItem of a key from the body's `$.id`: 200 with or without an item. */
function definition(overrides: Partial<AwsIntegrationDefinition> = {}): AwsIntegrationDefinition {
  return {
    service: 'dynamodb',
    action: 'GetItem',
    passthroughBehavior: 'NEVER',
    requestTemplates: { 'application/json': `{"TableName": "${table}", "Key": {"streamId": {"S": $input.json('$.id')}, "version": {"N": "1"}}}` },
    integrationResponses: [
      { statusCode: '200', responseTemplates: { 'application/json': '{"found": #if($input.path(\'$.Item\'))true#{else}false#end}' }, responseParameters: { 'method.response.header.X-Static': '\'yes\'' } },
      { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"refused": "$input.path(\'$.__type\').replaceAll(".*#", "")"}' }, responseParameters: {} },
    ],
    requestModels: { 'application/json': { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } },
    gatewayResponses: {},
    ...overrides,
  };
}

async function post(integration: LocalAwsIntegration, body: string | null, contentType?: string) {
  const answer = await integration.answer({
    httpMethod: 'POST', resourcePath: '/', headers: contentType ? { 'content-type': contentType } : {}, body: body === null ? null : Buffer.from(body), requestId: randomUUID(),
  });
  return { ...answer, text: String(answer.body) };
}

const endpoint = () => process.env.AWS_ENDPOINT_URL_DYNAMODB!;

test('the service\'s status picks the integration response: a pattern that matches it whole, else the default', async () => {
  const integration = new LocalAwsIntegration(definition(), { dynamodbEndpoint: endpoint() });
  const ok = await post(integration, '{"id": "nobody"}', 'application/json; charset=utf-8');
  expect([ok.statusCode, ok.text, ok.headers['X-Static'], ok.headers['Content-Type']]).toEqual([200, '{"found": false}', 'yes', 'application/json']);
  // An id DynamoDB refuses (empty key): its 400 ValidationException takes the 4\d{2} response.
  const refused = await post(new LocalAwsIntegration(definition({ requestModels: undefined }), { dynamodbEndpoint: endpoint() }), '{"id": ""}');
  expect([refused.statusCode, refused.text]).toEqual([400, '{"refused": "ValidationException"}']);
});

test('no response for the status and no default: 500, and the cause is told', async () => {
  const onlyErrors = definition({ requestModels: undefined, integrationResponses: [definition().integrationResponses[1]] });
  const integration = new LocalAwsIntegration(onlyErrors, { dynamodbEndpoint: endpoint() });
  const answer = await post(integration, '{"id": "x"}');
  expect([answer.statusCode, answer.text]).toEqual([500, '{"message":"Internal server error"}']);
  expect(answer.cause).toMatch(/no integration response matches DynamoDB's status 200/);
});

test('the model refuses before DynamoDB is called: 400 "Invalid request body", or the API\'s own gateway response', async () => {
  const integration = new LocalAwsIntegration(definition(), { dynamodbEndpoint: endpoint() });
  for (const body of ['{}', '[1]', 'not json', null]) {
    const refused = await post(integration, body);
    expect([refused.statusCode, refused.text, refused.headers['x-amzn-ErrorType']]).toEqual([400, '{"message":"Invalid request body"}', 'BadRequestException']);
  }
  const own = new LocalAwsIntegration(definition({
    gatewayResponses: { BAD_REQUEST_BODY: { statusCode: 422, responseTemplates: { 'application/json': '{"why": "$context.error.validationErrorString"}' }, responseParameters: { 'gatewayresponse.header.X-A': '\'b\'' } } },
  }), { dynamodbEndpoint: endpoint() });
  const refused = await post(own, '{"id": 3}');
  expect([refused.statusCode, refused.headers['X-A']]).toEqual([422, 'b']);
  expect(refused.text).toMatch(/^\{"why": "\[\/id must be string\]"\}$/);
});

test('Content-Type picks the template; without one for it, the passthrough behaviour decides', async () => {
  const never = new LocalAwsIntegration(definition({ requestModels: undefined }), { dynamodbEndpoint: endpoint() });
  expect((await post(never, '{"id": "x"}', 'text/plain')).statusCode).toBe(415);
  // No Content-Type is application/json.
  expect((await post(never, '{"id": "x"}')).statusCode).toBe(200);
  const whenNoTemplates = new LocalAwsIntegration(definition({ requestModels: undefined, passthroughBehavior: 'WHEN_NO_TEMPLATES' }), { dynamodbEndpoint: endpoint() });
  expect((await post(whenNoTemplates, '{"id": "x"}', 'text/plain')).statusCode).toBe(415);
  const whenNoMatch = new LocalAwsIntegration(definition({ requestModels: undefined, passthroughBehavior: 'WHEN_NO_MATCH' }), { dynamodbEndpoint: endpoint() });
  // The body goes to DynamoDB as it is: a GetItem request of its own.
  const passed = await post(whenNoMatch, JSON.stringify({ TableName: table, Key: { streamId: { S: 'x' }, version: { N: '1' } } }), 'text/plain');
  expect([passed.statusCode, passed.text]).toEqual([200, '{"found": false}']);
});

test('a template that fails answers 500 with the cause; so does an override set twice', async () => {
  const broken = new LocalAwsIntegration(definition({ requestModels: undefined, requestTemplates: { 'application/json': '$input.body.includes("x")' } }), { dynamodbEndpoint: endpoint() });
  const answer = await post(broken, '{"id": "x"}');
  expect([answer.statusCode, answer.cause]).toEqual([500, expect.stringMatching(/could not be mapped: a string has no method includes\(\)/)]);
  const twice = definition({ requestModels: undefined });
  const overridden = new LocalAwsIntegration({
    ...twice,
    integrationResponses: [{ ...twice.integrationResponses[0], responseTemplates: { 'application/json': '#set($context.responseOverride.status = 201)#set($context.responseOverride.status = 202)' } }],
  }, { dynamodbEndpoint: endpoint() });
  expect((await post(overridden, '{"id": "x"}')).statusCode).toBe(500);
});

test('only DynamoDB is served', () => {
  expect(() => new LocalAwsIntegration(definition({ service: 'sqs' }), { dynamodbEndpoint: endpoint() })).toThrow('DynamoDB only, not sqs');
});

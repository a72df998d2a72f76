/**
 * `api.writePath: WritePath.DIRECT`: POST / is an API Gateway AWS integration with DynamoDB's
 * TransactWriteItems, with a role that can only append, a request validator and the envelope's
 * model, and no writer Lambda; synth errors for what DIRECT cannot do.
 */
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApiKind, EventSourcedApiProps, UnknownEventTypes, WritePath } from '../../src';
import { ROLE_METADATA_KEY } from '../../src/contract';
import { DIRECT_MAX_BODY_CHARS } from '../../src/private/direct-append-templates';
import { logicalIdOf, synth, twoViews } from '../support/synth';

type Template = ReturnType<typeof synth>['template'];
const direct = (api: EventSourcedApiProps['api'] = {}, props: EventSourcedApiProps = {}): EventSourcedApiProps =>
  ({ projections: twoViews(), ...props, api: { writePath: WritePath.DIRECT, ...api } });
const postMethod = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } }))[0];
const joined = (value: any): string => (typeof value === 'string' ? value : value['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : JSON.stringify(part))).join(''));

describe('WritePath.DIRECT', () => {
  test('POST / is an AWS integration with TransactWriteItems, validated by the model; there is no writer Lambda', () => {
    const { template, api } = synth(direct());
    expect(api.writer).toBeUndefined();
    expect(api.directAppendRole).toBeDefined();
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Description);
    expect(functions.some((d: string) => d.includes('appends events'))).toBe(false);

    const method = postMethod(template);
    expect(method.Properties).toMatchObject({ AuthorizationType: 'AWS_IAM', Integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', PassthroughBehavior: 'NEVER' } });
    expect(joined(method.Properties.Integration.Uri)).toMatch(/:apigateway:.*:dynamodb:action\/TransactWriteItems$/);
    expect(method.Properties.Integration.Credentials).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.directAppendRole!), 'Arn'] });
    expect(method.Metadata[ROLE_METADATA_KEY]).toEqual({ owner: 'TestStack/Api', role: 'direct-append', table: { Ref: logicalIdOf(api.eventsTable) } });

    const validator = template.findResources('AWS::ApiGateway::RequestValidator');
    expect(Object.values(validator).map((v) => v.Properties.ValidateRequestBody)).toEqual([true]);
    expect(method.Properties.RequestValidatorId).toEqual({ Ref: Object.keys(validator)[0] });
    const model = template.findResources('AWS::ApiGateway::Model')[method.Properties.RequestModels['application/json'].Ref];
    expect(model.Properties).toMatchObject({ ContentType: 'application/json', Schema: { $schema: 'http://json-schema.org/draft-04/schema#', required: ['type', 'id', 'expectedVersion'] } });

    // The request template names the events table; the answers by status class.
    expect(joined(method.Properties.Integration.RequestTemplates['application/json'])).toContain(`#set($table = "{"Ref":"${logicalIdOf(api.eventsTable)}"}")`);
    expect(method.Properties.Integration.IntegrationResponses.map((r: any) => [r.SelectionPattern, r.StatusCode])).toEqual([[undefined, '201'], ['4\\d{2}', '400'], ['5\\d{2}', '503']]);
    expect(method.Properties.MethodResponses.map((r: any) => r.StatusCode)).toEqual(['201', '400', '409', '413', '422', '500', '503']);
  });

  test('the role can only put items and check conditions in the events table, and API Gateway alone assumes it', () => {
    const { template, api } = synth(direct());
    const role = template.findResources('AWS::IAM::Role')[logicalIdOf(api.directAppendRole!)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(logicalIdOf(api.directAppendRole!)));
    expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Action: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(api.eventsTable), 'Arn'] } },
    ]);
  });

  test('with a customer managed key, the role encrypts with it', () => {
    const { template, api } = synth((stack: Stack) => direct({}, { encryptionKey: new kms.Key(stack, 'Key') }));
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(logicalIdOf(api.directAppendRole!)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']) }));
  });

  test('a body the model refuses answers 400 JSON from the API\'s BAD_REQUEST_BODY response, with the CORS origin', () => {
    const { template } = synth(direct({ cors: { allowOrigins: ['https://app.example.com'] } }));
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': '\'https://app.example.com\'' },
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('^\\{"message":"Request body must be a JSON object with \\\\"type\\\\"') },
    });
    for (const response of postMethod(template).Properties.Integration.IntegrationResponses) {
      expect(response.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe('\'https://app.example.com\'');
      expect(response.ResponseParameters['method.response.header.Access-Control-Expose-Headers']).toBe('\'LastEvaluatedKey,Idempotent-Replay,Retry-After\'');
    }
  });

  test('the model and templates follow streamIdField and maxBodyBytes', () => {
    const { template } = synth(direct({}, { streamIdField: 'orderId', maxBodyBytes: 1000 }));
    const method = postMethod(template);
    const model = template.findResources('AWS::ApiGateway::Model')[method.Properties.RequestModels['application/json'].Ref];
    expect(model.Properties.Schema.required).toEqual(['type', 'orderId', 'expectedVersion']);
    expect(Object.keys(model.Properties.Schema.properties)).toEqual(['type', 'orderId', 'eventId', 'expectedVersion', 'schemaVersion', 'version', 'timestamp']);
    const request = joined(method.Properties.Integration.RequestTemplates['application/json']);
    expect(request).toContain('#if($body.length() > 1000)');
    expect(request).toContain('$input.json(\'$.orderId\')');
    expect(method.Properties.Integration.IntegrationResponses[1].ResponseTemplates['application/json']).toContain('Request body is longer than 1000 characters');
  });

  test('on an existing REST API: the method, validator and model join it; its gateway responses stay its own', () => {
    const { template } = synth((stack: Stack) => {
      const shop = new apigateway.RestApi(stack, 'Shop');
      shop.root.addMethod('GET');
      return direct({ existingApiResource: shop.root.addResource('orders') });
    });
    expect(postMethod(template).Properties.Integration.Type).toBe('AWS');
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
  });

  test('the dashboard graphs API Gateway\'s answers to POST /; the writer\'s metrics do not exist', () => {
    const { template, api } = synth(direct({}, { dashboard: true }));
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('POST / per minute (API Gateway)');
    expect(body).toContain('\\"Method\\",\\"POST\\",\\"Resource\\",\\"/\\"');
    expect(() => api.metricAppends()).toThrow(/metrics \(Appends\) do not exist with api.writePath: WritePath.DIRECT/);
  });

  test.each<[string, EventSourcedApiProps, RegExp]>([
    ['an HTTP API', direct({ kind: ApiKind.HTTP }), /api.writePath: WritePath.DIRECT needs a REST API/],
    ['eventSchemas', direct({}, { eventSchemas: { Placed: { type: 'object' } } }), /^eventSchemas cannot be set with api.writePath: WritePath.DIRECT/],
    ['unknownEventTypes', direct({}, { eventSchemas: { Placed: { type: 'object' } }, unknownEventTypes: UnknownEventTypes.REJECT }), /^eventSchemas cannot be set/],
    ['writer tuning', direct({}, { writer: { memorySize: 512 } }), /^writer cannot be set with api.writePath: WritePath.DIRECT: it tunes the writer Lambda/],
    ['a body limit SNS could not carry', direct({}, { maxBodyBytes: DIRECT_MAX_BODY_CHARS + 1 }), /^maxBodyBytes \(characters, with api.writePath: WritePath.DIRECT\) must be a whole number from 1 to 59000/],
    ['no API', { api: { enabled: false, writePath: WritePath.DIRECT } }, /^api.enabled is false, so api.writePath cannot be set/],
  ])('synth error: %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

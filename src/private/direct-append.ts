import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import {
  APPEND_UNAVAILABLE_BODY, appendRefusedTemplate, appendRequestSchema, appendRequestTemplate, DIRECT_STORED_BODY, invalidBodyMessage,
} from './direct-append-templates';
import { tagRole } from './resource-roles';
import { CORS_EXPOSED_HEADERS, REPLAY_HEADER } from '../contract';

/** What `WritePath.DIRECT` needs to append without a Lambda. */
export interface DirectAppendProps {
  /** The role API Gateway calls DynamoDB with (createDirectAppendRole). */
  readonly role: iam.IRole;
  readonly eventsTable: dynamodb.ITable;
  readonly streamIdField: string;
  /** The longest body, in UTF-16 code units. */
  readonly maxBodyChars: number;
  /** Construct path of the EventSourcedApi (role metadata for the local runtime). */
  readonly owner: string;
  /** The origin the answers allow, with CORS. */
  readonly corsOrigin?: string;
}

/**
 * The role API Gateway appends with: it may put items in the events table and check conditions
 * there (TransactWriteItems needs the actions of its items), nothing else: append-only, as the
 * writer Lambda. With a customer managed key, it encrypts with it.
 */
export function createDirectAppendRole(scope: Construct, eventsTable: dynamodb.ITable, encryptionKey?: kms.IKey): iam.Role {
  const role = new iam.Role(scope, 'DirectAppendRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: `cdk-event-sourced-api: API Gateway appends events to the events table of ${scope.node.path} (WritePath.DIRECT)`,
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'], resources: [eventsTable.tableArn] }));
  if (encryptionKey) {
    encryptionKey.grantEncryptDecrypt(role);
    const reason = 'The KMS actions CDK grants for DynamoDB envelope encryption, on the one encryptionKey only.';
    acknowledge(role, { 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': reason, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]': reason });
  }
  return role;
}

/** The status codes `POST /` answers with. */
const STATUSES = ['201', '400', '409', '413', '422', '500', '503'];
/** Headers the answers may carry; with CORS, the origin and the headers a browser may read too. */
const HEADERS = [REPLAY_HEADER, 'Retry-After'];
const CORS_HEADERS = ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers'];

/**
 * `POST` on `resource` as an API Gateway AWS integration with DynamoDB's TransactWriteItems, with
 * the role of createDirectAppendRole, a request validator with the envelope's model, and the
 * mapping templates of direct-append-templates.ts.
 */
export function addDirectAppend(
  scope: Construct, resource: apigateway.IResource, props: DirectAppendProps, methodOptions: apigateway.MethodOptions,
): void {
  const restApi = resource.api;
  const model = new apigateway.Model(scope, 'AppendModel', {
    restApi,
    contentType: 'application/json',
    description: 'cdk-event-sourced-api: the envelope of an event (WritePath.DIRECT)',
    schema: appendRequestSchema(props.streamIdField) as apigateway.JsonSchema,
  });
  const validator = new apigateway.RequestValidator(scope, 'AppendValidator', { restApi, validateRequestBody: true });

  const cors: Record<string, string> = props.corsOrigin
    ? { 'Access-Control-Allow-Origin': `'${props.corsOrigin}'`, 'Access-Control-Expose-Headers': `'${CORS_EXPOSED_HEADERS.join(',')}'` }
    : {};
  const parameters = (extra: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries({ ...cors, ...extra }).map(([name, value]) => [`method.response.header.${name}`, value]));
  const integration = new apigateway.AwsIntegration({
    service: 'dynamodb',
    action: 'TransactWriteItems',
    options: {
      credentialsRole: props.role,
      // Only JSON bodies reach DynamoDB: any other Content-Type answers 415.
      passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
      requestTemplates: {
        'application/json': appendRequestTemplate({ tableName: props.eventsTable.tableName, streamIdField: props.streamIdField, maxBodyChars: props.maxBodyChars }),
      },
      integrationResponses: [
        { statusCode: '201', responseTemplates: { 'application/json': DIRECT_STORED_BODY }, responseParameters: parameters() },
        { selectionPattern: '4\\d{2}', statusCode: '400', responseTemplates: { 'application/json': appendRefusedTemplate(props.maxBodyChars) }, responseParameters: parameters() },
        { selectionPattern: '5\\d{2}', statusCode: '503', responseTemplates: { 'application/json': APPEND_UNAVAILABLE_BODY }, responseParameters: parameters({ 'Retry-After': '\'1\'' }) },
      ],
    },
  });
  const headers = [...HEADERS, ...(props.corsOrigin ? CORS_HEADERS : [])];
  const method = resource.addMethod('POST', integration, {
    ...methodOptions,
    requestValidator: validator,
    requestModels: { 'application/json': model },
    methodResponses: STATUSES.map((statusCode) => ({
      statusCode,
      responseModels: { 'application/json': apigateway.Model.EMPTY_MODEL },
      responseParameters: Object.fromEntries(headers.map((name) => [`method.response.header.${name}`, false])),
    })),
  });
  tagRole(method, { owner: props.owner, role: 'direct-append', table: props.eventsTable.tableName });
}

/**
 * API Gateway's answer to a body the model refuses, on an API of the construct's own: 400 JSON that
 * says what the envelope must be (a gateway response has no VTL, so it cannot name the field).
 */
export function addInvalidBodyResponse(api: apigateway.RestApi, streamIdField: string, corsOrigin?: string): void {
  api.addGatewayResponse('InvalidBodyResponse', {
    type: apigateway.ResponseType.BAD_REQUEST_BODY,
    statusCode: '400',
    templates: { 'application/json': invalidBodyMessage(streamIdField) },
    responseHeaders: corsOrigin ? { 'Access-Control-Allow-Origin': `'${corsOrigin}'` } : undefined,
  });
}

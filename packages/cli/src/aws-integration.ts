import { renderMappingTemplate, TemplateError } from './mapping-template';
import type { HttpAnswer } from './proxy-response';
import { RequestBodyValidator } from './request-validator';

/** An integration response of a REST API method (non-proxy), as the template defines it. */
export interface IntegrationResponseDefinition {
  readonly statusCode: string;
  /** For an AWS service integration, a regular expression the service's HTTP status must match; none for the default response. */
  readonly selectionPattern?: string;
  /** Content type -> mapping template. */
  readonly responseTemplates: Record<string, string>;
  /** `method.response.header.X` -> `'static'` or `integration.response.header.Y`. */
  readonly responseParameters: Record<string, string>;
}

/** A gateway response of the API: API Gateway's own answer to a request it refuses. */
export interface GatewayResponseDefinition {
  readonly statusCode?: number;
  readonly responseTemplates: Record<string, string>;
  readonly responseParameters: Record<string, string>;
}

/** A REST API method whose integration calls an AWS service action with mapping templates (no Lambda). */
export interface AwsIntegrationDefinition {
  /** From the integration's URI, `arn:aws:apigateway:<region>:<service>:action/<action>`. */
  readonly service: string;
  readonly action: string;
  readonly passthroughBehavior: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  /** Content type -> mapping template. */
  readonly requestTemplates: Record<string, string>;
  readonly integrationResponses: IntegrationResponseDefinition[];
  /** Content type -> JSON Schema of the method's model, when its request validator checks bodies. */
  readonly requestModels?: Record<string, Record<string, unknown>>;
  /** The API's gateway responses, by response type (BAD_REQUEST_BODY...), where the template sets them. */
  readonly gatewayResponses: Record<string, GatewayResponseDefinition>;
}

export interface LocalAwsIntegrationOptions {
  /** Where the service is served locally (only DynamoDB is). */
  readonly dynamodbEndpoint: string;
  /** The local name of a table the templates name (an imported table's real name, say). */
  readonly localTableName?: (name: string) => string;
}

/** What the method request brings. */
export interface MethodRequest {
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer | null;
  readonly requestId: string;
}

/** A 5xx answer and why (API Gateway writes the cause to its execution log, not to the client). */
export interface IntegrationAnswer extends HttpAnswer {
  readonly cause?: string;
}

/** API Gateway's default gateway responses, where the API sets none: status and message. */
const DEFAULT_GATEWAY_RESPONSES: Record<string, { status: number; message: string }> = {
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
  BAD_REQUEST_BODY: { status: 400, message: 'Invalid request body' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Media Type' },
};

/**
 * A non-proxy AWS service integration, run as API Gateway runs one: the request validator and the
 * method's model (400 from the API's BAD_REQUEST_BODY gateway response), the request template
 * chosen by Content-Type (absent means application/json; without a template for it, the
 * passthrough behaviour decides, 415 when it refuses), the rendered request sent to the service,
 * the integration response chosen by the service's HTTP status (`selectionPattern` must match it
 * whole; else the default response; else 500), its template rendered with the response overrides,
 * and its header mappings. A template that fails answers 500, as on AWS.
 */
export class LocalAwsIntegration {
  private readonly validators = new Map<string, RequestBodyValidator>();

  constructor(private readonly definition: AwsIntegrationDefinition, private readonly options: LocalAwsIntegrationOptions) {
    if (definition.service !== 'dynamodb') throw new Error(`The local runtime serves AWS integrations with DynamoDB only, not ${definition.service}`);
    for (const [contentType, schema] of Object.entries(definition.requestModels ?? {})) {
      this.validators.set(contentType, new RequestBodyValidator(schema));
    }
  }

  public async answer(request: MethodRequest): Promise<IntegrationAnswer> {
    const contentType = mediaType(request.headers['content-type']) ?? 'application/json';
    const body = request.body ? request.body.toString('utf8') : '';
    const context = {
      requestId: request.requestId,
      requestTimeEpoch: Date.now(),
      httpMethod: request.httpMethod,
      resourcePath: request.resourcePath,
    };

    const validator = this.validators.get(contentType) ?? this.validators.get('$default');
    const problem = validator?.problem(body);
    if (problem !== undefined) return this.gatewayResponse('BAD_REQUEST_BODY', { ...context, validationErrorString: problem });

    const template = this.definition.requestTemplates[contentType];
    const templates = Object.keys(this.definition.requestTemplates).length;
    const passthrough = this.definition.passthroughBehavior;
    if (template === undefined && (passthrough === 'NEVER' || (passthrough === 'WHEN_NO_TEMPLATES' && templates > 0))) {
      return this.gatewayResponse('UNSUPPORTED_MEDIA_TYPE', context);
    }

    let serviceRequest: string;
    try {
      const input = { body, params: { header: flatHeaders(request.headers) } };
      serviceRequest = template === undefined ? body : this.localTables(renderMappingTemplate(template, input, context).output);
    } catch (err) {
      return serverError(`the integration request could not be mapped: ${(err as Error).message}`);
    }

    let service: Response;
    let serviceBody: string;
    try {
      service = await fetch(this.options.dynamodbEndpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': `DynamoDB_20120810.${this.definition.action}`,
          // DynamoDB Local checks that a SigV4 header is there, not what it signs.
          'Authorization': 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
        },
        body: serviceRequest,
      });
      serviceBody = await service.text();
    } catch (err) {
      return serverError(`the integration could not reach DynamoDB: ${(err as Error).message}`);
    }

    const response = this.integrationResponseFor(service.status);
    if (!response) return serverError(`no integration response matches DynamoDB's status ${service.status} and none is the default`);
    try {
      return this.methodResponse(response, service, serviceBody, request, context);
    } catch (err) {
      const answered = `DynamoDB answered ${service.status} ${serviceBody.slice(0, 300)}`;
      return serverError(`the integration response could not be mapped: ${(err as Error).message} (${answered})`);
    }
  }

  private integrationResponseFor(status: number): IntegrationResponseDefinition | undefined {
    const responses = this.definition.integrationResponses;
    return responses.find((r) => r.selectionPattern && new RegExp(`^(?:${r.selectionPattern})$`).test(String(status)))
      ?? responses.find((r) => !r.selectionPattern);
  }

  private methodResponse(
    response: IntegrationResponseDefinition, service: Response, serviceBody: string, request: MethodRequest, context: Record<string, unknown>,
  ): IntegrationAnswer {
    const types = Object.keys(response.responseTemplates);
    const contentType = types.includes('application/json') ? 'application/json' : types[0];
    const rendered = contentType === undefined
      ? { output: serviceBody, status: undefined, headers: {} }
      : renderMappingTemplate(response.responseTemplates[contentType], { body: serviceBody, params: { header: flatHeaders(request.headers) } },
        context);
    const headers: Record<string, string> = { 'Content-Type': contentType ?? service.headers.get('content-type') ?? 'application/json' };
    for (const [target, source] of Object.entries(response.responseParameters)) {
      const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
      if (!name) continue;
      const value = parameterValue(source, service.headers);
      if (value !== undefined) headers[name] = value;
    }
    return { statusCode: rendered.status ?? Number(response.statusCode), headers: { ...headers, ...rendered.headers }, body: rendered.output };
  }

  private gatewayResponse(type: string, context: Record<string, unknown> & { validationErrorString?: string }): IntegrationAnswer {
    const own = this.definition.gatewayResponses[type];
    const fallback = DEFAULT_GATEWAY_RESPONSES[type];
    const message = fallback.message;
    // Gateway response templates are not VTL: only simple substitution of $context variables.
    const variables: Record<string, string> = {
      '$context.error.messageString': JSON.stringify(message),
      '$context.error.message': message,
      '$context.error.responseType': type,
      '$context.error.validationErrorString': context.validationErrorString ?? '',
      '$context.requestId': String(context.requestId),
    };
    const template = own?.responseTemplates['application/json'] ?? '{"message":$context.error.messageString}';
    const body = template.replace(/\$context\.[A-Za-z.]+/g, (name) => variables[name] ?? '');
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorType(type) };
    for (const [target, source] of Object.entries(own?.responseParameters ?? {})) {
      const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
      const value = /^'(.*)'$/.exec(source)?.[1];
      if (name && value !== undefined) headers[name] = value;
    }
    return { statusCode: own?.statusCode ?? fallback.status, headers, body };
  }

  /** The rendered request with the local names of the tables it names. */
  private localTables(rendered: string): string {
    const rename = this.options.localTableName;
    if (!rename) return rendered;
    let request: unknown;
    try {
      request = JSON.parse(rendered);
    } catch {
      return rendered; // the service refuses it as it is, as on AWS
    }
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (value && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          if (key === 'TableName' && typeof item === 'string') (value as Record<string, unknown>)[key] = rename(item);
          else visit(item);
        }
      }
    };
    visit(request);
    return JSON.stringify(request);
  }
}

function serverError(cause: string): IntegrationAnswer {
  return { statusCode: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'Internal server error' }), cause };
}

/** The media type of a Content-Type header, lower case, without parameters; undefined when absent. */
function mediaType(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const type = value?.split(';')[0].trim().toLowerCase();
  return type ? type : undefined;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v!]));
}

/** A response parameter's value: a quoted literal, or a header of the service's answer. */
function parameterValue(source: string, serviceHeaders: Headers): string | undefined {
  const literal = /^'(.*)'$/.exec(source);
  if (literal) return literal[1];
  const header = /^integration\.response\.header\.(.+)$/.exec(source);
  if (header) return serviceHeaders.get(header[1]) ?? undefined;
  throw new TemplateError(`the response parameter mapping ${source} is not emulated here`);
}

/** The `x-amzn-ErrorType` API Gateway sends with a gateway response. */
function errorType(type: string): string {
  return type === 'BAD_REQUEST_BODY' ? 'BadRequestException' : type === 'UNSUPPORTED_MEDIA_TYPE' ? 'UnsupportedMediaTypeException' : 'ApiGatewayException';
}

import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Route } from './http-gateway';

/**
 * The payload format 1.0 event of a REST API's Lambda proxy integration. Without binary media
 * types API Gateway passes the body as text.
 */
export function restApiEvent(req: http.IncomingMessage, url: URL, route: Route, body: Buffer | null): APIGatewayProxyEvent {
  return proxyEvent(req, url, route, {
    path: url.pathname, stage: 'local', resourceId: 'local', body: body ? body.toString('utf8') : null, isBase64Encoded: false,
  });
}

/**
 * Content types an HTTP API passes as text; every other body (no Content-Type, form posts,
 * `application/octet-stream`…) arrives base64-encoded with `isBase64Encoded: true`. AWS does not
 * document the list; it is what requests to AWS were observed to do (ministackorg/ministack#766,
 * brefphp/bref#631), the stricter reading.
 */
const HTTP_API_TEXT_TYPES = ['application/json', 'application/xml', 'application/javascript'];

/**
 * The payload format 1.0 event of an HTTP API
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
 * `version` "1.0", `resourceId` the route key, a named stage's prefix in `path` (observed on AWS,
 * dougmoscrop/serverless-http#143), and the body base64-encoded unless its type is text.
 */
export function httpApiEvent(req: http.IncomingMessage, url: URL, route: Route, body: Buffer | null, stageName: string): APIGatewayProxyEvent {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = type.startsWith('text/') || HTTP_API_TEXT_TYPES.includes(type);
  const path = stageName === '$default' ? url.pathname : `/${stageName}${url.pathname}`;
  return {
    version: '1.0',
    ...proxyEvent(req, url, route, {
      path,
      stage: stageName,
      resourceId: `${req.method ?? 'GET'} ${route.resource}`,
      body: body === null ? null : text ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: body !== null && !text,
    }),
  } as APIGatewayProxyEvent;
}

interface KindSpecific {
  readonly path: string;
  readonly stage: string;
  readonly resourceId: string;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

function proxyEvent(req: http.IncomingMessage, url: URL, route: Route, kind: KindSpecific): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  return {
    resource: route.resource,
    path: kind.path,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: route.pathParameters,
    stageVariables: null,
    body: kind.body,
    isBase64Encoded: kind.isBase64Encoded,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      stage: kind.stage,
      requestId: randomUUID(),
      resourceId: kind.resourceId,
      resourcePath: route.resource,
      httpMethod: req.method ?? 'GET',
      path: kind.path,
      protocol: `HTTP/${req.httpVersion}`,
      requestTimeEpoch: Date.now(),
      authorizer: null,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
}

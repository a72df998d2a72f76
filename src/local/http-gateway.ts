import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PreflightDefinition, ThrottleDefinition } from './cloud-assembly';
import { InvocationError, LocalFunction } from './function-host';
import { closeServer, listenOnLoopback } from './loopback-server';
import { HttpAnswer, toHttpAnswer } from './proxy-response';
import { TokenBucket } from './token-bucket';

export interface HttpGatewayOptions {
  readonly writer: LocalFunction;
  readonly reader?: LocalFunction;
  /** The template's CORS preflight answer; without it, OPTIONS has no route (403), as on AWS. */
  readonly preflight?: PreflightDefinition;
  /** The API's binary media types: a base64 answer is sent as bytes only for an Accept among them. */
  readonly binaryMediaTypes?: string[];
  /** The stage's throttling: past it, 429 Too Many Requests. @default - no throttling */
  readonly throttle?: ThrottleDefinition;
  /**
   * The routes require an API key: without an `x-api-key` header, 403 Forbidden, as API Gateway
   * answers. Any value passes: a key's value is made by API Gateway, so none is known here.
   * @default false
   */
  readonly apiKeyRequired?: boolean;
  /**
   * A 5xx answer: the function failed (502) or answered 5xx itself. `logs` are the lines the
   * function logged during that invocation, which say why.
   */
  readonly onServerError?: (method: string, path: string, status: number, cause: string, logs: string[]) => void;
  readonly onResponse?: (method: string, path: string, status: number, headers: Record<string, string>, body: string) => void;
}

interface Route {
  readonly fn: LocalFunction;
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
}

/** API Gateway's REST payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * The REST API on loopback: the construct's routes, each request turned into the API Gateway
 * proxy event Lambda would receive, and the function's answer sent back as API Gateway would
 * (403 "Missing Authentication Token" for a route that does not exist, 502 when the function
 * fails, 403 "Forbidden" without the API key the routes require). Authorization is not enforced locally.
 */
export class HttpGateway {
  private server?: http.Server;
  private readonly bucket?: TokenBucket;

  constructor(private readonly options: HttpGatewayOptions) {
    if (options.throttle) this.bucket = new TokenBucket(options.throttle.rateLimit, options.throttle.burstLimit);
  }

  public async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A request this gateway cannot read (e.g. an aborted upload): never leave it hanging,
        // and say why, as every other 5xx is logged with its cause.
        this.options.onServerError?.(req.method ?? '?', req.url ?? '/', 500, `the local gateway failed: ${String((err as Error)?.message ?? err)}`, []);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal server error' }));
      });
    });
    return listenOnLoopback(this.server, port);
  }

  public async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_PAYLOAD_BYTES) return this.send(req, res, 413, { 'Content-Type': 'application/json' }, JSON.stringify({ message: 'Request Too Long' }));
      chunks.push(chunk as Buffer);
    }
    // Not new URL(req.url, base): a path starting with "//" would be read as a host name.
    const rawUrl = req.url ?? '/';
    const url = new URL(`http://local${rawUrl.startsWith('/') ? '' : '/'}${rawUrl}`);
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/').slice(1).filter((s, i, all) => s !== '' || i < all.length - 1);
    const route = this.route(method, segments);

    if (this.bucket && !this.bucket.take()) {
      return this.send(req, res, 429, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'TooManyRequestsException' }, JSON.stringify({ message: 'Too Many Requests' }));
    }
    const { preflight } = this.options;
    if (method === 'OPTIONS' && preflight && (segments.length === 0 || this.route('GET', segments))) {
      return this.send(req, res, preflight.statusCode, preflight.headers, '');
    }
    if (!route) return this.send(req, res, 403, { 'Content-Type': 'application/json' }, JSON.stringify({ message: 'Missing Authentication Token' }));
    if (this.options.apiKeyRequired && !req.headers['x-api-key']) {
      return this.send(req, res, 403, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' }, JSON.stringify({ message: 'Forbidden' }));
    }

    const event = proxyEvent(req, url, route.resource, route.pathParameters, chunks.length ? Buffer.concat(chunks).toString('utf8') : null);
    let answer: HttpAnswer;
    let logs: string[] = [];
    try {
      let result: unknown;
      ({ result, logs } = await route.fn.invokeWithLogs(event));
      answer = toHttpAnswer(result, req.headers.accept, this.options.binaryMediaTypes ?? []);
    } catch (err) {
      // API Gateway's answer carries no detail; the local log says what happened.
      const cause = `the function failed: ${String((err as Error).message ?? err)}`;
      this.options.onServerError?.(method, rawUrl, 502, cause, (err as InvocationError).logs ?? logs);
      return this.send(req, res, 502, { 'Content-Type': 'application/json' }, JSON.stringify({ message: 'Internal server error' }));
    }
    if (answer.statusCode >= 500) this.options.onServerError?.(method, rawUrl, answer.statusCode, 'the function answered it', logs);
    return this.send(req, res, answer.statusCode, answer.headers, answer.body);
  }

  private route(method: string, segments: string[]): Route | undefined {
    const { writer, reader } = this.options;
    if (segments.length === 0) {
      if (method === 'POST') return { fn: writer, resource: '/', pathParameters: null };
      if (method === 'GET' && reader) return { fn: reader, resource: '/', pathParameters: null };
    } else if (segments.length === 1 && method === 'GET' && reader && segments[0] !== '') {
      return { fn: reader, resource: '/{view}', pathParameters: { view: segments[0] } };
    } else if (segments.length === 2 && method === 'GET' && reader && segments[0] !== '' && segments[1] !== '') {
      return { fn: reader, resource: '/{view}/{id}', pathParameters: { view: segments[0], id: segments[1] } };
    }
    return undefined;
  }

  private send(
    req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string | string[]>, body: string | Buffer,
  ): void {
    res.writeHead(status, { ...headers, 'x-amzn-RequestId': randomUUID() });
    res.end(body);
    const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    this.options.onResponse?.(req.method ?? 'GET', req.url ?? '/', status, flat, typeof body === 'string' ? body : body.toString('base64'));
  }
}

function proxyEvent(
  req: http.IncomingMessage, url: URL, resource: string, pathParameters: Record<string, string> | null, body: string | null,
): APIGatewayProxyEvent {
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
  const requestId = randomUUID();
  return {
    resource,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      stage: 'local',
      requestId,
      resourceId: 'local',
      resourcePath: resource,
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      requestTimeEpoch: Date.now(),
      authorizer: null,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
}

import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { LocalAwsIntegration } from './aws-integration';
import { PreflightDefinition, ThrottleDefinition } from './cloud-assembly';
import { InvocationError, LocalFunction } from './function-host';
import { HttpApiCors, HttpCorsDefinition } from './http-api-cors';
import { closeServer, listenOnLoopback } from './loopback-server';
import { httpApiEvent, restApiEvent } from './proxy-event';
import { HttpAnswer, toHttpAnswer, toHttpApiAnswer } from './proxy-response';
import { TokenBucket } from './token-bucket';

export interface HttpGatewayOptions {
  /**
   * Which API Gateway API this is: the answers API Gateway sends itself, the event the functions
   * get, and how their answers are read differ between a REST API and an HTTP API.
   * @default 'REST'
   */
  readonly kind?: 'REST' | 'HTTP';
  /** HTTP API: the stage's name. A named stage's prefix is part of the event's `path`, as on AWS. @default '$default' */
  readonly stageName?: string;
  /**
   * REST API: the path of the resource the routes are mounted on (`api.existingApiResource`), e.g.
   * `/orders`; other paths of that API are not served here. @default '/'
   */
  readonly basePath?: string;
  /** HTTP API: its CORS configuration; without it, OPTIONS has no route (404). */
  readonly httpCors?: HttpCorsDefinition;
  /** Serves POST, unless `directAppend` does. */
  readonly writer?: LocalFunction;
  /** WritePath.DIRECT: a REST API's AWS integration with DynamoDB serves POST (no Lambda). */
  readonly directAppend?: LocalAwsIntegration;
  readonly reader?: LocalFunction;
  /**
   * The template's CORS preflight answers by resource path; a resource without one has no OPTIONS
   * route (403), as on AWS.
   */
  readonly preflights?: Record<string, PreflightDefinition>;
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

export interface Route {
  /** The Lambda proxy integration, or else `integration`. */
  readonly fn?: LocalFunction;
  readonly integration?: LocalAwsIntegration;
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
}

/** API Gateway's payload limit, the same for REST and HTTP APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** What API Gateway answers itself, by kind of API. */
const OWN_ANSWERS = {
  REST: {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    noRoute: { status: 403, message: 'Missing Authentication Token' },
    failed: { status: 502, message: 'Internal server error' },
  },
  HTTP: {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html and
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
    noRoute: { status: 404, message: 'Not Found' },
    failed: { status: 500, message: 'Internal Server Error' },
  },
} as const;

/**
 * The REST or HTTP API on loopback: the construct's routes, each request turned into the proxy
 * event (payload format 1.0) Lambda would receive from that kind of API, and the function's
 * answer sent back as API Gateway would. A route that does not exist: 403 "Missing Authentication
 * Token" (REST), 404 "Not Found" (HTTP). A function that fails: 502 (REST), 500 (HTTP). Without
 * the API key the routes require: 403 "Forbidden". Authorization is not enforced locally.
 */
export class HttpGateway {
  private server?: http.Server;
  private readonly bucket?: TokenBucket;
  private readonly kind: 'REST' | 'HTTP';
  private readonly httpCors?: HttpApiCors;
  private readonly baseSegments: string[];

  constructor(private readonly options: HttpGatewayOptions) {
    if (options.throttle) this.bucket = new TokenBucket(options.throttle.rateLimit, options.throttle.burstLimit);
    this.kind = options.kind ?? 'REST';
    if (options.httpCors) this.httpCors = new HttpApiCors(options.httpCors);
    this.baseSegments = (options.basePath ?? '/').split('/').filter((s) => s !== '');
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
    const all = url.pathname.split('/').slice(1).filter((s, i, every) => s !== '' || i < every.length - 1);
    const mounted = this.baseSegments.every((s, i) => all[i] === s);
    const segments = mounted ? all.slice(this.baseSegments.length) : undefined;
    const route = segments && this.route(method, segments);

    if (this.bucket && !this.bucket.take()) {
      return this.send(req, res, 429, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'TooManyRequestsException' }, JSON.stringify({ message: 'Too Many Requests' }));
    }
    const preflight = this.kind === 'REST' && method === 'OPTIONS' ? this.preflightOf(segments) : undefined;
    if (preflight) return this.send(req, res, preflight.statusCode, preflight.headers, '');
    if (this.httpCors?.isPreflight(method, req.headers)) return this.send(req, res, 204, this.httpCors.preflightHeaders(req.headers), '');
    const own = OWN_ANSWERS[this.kind];
    if (!route) return this.send(req, res, own.noRoute.status, { 'Content-Type': 'application/json' }, JSON.stringify({ message: own.noRoute.message }));
    if (this.options.apiKeyRequired && !req.headers['x-api-key']) {
      return this.send(req, res, 403, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' }, JSON.stringify({ message: 'Forbidden' }));
    }

    const body = chunks.length ? Buffer.concat(chunks) : null;
    if (route.integration) {
      const request = { httpMethod: method, resourcePath: route.resource, headers: req.headers, body, requestId: randomUUID() };
      const answer = await route.integration.answer(request);
      if (answer.statusCode >= 500) this.options.onServerError?.(method, rawUrl, answer.statusCode, answer.cause ?? 'the integration answered it', []);
      return this.send(req, res, answer.statusCode, answer.headers, answer.body);
    }
    const event = this.kind === 'HTTP'
      ? httpApiEvent(req, url, route, body, this.options.stageName ?? '$default')
      : restApiEvent(req, url, route, body);
    let answer: HttpAnswer;
    let logs: string[] = [];
    try {
      let result: unknown;
      ({ result, logs } = await route.fn!.invokeWithLogs(event));
      answer = this.kind === 'HTTP' ? toHttpApiAnswer(result) : toHttpAnswer(result, req.headers.accept, this.options.binaryMediaTypes ?? []);
    } catch (err) {
      // API Gateway's answer carries no detail; the local log says what happened.
      const cause = `the function failed: ${String((err as Error).message ?? err)}`;
      this.options.onServerError?.(method, rawUrl, own.failed.status, cause, (err as InvocationError).logs ?? logs);
      return this.send(req, res, own.failed.status, { 'Content-Type': 'application/json' }, JSON.stringify({ message: own.failed.message }));
    }
    if (answer.statusCode >= 500) this.options.onServerError?.(method, rawUrl, answer.statusCode, 'the function answered it', logs);
    const headers = this.httpCors ? this.httpCors.answerHeaders(answer.headers, req.headers) : answer.headers;
    return this.send(req, res, answer.statusCode, headers, answer.body);
  }

  /** The preflight of the resource an OPTIONS request is for: the base or a read route's resource. */
  private preflightOf(segments: string[] | undefined): PreflightDefinition | undefined {
    if (!segments || !this.options.preflights) return undefined;
    const base = this.baseSegments.map((s) => `/${s}`).join('');
    const resource = segments.length === 0 ? base || '/' : this.route('GET', segments)?.resource;
    return resource === undefined ? undefined : this.options.preflights[resource];
  }

  /** `segments` are those below the base path; a route's resource is the template's whole path. */
  private route(method: string, segments: string[]): Route | undefined {
    const { writer, directAppend, reader } = this.options;
    const base = this.baseSegments.map((s) => `/${s}`).join('');
    if (segments.length === 0) {
      if (method === 'POST' && (writer || directAppend)) return { fn: writer, integration: directAppend, resource: base || '/', pathParameters: null };
      if (method === 'GET' && reader) return { fn: reader, resource: base || '/', pathParameters: null };
    } else if (segments.length === 1 && method === 'GET' && reader && segments[0] !== '') {
      return { fn: reader, resource: `${base}/{view}`, pathParameters: { view: segments[0] } };
    } else if (segments.length === 2 && method === 'GET' && reader && segments[0] !== '' && segments[1] !== '') {
      return { fn: reader, resource: `${base}/{view}/{id}`, pathParameters: { view: segments[0], id: segments[1] } };
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

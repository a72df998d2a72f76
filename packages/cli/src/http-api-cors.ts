import type { IncomingHttpHeaders } from 'node:http';

/** An HTTP API's CorsConfiguration, as the template has it. */
export interface HttpCorsDefinition {
  readonly allowOrigins: string[];
  readonly allowHeaders: string[];
  readonly allowMethods: string[];
  readonly exposeHeaders: string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds?: number;
}

/**
 * CORS as an HTTP API applies its CorsConfiguration
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): API Gateway
 * answers a preflight itself when no route takes OPTIONS, ignores the CORS headers the
 * integration answers with, and adds its own, only for a request with an Origin header. The docs
 * do not say what a disallowed origin gets: here, no CORS header at all (the browser then refuses).
 */
export class HttpApiCors {
  constructor(private readonly cors: HttpCorsDefinition) {}

  /** A preflight has an Origin and an Access-Control-Request-Method; other OPTIONS have no route. */
  public isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
    return method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined;
  }

  /** The preflight's answer: 204 with the configuration's headers (none for a disallowed origin). */
  public preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const origin = this.allowedOrigin(headers.origin);
    if (origin === undefined) return {};
    return {
      ...this.originHeaders(origin),
      ...(this.cors.allowMethods.length ? { 'access-control-allow-methods': this.cors.allowMethods.join(',') } : {}),
      ...(this.cors.allowHeaders.length ? { 'access-control-allow-headers': this.cors.allowHeaders.join(',') } : {}),
      ...(this.cors.maxAgeSeconds !== undefined ? { 'access-control-max-age': String(this.cors.maxAgeSeconds) } : {}),
    };
  }

  /** The integration's answer headers without its CORS headers, plus the API's for an allowed Origin. */
  public answerHeaders(answer: Record<string, string | string[]>, headers: IncomingHttpHeaders): Record<string, string | string[]> {
    const own = Object.fromEntries(Object.entries(answer).filter(([name]) => !name.toLowerCase().startsWith('access-control-')));
    const origin = this.allowedOrigin(headers.origin);
    if (origin === undefined) return own;
    return {
      ...own,
      ...this.originHeaders(origin),
      ...(this.cors.exposeHeaders.length ? { 'access-control-expose-headers': this.cors.exposeHeaders.join(',') } : {}),
    };
  }

  private originHeaders(origin: string): Record<string, string> {
    return { 'access-control-allow-origin': origin, ...(this.cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}) };
  }

  private allowedOrigin(origin: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    if (this.cors.allowOrigins.includes('*')) return '*';
    return this.cors.allowOrigins.find((allowed) => allowed.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
  }
}

import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isThrottling } from './dynamo';
import { log } from './log';
import { CORS_EXPOSED_HEADERS, ENV } from '../../src/contract';

const EXPOSED_HEADERS = CORS_EXPOSED_HEADERS.join(',');

/** An error that becomes a JSON `{ message }` response with its status code. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...corsHeaders(), ...headers },
    body: JSON.stringify(body),
  };
}

function corsHeaders(): Record<string, string> {
  const origin = process.env[ENV.corsOrigin];
  return origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS } : {};
}

/**
 * Runs a proxy handler; what it throws answers as `errorResponse` says.
 */
export function httpHandler(fn: (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>) {
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    try {
      return await fn(event, context);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/**
 * The answer to a failed request: an HttpError as JSON, DynamoDB throttling (after the SDK's
 * retries) as 503 with Retry-After, anything else logged and answered 500.
 */
export function errorResponse(err: unknown): APIGatewayProxyResult {
  if (err instanceof HttpError) {
    return jsonResponse(err.statusCode, { message: err.message }, err.headers);
  }
  if (isThrottling(err)) {
    log('warn', 'throttled', { error: String(err) });
    return jsonResponse(503, { message: 'The store is busy; retry shortly' }, { 'Retry-After': '1' });
  }
  log('error', 'unhandled error', { error: String(err), stack: (err as Error)?.stack });
  return jsonResponse(500, { message: 'Internal server error' });
}

/** Header lookup that ignores case, as HTTP does. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined && value !== null) return value;
  }
  return undefined;
}

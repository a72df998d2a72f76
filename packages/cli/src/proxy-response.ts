import type { APIGatewayProxyResult } from 'aws-lambda';

/** What API Gateway sends the client for a Lambda proxy integration's answer. */
export interface HttpAnswer {
  readonly statusCode: number;
  /** A header with several values is sent as several lines (Set-Cookie). */
  readonly headers: Record<string, string | string[]>;
  readonly body: string | Buffer;
}

const ANSWER_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * A REST API (v1) proxy answer as API Gateway turns it into HTTP, per its documented output format
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)
 * and the behaviour LocalStack validated against AWS (test_aws_proxy_response_payload_format_validation,
 * test_aws_proxy_binary_response):
 * - `headers` and `multiValueHeaders` merge, names compared without case: the multi values come
 *   first and keep their casing, a single value they already hold is not repeated;
 * - an `isBase64Encoded` body is sent as bytes only when the request's first Accept type matches
 *   one of the API's binary media types (exactly, or `type/*`); otherwise as the base64 text;
 * - an answer API Gateway cannot read (unknown keys, a statusCode that is not a whole number, a
 *   body that is not a string, multi values that are not lists) throws: the caller answers 502.
 */
export function toHttpAnswer(result: unknown, accept: string | undefined, binaryMediaTypes: readonly string[]): HttpAnswer {
  const answer = readProxyAnswer(result);
  const headers: Record<string, string[]> = {};
  const named = (name: string) => Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  for (const [name, values] of Object.entries(answer.multiValueHeaders)) {
    headers[named(name) ?? name] = [...(headers[named(name) ?? name] ?? []), ...values];
  }
  for (const [name, value] of Object.entries(answer.headers)) {
    const existing = named(name);
    if (existing === undefined) headers[name] = [value];
    else if (!headers[existing].includes(value)) headers[existing].push(value);
  }
  const binary = answer.isBase64Encoded && matchesBinaryType(accept, binaryMediaTypes);
  return { statusCode: answer.statusCode, headers: flatten(headers), body: binary ? Buffer.from(answer.body, 'base64') : answer.body };
}

/**
 * A payload format 1.0 answer as an HTTP API (v2) turns it into HTTP, which differs from a REST API
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
 * - a header in both `headers` and `multiValueHeaders` keeps only the multi values, as the
 *   proxy integration documents for the two maps;
 * - an `isBase64Encoded` body is always decoded: an HTTP API has no binary media types;
 * - an answer it cannot read throws, as for REST; the caller answers 500 (not REST's 502).
 */
export function toHttpApiAnswer(result: unknown): HttpAnswer {
  const answer = readProxyAnswer(result);
  const headers: Record<string, string[]> = {};
  const multi = new Set(Object.keys(answer.multiValueHeaders).map((name) => name.toLowerCase()));
  for (const [name, values] of Object.entries(answer.multiValueHeaders)) headers[name] = values;
  for (const [name, value] of Object.entries(answer.headers)) if (!multi.has(name.toLowerCase())) headers[name] = [value];
  return { statusCode: answer.statusCode, headers: flatten(headers), body: answer.isBase64Encoded ? Buffer.from(answer.body, 'base64') : answer.body };
}

interface ProxyAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** The answer's fields, or an error naming what API Gateway could not read. */
function readProxyAnswer(result: unknown): ProxyAnswer {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw new Error('the answer is not an object');
  const answer = result as APIGatewayProxyResult & Record<string, unknown>;
  const unknown = Object.keys(answer).filter((k) => !ANSWER_KEYS.has(k));
  if (unknown.length) throw new Error(`the answer has keys API Gateway does not know: ${unknown.join(', ')}`);
  const statusCode = Number(answer.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw new Error(`statusCode ${JSON.stringify(answer.statusCode)} is not an HTTP status`);
  if (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string') throw new Error('the body is not a string');
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(answer.multiValueHeaders ?? {})) {
    if (!Array.isArray(values)) throw new Error(`multiValueHeaders.${name} is not a list`);
    multiValueHeaders[name] = values.map(String);
  }
  const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([name, value]) => [name, String(value)]));
  return { statusCode, headers, multiValueHeaders, body: answer.body ?? '', isBase64Encoded: answer.isBase64Encoded === true };
}

function flatten(headers: Record<string, string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

/** Only the first Accept type counts, matched exactly or by a `type/*` binary media type. */
function matchesBinaryType(accept: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  const first = accept?.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  if (!first) return false;
  return binaryMediaTypes.some((type) => {
    const t = type.toLowerCase();
    return t === first || (t.endsWith('/*') && first.startsWith(t.slice(0, -1)));
  });
}

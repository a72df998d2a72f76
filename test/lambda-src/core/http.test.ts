/** The HTTP plumbing shared by the writer and the reader. */
import { header, httpHandler, HttpError, jsonResponse } from '../../../lambda-src/core/http';
import { ENV } from '../../../src/contract';
import { apiEvent, captureLogs } from '../../support/local-dynamo';

afterEach(() => { delete process.env[ENV.corsOrigin]; });

test('an HttpError answers its status as JSON { message }, with its headers', async () => {
  const handle = httpHandler(async () => { throw new HttpError(503, 'busy, retry', { 'Retry-After': '1' }); });
  const result = await handle(apiEvent());
  expect(result).toEqual({
    statusCode: 503,
    headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
    body: JSON.stringify({ message: 'busy, retry' }),
  });
});

test('any other error answers 500 without details, and is logged with its stack', async () => {
  const logs = captureLogs();
  try {
    const handle = httpHandler(async () => { throw new Error('secret table name in here'); });
    const result = await handle(apiEvent());
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ message: 'Internal server error' });
    expect(result.body).not.toContain('secret');
    expect(logs.lines).toContainEqual(expect.objectContaining({
      level: 'error', message: 'unhandled error', error: 'Error: secret table name in here', stack: expect.stringContaining('http.test.ts'),
    }));
  } finally {
    logs.restore();
  }
});

test('DynamoDB throttling left after the SDK\'s retries answers 503 with Retry-After, not 500', async () => {
  const logs = captureLogs();
  try {
    for (const name of ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']) {
      const handle = httpHandler(async () => { throw Object.assign(new Error('Rate exceeded'), { name }); });
      const result = await handle(apiEvent());
      expect(result.statusCode).toBe(503);
      expect(result.headers?.['Retry-After']).toBe('1');
      expect(Object.keys(JSON.parse(result.body))).toEqual(['message']);
    }
  } finally {
    logs.restore();
  }
});

test('CORS_ALLOW_ORIGIN adds the CORS headers; explicit headers win', () => {
  expect(jsonResponse(200, []).headers).toEqual({ 'Content-Type': 'application/json' });
  process.env[ENV.corsOrigin] = 'https://app.example.com';
  expect(jsonResponse(200, [], { 'X-Extra': '1' }).headers).toEqual({
    'Content-Type': 'application/json',
    'Access-Control-Allow-Origin': 'https://app.example.com',
    'Access-Control-Expose-Headers': 'LastEvaluatedKey,Idempotent-Replay,Retry-After',
    'X-Extra': '1',
  });
});

test('header() ignores case and copes with absent headers', () => {
  const event = apiEvent({ headers: { 'exclusivestartkey': 'abc', 'X-Other': 'x' } });
  expect(header(event, 'ExclusiveStartKey')).toBe('abc');
  expect(header(event, 'x-other')).toBe('x');
  expect(header(event, 'missing')).toBeUndefined();
  expect(header(apiEvent(), 'ExclusiveStartKey')).toBeUndefined();
});

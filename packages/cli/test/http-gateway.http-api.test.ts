/**
 * The local gateway as an HTTP API (API Gateway v2) serves it: its own answers (404, 500), the
 * payload format 1.0 event it sends (base64 bodies, the stage in the path, the route key), how it
 * reads answers, and CORS answered by API Gateway rather than the functions.
 */
import * as fc from 'fast-check';
import { runs } from '../../../test/support/arbitraries';
import { startGateway } from '../../../test/support/gateway';
import { HttpCorsDefinition } from '../src/http-api-cors';

const CORS: HttpCorsDefinition = {
  allowOrigins: ['https://app.example.com'],
  allowHeaders: ['Content-Type', 'ExclusiveStartKey'],
  allowMethods: ['GET', 'POST'],
  exposeHeaders: ['LastEvaluatedKey'],
  allowCredentials: false,
  maxAgeSeconds: 600,
};

describe('HttpGateway as an HTTP API', () => {
  let started: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => { started = await startGateway({ kind: 'HTTP', stageName: 'prod' }); });
  afterAll(async () => { await started?.gateway.stop(); });
  beforeEach(() => {
    started.writerEvents.length = 0;
    started.readerEvents.length = 0;
  });

  test('POST / is a version 1.0 event: the stage\'s prefix in path, the route key as resourceId, a JSON body as text', async () => {
    const response = await fetch(`${started.url}/`, { method: 'POST', body: '{"type":"T","id":"x"}', headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(response.status).toBe(200);
    const [event] = started.writerEvents;
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/',
      path: '/prod/',
      body: '{"type":"T","id":"x"}',
      isBase64Encoded: false,
      requestContext: { stage: 'prod', resourceId: 'POST /', resourcePath: '/', path: '/prod/' },
    });
  });

  test('GET /{view}/{id}: path parameters as sent, the route key of the template', async () => {
    await fetch(`${started.url}/default/order%2042`);
    expect(started.readerEvents[0]).toMatchObject({
      resource: '/{view}/{id}',
      path: '/prod/default/order%2042',
      pathParameters: { view: 'default', id: 'order%2042' },
      requestContext: { resourceId: 'GET /{view}/{id}' },
    });
  });

  test('a body reaches the function intact, as text for text types and base64 for any other (or none)', async () => {
    const types = fc.constantFrom(
      undefined, 'application/json', 'text/plain', 'text/csv; charset=latin1', 'application/xml', 'application/javascript',
      'application/x-www-form-urlencoded', 'application/octet-stream', 'image/png', 'APPLICATION/JSON', 'application/vnd.api+json',
    );
    await fc.assert(fc.asyncProperty(types, fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (type, bytes, utf8) => {
      const body = utf8 ? Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8') : Buffer.from(bytes);
      started.writerEvents.length = 0;
      await fetch(`${started.url}/`, { method: 'POST', body, headers: type === undefined ? {} : { 'Content-Type': type } });
      const [event] = started.writerEvents;
      const essence = (type ?? '').split(';')[0].trim().toLowerCase();
      const text = essence.startsWith('text/') || ['application/json', 'application/xml', 'application/javascript'].includes(essence);
      expect(event.isBase64Encoded).toBe(!text);
      const received = event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : Buffer.from(event.body!, 'utf8');
      // A text body is read as UTF-8, so only bytes that are UTF-8 arrive byte for byte.
      if (!text || utf8) expect(received.equals(body)).toBe(true);
    }), runs(120));
  });

  test.each([
    ['GET', '/a/b/c'], ['DELETE', '/'], ['PUT', '/x'], ['POST', '/x'], ['OPTIONS', '/'],
  ])('%s %s: 404 Not Found, as an HTTP API answers for a route that does not exist', async (method, urlPath) => {
    const response = await fetch(`${started.url}${urlPath}`, { method });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(started.writerEvents).toHaveLength(0);
    expect(started.readerEvents).toHaveLength(0);
  });
});

describe('HttpGateway as an HTTP API reads answers as AWS does', () => {
  test('a failing function, or an answer that is not a proxy response, is a 500 Internal Server Error (not REST\'s 502)', async () => {
    for (const writer of [async () => { throw new Error('boom'); }, async () => ({ statusCode: 'x', body: '' }) as never, async () => ({ statusCode: 200, extra: 1 }) as never]) {
      const { gateway, url, serverErrors } = await startGateway({ kind: 'HTTP', writer });
      try {
        const response = await fetch(`${url}/`, { method: 'POST', body: '{}' });
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ message: 'Internal Server Error' });
        expect(serverErrors[0][2]).toBe(500);
      } finally {
        await gateway.stop();
      }
    }
  });

  test('multiValueHeaders replace headers of the same name; a base64 body is always decoded (no binary media types)', async () => {
    const { gateway, url } = await startGateway({
      kind: 'HTTP',
      writer: async () => ({
        statusCode: 201,
        headers: { 'X-One': 'single', 'x-two': 'kept' },
        multiValueHeaders: { 'x-one': ['a', 'b'] },
        body: Buffer.from([0, 1, 2, 255]).toString('base64'),
        isBase64Encoded: true,
      }),
    });
    try {
      const response = await fetch(`${url}/`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-one')).toBe('a, b');
      expect(response.headers.get('x-two')).toBe('kept');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    } finally {
      await gateway.stop();
    }
  });
});

describe('HttpGateway as an HTTP API: CORS by API Gateway', () => {
  const functionCors = async () => ({
    statusCode: 200, headers: { 'Access-Control-Allow-Origin': 'https://evil.example.com', 'Access-Control-Expose-Headers': 'X-Secret', 'X-Own': '1' }, body: '{}',
  });

  test('a preflight from an allowed origin gets 204 with the configuration\'s headers, without a route or a function', async () => {
    const { gateway, url, readerEvents, writerEvents } = await startGateway({ kind: 'HTTP', httpCors: CORS });
    try {
      for (const path of ['/', '/default', '/any/where/at/all']) {
        const response = await fetch(`${url}${path}`, { method: 'OPTIONS', headers: { 'Origin': 'https://app.example.com', 'Access-Control-Request-Method': 'GET' } });
        expect(response.status).toBe(204);
        expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
          'access-control-allow-origin': 'https://app.example.com',
          'access-control-allow-methods': 'GET,POST',
          'access-control-allow-headers': 'Content-Type,ExclusiveStartKey',
          'access-control-max-age': '600',
        });
      }
      expect([...readerEvents, ...writerEvents]).toHaveLength(0);
    } finally {
      await gateway.stop();
    }
  });

  test('an OPTIONS that is not a preflight has no route (404); a disallowed origin gets no CORS header', async () => {
    const { gateway, url } = await startGateway({ kind: 'HTTP', httpCors: CORS });
    try {
      expect((await fetch(`${url}/`, { method: 'OPTIONS', headers: { Origin: 'https://app.example.com' } })).status).toBe(404);
      const other = await fetch(`${url}/`, { method: 'OPTIONS', headers: { 'Origin': 'https://other.example.com', 'Access-Control-Request-Method': 'GET' } });
      expect([...other.headers].filter(([name]) => name.startsWith('access-control-'))).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });

  test('the function\'s CORS headers are replaced by the configuration\'s, for an allowed Origin only', async () => {
    const { gateway, url } = await startGateway({ kind: 'HTTP', httpCors: CORS, writer: functionCors });
    try {
      const allowed = await fetch(`${url}/`, { method: 'POST', body: '{}', headers: { Origin: 'https://app.example.com' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(allowed.headers.get('access-control-expose-headers')).toBe('LastEvaluatedKey');
      expect(allowed.headers.get('x-own')).toBe('1');
      for (const headers of [{ Origin: 'https://other.example.com' }, {}] as Array<Record<string, string>>) {
        const response = await fetch(`${url}/`, { method: 'POST', body: '{}', headers });
        expect([...response.headers].filter(([name]) => name.startsWith('access-control-'))).toEqual([]);
      }
    } finally {
      await gateway.stop();
    }
  });

  test('without a CORS configuration the function\'s CORS headers pass, and a preflight has no route', async () => {
    const { gateway, url } = await startGateway({ kind: 'HTTP', writer: functionCors });
    try {
      const response = await fetch(`${url}/`, { method: 'POST', body: '{}', headers: { Origin: 'https://app.example.com' } });
      expect(response.headers.get('access-control-expose-headers')).toBe('X-Secret');
      expect((await fetch(`${url}/`, { method: 'OPTIONS', headers: { 'Origin': 'https://app.example.com', 'Access-Control-Request-Method': 'GET' } })).status).toBe(404);
    } finally {
      await gateway.stop();
    }
  });
});

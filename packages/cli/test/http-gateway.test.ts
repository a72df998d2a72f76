import * as net from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { startGateway } from '../../../test/support/gateway';
import { connect } from '../../../test/support/local-app';

describe('HttpGateway routes', () => {
  let started: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => { started = await startGateway(); });
  afterAll(async () => { await started?.gateway.stop(); });
  beforeEach(() => {
    started.writerEvents.length = 0;
    started.readerEvents.length = 0;
  });

  test('listens on loopback only', () => {
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('POST / goes to the writer as a REST proxy event, with the body, headers and a request context', async () => {
    const response = await fetch(`${started.url}/`, { method: 'POST', body: '{"type":"T","id":"x"}', headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ fn: 'writer' });
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.readerEvents).toHaveLength(0);
    const [event] = started.writerEvents;
    expect(event).toMatchObject({
      resource: '/',
      path: '/',
      httpMethod: 'POST',
      body: '{"type":"T","id":"x"}',
      isBase64Encoded: false,
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      stageVariables: null,
      requestContext: { resourcePath: '/', httpMethod: 'POST', path: '/' },
    });
    expect(event.headers['X-Custom']).toBe('yes');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['yes']);
  });

  test('GET routes go to the reader: /, /{view} and /{view}/{id}, path parameters as sent (still percent-encoded)', async () => {
    await fetch(`${started.url}/`);
    await fetch(`${started.url}/summary?limit=5&cursor=abc&limit=7`);
    await fetch(`${started.url}/default/order%2042%2Fx`);
    expect(started.writerEvents).toHaveLength(0);
    const [list, view, one] = started.readerEvents;
    expect(list).toMatchObject({ resource: '/', pathParameters: null, body: null });
    expect(view).toMatchObject({
      resource: '/{view}',
      path: '/summary',
      pathParameters: { view: 'summary' },
      queryStringParameters: { limit: '7', cursor: 'abc' },
      multiValueQueryStringParameters: { limit: ['5', '7'], cursor: ['abc'] },
    });
    expect(one).toMatchObject({ resource: '/{view}/{id}', path: '/default/order%2042%2Fx', pathParameters: { view: 'default', id: 'order%2042%2Fx' } });
  });

  test.each([
    ['GET', '/a/b/c'],
    ['DELETE', '/'],
    ['PUT', '/x'],
    ['POST', '/x'],
    ['PATCH', '/default/1'],
    ['GET', '//'],
    ['OPTIONS', '/'],
  ])('%s %s: 403 Missing Authentication Token, as API Gateway answers for a route that does not exist', async (method, urlPath) => {
    const response = await fetch(`${started.url}${urlPath}`, { method });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(started.writerEvents).toHaveLength(0);
    expect(started.readerEvents).toHaveLength(0);
  });

  test('onResponse sees every answer', async () => {
    await fetch(`${started.url}/nowhere/at/all`);
    expect(started.responses).toContainEqual(['GET', '/nowhere/at/all', 403]);
  });
});

describe('HttpGateway answers', () => {
  test('with api.apiKeyRequired a route without an x-api-key header answers 403 Forbidden and runs nothing; with one it runs; preflights need none', async () => {
    const preflight = { statusCode: 204, headers: { 'Access-Control-Allow-Origin': '*' } };
    const { gateway, url, writerEvents, readerEvents } = await startGateway({ apiKeyRequired: true, preflight });
    try {
      for (const [path, method] of [['/', 'POST'], ['/', 'GET'], ['/default', 'GET'], ['/default/1', 'GET']]) {
        const refused = await fetch(`${url}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
        expect([path, method, refused.status, await refused.json()]).toEqual([path, method, 403, { message: 'Forbidden' }]);
        expect(refused.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      }
      expect(writerEvents.length + readerEvents.length).toBe(0);
      expect((await fetch(`${url}/`, { method: 'POST', body: '{}', headers: { 'x-api-key': 'any' } })).status).toBe(200);
      expect((await fetch(`${url}/default/1`, { headers: { 'X-Api-Key': 'any' } })).status).toBe(200);
      expect((await fetch(`${url}/default`, { method: 'OPTIONS' })).status).toBe(204);
      // A route that does not exist answers as it always does.
      expect(await (await fetch(`${url}/a/b/c`)).json()).toEqual({ message: 'Missing Authentication Token' });
    } finally {
      await gateway.stop();
    }
  });

  test('without a reader (no projections) only POST / exists', async () => {
    const { gateway, url } = await startGateway({ reader: false });
    try {
      expect((await fetch(`${url}/`)).status).toBe(403);
      expect((await fetch(`${url}/default/1`)).status).toBe(403);
      expect((await fetch(`${url}/`, { method: 'POST', body: '{}' })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  test("the function's status, headers and body go back as they are; without binary media types a base64 body stays text, as on AWS", async () => {
    const { gateway, url } = await startGateway({
      writer: async (event): Promise<APIGatewayProxyResult> => (event.body === 'b64'
        ? { statusCode: 201, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('héllo').toString('base64'), isBase64Encoded: true }
        : { statusCode: 409, headers: { 'Content-Type': 'application/json', 'Retry-After': '1' }, body: '{"message":"conflict"}' }),
    });
    try {
      const conflict = await fetch(`${url}/`, { method: 'POST', body: 'x' });
      expect(conflict.status).toBe(409);
      expect(conflict.headers.get('retry-after')).toBe('1');
      expect(await conflict.text()).toBe('{"message":"conflict"}');
      const decoded = await fetch(`${url}/`, { method: 'POST', body: 'b64' });
      expect(decoded.status).toBe(201);
      expect(await decoded.text()).toBe(Buffer.from('héllo').toString('base64'));
    } finally {
      await gateway.stop();
    }
  });

  test('a function that fails, or answers something that is not a proxy response, is a 502 Internal server error', async () => {
    const { gateway, url, serverErrors } = await startGateway({
      writer: async (event) => {
        if (event.body === 'throw') throw new Error('boom');
        if (event.body === '500') return { statusCode: 500, body: '{"message":"Internal server error"}' };
        return { body: 'no status' } as unknown as APIGatewayProxyResult;
      },
    });
    try {
      for (const body of ['throw', 'malformed']) {
        const response = await fetch(`${url}/`, { method: 'POST', body });
        expect(response.status).toBe(502);
        expect(await response.json()).toEqual({ message: 'Internal server error' });
      }
      expect((await fetch(`${url}/?x=1`, { method: 'POST', body: '500' })).status).toBe(500);
      // Every 5xx is reported with its cause and the lines the function logged for that request.
      expect(serverErrors).toEqual([
        ['POST', '/', 502, 'the function failed: writer: boom', ['writer got POST /']],
        ['POST', '/', 502, 'the function failed: statusCode undefined is not an HTTP status', ['writer got POST /']],
        ['POST', '/?x=1', 500, 'the function answered it', ['writer got POST /']],
      ]);
    } finally {
      await gateway.stop();
    }
  });

  test('with CORS, OPTIONS on an existing route answers the template\'s preflight exactly; elsewhere 403, as on AWS', async () => {
    const preflight = { statusCode: 204, headers: { 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Headers': 'Content-Type,ExclusiveStartKey', 'Vary': 'Origin' } };
    const { gateway, url, readerEvents } = await startGateway({ preflight });
    try {
      for (const path of ['/', '/default', '/default/1']) {
        const response = await fetch(`${url}${path}`, { method: 'OPTIONS' });
        expect(response.status).toBe(204);
        for (const [name, value] of Object.entries(preflight.headers)) expect(response.headers.get(name)).toBe(value);
        expect(response.headers.get('access-control-allow-methods')).toBeNull(); // only what the template says
      }
      expect((await fetch(`${url}/a/b/c`, { method: 'OPTIONS' })).status).toBe(403);
      expect(readerEvents).toHaveLength(0);
    } finally {
      await gateway.stop();
    }
  });

  test('each resource answers its own preflight, as its OPTIONS method in the template does', async () => {
    const answer = (methods: string) => ({ statusCode: 204, headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': methods } });
    const { gateway, url } = await startGateway({ preflights: { '/': answer('GET,POST'), '/{view}': answer('GET'), '/{view}/{id}': answer('GET') } });
    try {
      const allowed = async (path: string) => (await fetch(`${url}${path}`, { method: 'OPTIONS' })).headers.get('access-control-allow-methods');
      expect([await allowed('/'), await allowed('/default'), await allowed('/default/1')]).toEqual(['GET,POST', 'GET', 'GET']);
    } finally {
      await gateway.stop();
    }
  });

  test('every Set-Cookie value of an answer reaches the client, each on its own line', async () => {
    const { gateway, url } = await startGateway({
      writer: async () => ({ statusCode: 200, headers: { 'Set-Cookie': 'c=3' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: '{}' }),
    });
    try {
      const response = await fetch(`${url}/`, { method: 'POST', body: '{}' });
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2', 'c=3']);
    } finally {
      await gateway.stop();
    }
  });

  test('a base64 answer is sent as bytes for an Accept among the binary media types, else as its base64 text', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const { gateway, url } = await startGateway({
      binaryMediaTypes: ['application/octet-stream'],
      writer: async () => ({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true }),
    });
    try {
      const binary = await fetch(`${url}/`, { method: 'POST', body: '{}', headers: { Accept: 'application/octet-stream' } });
      expect(Buffer.from(await binary.arrayBuffer())).toEqual(bytes);
      const text = await fetch(`${url}/`, { method: 'POST', body: '{}', headers: { Accept: 'application/json' } });
      expect(await text.text()).toBe(bytes.toString('base64'));
    } finally {
      await gateway.stop();
    }
  });

  test('past the stage\'s burst and rate, 429 Too Many Requests without calling the function', async () => {
    const { gateway, url, writerEvents } = await startGateway({ throttle: { rateLimit: 1, burstLimit: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${url}/`, { method: 'POST', body: '{}' })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const throttled = await fetch(`${url}/`, { method: 'POST', body: '{}' });
      expect(throttled.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
      expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
      expect(writerEvents).toHaveLength(3);
    } finally {
      await gateway.stop();
    }
  });

  test('without CORS, OPTIONS has no route: 403 Missing Authentication Token', async () => {
    const { gateway, url } = await startGateway();
    try {
      const response = await fetch(`${url}/`, { method: 'OPTIONS' });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    } finally {
      await gateway.stop();
    }
  });

  test('a client that goes away mid-request leaves no unhandled rejection, is logged with its cause, and the gateway serves on', async () => {
    const { gateway, url, writerEvents, serverErrors } = await startGateway();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('POST / HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
      expect(writerEvents).toHaveLength(0);
      expect(serverErrors).toEqual([['POST', '/', 500, expect.stringMatching(/^the local gateway failed: /), []]]);
      expect((await fetch(`${url}/`, { method: 'POST', body: '{}' })).status).toBe(200);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await gateway.stop();
    }
  });

  test('stop closes the port, even with a keep-alive connection open', async () => {
    const { gateway, url } = await startGateway();
    const port = Number(new URL(url).port);
    expect((await fetch(`${url}/`)).status).toBe(200); // fetch keeps the connection alive
    await gateway.stop();
    expect(await connect(port)).toBe('ECONNREFUSED');
    await gateway.stop(); // twice is harmless
  });
});

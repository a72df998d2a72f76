/**
 * The suite's requests: the API's base path kept, and with a signing region a SigV4 signature for
 * execute-api that verifies (recomputed over the request as the server received it).
 */
import * as http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { closeServer, listenOnLoopback } from '../../../packages/cli/src/loopback-server';
import { contractRequest } from '../../../scripts/e2e/signed-request';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

async function echoServer() {
  const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  return { url: await listenOnLoopback(server, 0), received, close: () => closeServer(server) };
}

test('paths are appended to the base URL\'s path (a stage, a mounted resource); unsigned without a region', async () => {
  const echo = await echoServer();
  try {
    const request = contractRequest({ baseUrl: `${echo.url}/prod/orders`, headers: { Authorization: 'Bearer t' } });
    const r = await request('GET', '/default/a%20b?limit=1');
    expect([r.status, r.json]).toEqual([200, { ok: true }]);
    expect(echo.received[0]).toMatchObject({ method: 'GET', url: '/prod/orders/default/a%20b?limit=1' });
    expect(echo.received[0].headers.authorization).toBe('Bearer t');
    expect(echo.received[0].headers['x-amz-date']).toBeUndefined();
  } finally {
    await echo.close();
  }
});

test('with a signing region, each request carries a SigV4 signature for execute-api that verifies', async () => {
  const echo = await echoServer();
  try {
    const request = contractRequest({ baseUrl: `${echo.url}/prod/`, signingRegion: 'eu-west-1', credentials });
    await request('POST', '/', '{"type":"T","id":"x"}', { 'Content-Type': 'application/json' });
    const { method, url, headers, body } = echo.received[0];
    const authorization = String(headers.authorization);
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(body).toBe('{"type":"T","id":"x"}');

    // What the server would compute from what it received, at the request's own date.
    const amzDate = String(headers['x-amz-date']);
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)![1].split(';');
    const host = new URL(echo.url);
    const verifier = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials, sha256: Sha256 });
    const expected = await verifier.sign({
      method,
      protocol: 'http:',
      hostname: host.hostname,
      port: Number(host.port),
      path: url,
      query: {},
      body,
      headers: Object.fromEntries(signedNames.filter((n) => n !== 'x-amz-date' && n !== 'x-amz-security-token' && n !== 'x-amz-content-sha256').map((n) => [n, String(headers[n])])),
    }, { signingDate });
    expect(expected.headers.authorization).toBe(authorization);
  } finally {
    await echo.close();
  }
});

import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * How long an idle keep-alive connection stays open. Clients reuse a connection only while the
 * server's `Keep-Alive: timeout=N` hint outlasts their safety margin (Node's http.Agent, as the
 * AWS SDK uses it: 1 s; fetch/undici: 2 s). With a 1 s hint each request opened a connection of its
 * own, which no AWS endpoint makes its clients do. Node's own default; stop() drops them anyway.
 */
const KEEP_ALIVE_TIMEOUT_MS = 5000;

/** Listens on 127.0.0.1 (any free port by default); resolves with the server's URL, rejects if the port is taken. */
export async function listenOnLoopback(server: http.Server, port = 0): Promise<string> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server, dropping its open (keep-alive) connections, and waits until it is closed. */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A request listener that gets the whole body, read to its end and joined before it is decoded
 * (a character split across two chunks must not be mangled).
 */
export function withBody(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  };
}

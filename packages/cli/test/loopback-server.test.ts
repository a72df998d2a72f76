import * as http from 'node:http';
import { closeServer, listenOnLoopback } from '../src/loopback-server';

/** A loopback server that counts the TCP connections its clients open. */
async function countingServer(): Promise<{ url: string; connections: () => number; stop: () => Promise<void> }> {
  let connections = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
  server.on('connection', () => { connections++; });
  const url = await listenOnLoopback(server);
  return { url, connections: () => connections, stop: () => closeServer(server) };
}

/** One GET through a Node http.Agent, as the AWS SDK's request handler sends it. */
function getWith(agent: http.Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    }).on('error', reject);
  });
}

describe('loopback servers keep connections alive', () => {
  test('fetch sends one request after another on the same connection', async () => {
    const server = await countingServer();
    try {
      for (let i = 0; i < 3; i++) {
        await (await fetch(server.url)).text();
        // fetch puts the connection back in its pool on a later tick.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(server.connections()).toBe(1);
    } finally {
      await server.stop();
    }
  });

  test('a keep-alive http.Agent (the AWS SDK\'s) reuses its connection', async () => {
    const server = await countingServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) await getWith(agent, server.url);
      expect(server.connections()).toBe(1);
    } finally {
      agent.destroy();
      await server.stop();
    }
  });
});

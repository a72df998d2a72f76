import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Chaos } from './chaos';

/**
 * Chaos mode: a loopback proxy in front of DynamoDB Local that answers some calls as a throttled
 * DynamoDB does (400, ThrottlingException), so the functions behind it meet what AWS's SDK retries
 * and, when the retries run out, what their own error handling must survive.
 */
export class DynamoChaosProxy {
  private server?: http.Server;

  constructor(private readonly target: string, private readonly chaos: Chaos) {}

  public async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.chaos.strikes('dynamoThrottle')) {
          res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-ErrorType': 'ThrottlingException' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
          return;
        }
        const forward = http.request({
          host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host },
        }, (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        forward.end(Buffer.concat(chunks));
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

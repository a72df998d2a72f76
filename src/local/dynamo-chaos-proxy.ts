import * as http from 'node:http';
import { Chaos } from './chaos';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

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
    this.server = http.createServer(withBody((req, res, body) => {
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
      forward.end(body);
    }));
    return listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = undefined;
  }
}

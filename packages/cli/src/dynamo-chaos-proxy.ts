import * as http from 'node:http';
import { Chaos } from './chaos';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

/**
 * Chaos mode: a loopback proxy in front of DynamoDB Local that answers calls as a throttled
 * DynamoDB does (400, ThrottlingException), in bursts, as throttling comes on AWS: a burst
 * throttles the next 1 to 5 calls, so the functions behind it meet what AWS's SDK retries and,
 * when a burst outlasts the retries (3 attempts by default), what their own error handling must
 * survive.
 */
export class DynamoChaosProxy {
  private server?: http.Server;
  /** Calls the current burst still throttles. */
  private burst = 0;

  constructor(private readonly target: string, private readonly chaos: Chaos) {}

  public async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = http.createServer(withBody((req, res, body) => {
      if (this.burst === 0 && this.chaos.strikes('dynamoThrottle')) this.burst = this.chaos.int(1, 5);
      if (this.burst > 0) {
        this.burst--;
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

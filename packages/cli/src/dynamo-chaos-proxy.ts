import * as http from 'node:http';
import { Chaos } from './chaos';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

/** What a proxy does to the calls it passes on besides throttling (chaos mode's lagging indexes). */
export interface DynamoProxyHooks {
  /** The body to forward for a call (`operation` is the API's name, `PutItem`); may wait. */
  readonly rewrite?: (operation: string, body: Buffer) => Promise<Buffer>;
  /** DynamoDB answered a forwarded call 200, once its answer is passed on. */
  readonly answered?: (operation: string, body: Buffer) => void;
}

/**
 * Chaos mode: a loopback proxy in front of DynamoDB Local. Given a Chaos, it answers calls as a
 * throttled DynamoDB does (400, ThrottlingException), in bursts, as throttling comes on AWS: a
 * burst throttles the next 1 to 5 calls, so the functions behind it meet what AWS's SDK retries
 * and, when a burst outlasts the retries (3 attempts by default), what their own error handling
 * must survive. Its hooks see the calls it forwards (the lagging indexes' writes and queries).
 */
export class DynamoChaosProxy {
  private server?: http.Server;
  /** Calls the current burst still throttles. */
  private burst = 0;

  constructor(private readonly target: string, private readonly chaos?: Chaos, private readonly hooks: DynamoProxyHooks = {}) {}

  public async start(): Promise<string> {
    this.server = http.createServer(withBody((req, res, body) => {
      if (this.chaos && this.burst === 0 && this.chaos.strikes('dynamoThrottle')) this.burst = this.chaos.int(1, 5);
      if (this.burst > 0) {
        this.burst--;
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-ErrorType': 'ThrottlingException' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
        return;
      }
      const operation = operationOf(req);
      const rewritten = operation && this.hooks.rewrite ? this.hooks.rewrite(operation, body) : Promise.resolve(body);
      void rewritten.catch(() => body).then((sent) => this.forward(req, res, sent, operation));
    }));
    return listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = undefined;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, operation: string | undefined): void {
    const target = new URL(this.target);
    const forward = http.request({
      host: target.hostname,
      port: target.port,
      path: req.url,
      method: req.method,
      // DynamoDB Local does not check the signature a rewritten body no longer matches.
      headers: { ...req.headers, 'host': target.host, 'content-length': String(body.length) },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
      answer.on('end', () => {
        if (answer.statusCode === 200 && operation) this.hooks.answered?.(operation, body);
      });
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    forward.end(body);
  }
}

/** The DynamoDB API a call is (`X-Amz-Target: DynamoDB_20120810.PutItem` → `PutItem`). */
function operationOf(req: http.IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : undefined;
}

import * as http from 'node:http';
import { Chaos } from './chaos';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

/** An answer of DynamoDB Local, read whole. */
export interface DynamoAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a proxy does to the calls it passes on (`operation` is the API's name: `PutItem`). */
export interface DynamoProxyOptions {
  /** Chaos mode: throttle calls in bursts, drawn from this generator. */
  readonly throttle?: Chaos;
  /** The body to forward for a call; may wait. */
  readonly rewrite?: (operation: string, body: Buffer) => Promise<Buffer>;
  /** Whether to send a call DynamoDB Local failed again (`attempt` counts from 1); may wait first. */
  readonly retry?: (operation: string, body: Buffer, answer: DynamoAnswer, attempt: number) => Promise<boolean>;
  /** DynamoDB answered a call 200, and its answer is passed on. */
  readonly answered?: (operation: string, body: Buffer) => void;
}

/**
 * A loopback proxy in front of DynamoDB Local for some functions' calls. In chaos mode it answers
 * calls as a throttled DynamoDB does (400, ThrottlingException), in bursts, as throttling comes
 * on AWS: a burst throttles the next 1 to 5 calls, so the functions behind it meet what AWS's SDK
 * retries and, when a burst outlasts the retries (3 attempts by default), what their own error
 * handling must survive. Its other options see the calls it forwards (chaos mode's lagging
 * indexes; the writes DynamoDB Local fails while an index changes).
 */
export class DynamoProxy {
  private server?: http.Server;
  /** Calls the current burst still throttles. */
  private burst = 0;

  constructor(private readonly target: string, private readonly options: DynamoProxyOptions = {}) {}

  public async start(): Promise<string> {
    this.server = http.createServer(withBody((req, res, body) => {
      const chaos = this.options.throttle;
      if (chaos && this.burst === 0 && chaos.strikes('dynamoThrottle')) this.burst = chaos.int(1, 5);
      if (this.burst > 0) {
        this.burst--;
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-ErrorType': 'ThrottlingException' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
        return;
      }
      void this.pass(req, res, body).catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    }));
    return listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = undefined;
  }

  private async pass(req: http.IncomingMessage, res: http.ServerResponse, received: Buffer): Promise<void> {
    const operation = operationOf(req);
    const { rewrite, retry, answered } = this.options;
    const body = operation && rewrite ? await rewrite(operation, received).catch(() => received) : received;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.forward(req, body);
      if (answer.status !== 200 && operation && retry && await retry(operation, body, answer, attempt)) continue;
      res.writeHead(answer.status, answer.headers).end(answer.body);
      if (answer.status === 200 && operation) answered?.(operation, body);
      return;
    }
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<DynamoAnswer> {
    const target = new URL(this.target);
    return new Promise((resolve, reject) => {
      const forward = http.request({
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        // DynamoDB Local does not check the signature a rewritten body no longer matches.
        headers: { ...req.headers, 'host': target.host, 'content-length': String(body.length) },
      }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      });
      forward.on('error', reject);
      forward.end(body);
    });
  }
}

/** The DynamoDB API a call is (`X-Amz-Target: DynamoDB_20120810.PutItem` → `PutItem`). */
function operationOf(req: http.IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : undefined;
}

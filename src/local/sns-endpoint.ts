import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface PublishedMessage {
  readonly topicArn: string;
  readonly message: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly attributes: Record<string, string>;
}

/**
 * A loopback endpoint for the SNS calls the publisher makes (PublishBatch and Publish, AWS Query
 * protocol), so its real code runs unchanged with AWS_ENDPOINT_URL_SNS pointing here.
 */
export class LocalSnsEndpoint {
  private server?: http.Server;

  constructor(private readonly deliver: (message: PublishedMessage) => void) {}

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      req.on('end', () => {
        try {
          const params = new URLSearchParams(body);
          const xml = this.handle(params);
          res.writeHead(200, { 'Content-Type': 'text/xml' });
          res.end(xml);
        } catch (err) {
          res.writeHead(400, { 'Content-Type': 'text/xml' });
          res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>${escapeXml(String((err as Error).message))}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(params: URLSearchParams): string {
    const action = params.get('Action');
    const topicArn = params.get('TopicArn') ?? '';
    const requestId = randomUUID();
    if (action === 'PublishBatch') {
      const successful: string[] = [];
      for (let n = 1; params.has(`PublishBatchRequestEntries.member.${n}.Id`); n++) {
        const prefix = `PublishBatchRequestEntries.member.${n}`;
        this.deliver(readMessage(params, prefix, topicArn));
        successful.push(`<member><Id>${escapeXml(params.get(`${prefix}.Id`)!)}</Id><MessageId>${randomUUID()}</MessageId></member>`);
      }
      return `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${successful.join('')}</Successful><Failed/></PublishBatchResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishBatchResponse>`;
    }
    if (action === 'Publish') {
      this.deliver(readMessage(params, '', topicArn));
      return `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`;
    }
    throw new Error(`The local SNS endpoint does not support ${action}`);
  }
}

function readMessage(params: URLSearchParams, prefix: string, topicArn: string): PublishedMessage {
  const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const attributes: Record<string, string> = {};
  for (let m = 1; params.has(key(`MessageAttributes.entry.${m}.Name`)); m++) {
    attributes[params.get(key(`MessageAttributes.entry.${m}.Name`))!] = params.get(key(`MessageAttributes.entry.${m}.Value.StringValue`)) ?? '';
  }
  return {
    topicArn,
    message: params.get(key('Message')) ?? '',
    groupId: params.get(key('MessageGroupId')) ?? undefined,
    deduplicationId: params.get(key('MessageDeduplicationId')) ?? undefined,
    attributes,
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

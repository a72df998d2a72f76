import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { Chaos } from './chaos';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

export interface PublishedMessage {
  readonly topicArn: string;
  readonly message: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly attributes: Record<string, string>;
  /** Data type of each attribute (String, Number, Binary...). */
  readonly attributeTypes?: Record<string, string>;
}

/**
 * A loopback endpoint for the SNS calls the publisher makes (PublishBatch and Publish, AWS Query
 * protocol), so its real code runs unchanged with AWS_ENDPOINT_URL_SNS pointing here.
 */
export class LocalSnsEndpoint {
  private server?: http.Server;
  /** Until this time (Date.now()), every publish fails with a 500: a simulated outage. */
  public outageUntil = 0;

  constructor(private readonly deliver: (message: PublishedMessage) => void, private readonly chaos?: Chaos) {}

  public async start(): Promise<string> {
    this.server = http.createServer(withBody((_req, res, body) => {
      try {
        const xml = this.handle(new URLSearchParams(body.toString('utf8')));
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(xml);
      } catch (err) {
        const code = err instanceof SnsError ? err.code : 'InternalError';
        res.writeHead(err instanceof SnsError ? err.status : 500, { 'Content-Type': 'text/xml' });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(String((err as Error).message))}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      }
    }));
    return listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = undefined;
  }

  private handle(params: URLSearchParams): string {
    if (Date.now() < this.outageUntil) throw new Error('SNS is unavailable (a simulated outage)');
    const action = params.get('Action');
    const topicArn = params.get('TopicArn') ?? '';
    const requestId = randomUUID();
    if (action === 'PublishBatch') {
      const entries: Array<{ id: string; message: PublishedMessage }> = [];
      for (let n = 1; params.has(`PublishBatchRequestEntries.member.${n}.Id`); n++) {
        const prefix = `PublishBatchRequestEntries.member.${n}`;
        entries.push({ id: params.get(`${prefix}.Id`)!, message: readMessage(params, prefix, topicArn) });
      }
      checkBatch(entries, topicArn);
      this.maybeThrottle();
      const failing = this.failingEntries(entries.length, topicArn.endsWith('.fifo'));
      const successful: string[] = [];
      const failed: string[] = [];
      entries.forEach(({ id, message }, index) => {
        if (failing.has(index)) {
          failed.push(`<member><Id>${escapeXml(id)}</Id><Code>InternalError</Code><Message>chaos: this entry failed</Message><SenderFault>false</SenderFault></member>`);
          return;
        }
        this.deliver(message);
        successful.push(`<member><Id>${escapeXml(id)}</Id><MessageId>${randomUUID()}</MessageId></member>`);
      });
      return `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${successful.join('')}</Successful>` +
        `<Failed>${failed.join('')}</Failed></PublishBatchResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishBatchResponse>`;
    }
    if (action === 'Publish') {
      const message = readMessage(params, '', topicArn);
      checkMessage(message, topicArn);
      this.maybeThrottle();
      this.deliver(message);
      return `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`;
    }
    throw new SnsError('InvalidParameter', `The local SNS endpoint does not support ${action}`);
  }

  /** Chaos mode: SNS answers "Rate exceeded" now and then (the SDK retries it on its own). */
  private maybeThrottle(): void {
    // Publish and PublishBatch document ThrottledException, HTTP 429
    // (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors).
    if (this.chaos?.strikes('snsThrottle')) throw new SnsError('Throttled', 'Rate exceeded', 429);
  }

  /**
   * Chaos mode: some entries of a batch fail while the others are published. On a FIFO topic an
   * entry's failure fails the entries after it too, as SNS keeps each group's order.
   */
  private failingEntries(count: number, fifo: boolean): Set<number> {
    const chaos = this.chaos;
    if (!chaos?.strikes('snsEntryFailure')) return new Set();
    const first = chaos.int(0, count - 1);
    const failing = new Set<number>([first]);
    for (let i = first + 1; i < count; i++) if (fifo || chaos.next() < 0.5) failing.add(i);
    return failing;
  }
}

/**
 * SNS's documented limits, enforced as AWS does so that code which passes here passes there:
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html and API_Publish.html.
 * A request that breaks one is refused whole; nothing of it is delivered.
 */
const MAX_BATCH_ENTRIES = 10;
const MAX_BYTES = 262_144;

function checkBatch(entries: Array<{ id: string; message: PublishedMessage }>, topicArn: string): void {
  if (entries.length === 0) throw new SnsError('EmptyBatchRequest', 'The batch request does not contain any entries.');
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SnsError('TooManyEntriesInBatchRequest', `The batch request contains more entries than permissible (${entries.length} > ${MAX_BATCH_ENTRIES}).`);
  }
  const ids = new Set<string>();
  for (const { id } of entries) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw new SnsError('InvalidBatchEntryId', `The Id of a batch entry is invalid: ${id}`);
    if (ids.has(id)) throw new SnsError('BatchEntryIdsNotDistinct', `Two or more batch entries have the Id ${id}.`);
    ids.add(id);
  }
  const total = entries.reduce((sum, { message }) => sum + messageBytes(message), 0);
  if (total > MAX_BYTES) {
    throw new SnsError('BatchRequestTooLong', `The length of all the batch messages put together (${total} bytes) is more than the limit (${MAX_BYTES}).`);
  }
  for (const { message } of entries) checkMessage(message, topicArn);
}

function checkMessage(message: PublishedMessage, topicArn: string): void {
  const bytes = messageBytes(message);
  if (bytes > MAX_BYTES) throw new SnsError('InvalidParameter', `Invalid parameter: Message too long (${bytes} bytes > ${MAX_BYTES})`);
  if (topicArn.endsWith('.fifo')) {
    if (!message.groupId) throw new SnsError('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    if (!message.deduplicationId) {
      throw new SnsError('InvalidParameter', 'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  }
}

/** The message plus each attribute's name, data type and value, in UTF-8 bytes. */
function messageBytes(message: PublishedMessage): number {
  let bytes = Buffer.byteLength(message.message, 'utf8');
  for (const [name, value] of Object.entries(message.attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(message.attributeTypes?.[name] ?? 'String', 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  return bytes;
}

/** An SNS error answer: the AWS Query error code the SDK turns into its named exception. */
class SnsError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

function readMessage(params: URLSearchParams, prefix: string, topicArn: string): PublishedMessage {
  const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const attributes: Record<string, string> = {};
  const attributeTypes: Record<string, string> = {};
  for (let m = 1; params.has(key(`MessageAttributes.entry.${m}.Name`)); m++) {
    const name = params.get(key(`MessageAttributes.entry.${m}.Name`))!;
    attributes[name] = params.get(key(`MessageAttributes.entry.${m}.Value.StringValue`)) ?? '';
    attributeTypes[name] = params.get(key(`MessageAttributes.entry.${m}.Value.DataType`)) ?? 'String';
  }
  return {
    topicArn,
    message: params.get(key('Message')) ?? '',
    groupId: params.get(key('MessageGroupId')) ?? undefined,
    deduplicationId: params.get(key('MessageDeduplicationId')) ?? undefined,
    attributes,
    attributeTypes,
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

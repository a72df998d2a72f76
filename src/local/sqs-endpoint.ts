import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { LocalQueue, md5 } from './local-queue';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';

/**
 * SQS's documented limits (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html):
 * 10 entries a batch, 1 MiB a message and a batch (attributes included), ids of up to 80 letters,
 * digits, "-" and "_", delays of up to 900 s, and none per message on a FIFO queue.
 */
const MAX_BATCH_ENTRIES = 10;
const MAX_BYTES = 1_048_576;
const MAX_DELAY_SECONDS = 900;

interface Entry {
  readonly Id?: string;
  readonly MessageBody?: string;
  readonly DelaySeconds?: number;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
  readonly MessageAttributes?: Record<string, { DataType?: string; StringValue?: string }>;
}

/**
 * A loopback endpoint for the SQS calls the library's code makes (the AWS JSON 1.0 protocol of
 * the current AWS SDK), over the local runtime's queues: SendMessage, SendMessageBatch,
 * ReceiveMessage, DeleteMessage, GetQueueAttributes and GetQueueUrl. It refuses what SQS refuses.
 */
export class LocalSqsEndpoint {
  private server?: http.Server;
  /** Queue URL -> queue. */
  private readonly queues = new Map<string, LocalQueue>();
  /** Serves this queue under its URL (as the template's Ref gives it). */
  public add(url: string, queue: LocalQueue): void {
    this.queues.set(url, queue);
  }

  public async start(): Promise<string> {
    this.server = http.createServer(withBody((req, res, body) => {
      const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      try {
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        const output = this.handle(action, input);
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(output));
      } catch (err) {
        const error = err instanceof SqsError ? err : new SqsError('InternalError', 'InternalFailure', String((err as Error).message), 500);
        res.writeHead(error.status, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${error.queryCode};Sender` });
        res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }));
      }
    }));
    return listenOnLoopback(this.server);
  }

  public async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = undefined;
  }

  private handle(action: string, input: Record<string, unknown>): unknown {
    if (action === 'GetQueueUrl') {
      const url = [...this.queues.keys()].find((u) => u.endsWith(`/${String(input.QueueName)}`));
      if (!url) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      return { QueueUrl: url };
    }
    const queue = this.queue(input.QueueUrl);
    switch (action) {
      case 'SendMessage': {
        const [result] = this.send(queue, [{ ...(input as Entry), Id: 'single' }]);
        return { MessageId: result.MessageId, MD5OfMessageBody: result.MD5OfMessageBody };
      }
      case 'SendMessageBatch': {
        const entries = (input.Entries ?? []) as Entry[];
        if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
        if (entries.length > MAX_BATCH_ENTRIES) {
          throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}.`);
        }
        const ids = entries.map((e) => String(e.Id ?? ''));
        if (new Set(ids).size !== ids.length) throw new SqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
        const total = entries.reduce((sum, e) => sum + entryBytes(e), 0);
        if (total > MAX_BYTES) throw new SqsError('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BYTES} bytes.`);
        return { Successful: this.send(queue, entries), Failed: [] };
      }
      case 'ReceiveMessage': {
        const max = Number(input.MaxNumberOfMessages ?? 1);
        if (!Number.isInteger(max) || max < 1 || max > 10) throw invalid('MaxNumberOfMessages must be from 1 to 10.');
        return {
          Messages: queue.receive(max).map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            Body: m.body,
            MD5OfBody: md5(m.body),
            Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
          })),
        };
      }
      case 'DeleteMessage':
        queue.delete(String(input.ReceiptHandle));
        return {};
      case 'GetQueueAttributes': {
        const counts = queue.counts();
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(counts.visible),
            ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
            ApproximateNumberOfMessagesDelayed: String(counts.delayed),
            FifoQueue: String(queue.options.fifo),
          },
        };
      }
      default:
        throw new SqsError('InvalidAction', 'AWS.SimpleQueueService.InvalidAction', `The local SQS endpoint does not support ${action}.`);
    }
  }

  private queue(url: unknown): LocalQueue {
    const queue = this.queues.get(String(url));
    if (!queue) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return queue;
  }

  /** Checks every entry first: a request SQS refuses sends nothing. */
  private send(queue: LocalQueue, entries: Entry[]): Array<{ Id: string; MessageId: string; MD5OfMessageBody: string }> {
    const fifo = queue.options.fifo;
    for (const entry of entries) {
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(String(entry.Id))) throw new SqsError('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', `A batch entry id is invalid: ${entry.Id}`);
      if (typeof entry.MessageBody !== 'string' || entry.MessageBody.length === 0) throw invalid('The request must contain the parameter MessageBody.');
      if (entryBytes(entry) > MAX_BYTES) throw invalid(`Message must be shorter than ${MAX_BYTES} bytes.`);
      const delay = entry.DelaySeconds ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS) throw invalid(`DelaySeconds must be from 0 to ${MAX_DELAY_SECONDS}.`);
      if (fifo) {
        if (delay > 0) throw invalid('The request include parameter that is not valid for this queue type: DelaySeconds (per message).');
        if (!entry.MessageGroupId) throw new SqsError('MissingParameter', 'AWS.SimpleQueueService.MissingParameter', 'The request must contain the parameter MessageGroupId.');
        if (!entry.MessageDeduplicationId) {
          throw invalid('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
      } else if (entry.MessageGroupId && entry.MessageDeduplicationId) {
        throw invalid('The request include parameter that is not valid for this queue type: MessageDeduplicationId');
      }
    }
    const results = entries.map((entry) => {
      const attributes = Object.fromEntries(Object.entries(entry.MessageAttributes ?? {}).map(([k, v]) => [k, String(v.StringValue ?? '')]));
      const delayMs = (entry.DelaySeconds ?? 0) * 1000;
      const message = queue.send(entry.MessageBody!, entry.MessageGroupId, entry.MessageDeduplicationId, attributes, delayMs);
      // A FIFO message dropped as a duplicate is still answered as sent, as SQS does.
      return { Id: entry.Id!, MessageId: message?.messageId ?? randomUUID(), MD5OfMessageBody: md5(entry.MessageBody!) };
    });
    return results;
  }
}

function entryBytes(entry: Entry): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '', 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}


function invalid(message: string): SqsError {
  return new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);
}

class SqsError extends Error {
  constructor(readonly code: string, readonly queryCode: string, message: string, readonly status = 400) {
    super(message);
  }
}

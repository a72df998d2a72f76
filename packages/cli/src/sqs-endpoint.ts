import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { LocalQueue, md5 } from './local-queue';
import { closeServer, listenOnLoopback, withBody } from './loopback-server';
import { MessageMoveTasks } from './message-move-tasks';

/**
 * SQS's documented limits (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html):
 * 10 entries a batch, 1 MiB a message and a batch (attributes included), ids of up to 80 letters,
 * digits, "-" and "_", delays of up to 900 s, and none per message on a FIFO queue.
 */
const MAX_BATCH_ENTRIES = 10;
const MAX_BYTES = 1_048_576;
const MAX_DELAY_SECONDS = 900;
/** https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html */
const MAX_MOVE_RATE = 500;
/** https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html */
const MAX_MOVE_TASKS_LISTED = 10;
/** PurgeQueueInProgress: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html */
const PURGE_INTERVAL_MS = 60_000;

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
 * ReceiveMessage, DeleteMessage, GetQueueAttributes, GetQueueUrl and PurgeQueue, and the dead-letter
 * queue redrive calls StartMessageMoveTask and ListMessageMoveTasks. It refuses what SQS refuses.
 */
export class LocalSqsEndpoint {
  private server?: http.Server;
  /** Queue URL -> queue. */
  private readonly queues = new Map<string, LocalQueue>();
  /** Queue URL -> when it was last purged. */
  private readonly purgedAt = new Map<string, number>();
  private readonly moveTasks = new MessageMoveTasks((arn, deadLetterQueue) => {
    // A message kept in a data folder does not know the queue that parked it: the one queue whose dead-letter queue this is.
    const sources = this.sourcesOf(deadLetterQueue);
    const found = arn === undefined ? (sources.length === 1 ? sources[0] : undefined) : this.byArn(arn);
    // What SQS reports of a task whose destination is gone.
    if (!found) throw new Error('AWS.SimpleQueueService.NonExistentQueue');
    return found;
  });

  /** True while a message move task (a redrive) is under way. */
  public get moving(): boolean {
    return this.moveTasks.moving;
  }

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
    this.moveTasks.stop();
    await closeServer(this.server);
    this.server = undefined;
  }

  private handle(action: string, input: Record<string, unknown>): unknown {
    if (action === 'GetQueueUrl') {
      const url = [...this.queues.keys()].find((u) => u.endsWith(`/${String(input.QueueName)}`));
      if (!url) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      return { QueueUrl: url };
    }
    if (action === 'StartMessageMoveTask') return this.startMoveTask(input);
    if (action === 'ListMessageMoveTasks') {
      const source = this.arnParameter(input.SourceArn, 'SourceArn');
      const max = Number(input.MaxResults ?? 1);
      if (!Number.isInteger(max) || max < 1 || max > MAX_MOVE_TASKS_LISTED) throw invalid('Value for parameter MaxResults is invalid. Reason: You must enter a number that\'s between 1 and 10.');
      return { Results: this.moveTasks.list(source.arn, max) };
    }
    const url = String(input.QueueUrl);
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
            QueueArn: queue.arn,
          },
        };
      }
      case 'PurgeQueue': {
        const last = this.purgedAt.get(url);
        if (last !== undefined && Date.now() - last < PURGE_INTERVAL_MS) {
          throw new SqsError('PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress',
            `Only one PurgeQueue operation on ${queue.options.name} is allowed every 60 seconds.`);
        }
        this.purgedAt.set(url, Date.now());
        queue.purge();
        return {};
      }
      default:
        throw new SqsError('InvalidAction', 'AWS.SimpleQueueService.InvalidAction', `The local SQS endpoint does not support ${action}.`);
    }
  }

  /**
   * A redrive, as SQS starts one: the source must be some queue's dead-letter queue, with no task
   * running on it; the destination (else each message's own source queue) must exist and be of
   * the same type (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
   * Error codes and messages are SQS's own, as recorded against AWS by LocalStack's
   * tests/aws/services/sqs/test_sqs_move_task.snapshot.json.
   */
  private startMoveTask(input: Record<string, unknown>): unknown {
    const source = this.arnParameter(input.SourceArn, 'SourceArn');
    if (!this.sourcesOf(source).length) throw invalid('Source queue must be configured as a Dead Letter Queue.');
    const destination = input.DestinationArn === undefined ? undefined : this.arnParameter(input.DestinationArn, 'DestinationArn');
    if (destination && destination.options.fifo !== source.options.fifo) {
      throw invalid('The destination queue must be of the same type as the source queue (both standard or both FIFO).');
    }
    const rate = input.MaxNumberOfMessagesPerSecond === undefined ? undefined : Number(input.MaxNumberOfMessagesPerSecond);
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > MAX_MOVE_RATE)) {
      throw invalid(`Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a number that's between 1 and ${MAX_MOVE_RATE}.`);
    }
    if (this.moveTasks.active(source.arn)) throw invalid('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    return { TaskHandle: this.moveTasks.start(source, destination, rate) };
  }

  /** The queues whose dead-letter queue this one is. */
  private sourcesOf(deadLetterQueue: LocalQueue): LocalQueue[] {
    return [...this.queues.values()].filter((q) => q.options.deadLetterQueue === deadLetterQueue);
  }

  /** The queue with this ARN or, for a parked message that lost its source's ARN, undefined. */
  private byArn(arn: string | undefined): LocalQueue | undefined {
    return [...this.queues.values()].find((q) => q.arn === arn);
  }

  private arnParameter(arn: unknown, parameter: string): LocalQueue {
    const queue = typeof arn === 'string' ? this.byArn(arn) : undefined;
    if (!queue) throw new SqsError('ResourceNotFoundException', 'ResourceNotFoundException', `The resource that you specified for the ${parameter} parameter doesn't exist.`, 404);
    return queue;
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

import { createHash, randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { Chaos } from './chaos';

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly attributes: Record<string, string>;
  readonly sentAt: number;
  /** When it was first received (SQS's ApproximateFirstReceiveTimestamp); 0 before that. */
  firstReceivedAt: number;
  /** FIFO: SQS's SequenceNumber, increasing in the order messages are enqueued. */
  readonly sequenceNumber: number;
  receiveCount: number;
  /** Time (ms) it becomes visible again; 0 when it is visible. */
  invisibleUntil: number;
  inFlight: boolean;
  /** The receipt handle of its latest receive: only that one deletes or releases it. */
  receipt?: string;
  /** In a dead-letter queue: the ARN of the queue that parked it (where a redrive without a destination sends it). */
  readonly deadLetteredFrom?: string;
}

/** A message as a receive hands it out: a snapshot, with the receipt handle of this receive. */
export type ReceivedMessage = Readonly<QueueMessage> & { readonly receiptHandle: string };

export interface LocalQueueOptions {
  readonly name: string;
  /** The queue's ARN (ending in .fifo for a FIFO queue), as its records carry it. */
  readonly arn?: string;
  /** The region its records name. @default 'us-east-1' */
  readonly region?: string;
  readonly fifo: boolean;
  /** FIFO: a deduplication id repeats only within its message group (DeduplicationScope messageGroup). */
  readonly deduplicationPerGroup?: boolean;
  /** How long a received message stays invisible when not deleted. */
  readonly visibilityTimeoutMs: number;
  /** Receives after which a message moves to the dead-letter queue. */
  readonly maxReceiveCount?: number;
  readonly deadLetterQueue?: LocalQueue;
  /** Called when a message is moved to the dead-letter queue. */
  readonly onDeadLetter?: (message: QueueMessage) => void;
  /**
   * Chaos mode: what SQS may do and usually does not, within its guarantees for the queue type.
   * Standard queues deliver some messages twice and in any order; every queue hands out batches
   * of varied size and makes some messages visible again while they are still being processed
   * (their visibility timeout ran out); FIFO queues fill a batch from one group where they can.
   */
  readonly chaos?: Chaos;
}

/** SQS FIFO deduplicates a deduplication id seen within this window. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/**
 * An in-memory SQS queue with the semantics the aggregators depend on: visibility timeout,
 * receive counts, redrive to a dead-letter queue after maxReceiveCount, and for FIFO queues,
 * deduplication and one group in flight at a time, in order.
 */
export class LocalQueue {
  private readonly arrivalListeners: Array<() => void> = [];
  private messages: QueueMessage[] = [];
  private readonly seenDeduplicationIds = new Map<string, number>();
  private sequence = 0;

  constructor(readonly options: LocalQueueOptions) {}

  private get region(): string { return this.options.region ?? 'us-east-1'; }

  /** Its ARN: the template's, or one in the local account for a queue made by hand. */
  public get arn(): string {
    return this.options.arn ?? `arn:aws:sqs:${this.region}:000000000000:${this.options.name}${this.options.fifo ? '.fifo' : ''}`;
  }

  /** Sends a message, visible after `delayMs` (SQS's DelaySeconds); undefined when FIFO deduplication drops it. */
  public send(
    body: string, groupId?: string, deduplicationId?: string, attributes: Record<string, string> = {}, delayMs = 0,
  ): QueueMessage | undefined {
    const now = Date.now();
    if (this.options.fifo) {
      for (const [id, at] of this.seenDeduplicationIds) {
        if (now - at < DEDUPLICATION_WINDOW_MS) break; // insertion order is time order
        this.seenDeduplicationIds.delete(id);
      }
      const dedup = deduplicationId ?? createHash('sha256').update(body).digest('hex');
      const scoped = this.options.deduplicationPerGroup ? `${groupId}\n${dedup}` : dedup;
      const seen = this.seenDeduplicationIds.get(scoped);
      if (seen !== undefined && now - seen < DEDUPLICATION_WINDOW_MS) return undefined;
      this.seenDeduplicationIds.set(scoped, now);
      deduplicationId = dedup;
    }
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      groupId,
      deduplicationId,
      attributes,
      sentAt: now,
      firstReceivedAt: 0,
      sequenceNumber: ++this.sequence,
      receiveCount: 0,
      invisibleUntil: delayMs > 0 ? now + delayMs : 0,
      inFlight: false,
    };
    this.messages.push(message);
    // At-least-once: a standard queue may deliver a copy too, a little later.
    if (!this.options.fifo && this.options.chaos?.strikes('duplicate')) {
      this.messages.push({ ...message, invisibleUntil: now + this.options.chaos.int(0, 200) });
    }
    this.arrived();
    return message;
  }

  /** Calls `listener` whenever messages arrive (sent or redriven here), so pollers look at once. */
  public onArrival(listener: () => void): void {
    this.arrivalListeners.push(listener);
  }

  private arrived(): void {
    for (const listener of this.arrivalListeners) listener();
  }

  /**
   * Receives up to `max` visible messages and makes them invisible. On FIFO queues a group with
   * a message in flight or invisible is skipped, and a group's messages come in order.
   */
  public receive(max: number): ReceivedMessage[] {
    const now = Date.now();
    const chaos = this.options.chaos;
    const wanted = chaos ? chaos.int(1, max) : max;
    const batch: QueueMessage[] = [];
    for (const message of this.candidates(now)) {
      if (batch.length >= wanted) break;
      if (this.options.maxReceiveCount !== undefined && this.options.deadLetterQueue && message.receiveCount >= this.options.maxReceiveCount) {
        this.remove(message);
        this.options.deadLetterQueue.park(message, this);
        this.options.onDeadLetter?.(message);
        continue;
      }
      message.receiveCount++;
      if (message.firstReceivedAt === 0) message.firstReceivedAt = now;
      message.inFlight = true;
      message.receipt = randomUUID();
      batch.push(message);
      if (chaos?.strikes('earlyRedelivery')) this.expireVisibilitySoon(message, message.receipt, chaos.int(0, 50));
    }
    return batch.map((m) => ({ ...m, receiptHandle: m.receipt! }));
  }

  /**
   * The messages a receive may hand out, in the order it takes them. Without chaos: oldest first,
   * and on FIFO queues only the groups with nothing in flight or invisible, each in order. With
   * chaos: standard queues in any order; FIFO queues group by group in a random order of groups,
   * each group's run as long as it goes (as SQS fills a batch from one group where it can).
   */
  private candidates(now: number): QueueMessage[] {
    const visible = (m: QueueMessage) => !m.inFlight && m.invisibleUntil <= now;
    if (!this.options.fifo) {
      const ready = this.messages.filter(visible);
      return this.options.chaos ? this.options.chaos.shuffle(ready) : ready;
    }
    // Each group offers its leading run of visible messages, up to its first one in flight or invisible.
    const blocked = new Set<string>();
    const runs = new Map<string, QueueMessage[]>();
    for (const message of this.messages) {
      const group = message.groupId ?? '';
      if (blocked.has(group)) continue;
      if (!visible(message)) {
        blocked.add(group);
        continue;
      }
      const run = runs.get(group);
      if (run) run.push(message);
      else runs.set(group, [message]);
    }
    if (this.options.chaos) return this.options.chaos.shuffle([...runs.keys()]).flatMap((group) => runs.get(group)!);
    // Without chaos, oldest first across groups: the runs' messages in queue order.
    const eligible = new Set([...runs.values()].flat());
    return this.messages.filter((m) => eligible.has(m));
  }

  /** Its visibility timeout runs out while it is still being processed: another receive may take it. */
  private expireVisibilitySoon(message: QueueMessage, receipt: string, afterMs: number): void {
    setTimeout(() => {
      if (message.receipt !== receipt || !message.inFlight || !this.messages.includes(message)) return;
      message.inFlight = false;
      message.invisibleUntil = 0;
    }, afterMs).unref();
  }

  /** Deletes a received message (it was processed), unless a later receive holds it now. */
  public delete(receiptHandle: string): void {
    const message = this.messages.find((m) => m.receipt === receiptHandle);
    if (message) this.remove(message);
  }

  /** Ends a receive without deleting: the message comes back after the visibility timeout. */
  public release(receiptHandle: string): void {
    const message = this.messages.find((m) => m.receipt === receiptHandle);
    if (!message || !message.inFlight) return;
    message.inFlight = false;
    message.invisibleUntil = Date.now() + this.options.visibilityTimeoutMs;
  }

  /** SQS's approximate counts: visible, in flight (received, or back from a failed receive), delayed (never received yet). */
  public counts(): { visible: number; inFlight: number; delayed: number } {
    const now = Date.now();
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const m of this.messages) {
      if (m.inFlight || (m.invisibleUntil > now && m.receiveCount > 0)) counts.inFlight++;
      else if (m.invisibleUntil > now) counts.delayed++;
      else counts.visible++;
    }
    return counts;
  }

  /** Messages not yet deleted (visible, invisible or in flight). */
  public get depth(): number { return this.messages.length; }

  /** A snapshot of the messages, for inspection (e.g. a dead-letter list). */
  public peek(): ReadonlyArray<Readonly<QueueMessage>> { return this.messages.map((m) => ({ ...m })); }

  /** Moves every message to another queue, as SQS redrive does; returns how many moved. */
  public redriveTo(target: LocalQueue): number {
    return this.moveOldest(() => target, Infinity);
  }

  /**
   * Moves up to `max` of its messages not being received, oldest first, each to the queue
   * `destination` names for it, as a dead-letter queue redrive does: it becomes a new message
   * there (new message id and enqueue time, receive count 0), with its body, attributes, group id
   * and deduplication id (in a FIFO dead-letter queue, the parked message's own id; see `park`).
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
   * Returns how many moved (a FIFO duplicate the destination drops counts as moved, as it left here).
   */
  public moveOldest(destination: (message: QueueMessage) => LocalQueue, max: number): number {
    const moving = this.messages.filter((m) => !m.inFlight && m.invisibleUntil <= Date.now()).slice(0, max);
    for (const m of moving) {
      const target = destination(m); // before it leaves: a destination that is gone fails the move, not the message
      this.remove(m);
      target.send(m.body, m.groupId, m.deduplicationId, m.attributes);
    }
    return moving.length;
  }

  /** Deletes every message, in flight ones included, as PurgeQueue does; returns how many there were. */
  public purge(): number {
    const purged = this.messages.length;
    this.messages = [];
    return purged;
  }

  /** Ms until the next invisible message becomes visible, or undefined when none waits. */
  public nextVisibleIn(): number | undefined {
    const now = Date.now();
    const waits = this.messages.filter((m) => !m.inFlight && m.invisibleUntil > now).map((m) => m.invisibleUntil - now);
    return waits.length ? Math.min(...waits) : undefined;
  }

  /** The Lambda SQS event record of a received message. */
  public toRecord(message: ReceivedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt || message.sentAt),
        ...(message.groupId !== undefined ? {
          MessageGroupId: message.groupId,
          MessageDeduplicationId: message.deduplicationId!,
          SequenceNumber: String(message.sequenceNumber),
        } : {}),
      } as SQSRecord['attributes'],
      messageAttributes: Object.fromEntries(Object.entries(message.attributes)
        .map(([k, v]) => [k, { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] }])),
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.region,
    };
  }

  /**
   * Takes a message its source queue gave up on. In a FIFO dead-letter queue its deduplication id
   * is the message's own id, so that two parked messages that shared one are both kept
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
   */
  private park(message: QueueMessage, from: LocalQueue): void {
    this.messages.push({
      ...message,
      ...(this.options.fifo ? { deduplicationId: message.messageId } : {}),
      deadLetteredFrom: from.arn,
      inFlight: false,
      invisibleUntil: 0,
      receipt: undefined,
    });
  }

  private remove(message: QueueMessage): void {
    this.messages = this.messages.filter((m) => m !== message);
  }
}

/** The MD5 of a message body, as SQS answers it (and the AWS SDK checks it). */
export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

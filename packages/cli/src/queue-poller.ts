import { invokeBatch } from './batch-response';
import { Chaos } from './chaos';
import { LocalFunction } from './function-host';
import { LocalQueue, QueueMessage } from './local-queue';

export interface QueuePollerOptions {
  readonly queue: LocalQueue;
  readonly target: LocalFunction;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  /** `logs`: what the function logged in the invocation that processed it (and others of its batch). */
  readonly onProcessed: (message: QueueMessage, logs: readonly string[]) => void;
  readonly onFailed: (message: QueueMessage, reason: string, logs: readonly string[]) => void;
  /** Chaos mode: invocations that fail before, or crash after, doing their work. */
  readonly chaos?: Chaos;
}

/**
 * Lambda's SQS event source mapping, locally: receives batches, invokes the function with an
 * SQS event, deletes what succeeded and leaves the reported failures to come back after the
 * visibility timeout (ReportBatchItemFailures). One batch at a time per poller; chaos mode runs
 * several pollers per queue, as Lambda does.
 */
export class QueuePoller {
  private timer?: NodeJS.Timeout;
  private running = false;
  private current?: Promise<void>;
  /** True while a batch is being processed. */
  public busy = false;

  constructor(private readonly options: QueuePollerOptions) {
    options.queue.onArrival(() => this.nudge());
  }

  public start(): void {
    this.running = true;
    this.schedule(0);
  }

  public async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  /** Polls now instead of at the next tick (new messages arrived). */
  public nudge(): void {
    if (!this.running || this.busy) return;
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.current = this.poll().finally(() => {
        this.current = undefined;
        const { queue } = this.options;
        const wait = queue.depth === 0 ? this.options.pollIntervalMs : Math.min(this.options.pollIntervalMs, queue.nextVisibleIn() ?? 0);
        this.schedule(wait);
      });
    }, delay);
  }

  private async poll(): Promise<void> {
    const { queue, target } = this.options;
    const batch = queue.receive(this.options.batchSize);
    if (batch.length === 0) return;
    this.busy = true;
    try {
      let failed: ReadonlySet<string> = new Set<string>();
      let reason = 'reported in batchItemFailures';
      const all = new Set(batch.map((m) => m.messageId));
      const { outcome, thrown, logs } = await invokeBatch(target, { Records: batch.map((m) => queue.toRecord(m)) }, [...all], this.options.chaos);
      if (outcome.kind === 'partial') failed = outcome.failed;
      if (outcome.kind === 'failure') [failed, reason] = [all, thrown ? outcome.reason : `the whole batch failed: ${outcome.reason}`];
      for (const message of batch) {
        if (failed.has(message.messageId)) {
          queue.release(message.receiptHandle);
          this.options.onFailed(message, reason, logs);
        } else {
          queue.delete(message.receiptHandle);
          this.options.onProcessed(message, logs);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

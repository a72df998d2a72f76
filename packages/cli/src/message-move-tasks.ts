import { randomUUID } from 'node:crypto';
import type { LocalQueue } from './local-queue';

/** The statuses SQS lists (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasksResultEntry.html). */
export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** A task as ListMessageMoveTasks answers it. */
export interface MoveTaskEntry {
  readonly TaskHandle?: string;
  readonly Status: MoveTaskStatus;
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly MaxNumberOfMessagesPerSecond?: number;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly FailureReason?: string;
  readonly StartedTimestamp: number;
}

interface Task {
  readonly handle: string;
  readonly source: LocalQueue;
  /** Undefined: each message goes back to the queue that parked it. */
  readonly destination?: LocalQueue;
  readonly rate?: number;
  readonly toMove: number;
  readonly startedAt: number;
  moved: number;
  status: MoveTaskStatus;
  failureReason?: string;
}

/** Without MaxNumberOfMessagesPerSecond SQS picks the rate itself; 500 a second is the most one may ask for. */
const SYSTEM_RATE = 500;
const TICK_MS = 50;
/** ListMessageMoveTasks answers up to 10 tasks of a source queue, so no more are kept. */
const KEPT_PER_SOURCE = 10;

/**
 * Dead-letter queue redrives, as SQS runs them: asynchronously, one active task per source queue,
 * moving the messages there at the start (ApproximateNumberOfMessagesToMove), oldest first, at
 * most `rate` a second. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
export class MessageMoveTasks {
  /** Source ARN -> its tasks, newest first. */
  private readonly tasks = new Map<string, Task[]>();
  private timer?: NodeJS.Timeout;

  /** `origin` finds the queue that parked a message (by its ARN, if it has one), for a task without a destination. */
  constructor(private readonly origin: (arn: string | undefined, deadLetterQueue: LocalQueue) => LocalQueue) {}

  /** Starts a task; the caller has checked the queues and the rate. */
  public start(source: LocalQueue, destination: LocalQueue | undefined, rate: number | undefined): string {
    if (this.active(source.arn)) throw new Error('a task is running on this source');
    const task: Task = {
      // As SQS's, the handle carries the source queue's ARN.
      handle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString('base64'),
      source,
      destination,
      rate,
      toMove: source.depth,
      startedAt: Date.now(),
      moved: 0,
      status: 'RUNNING',
    };
    this.tasks.set(source.arn, [task, ...(this.tasks.get(source.arn) ?? [])].slice(0, KEPT_PER_SOURCE));
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    return task.handle;
  }

  /** The running task of a source queue, if any. */
  public active(sourceArn: string): boolean {
    return (this.tasks.get(sourceArn) ?? []).some((t) => t.status === 'RUNNING' || t.status === 'CANCELLING');
  }

  /** True while any task is moving messages. */
  public get moving(): boolean {
    return [...this.tasks.keys()].some((arn) => this.active(arn));
  }

  /** A source queue's tasks, newest first; the handle only while a task runs (as SQS answers). */
  public list(sourceArn: string, max: number): MoveTaskEntry[] {
    return (this.tasks.get(sourceArn) ?? []).slice(0, max).map((t) => ({
      ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
      Status: t.status,
      SourceArn: t.source.arn,
      ...(t.destination ? { DestinationArn: t.destination.arn } : {}),
      ...(t.rate !== undefined ? { MaxNumberOfMessagesPerSecond: t.rate } : {}),
      ApproximateNumberOfMessagesMoved: t.moved,
      ApproximateNumberOfMessagesToMove: t.toMove,
      ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
      StartedTimestamp: t.startedAt,
    }));
  }

  public stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Moves what each running task's rate allows by now; a task ends when it has moved its messages or the source has none left. */
  private tick(): void {
    const now = Date.now();
    for (const task of [...this.tasks.values()].flat()) {
      if (task.status !== 'RUNNING') continue;
      if (task.moved >= task.toMove) {
        task.status = 'COMPLETED';
        continue;
      }
      const allowed = Math.floor(((now - task.startedAt) / 1000) * (task.rate ?? SYSTEM_RATE));
      const wanted = Math.min(task.toMove, allowed) - task.moved;
      if (wanted <= 0) continue;
      let moved: number;
      try {
        moved = task.source.moveOldest((m) => task.destination ?? this.origin(m.deadLetteredFrom, task.source), wanted);
      } catch (err) {
        task.status = 'FAILED';
        task.failureReason = String((err as Error).message ?? err);
        continue;
      }
      task.moved += moved;
      // Done when its messages have moved, or the source has none left to move (another receive took them).
      if (task.moved >= task.toMove || moved < wanted) task.status = 'COMPLETED';
    }
    if (!this.moving) this.stop();
  }
}

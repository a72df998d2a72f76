/**
 * Dead-letter queue redrive on the local SQS endpoint, with the real SQS client: StartMessageMoveTask,
 * ListMessageMoveTasks and PurgeQueue as SQS answers them (errors as recorded against AWS by
 * LocalStack's test_sqs_move_task.snapshot.json), never kinder.
 */
import {
  GetQueueAttributesCommand, ListMessageMoveTasksCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
  StartMessageMoveTaskCommand, type ListMessageMoveTasksResultEntry,
} from '@aws-sdk/client-sqs';
import { LocalQueue } from '../src/local-queue';
import { LocalSqsEndpoint } from '../src/sqs-endpoint';

const endpoint = new LocalSqsEndpoint();
let client: SQSClient;
let base: string;

beforeAll(async () => {
  base = await endpoint.start();
  client = new SQSClient({ endpoint: base, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await endpoint.stop();
});

let queues = 0;
/** A queue and its dead-letter queue (one receive, then parked), served by the endpoint. */
function queuePair(fifo = false): { queue: LocalQueue; dlq: LocalQueue; url: string; dlqUrl: string } {
  const suffix = fifo ? '.fifo' : '';
  const n = ++queues;
  const dlq = new LocalQueue({ name: `dlq${n}${suffix}`, arn: `arn:aws:sqs:us-east-1:000000000000:dlq${n}${suffix}`, fifo, visibilityTimeoutMs: 0 });
  const queue = new LocalQueue({
    name: `q${n}${suffix}`, arn: `arn:aws:sqs:us-east-1:000000000000:q${n}${suffix}`, fifo, visibilityTimeoutMs: 0, maxReceiveCount: 1, deadLetterQueue: dlq,
  });
  const [url, dlqUrl] = [`${base}/0/q${n}${suffix}`, `${base}/0/dlq${n}${suffix}`];
  endpoint.add(url, queue);
  endpoint.add(dlqUrl, dlq);
  return { queue, dlq, url, dlqUrl };
}

/** Sends the bodies, has each received once and failed (released): the next receive parks them. */
function park(queue: LocalQueue, bodies: string[], group?: (body: string) => string, dedup?: (body: string) => string): void {
  for (const body of bodies) queue.send(body, group?.(body), dedup?.(body));
  for (let received = queue.receive(10); received.length; received = queue.receive(10)) {
    for (const m of received) queue.release(m.receiptHandle);
  }
  expect(queue.depth).toBe(0);
}

async function arnOf(url: string): Promise<string> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return Attributes!.QueueArn!;
}

async function tasks(sourceArn: string, max?: number): Promise<ListMessageMoveTasksResultEntry[]> {
  return (await client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, ...(max ? { MaxResults: max } : {}) }))).Results ?? [];
}

async function untilCompleted(sourceArn: string, timeoutMs = 10_000): Promise<ListMessageMoveTasksResultEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [latest] = await tasks(sourceArn);
    if (latest?.Status !== 'RUNNING') return latest;
    if (Date.now() > deadline) throw new Error(`task still running: ${JSON.stringify(latest)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('GetQueueAttributes answers the queue\'s ARN', async () => {
  const { url, queue } = queuePair(true);
  expect(await arnOf(url)).toBe(queue.arn);
  expect(queue.arn).toMatch(/:q\d+\.fifo$/);
});

test('a redrive moves the parked messages at the rate, asynchronously, as new messages; the task is listed, then completed', async () => {
  const { queue, dlq, url, dlqUrl } = queuePair();
  park(queue, ['m1', 'm2', 'm3', 'm4']);
  const parkedIds = dlq.peek().map((m) => m.messageId);
  expect(parkedIds).toHaveLength(4);
  const [source, destination] = [await arnOf(dlqUrl), await arnOf(url)];

  const startedAt = Date.now();
  const start = new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination, MaxNumberOfMessagesPerSecond: 4 });
  const { TaskHandle } = await client.send(start);
  expect(TaskHandle).toEqual(expect.any(String));
  // Asynchronous: nothing has moved when the call answers (4 a second: the first after 250 ms).
  expect(queue.depth).toBe(0);
  const [running] = await tasks(source);
  const elapsed = Date.now() - startedAt;
  expect(running).toMatchObject({
    TaskHandle, Status: 'RUNNING', SourceArn: source, DestinationArn: destination, MaxNumberOfMessagesPerSecond: 4, ApproximateNumberOfMessagesToMove: 4,
  });
  // Never faster than the rate.
  expect(running.ApproximateNumberOfMessagesMoved).toBeLessThanOrEqual(Math.floor((elapsed / 1000) * 4) + 1);

  // Only one active task per source queue.
  await expect(client.send(new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination }))).rejects.toMatchObject({
    name: 'InvalidParameterValue', message: 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
  });

  const done = await untilCompleted(source);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000 - 50); // the 4th message may not move before 1 s
  expect(done).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 4, ApproximateNumberOfMessagesToMove: 4, StartedTimestamp: expect.any(Number) });
  expect(done.TaskHandle).toBeUndefined(); // SQS lists a handle only while the task runs
  expect(dlq.depth).toBe(0);
  // New messages, oldest first: new ids, received for the first time.
  const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
  expect(received.Messages!.map((m) => m.Body)).toEqual(['m1', 'm2', 'm3', 'm4']);
  expect(received.Messages!.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['1', '1', '1', '1']);
  for (const m of received.Messages!) expect(parkedIds).not.toContain(m.MessageId);
});

test('it refuses what SQS refuses: a source that is no dead-letter queue, unknown queues, a destination of another type, a rate outside 1-500', async () => {
  const standard = queuePair();
  const fifo = queuePair(true);
  const [dlq, queue, fifoQueue] = [await arnOf(standard.dlqUrl), await arnOf(standard.url), await arnOf(fifo.url)];
  const start = (input: ConstructorParameters<typeof StartMessageMoveTaskCommand>[0]) => client.send(new StartMessageMoveTaskCommand(input));
  await expect(start({ SourceArn: queue })).rejects.toMatchObject({ name: 'InvalidParameterValue', message: 'Source queue must be configured as a Dead Letter Queue.' });
  await expect(start({ SourceArn: `${dlq}-nope` })).rejects.toMatchObject({
    name: 'ResourceNotFoundException', message: 'The resource that you specified for the SourceArn parameter doesn\'t exist.',
  });
  await expect(start({ SourceArn: dlq, DestinationArn: `${queue}-nope` })).rejects.toMatchObject({
    name: 'ResourceNotFoundException', message: 'The resource that you specified for the DestinationArn parameter doesn\'t exist.',
  });
  await expect(start({ SourceArn: dlq, DestinationArn: fifoQueue })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  for (const rate of [0, 501, 1.5]) {
    await expect(start({ SourceArn: dlq, DestinationArn: queue, MaxNumberOfMessagesPerSecond: rate })).rejects.toMatchObject({
      name: 'InvalidParameterValue', message: expect.stringContaining('MaxNumberOfMessagesPerSecond'),
    });
  }
  await expect(tasks(dlq, 11)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  await expect(tasks(`${dlq}-nope`)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  // Nothing was started.
  expect(await tasks(dlq, 10)).toEqual([]);
});

test('tasks are listed newest first, one by default, at most 10; an empty dead-letter queue completes at once', async () => {
  const { dlqUrl, url } = queuePair();
  const [source, destination] = [await arnOf(dlqUrl), await arnOf(url)];
  for (let i = 1; i <= 11; i++) {
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination, MaxNumberOfMessagesPerSecond: i }));
    await untilCompleted(source);
  }
  expect((await tasks(source)).map((t) => t.MaxNumberOfMessagesPerSecond)).toEqual([11]);
  const listed = await tasks(source, 10);
  expect(listed.map((t) => t.MaxNumberOfMessagesPerSecond)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  expect(listed.every((t) => t.Status === 'COMPLETED' && t.ApproximateNumberOfMessagesToMove === 0)).toBe(true);
});

test('FIFO: a parked message\'s deduplication id is its own id, so two that shared one both park and both come back, in their group, in order', async () => {
  const { queue, dlq, dlqUrl } = queuePair(true);
  // Two messages with the same deduplication id in different groups (high-throughput FIFO deduplicates per group).
  const perGroup = new LocalQueue({ ...queue.options, name: 'pg.fifo', arn: `${queue.arn}-pg`, deduplicationPerGroup: true });
  endpoint.add(`${base}/0/pg.fifo`, perGroup);
  park(perGroup, ['a1', 'b1'], (body) => body[0], () => 'same');
  park(queue, ['a2', 'a3'], () => 'A', (body) => body);
  expect(dlq.peek().map((m) => [m.body, m.groupId, m.deduplicationId === m.messageId])).toEqual([
    ['a1', 'a', true], ['b1', 'b', true], ['a2', 'A', true], ['a3', 'A', true],
  ]);

  // Without a destination each goes back to the queue that parked it.
  await client.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(dlqUrl) }));
  const done = await untilCompleted(await arnOf(dlqUrl));
  expect(done).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 4 });
  expect(done.DestinationArn).toBeUndefined();
  expect(perGroup.peek().map((m) => [m.body, m.groupId, m.receiveCount])).toEqual([['a1', 'a', 0], ['b1', 'b', 0]]);
  expect(queue.peek().map((m) => [m.body, m.groupId, m.receiveCount])).toEqual([['a2', 'A', 0], ['a3', 'A', 0]]);
});

test('PurgeQueue deletes every message, in flight ones too, and once a minute only', async () => {
  const { dlq, dlqUrl } = queuePair();
  dlq.send('p1');
  dlq.send('p2');
  dlq.receive(1);
  await client.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
  expect(dlq.depth).toBe(0);
  await client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'p3' }));
  await expect(client.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }))).rejects.toMatchObject({ name: 'PurgeQueueInProgress' });
  expect(dlq.depth).toBe(1);
});

import { createHash } from 'node:crypto';
import { LocalQueue, QueueMessage } from '../src/local-queue';

const T0 = new Date('2030-01-01T00:00:00Z').getTime();

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});

afterEach(() => {
  jest.useRealTimers();
});

function advance(ms: number): void {
  jest.setSystemTime(Date.now() + ms);
}

function bodies(messages: ReadonlyArray<Pick<QueueMessage, 'body'>>): string[] {
  return messages.map((m) => m.body);
}

describe('standard queue', () => {
  test('a received message is invisible until deleted, or until the visibility timeout after a release', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 1000 });
    queue.send('a');
    queue.send('b');
    expect(queue.depth).toBe(2);

    const [a, b] = queue.receive(10);
    expect(bodies([a, b])).toEqual(['a', 'b']);
    expect(a.receiveCount).toBe(1);
    // In flight: neither comes again, both still count.
    expect(queue.receive(10)).toEqual([]);
    expect(queue.depth).toBe(2);

    queue.delete(b.receiptHandle);
    expect(queue.depth).toBe(1);

    queue.release(a.receiptHandle);
    expect(queue.receive(10)).toEqual([]);
    expect(queue.nextVisibleIn()).toBe(1000);
    advance(999);
    expect(queue.receive(10)).toEqual([]);
    expect(queue.nextVisibleIn()).toBe(1);
    advance(1);
    const again = queue.receive(10);
    expect(bodies(again)).toEqual(['a']);
    expect(again[0].messageId).toBe(a.messageId);
    expect(again[0].receiveCount).toBe(2);
    expect(queue.nextVisibleIn()).toBeUndefined(); // in flight, not waiting
  });

  test('receive honours the batch size', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 1000 });
    for (const body of ['1', '2', '3']) queue.send(body);
    expect(bodies(queue.receive(2))).toEqual(['1', '2']);
    expect(bodies(queue.receive(2))).toEqual(['3']);
  });

  test('does not deduplicate', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 1000 });
    expect(queue.send('same', undefined, 'dedup')).toBeDefined();
    expect(queue.send('same', undefined, 'dedup')).toBeDefined();
    expect(queue.depth).toBe(2);
  });

  test('after maxReceiveCount receives, the next receive moves the message to the dead-letter queue', () => {
    const deadLetters = new LocalQueue({ name: 'dlq', fifo: false, visibilityTimeoutMs: 0 });
    const parked: QueueMessage[] = [];
    const queue = new LocalQueue({
      name: 'q', fifo: false, visibilityTimeoutMs: 100, maxReceiveCount: 2, deadLetterQueue: deadLetters, onDeadLetter: (m) => parked.push(m),
    });
    queue.send('poison');
    queue.send('fine');

    for (let receive = 1; receive <= 2; receive++) {
      const batch = queue.receive(10);
      const poison = batch.find((m) => m.body === 'poison')!;
      expect(poison.receiveCount).toBe(receive);
      for (const m of batch) {
        if (m.body === 'poison') queue.release(m.receiptHandle);
        else queue.delete(m.receiptHandle);
      }
      advance(100);
    }

    expect(queue.receive(10)).toEqual([]);
    expect(queue.depth).toBe(0);
    expect(bodies(parked)).toEqual(['poison']);
    expect(deadLetters.peek()).toEqual([expect.objectContaining({ body: 'poison', receiveCount: 2, inFlight: false })]);
  });

  test('without a dead-letter queue a message is retried for ever', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 10, maxReceiveCount: 1 });
    queue.send('x');
    for (let i = 1; i <= 5; i++) {
      const [m] = queue.receive(1);
      expect(m.receiveCount).toBe(i);
      queue.release(m.receiptHandle);
      advance(10);
    }
  });

  test('redrive moves every parked message back with its receive count reset, and it gets maxReceiveCount receives again', () => {
    const deadLetters = new LocalQueue({ name: 'dlq', fifo: false, visibilityTimeoutMs: 0 });
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 10, maxReceiveCount: 1, deadLetterQueue: deadLetters });
    queue.send('p1');
    queue.send('p2');
    for (const m of queue.receive(10)) queue.release(m.receiptHandle);
    advance(10);
    expect(queue.receive(10)).toEqual([]);
    expect(bodies(deadLetters.peek())).toEqual(['p1', 'p2']);

    expect(deadLetters.redriveTo(queue)).toBe(2);
    expect(deadLetters.depth).toBe(0);
    expect(queue.peek().map((m) => [m.body, m.receiveCount])).toEqual([['p1', 0], ['p2', 0]]);

    const again = queue.receive(10);
    expect(again.map((m) => m.receiveCount)).toEqual([1, 1]);
    for (const m of again) queue.release(m.receiptHandle);
    advance(10);
    expect(queue.receive(10)).toEqual([]);
    expect(deadLetters.depth).toBe(2);
    expect(deadLetters.redriveTo(queue)).toBe(2);
    expect(deadLetters.redriveTo(queue)).toBe(0);
  });

  test('peek is a snapshot: changing it changes nothing', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 10 });
    queue.send('x');
    const [snapshot] = queue.peek() as QueueMessage[];
    snapshot.inFlight = true;
    expect(queue.receive(1)).toHaveLength(1);
  });
});

describe('FIFO queue', () => {
  const fifo = () => new LocalQueue({ name: 'q.fifo', fifo: true, visibilityTimeoutMs: 100 });

  test('a group with a message in flight is skipped; other groups go on', () => {
    const queue = fifo();
    queue.send('a1', 'A', 'a1');
    queue.send('a2', 'A', 'a2');
    queue.send('b1', 'B', 'b1');

    const [a1] = queue.receive(1);
    expect(a1.body).toBe('a1');
    // a2 waits behind a1 even though it is visible.
    expect(bodies(queue.receive(10))).toEqual(['b1']);
    expect(queue.receive(10)).toEqual([]);

    queue.delete(a1.receiptHandle);
    expect(bodies(queue.receive(10))).toEqual(['a2']);
  });

  test('a released message holds its group back until it is visible again, then the group resumes in order', () => {
    const queue = fifo();
    queue.send('a1', 'A', 'a1');
    queue.send('a2', 'A', 'a2');
    queue.send('a3', 'A', 'a3');
    queue.send('b1', 'B', 'b1');

    const first = queue.receive(10);
    // A group's messages come in order within one batch.
    expect(bodies(first)).toEqual(['a1', 'a2', 'a3', 'b1']);
    const byBody = Object.fromEntries(first.map((m) => [m.body, m]));
    queue.delete(byBody.a1.receiptHandle);
    queue.release(byBody.a2.receiptHandle);
    queue.release(byBody.a3.receiptHandle);
    queue.delete(byBody.b1.receiptHandle);
    queue.send('a4', 'A', 'a4');
    queue.send('b2', 'B', 'b2');

    // A is blocked by the invisible a2 (a4 must not overtake it); B goes on.
    expect(bodies(queue.receive(10))).toEqual(['b2']);
    advance(100);
    const next = queue.receive(10);
    expect(bodies(next)).toEqual(['a2', 'a3', 'a4']);
    expect(next.map((m) => m.receiveCount)).toEqual([2, 2, 1]);
  });

  test('a parked message unblocks its group: the next one is delivered', () => {
    const deadLetters = new LocalQueue({ name: 'dlq.fifo', fifo: true, visibilityTimeoutMs: 0 });
    const queue = new LocalQueue({ name: 'q.fifo', fifo: true, visibilityTimeoutMs: 100, maxReceiveCount: 1, deadLetterQueue: deadLetters });
    queue.send('a1', 'A', 'a1');
    queue.send('a2', 'A', 'a2');
    const [a1] = queue.receive(1);
    queue.release(a1.receiptHandle);
    advance(100);
    expect(bodies(queue.receive(10))).toEqual(['a2']);
    expect(bodies(deadLetters.peek())).toEqual(['a1']);
  });

  test('a deduplication id seen within five minutes is dropped, by id or (without one) by content', () => {
    const queue = fifo();
    expect(queue.send('first', 'A', 'd1')).toBeDefined();
    expect(queue.send('other body, same id', 'A', 'd1')).toBeUndefined();
    expect(queue.send('content', 'A')).toBeDefined();
    expect(queue.send('content', 'B')).toBeUndefined();
    expect(queue.depth).toBe(2);

    // Still deduplicated after the first copy was processed.
    for (const m of queue.receive(10)) queue.delete(m.receiptHandle);
    expect(queue.send('again', 'A', 'd1')).toBeUndefined();

    advance(5 * 60 * 1000 - 1);
    expect(queue.send('again', 'A', 'd1')).toBeUndefined();
    advance(5 * 60 * 1000 + 1);
    expect(queue.send('again', 'A', 'd1')).toBeDefined();
  });

  test('high throughput (DeduplicationScope messageGroup): a deduplication id repeats only within its group', () => {
    const queue = new LocalQueue({ name: 'q.fifo', fifo: true, deduplicationPerGroup: true, visibilityTimeoutMs: 1000 });
    expect(queue.send('a', 'A', 'd1')).toBeDefined();
    expect(queue.send('b', 'B', 'd1')).toBeDefined();
    expect(queue.send('a again', 'A', 'd1')).toBeUndefined();
    expect(queue.send('content', 'A')).toBeDefined();
    expect(queue.send('content', 'B')).toBeDefined();
    expect(queue.send('content', 'B')).toBeUndefined();
    expect(queue.depth).toBe(4);
  });

  test('Lambda SQS records: group, deduplication id, receive count, attributes, and a sequence number per message', () => {
    const queue = new LocalQueue({ name: 'q', fifo: true, visibilityTimeoutMs: 1000, arn: 'arn:aws:sqs:eu-west-1:111111111111:Orders.fifo', region: 'eu-west-1' });
    queue.send('{"n":1}', 'A', 'd1', { kind: 'x' });
    queue.send('{"n":2}', 'A', 'd2');
    const records = queue.receive(10).map((m) => queue.toRecord(m));
    expect(records[0]).toMatchObject({
      body: '{"n":1}',
      eventSource: 'aws:sqs',
      // The queue's real ARN (with .fifo) and region, as Lambda delivers them.
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111111111111:Orders.fifo',
      awsRegion: 'eu-west-1',
      attributes: { ApproximateReceiveCount: '1', MessageGroupId: 'A', MessageDeduplicationId: 'd1' },
      messageAttributes: { kind: { stringValue: 'x', dataType: 'String' } },
    });
    expect(records[0].md5OfBody).toBe(createHash('md5').update('{"n":1}').digest('hex'));
    expect(records[0].messageId).not.toBe(records[1].messageId);
    const sequence = records.map((r) => BigInt(r.attributes.SequenceNumber!));
    expect(sequence[1]).toBeGreaterThan(sequence[0]);
  });

  test('ApproximateFirstReceiveTimestamp is the first receive, not the send; it stays on later receives', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 0 });
    queue.send('x');
    advance(1000);
    const [first] = queue.receive(1);
    const firstRecord = queue.toRecord(first);
    expect(Number(firstRecord.attributes.ApproximateFirstReceiveTimestamp)).toBe(Number(firstRecord.attributes.SentTimestamp) + 1000);
    queue.release(first.receiptHandle);
    advance(500);
    const [again] = queue.receive(1);
    expect(queue.toRecord(again).attributes.ApproximateFirstReceiveTimestamp).toBe(firstRecord.attributes.ApproximateFirstReceiveTimestamp);
    expect(queue.toRecord(again).attributes.ApproximateReceiveCount).toBe('2');
  });
});

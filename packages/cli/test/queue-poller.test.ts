import type { SQSEvent } from 'aws-lambda';
import { until } from '../../../test/support/until';
import { LocalFunction } from '../src/function-host';
import { LocalQueue, QueueMessage } from '../src/local-queue';
import { QueuePoller } from '../src/queue-poller';

/** A poller over a standard queue whose function answers `respond` for each batch. */
function harness(respond: (event: SQSEvent, call: number) => unknown) {
  const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 0 });
  const batches: string[][] = [];
  const failed: Array<[string, string]> = [];
  const processed: string[] = [];
  const target = {
    invokeWithLogs: async (event: SQSEvent) => {
      batches.push(event.Records.map((r) => r.body));
      return { result: await respond(event, batches.length), logs: [] };
    },
  };
  const poller = new QueuePoller({
    queue,
    target: target as unknown as LocalFunction,
    batchSize: 10,
    pollIntervalMs: 5,
    onProcessed: (m: QueueMessage) => processed.push(m.body),
    onFailed: (m: QueueMessage, reason: string) => failed.push([m.body, reason]),
  });
  return { queue, poller, batches, failed, processed };
}

test.each<[string, (event: SQSEvent) => unknown]>([
  ['an itemIdentifier that names no message of the batch', () => ({ batchItemFailures: [{ itemIdentifier: 'no-such-message' }] })],
  ['an empty itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
  ['a null itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: null }] })],
  ['a response without batchItemFailures', () => ({ foo: 'notvalid' })],
])('%s fails the whole batch, as on AWS', async (_name, invalid) => {
  const h = harness((event, call) => (call === 1 ? invalid(event) : undefined));
  h.queue.send('a');
  h.queue.send('b');
  h.poller.start();
  try {
    await until('an empty queue', () => h.queue.depth === 0, 5000, 5);
    expect(h.failed.map(([body]) => body).sort()).toEqual(['a', 'b']);
    expect(h.failed[0][1]).toMatch(/whole batch failed/);
    expect(h.batches).toHaveLength(2);
  } finally {
    await h.poller.stop();
  }
});

test('a valid partial response fails only the messages it names; an empty one, or none, is a success', async () => {
  const h = harness((event, call) => (call === 1
    ? { batchItemFailures: [{ itemIdentifier: event.Records.find((r) => r.body === 'b')!.messageId }] }
    : { batchItemFailures: [] }));
  h.queue.send('a');
  h.queue.send('b');
  h.poller.start();
  try {
    await until('an empty queue', () => h.queue.depth === 0, 5000, 5);
    expect(h.failed.map(([body]) => body)).toEqual(['b']);
    expect(h.processed.sort()).toEqual(['a', 'b']);
  } finally {
    await h.poller.stop();
  }
});

/**
 * Chaos mode's parts, each within what AWS allows for it. Seeds are fixed, so each test meets
 * the same faults on every run.
 */
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { Chaos, CHAOS_RATES } from '../../../src/local/chaos';
import { DynamoChaosProxy } from '../../../src/local/dynamo-chaos-proxy';
import { LocalQueue, ReceivedMessage } from '../../../src/local/local-queue';
import { LocalSnsEndpoint, PublishedMessage } from '../../../src/local/sns-endpoint';
import { createViewTable } from '../../support/local-dynamo';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Chaos', () => {
  test('the same seed makes the same choices; faults strike at about their rate and are counted', () => {
    const a = new Chaos({ seed: 42 });
    const b = new Chaos({ seed: 42 });
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
    const chaos = new Chaos({ seed: 7 });
    let strikes = 0;
    for (let i = 0; i < 10_000; i++) if (chaos.strikes('duplicate')) strikes++;
    expect(strikes / 10_000).toBeGreaterThan(CHAOS_RATES.duplicate * 0.8);
    expect(strikes / 10_000).toBeLessThan(CHAOS_RATES.duplicate * 1.2);
    expect(chaos.report().duplicate).toBe(strikes);
    expect(new Chaos().seed).toEqual(expect.any(Number));
  });
});

/** Receives everything, deleting as it goes (each receive after the last one's deletes). */
function drain(queue: LocalQueue, max = 10): ReceivedMessage[][] {
  const batches: ReceivedMessage[][] = [];
  for (let i = 0; i < 10_000 && queue.depth > 0; i++) {
    const batch = queue.receive(max);
    if (batch.length === 0) break;
    batches.push(batch);
    for (const m of batch) queue.delete(m.receiptHandle);
  }
  return batches;
}

describe('LocalQueue under chaos', () => {
  test('standard: every message is delivered, some twice (same messageId), in any order, in batches of varied size', () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 0, chaos: new Chaos({ seed: 1 }) });
    for (let i = 0; i < 300; i++) queue.send(String(i));
    const sent = queue.depth;
    expect(sent).toBeGreaterThan(300); // duplicates, delayed by up to 200 ms
    return sleep(250).then(() => {
      const batches = drain(queue);
      const bodies = batches.flat().map((m) => Number(m.body));
      expect(new Set(bodies).size).toBe(300);
      expect(bodies.length).toBe(sent);
      const counts = new Map<string, number>();
      for (const m of batches.flat()) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
      expect([...counts.values()].some((n) => n === 2)).toBe(true);
      expect(bodies).not.toEqual([...bodies].sort((x, y) => x - y));
      expect(new Set(batches.map((b) => b.length)).size).toBeGreaterThan(3);
      expect(batches.every((b) => b.length >= 1 && b.length <= 10)).toBe(true);
    });
  });

  test('FIFO: never a duplicate, each group strictly in order, groups interleaved, a batch filled from one group first', () => {
    const queue = new LocalQueue({ name: 'q', fifo: true, visibilityTimeoutMs: 0, chaos: new Chaos({ seed: 2 }) });
    for (let i = 0; i < 50; i++) for (const g of ['a', 'b', 'c']) queue.send(`${g}${i}`, g, `${g}${i}`);
    // No early redelivery here: each batch is deleted before the next receive.
    const batches = drain(queue);
    const all = batches.flat();
    expect(all).toHaveLength(150);
    for (const g of ['a', 'b', 'c']) {
      expect(all.filter((m) => m.groupId === g).map((m) => Number(m.body.slice(1)))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    // A batch's first group comes as one run before any other group.
    for (const batch of batches) {
      const first = batch[0].groupId;
      const run = batch.findIndex((m) => m.groupId !== first);
      if (run >= 0) expect(batch.slice(run).some((m) => m.groupId === first)).toBe(false);
    }
    expect(all.map((m) => m.groupId).join('')).not.toMatch(/^(abc)+$/);
  });

  test('a message whose visibility runs out mid-processing is received again; the old receipt can no longer delete it', async () => {
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 60_000, chaos: new Chaos({ seed: 3 }) });
    for (let i = 0; i < 200; i++) queue.send(String(i));
    await sleep(250);
    const first: ReceivedMessage[] = [];
    for (let batch = queue.receive(10); batch.length > 0; batch = queue.receive(10)) first.push(...batch);
    await sleep(60);
    // Nothing was released, yet some messages are visible again: their visibility ran out.
    const again = queue.receive(10);
    expect(again.length).toBeGreaterThan(0);
    const stale = first.find((m) => again.some((a) => a.messageId === m.messageId && a.body === m.body))!;
    const fresh = again.find((a) => a.messageId === stale.messageId)!;
    const depth = queue.depth;
    queue.delete(stale.receiptHandle);
    expect(queue.depth).toBe(depth);
    queue.delete(fresh.receiptHandle);
    expect(queue.depth).toBe(depth - 1);
  });

  test('FIFO: an expired visibility frees the group while its batch is still being processed (AWS\'s worst case)', async () => {
    const queue = new LocalQueue({ name: 'q', fifo: true, visibilityTimeoutMs: 60_000, chaos: new Chaos({ seed: 4 }) });
    let concurrent = false;
    for (let round = 0; round < 100 && !concurrent; round++) {
      queue.send(`r${round}`, `g${round}`, `r${round}`);
      const [held] = queue.receive(1);
      await sleep(55);
      const [second] = queue.receive(1);
      if (second?.groupId === held.groupId) concurrent = true;
      for (const m of [held, second]) if (m) queue.delete(m.receiptHandle);
    }
    expect(concurrent).toBe(true);
  });
});

describe('LocalSnsEndpoint under chaos', () => {
  test('some requests are throttled, some batches fail part-way; on a FIFO topic the entries after a failed one fail too', async () => {
    const delivered: PublishedMessage[] = [];
    const endpoint = new LocalSnsEndpoint((m) => delivered.push(m), new Chaos({ seed: 5 }));
    const url = await endpoint.start();
    const client = new SNSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      let throttled = 0;
      let partial = 0;
      for (let call = 0; call < 200; call++) {
        const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), Message: `m${i}`, MessageGroupId: 'g', MessageDeduplicationId: `${call}-${i}` }));
        try {
          const result = await client.send(new PublishBatchCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t.fifo', PublishBatchRequestEntries: entries }));
          const failed = (result.Failed ?? []).map((f) => Number(f.Id));
          if (failed.length) {
            partial++;
            expect(failed).toEqual(Array.from({ length: 10 - failed[0] }, (_, i) => failed[0] + i));
            expect(result.Failed![0]).toMatchObject({ Code: 'InternalError', SenderFault: false });
          }
        } catch (err) {
          expect((err as Error).name).toMatch(/Throttl/);
          throttled++;
        }
      }
      expect(throttled).toBeGreaterThan(0);
      expect(partial).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });
});

describe('DynamoChaosProxy', () => {
  test('some calls answer ThrottlingException; the rest reach DynamoDB Local; the SDK\'s retries absorb most', async () => {
    const table = await createViewTable();
    const proxy = new DynamoChaosProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!, new Chaos({ seed: 6 }));
    const url = await proxy.start();
    const once = new DynamoDBClient({ endpoint: url, maxAttempts: 1 });
    const retrying = new DynamoDBClient({ endpoint: url });
    try {
      const outcomes = await Promise.all(Array.from({ length: 100 }, () => once.send(new GetItemCommand({ TableName: table, Key: { streamId: { S: 'x' } } }))
        .then(() => 'ok', (e: Error) => e.name)));
      expect(outcomes.filter((o) => o === 'ThrottlingException').length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(80);
      expect(outcomes.every((o) => o === 'ok' || o === 'ThrottlingException')).toBe(true);
      const retried = await Promise.all(Array.from({ length: 100 }, () => retrying.send(new GetItemCommand({ TableName: table, Key: { streamId: { S: 'x' } } }))
        .then(() => 'ok', (e: Error) => e.name)));
      expect(retried.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(99);
    } finally {
      once.destroy();
      retrying.destroy();
      await proxy.stop();
    }
  });
});

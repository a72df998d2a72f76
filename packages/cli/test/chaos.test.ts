/**
 * Chaos mode's parts, each within what AWS allows for it. Seeds are fixed, so each test meets
 * the same faults on every run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { tempDir } from '../../../test/support/local-app';
import { createViewTable } from '../../../test/support/local-dynamo';
import { until } from '../../../test/support/until';
import { invokeBatch } from '../src/batch-response';
import { Chaos, CHAOS_RATES, ChaosFault } from '../src/chaos';
import { DynamoProxy } from '../src/dynamo-proxy';
import { LocalFunction, sdkNodePath } from '../src/function-host';
import { LocalQueue, ReceivedMessage } from '../src/local-queue';
import { QueuePoller } from '../src/queue-poller';
import { LocalSnsEndpoint, PublishedMessage } from '../src/sns-endpoint';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A function of `codeDir/index.js`'s `handler`, with a 5 s timeout. */
function hostFunction(logicalId: string, codeDir: string, environment: Record<string, string>): LocalFunction {
  return new LocalFunction({ logicalId, codeDir, handler: 'index.handler', timeoutSeconds: 5, environment }, { baseEnvironment: {}, nodePath: sdkNodePath() });
}

describe('Chaos', () => {
  test('the same seed makes the same choices; faults strike at their first chance, then at about their rate, and are counted', () => {
    const a = new Chaos({ seed: 42 });
    const b = new Chaos({ seed: 42 });
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
    const chaos = new Chaos({ seed: 7 });
    let strikes = 0;
    for (let i = 0; i < 10_000; i++) if (chaos.strikes('duplicate')) strikes++;
    expect(strikes / 10_000).toBeGreaterThan(CHAOS_RATES.duplicate * 0.8);
    expect(strikes / 10_000).toBeLessThan(CHAOS_RATES.duplicate * 1.2);
    expect(chaos.report().duplicate).toBe(strikes);
    expect(chaos.chances().duplicate).toBe(10_000);
    expect(new Chaos().seed).toEqual(expect.any(Number));
    // The rarest fault too: a run meets every fault it gives a chance to.
    const fresh = new Chaos({ seed: 7 });
    expect(fresh.strikes('timeout')).toBe(true);
    expect(fresh.report()).toMatchObject({ timeout: 1, duplicate: 0 });
  });

  test('each component draws from its own sequence: a replay gives it the same choices whatever the others draw', () => {
    const sequence = (chaos: Chaos, draws: number) => Array.from({ length: draws }, () => chaos.next());
    const first = new Chaos({ seed: 99 });
    const queue = first.for('queue:a');
    const alone = sequence(queue, 50);

    const second = new Chaos({ seed: 99 });
    const other = second.for('sns');
    const queueAgain = second.for('queue:a');
    const interleaved: number[] = [];
    for (let i = 0; i < 50; i++) {
      sequence(other, i % 3); // another component drawing in between, a varying number of times
      interleaved.push(queueAgain.next());
    }
    expect(interleaved).toEqual(alone);
    expect(sequence(new Chaos({ seed: 99 }).for('queue:b'), 50)).not.toEqual(alone);
    expect(sequence(new Chaos({ seed: 100 }).for('queue:a'), 50)).not.toEqual(alone);
    // Tallies are the run's, whichever component struck.
    first.for('x').strikes('crashMidBatch');
    expect(first.report().crashMidBatch).toBe(1);
  });
});

describe('invokeBatch under chaos', () => {
  const RECORDING_HANDLER = `
const fs = require('node:fs');
exports.handler = async (event) => {
  for (const r of event.Records) {
    fs.appendFileSync(process.env.DONE_FILE, r.id + '\\n');
    await new Promise((resolve) => setTimeout(resolve, event.delayMs || 0));
  }
};
`;
  let codeDir: string;
  const functions: LocalFunction[] = [];
  const make = (doneFile: string): LocalFunction => {
    const fn = hostFunction(`Fn${functions.length}`, codeDir, { DONE_FILE: doneFile });
    functions.push(fn);
    return fn;
  };
  const done = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : []);
  /** A chaos whose every fault but `fault` has already struck, so that `fault` strikes at its first chance. */
  const only = (fault: ChaosFault): Chaos => {
    const chaos = new Chaos({ seed: 3 });
    for (const other of Object.keys(CHAOS_RATES) as ChaosFault[]) {
      if (other === fault) continue;
      while (!chaos.report()[other]) chaos.strikes(other);
    }
    // From here on, the others strike only at their (low) rates; seed 3 draws none of them on the next calls.
    return chaos;
  };

  beforeAll(() => {
    codeDir = tempDir();
    fs.writeFileSync(path.join(codeDir, 'index.js'), RECORDING_HANDLER);
  });

  afterAll(async () => {
    for (const fn of functions) await fn.stop();
  });

  const records = ['a', 'b', 'c', 'd'].map((id) => ({ id }));

  test('crashMidBatch: the first records of the batch are done, then the whole batch fails', async () => {
    const file = path.join(tempDir(), 'done');
    const { outcome, thrown } = await invokeBatch(make(file), { Records: records }, ['a', 'b', 'c', 'd'], only('crashMidBatch'));
    expect(thrown).toBe(true);
    expect(outcome).toMatchObject({ kind: 'failure', reason: expect.stringMatching(/crashed after \d of the batch's 4 records/) });
    const applied = done(file);
    expect(applied.length).toBeGreaterThanOrEqual(1);
    expect(applied.length).toBeLessThan(4);
    expect(applied).toEqual(['a', 'b', 'c', 'd'].slice(0, applied.length));
  });

  test('timeout: the invocation is stopped wherever it was and its batch fails; the next one gets a fresh environment', async () => {
    const file = path.join(tempDir(), 'done');
    const fn = make(file);
    const { outcome, thrown } = await invokeBatch(fn, { Records: records, delayMs: 100 } as { Records: typeof records }, ['a', 'b', 'c', 'd'], only('timeout'));
    expect(thrown).toBe(true);
    expect(outcome).toMatchObject({ kind: 'failure', reason: expect.stringMatching(/Task timed out/) });
    await sleep(500); // it would have finished by now had it gone on
    expect(done(file).length).toBeLessThan(4);
    const next = await invokeBatch(fn, { Records: [{ id: 'e' }] }, ['e']);
    expect(next.outcome.kind).toBe('success');
    expect(done(file)).toContain('e');
  });

  test('crashAfterWork: everything is done, and still the whole batch fails', async () => {
    const file = path.join(tempDir(), 'done');
    const { outcome, thrown } = await invokeBatch(make(file), { Records: records }, ['a', 'b', 'c', 'd'], only('crashAfterWork'));
    expect(thrown).toBe(true);
    expect(outcome).toMatchObject({ kind: 'failure', reason: expect.stringMatching(/after its work/) });
    expect(done(file)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('crashBeforeWork: nothing is done', async () => {
    const file = path.join(tempDir(), 'done');
    const { outcome, thrown } = await invokeBatch(make(file), { Records: records }, ['a', 'b', 'c', 'd'], only('crashBeforeWork'));
    expect(thrown).toBe(true);
    expect(outcome).toMatchObject({ kind: 'failure', reason: expect.stringMatching(/before the function did anything/) });
    await sleep(100);
    expect(done(file)).toEqual([]);
  });
});

describe('several pollers per queue, as under chaos mode', () => {
  const SLOW_HANDLER = `
const fs = require('node:fs');
const environment = Math.random().toString(36).slice(2);
exports.handler = async (event) => {
  const start = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 60));
  fs.appendFileSync(process.env.LOG_FILE, JSON.stringify({ environment, start, end: Date.now(), n: event.Records.length }) + '\\n');
};
`;

  test('batches of one queue run at once, each poller in an execution environment of its own', async () => {
    const codeDir = tempDir();
    fs.writeFileSync(path.join(codeDir, 'index.js'), SLOW_HANDLER);
    const logFile = path.join(codeDir, 'log');
    const first = hostFunction('Slow', codeDir, { LOG_FILE: logFile });
    const instances = [first, first.newInstance(), first.newInstance()];
    const queue = new LocalQueue({ name: 'q', fifo: false, visibilityTimeoutMs: 10_000 });
    const pollers = instances.map((target) => new QueuePoller({
      queue, target, batchSize: 2, pollIntervalMs: 5, onProcessed: () => undefined, onFailed: () => undefined,
    }));
    for (let i = 0; i < 24; i++) queue.send(String(i));
    try {
      for (const p of pollers) p.start();
      await until('an empty queue', () => queue.depth === 0 && pollers.every((p) => !p.busy), 10_000, 10);
    } finally {
      for (const p of pollers) await p.stop();
      for (const fn of instances) await fn.stop();
    }
    const runs = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { environment: string; start: number; end: number; n: number });
    expect(runs.reduce((sum, r) => sum + r.n, 0)).toBe(24);
    expect(new Set(runs.map((r) => r.environment)).size).toBe(3);
    const overlapping = runs.some((a) => runs.some((b) => a !== b && a.environment !== b.environment && a.start < b.end && b.start < a.end));
    expect(overlapping).toBe(true);
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

describe('DynamoProxy', () => {
  test('calls are throttled in bursts (ThrottlingException); the rest reach DynamoDB Local; the SDK\'s retries absorb most bursts, not all', async () => {
    const table = await createViewTable();
    const proxy = new DynamoProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!, { throttle: new Chaos({ seed: 6 }) });
    const url = await proxy.start();
    const once = new DynamoDBClient({ endpoint: url, maxAttempts: 1 });
    const retrying = new DynamoDBClient({ endpoint: url });
    try {
      const outcomes = await Promise.all(Array.from({ length: 100 }, () => once.send(new GetItemCommand({ TableName: table, Key: { streamId: { S: 'x' } } }))
        .then(() => 'ok', (e: Error) => e.name)));
      expect(outcomes.filter((o) => o === 'ThrottlingException').length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(80);
      expect(outcomes.every((o) => o === 'ok' || o === 'ThrottlingException')).toBe(true);
      // One call after another (the order, and so the faults, are the seed's): the SDK's retries
      // absorb most bursts, and a burst longer than its 3 attempts reaches the caller.
      const retried: string[] = [];
      for (let i = 0; i < 120; i++) {
        retried.push(await retrying.send(new GetItemCommand({ TableName: table, Key: { streamId: { S: 'x' } } })).then(() => 'ok', (e: Error) => e.name));
      }
      expect(retried.filter((o) => o === 'ok').length).toBeGreaterThan(100);
      expect(retried).toContain('ThrottlingException');
    } finally {
      once.destroy();
      retrying.destroy();
      await proxy.stop();
    }
  });
});

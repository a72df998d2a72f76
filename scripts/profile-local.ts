/**
 * Where the local runtime's time goes under `npm run benchmark`'s concurrent POST phase: CPU
 * seconds per process of the tree (this process: gateway, pollers, SNS/SQS stand-ins and the
 * benchmark's own HTTP clients; each function's child process; DynamoDB Local's Java), and, with
 * `--count`, the DynamoDB Local requests per append by operation (through a counting proxy in a
 * process of its own, which costs CPU: do not read the CPU figures of a `--count` run).
 * `--fanout off` stops the stream poller and the queue pollers during the phase: a diagnostic
 * that shows what the fan-out costs, never a mode of the runtime.
 *   npm run benchmark:profile -- [--events 400] [--count] [--fanout off]
 * The function instances run in worker threads of this process (or child processes, when their
 * Lambda runtime's Node is another one): worker threads are listed by OS thread id, in the order
 * their functions were first invoked (the example app: writer, publisher, then the aggregators).
 * For V8 profiles of every thread, run it under `node --cpu-prof` and summarise them with
 * scripts/bench/cpu-profile.ts, `--window` set to the phase this prints.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { rawAppend } from './bench/local';
import { arg, BENCHMARK_RUNTIME } from './bench-support';
import { benchmarkDynamo } from './benchmark-calls';
import { buildExampleApp } from '../examples/typescript/app';
import { LocalRuntime } from '../packages/cli/src';
import { createEventsTable, dynamoClient } from '../test/support/local-dynamo';

const TICKS_PER_SECOND = 100;

/** utime + stime of a process (its threads included), in seconds. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's threads, by thread name (worker threads, libuv pool, V8 and GC helpers). */
function threadSeconds(): Map<string, number> {
  const sums = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Worker threads by OS thread id: they start in the order their functions are first invoked.
      const key = tid === String(process.pid) ? 'main thread' : name === 'WorkerThread' ? `WorkerThread ${tid}` : name;
      sums.set(key, (sums.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // gone meanwhile
    }
  }
  return sums;
}

function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Every descendant of this process, named by what it runs. */
function processTree(): Map<number, string> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), parentOf(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Map<number, string>([[process.pid, 'runtime process (gateway, pollers, SNS/SQS, bench clients)']]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (tree.has(pid) || !tree.has(parent)) continue;
      tree.set(pid, nameOf(pid));
      grew = true;
    }
  }
  return tree;
}

function nameOf(pid: number): string {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const fn = env.find((v) => v.startsWith('AWS_LAMBDA_FUNCTION_NAME='));
    if (fn) return `function ${fn.split('=')[1].replace(/[0-9A-F]{8}$/, '')}`;
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (cmd.some((c) => c.includes('DynamoDBLocal'))) return 'DynamoDB Local (Java)';
    return cmd.slice(0, 2).join(' ').slice(0, 60);
  } catch {
    return `pid ${pid}`;
  }
}

const PROXY_SOURCE = `
const http = require('node:http');
const target = new URL(process.argv[1]);
const counts = {};
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const server = http.createServer((req, res) => {
  const kind = String(req.headers['x-amz-target'] || req.method).replace(/^.*\\./, '');
  counts[kind] = (counts[kind] || 0) + 1;
  const forward = http.request({ agent, host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  req.pipe(forward);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => { if (m === 'reset') Object.keys(counts).forEach((k) => delete counts[k]); else process.send({ counts }); });
`;

interface Proxy {
  readonly endpoint: string;
  reset(): void;
  counts(): Promise<Record<string, number>>;
  stop(): void;
}

async function countingProxy(target: string): Promise<Proxy> {
  const child = spawn(process.execPath, ['-e', PROXY_SOURCE, target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reset: () => child.send('reset'),
    counts: () => new Promise((resolve) => {
      child.once('message', (m: { counts: Record<string, number> }) => resolve(m.counts));
      child.send('counts');
    }),
    stop: () => child.kill(),
  };
}

async function post(url: string, body: object): Promise<void> {
  const res = await fetch(`${url}/`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

/** The runtime's pollers, reached past its API: pausing them is a diagnostic, not a mode of the runtime. */
interface Pollers {
  streamPoller: { start(): void; stop(): Promise<void> };
  queues: Map<string, { pollers: Array<{ start(): void; stop(): Promise<void> }> }>;
}

function pollersOf(runtime: LocalRuntime): Array<{ start(): void; stop(): Promise<void> }> {
  const running = (runtime as unknown as { running: Pollers[] }).running;
  return running.flatMap((api) => [api.streamPoller, ...[...api.queues.values()].flatMap((q) => q.pollers)]);
}

async function main(): Promise<void> {
  const events = arg('events', 400);
  const counting = process.argv.includes('--count');
  const fanoutOff = process.argv.includes('--fanout') && process.argv[process.argv.indexOf('--fanout') + 1] === 'off';
  const store = await benchmarkDynamo();
  const proxy = counting ? await countingProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!) : undefined;
  if (proxy) process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
  {
    // The floor: the same appends straight to DynamoDB Local, 8 at a time.
    const client = dynamoClient();
    const table = (await createEventsTable()).tableName;
    for (let i = 0; i < 20; i++) await rawAppend(client, table, `warm-${i}`);
    const tree = processTree();
    const before = new Map([...tree.keys()].map((pid) => [pid, cpuSeconds(pid)]));
    proxy?.reset();
    const began = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async (_, c) => {
      while (next < events) {
        const i = next++;
        await rawAppend(client, table, `raw-${c}-${i % 20}`);
      }
    }));
    const seconds = (performance.now() - began) / 1000;
    console.log(`raw: ${events} appends, 8 workers: ${(events / seconds).toFixed(0)}/s; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const [pid, name] of tree) {
      const s = cpuSeconds(pid) - before.get(pid)!;
      if (s > 0) console.log(`  ${name.padEnd(62)} ${s.toFixed(2).padStart(6)} s, ${((1000 * s) / events).toFixed(2)} ms per append`);
    }
    if (proxy) console.log(`  requests: ${JSON.stringify(await proxy.counts())}`);
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-profile-local-'));
  const app = new App({ outdir });
  buildExampleApp(app);
  const runtime = await LocalRuntime.start({ app, ...BENCHMARK_RUNTIME });
  try {
    for (let i = 0; i < 20; i++) await post(runtime.url, { type: 'CustomerRegistered', id: `warm-${i}`, name: 'Warm' });
    await runtime.waitUntilIdle(60_000);
    if (fanoutOff) await Promise.all(pollersOf(runtime).map((p) => p.stop()));
    const tree = processTree();
    const before = new Map([...tree.keys()].map((pid) => [pid, cpuSeconds(pid)]));
    const threadsBefore = threadSeconds();
    proxy?.reset();
    const began = performance.now();
    const windowStart = process.hrtime.bigint() / 1000n;
    const versions = new Map<string, number>();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async (_, c) => {
      while (next < events) {
        const i = next++;
        const id = `p-${c}-${i % 20}`;
        const v = (versions.get(id) ?? 0) + 1;
        versions.set(id, v);
        await post(runtime.url, v === 1 ? { type: 'CustomerRegistered', id, name: `C ${id}` } : { type: 'EmailChanged', id, email: `${id}+${v}@example.com` });
      }
    }));
    const postSeconds = (performance.now() - began) / 1000;
    const threadsDuring = threadSeconds();
    // The phase on the monotonic clock V8's profiles use (µs): `cpu-profile.ts --window` keeps only it.
    console.log(`POST phase window (µs): ${windowStart}-${process.hrtime.bigint() / 1000n}`);
    const during = new Map([...tree.keys()].map((pid) => [pid, cpuSeconds(pid) - before.get(pid)!]));
    const drainStart = process.hrtime.bigint() / 1000n;
    const threadsBeforeDrain = threadSeconds();
    if (fanoutOff) for (const p of pollersOf(runtime)) p.start();
    await runtime.waitUntilIdle(120_000);
    const threadsDrained = threadSeconds();
    console.log(`drain window (µs): ${drainStart}-${process.hrtime.bigint() / 1000n}`);
    const drainedSeconds = (performance.now() - began) / 1000;
    const total = new Map([...tree.keys()].map((pid) => [pid, cpuSeconds(pid) - before.get(pid)!]));

    console.log(`${events} POSTs, 8 clients: ${(events / postSeconds).toFixed(0)}/s (${postSeconds.toFixed(2)} s); fan-out drained after ${drainedSeconds.toFixed(2)} s` +
      `${fanoutOff ? ' (fan-out paused during the POSTs)' : ''}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const byName = (m: Map<number, number>) => {
      const sums = new Map<string, number>();
      for (const [pid, s] of m) sums.set(tree.get(pid)!, (sums.get(tree.get(pid)!) ?? 0) + s);
      return sums;
    };
    const d = byName(during);
    const t = byName(total);
    const dSum = [...d.values()].reduce((x, y) => x + y, 0);
    const tSum = [...t.values()].reduce((x, y) => x + y, 0);
    const perAppend = (seconds: number) => `${((1000 * seconds) / events).toFixed(2).padStart(6)} ms`;
    console.log(`CPU per append, by process:        during POSTs (${(dSum / postSeconds).toFixed(2)} cores busy)   after, until drained   all`);
    for (const [name, s] of [...t.entries()].sort((x, y) => y[1] - x[1])) {
      if (s < 0.01) continue;
      const inPhase = d.get(name)!;
      console.log(`  ${name.padEnd(34).slice(0, 34)} ${perAppend(inPhase)} ${((100 * inPhase) / dSum).toFixed(0).padStart(3)}%   ${perAppend(s - inPhase)}   ${perAppend(s)} ${((100 * s) / tSum).toFixed(0).padStart(3)}%`);
    }
    console.log(`  ${'total'.padEnd(34)} ${perAppend(dSum)}        ${perAppend(tSum - dSum)}   ${perAppend(tSum)}`);
    console.log('  this process by thread:');
    for (const [name, s] of [...threadsDuring.entries()].map(([n, v]) => [n, v - (threadsBefore.get(n) ?? 0)] as const).sort((x, y) => y[1] - x[1])) {
      const drain = (threadsDrained.get(name) ?? 0) - (threadsBeforeDrain.get(name) ?? 0);
      if (s >= 0.05 || drain >= 0.05) console.log(`    ${name.padEnd(32)} ${perAppend(s)}        ${perAppend(drain)}`);
    }
    if (proxy) {
      const counts = await proxy.counts();
      const all = Object.values(counts).reduce((a, b) => a + b, 0);
      console.log(`DynamoDB Local requests per append (until drained): ${(all / events).toFixed(2)}`);
      for (const [kind, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) console.log(`  ${kind.padEnd(22)} ${(n / events).toFixed(2)}`);
    }
  } finally {
    await runtime.stop();
    proxy?.stop();
    await store.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

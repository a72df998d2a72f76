/**
 * Local POST -> view-visible latency: posts events one at a time to the example app on the local
 * runtime and, for each, polls GET /{id} (the default view) until it shows that version.
 * Prints p50/p95/max over the events. `npm run benchmark -- --events 200`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { arg, BENCHMARK_RUNTIME } from './bench-support';
import { buildExampleApp } from '../examples/typescript/app';
import { LocalRuntime } from '../src/local';

const EVENTS = arg('events', 200);
const STREAMS = arg('streams', 20);
const WARMUP = arg('warmup', 10);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-bench-'));
  const app = new App({ outdir });
  buildExampleApp(app);
  // It polls GET every 2 ms to see an event arrive.
  const runtime = await LocalRuntime.start({ app, ...BENCHMARK_RUNTIME });
  const versions = new Map<string, number>();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < WARMUP + EVENTS; i++) {
      const id = `bench-${i % STREAMS}`;
      const version = (versions.get(id) ?? 0) + 1;
      versions.set(id, version);
      const body = version === 1
        ? { type: 'CustomerRegistered', id, name: `Customer ${id}` }
        : { type: 'EmailChanged', id, email: `${id}+${version}@example.com` };
      const start = performance.now();
      const res = await fetch(`${runtime.url}/`, { method: 'POST', body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      for (;;) {
        const view = await fetch(`${runtime.url}/default/${id}`);
        if (view.status === 200 && ((await view.json()) as { version: number }).version >= version) break;
        if (view.status !== 200) await view.arrayBuffer();
        if (performance.now() - start > 30_000) throw new Error(`${id} v${version} not visible after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (i >= WARMUP) latencies.push(performance.now() - start);
    }
  } finally {
    await runtime.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(`Local POST -> view-visible latency over ${sorted.length} events (${STREAMS} streams, ${WARMUP} warm-up events not counted):`);
  console.log(`  p50 ${percentile(sorted, 50).toFixed(1)} ms   p95 ${percentile(sorted, 95).toFixed(1)} ms   max ${sorted[sorted.length - 1].toFixed(1)} ms   mean ${mean.toFixed(1)} ms`);
  console.log(`  (2 cores; DynamoDB Local in memory; stream and queue pollers every 10 ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

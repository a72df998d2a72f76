/**
 * Local end to end, against raw DynamoDB Local in the same run: POST → 201 and POST → visible in
 * the default view (p50/p95/max, one at a time), and events/s with 8 concurrent clients.
 * `npm run benchmark -- --events 200`. `npm run bench` prints the same among every other figure.
 */
import { measureLocal, Percentiles } from './bench/local';
import { arg } from './bench-support';
import { benchmarkDynamo } from './benchmark-calls';

const show = (p: Percentiles) => `p50 ${p.p50.toFixed(1)} ms   p95 ${p.p95.toFixed(1)} ms   max ${p.max.toFixed(1)} ms`;

async function main(): Promise<void> {
  const store = await benchmarkDynamo();
  try {
    const events = arg('events', 200);
    const f = await measureLocal({ events, concurrency: 8, streams: arg('streams', 20) });
    console.log(`Over ${events} events (the example app; 2 views):`);
    console.log(`  raw DynamoDB Local append     ${show(f.rawMs)}`);
    console.log(`  POST -> 201                   ${show(f.postMs)}`);
    console.log(`  POST -> view-visible          ${show(f.visibleMs)}`);
    console.log(`  8 concurrent: raw ${f.rawAppendsPerSecond.toFixed(0)} appends/s, POST ${f.appendsPerSecond.toFixed(0)}/s, visible ${f.visiblePerSecond.toFixed(0)}/s`);
    console.log(`  (peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`);
  } finally {
    await store.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

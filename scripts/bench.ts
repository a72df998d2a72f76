/**
 * `npm run bench`: every figure of BENCHMARKS.md in one run, printed as Markdown; with `--write`
 * it also replaces BENCHMARKS.md. DynamoDB calls per operation, bundle sizes, synth time and
 * resource counts, the projection test kit's run times, local end-to-end throughput and latency
 * against raw DynamoDB Local, and the cost per million events. Figures, not assertions: nothing here fails on a slow machine.
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendCostPerMillion, ASSUMED, costPerMillion, PRICES_AS_OF } from './bench/cost';
import { measureLocal, Percentiles } from './bench/local';
import { measureProjectionBundles } from './bench/projection-bundles';
import { measureProjectionSpecs } from './bench/projection-specs';
import { measureSynth } from './bench/synth';
import { arg } from './bench-support';
import { benchmarkDynamo, measureCalls } from './benchmark-calls';

const ROOT = path.join(__dirname, '..');
const BUNDLES = ['writer', 'publisher', 'reader', 'maintenance', 'aggregator-runtime'];

/**
 * A hand-measured block of the current BENCHMARKS.md, between `<!-- begin NAME -->` and
 * `<!-- end NAME -->` (markers included): figures another command gives, which `--write` keeps
 * where they are instead of dropping them. Empty when there is none.
 */
function keptBlock(name: string): string {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const begin = text.indexOf(`<!-- begin ${name}`);
  const endMarker = `<!-- end ${name} -->`;
  const end = text.indexOf(endMarker, begin);
  return begin >= 0 && end >= 0 ? text.slice(begin, end + endMarker.length) : '';
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const trio = (p: Percentiles) => `${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.max)}`;
const usd = (n: number) => `$${n.toFixed(2)}`;

async function main(): Promise<void> {
  const events = arg('events', 200);
  const out: string[] = [];
  const line = (text = '') => {
    out.push(text);
    console.log(text);
  };
  const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  line('# Benchmarks');
  line();
  line(`Made by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)} at commit ${commit}: ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    'DynamoDB Local (in memory) on Java. Local figures say how this code behaves relative to its floor on the same machine, not what AWS will do.');

  const store = await benchmarkDynamo();
  try {
    line();
    line('## DynamoDB calls per operation');
    line();
    line(`Counted by a client middleware on DynamoDB Local, ${events} operations over 10 streams.`);
    line();
    line('| operation | calls each | by command |');
    line('| --- | ---: | --- |');
    const calls = await measureCalls(events, 10);
    for (const c of calls) line(`| ${c.what} | ${c.perOperation.toFixed(2)} | ${Object.entries(c.byCommand).map(([k, n]) => `${k} ${n}`).join(', ')} |`);

    line();
    line('## Lambda bundles');
    line();
    line('Minified by esbuild (`npx projen bundle:lambdas`); the AWS SDK v3 is left to the Lambda runtime.');
    line();
    line('| bundle | bytes |');
    line('| --- | ---: |');
    for (const name of BUNDLES) line(`| ${name} | ${fs.statSync(path.join(ROOT, 'assets', name, 'index.js')).size.toLocaleString('en-US')} |`);
    line();
    line('Each example projection as synth bundles it, with the aggregator runtime: the code, and its source map (the projection\'s own ' +
      'files only, no sourcesContent). Gzipped sizes estimate what each adds to the deployed zip.');
    line();
    line('| projection | index.js bytes | index.js.map bytes | gzipped |');
    line('| --- | ---: | ---: | ---: |');
    const n = (bytes: number) => bytes.toLocaleString('en-US');
    for (const p of measureProjectionBundles()) {
      line(`| ${p.projection} | ${n(p.codeBytes)} | ${n(p.mapBytes)} | ${n(p.codeGzipBytes)} + ${n(p.mapGzipBytes)} |`);
    }

    line();
    line('## Synth');
    line();
    line('A fresh App per row, in one process. The construct bundles each view\'s projection with esbuild at synth; here every view uses the same ' +
      'projection file, which is bundled once per process (the first row also pays esbuild\'s start). The hand-written app has inline code: ' +
      'no bundling, alarms, backfills, least-privilege statements or scanner acknowledgments.');
    line();
    line('| app | views | CloudFormation resources in the API\'s stack | synth time |');
    line('| --- | ---: | ---: | ---: |');
    for (const f of measureSynth([1, 10, 30, 40], 10)) {
      const over = f.resources > 500 ? ' (over CloudFormation\'s 500 per stack: would not deploy)' : '';
      const nested = f.largestNested === undefined ? '' : `, largest nested stack ${f.largestNested}`;
      line(`| ${f.what} | ${f.views} | ${f.resources}${over}${nested} | ${(f.synthMs / 1000).toFixed(2)} s |`);
    }

    line();
    line('## Projection specs');
    line();
    line('The projection test kit (`cdk-event-sourced-api/testing`) on the example\'s summary projection, loaded from its TypeScript file once per ' +
      'process (the first row, in a fresh Node process each time; the other rows reuse the projection loaded). Each spec gives one event, applies the rest and compares the record as GET answers it; ' +
      'the specs of 10 events each use a stream of their own. `ProjectionSpecs.verify` (Python and Java) starts a Node process that loads the ' +
      'kit and bundles the projection each call. Goals: a spec of 1,000 events under 1 s, 100 specs of 10 events under 2 s.');
    line();
    line('| measure | first run | median of the next runs |');
    line('| --- | ---: | ---: |');
    for (const f of await measureProjectionSpecs()) {
      line(`| ${f.what} | ${ms(f.firstMs)} | ${f.medianMs === undefined ? '–' : `${ms(f.medianMs)} (${f.runs - 1} runs)`} |`);
    }

    line();
    line('## Local end to end');
    line();
    const local = await measureLocal({ events, concurrency: 8, streams: 20 });
    line(`The example app (two views) on the local runtime, ${events} events; raw is Query + TransactWriteItems (event and marker) ` +
      'straight to the same DynamoDB Local. Concurrent rows: 8 clients, each on streams of its own.');
    line();
    line('| measure | p50 | p95 | max |');
    line('| --- | ---: | ---: | ---: |');
    line(`| raw DynamoDB Local append, one at a time | ${trio(local.rawMs)} |`);
    line(`| POST → 201, one at a time | ${trio(local.postMs)} |`);
    line(`| POST → visible in the default view, one at a time | ${trio(local.visibleMs)} |`);
    line();
    line('| throughput | events/s |');
    line('| --- | ---: |');
    line(`| raw DynamoDB Local appends, 8 workers | ${local.rawAppendsPerSecond.toFixed(0)} |`);
    line(`| POST → 201, 8 clients | ${local.appendsPerSecond.toFixed(0)} |`);
    line(`| POST → visible in the default view, 8 clients | ${local.visiblePerSecond.toFixed(0)} |`);
    const overhead = keptBlock('local-overhead');
    if (overhead) {
      line();
      line(overhead);
    }

    line();
    line('## Cost per million events');
    line();
    line(`US East (N. Virginia) list prices recorded on ${PRICES_AS_OF} (scripts/bench/cost.ts names each page), DynamoDB calls as counted above ` +
      '(warm writer, aggregator in steady flow: one event per batch), events up to 1 KB, FIFO. Lambda durations are assumptions: ' +
      `${ASSUMED.writerMs} ms per append, ${ASSUMED.publisherMsPerBatch} ms per publisher batch of ${ASSUMED.publisherEventsPerBatch}, ` +
      `${ASSUMED.aggregatorMsPerBatch} ms per aggregator batch, at 256 MiB. Free tiers, storage, logs and data transfer are left out.`);
    for (const views of [1, 5]) {
      const lines = costPerMillion(calls, views);
      line();
      line(`| ${views} view${views > 1 ? 's' : ''} | per million events |`);
      line('| --- | ---: |');
      for (const l of lines) line(`| ${l.item} | ${usd(l.perMillion)} |`);
      line(`| **total** | **${usd(lines.reduce((sum, l) => sum + l.perMillion, 0))}** |`);
    }
    line();
    line('The append path alone (API Gateway, then the writer Lambda or WritePath.DIRECT\'s one DynamoDB call), per million appends:');
    line();
    line('| path | API Gateway | Lambda | DynamoDB | total |');
    line('| --- | ---: | ---: | ---: | ---: |');
    for (const { path: name, lines } of appendCostPerMillion(calls)) {
      const of = (item: string) => lines.find((l) => l.item.startsWith(item))?.perMillion ?? 0;
      line(`| ${name} | ${usd(of('API Gateway'))} | ${usd(of('writer Lambda'))} | ${usd(of('DynamoDB'))} | **${usd(lines.reduce((sum, l) => sum + l.perMillion, 0))}** |`);
    }
  } finally {
    await store.stop();
  }
  const packages = keptBlock('packages');
  if (packages) {
    line();
    line(packages);
  }
  if (process.argv.includes('--write')) {
    fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), `${out.join('\n')}\n`);
    console.error('wrote BENCHMARKS.md');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

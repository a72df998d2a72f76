/**
 * The main job (`npm run demo`): runs the example app (examples/typescript) on this machine with
 * the local runtime, walks through a realistic sequence of requests, prints what happened, and
 * stops everything. `npm run demo -- --keep` leaves the API running for curl.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/typescript/app';
import { LocalRuntime } from '../packages/cli/src';
import { parseOperatorArgs, runOperator } from '../packages/cli/src/operator/cli';

// The SDK's notice about Node 20 support is noise in a demo's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const keep = process.argv.includes('--keep');
const eventLog: string[] = [];

async function main(): Promise<void> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-demo-'));
  // The store is kept in a data folder, so step 8 can deploy a new version of the app onto it.
  const dataDir = path.join(outdir, 'data');
  const app = new App({ outdir: path.join(outdir, 'v1') });
  buildExampleApp(app);
  const started = Date.now();
  let runtime = await LocalRuntime.start({ app, dataDir, visibilityTimeoutMs: 200, log: (line) => eventLog.push(line) });
  console.log(`Local API for the example app: ${runtime.url} (started in ${Date.now() - started} ms)\n`);

  try {
    const post = async (what: string, body: Record<string, unknown>) => {
      const res: Response = await fetch(`${runtime.url}/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const json = await res.json() as Record<string, unknown>;
      const replay = res.headers.get('Idempotent-Replay') ? ' (Idempotent-Replay)' : '';
      const detail = res.status === 201 ? `${json.streamId} v${json.version} eventId=${json.eventId}` : json.message;
      console.log(`POST ${what.padEnd(46)} → ${res.status}${replay} ${detail}`);
      return { status: res.status, json };
    };
    const get = async (route: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${runtime.url}${route}`, { headers });
      return { status: res.status, json: await res.json() as unknown, next: res.headers.get('LastEvaluatedKey') ?? undefined };
    };

    console.log('1. Twelve customers register; Ada orders twice and changes her email');
    const names = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Frances', 'Donald', 'Margaret', 'John', 'Radia', 'Ken', 'Lynn'];
    for (const [i, name] of names.entries()) {
      await post(`CustomerRegistered ${name}`, { type: 'CustomerRegistered', id: `customer-${i + 1}`, name, email: `${name.toLowerCase()}@example.com` });
    }
    await post('OrderPlaced customer-1 19.99 (eventId order-1001)', { type: 'OrderPlaced', id: 'customer-1', eventId: 'order-1001', amountCents: 1999 });
    await post('EmailChanged customer-1 expectedVersion 2', { type: 'EmailChanged', id: 'customer-1', email: 'ada@lovelace.dev', expectedVersion: 2 });

    console.log('\n2. A client retries a POST whose answer it never saw: same eventId');
    await post('OrderPlaced customer-1 (eventId order-1001 again)', { type: 'OrderPlaced', id: 'customer-1', eventId: 'order-1001', amountCents: 1999 });

    console.log('\n3. Two clients edit customer-2 at once: the stale one gets 409');
    await post('EmailChanged customer-2 expectedVersion 1', { type: 'EmailChanged', id: 'customer-2', email: 'grace@navy.mil', expectedVersion: 1 });
    await post('EmailChanged customer-2 expectedVersion 1 (stale)', { type: 'EmailChanged', id: 'customer-2', email: 'grace@cobol.org', expectedVersion: 1 });

    console.log('\n4. A bad order reaches the summary projection, which throws on it');
    await post('OrderPlaced customer-3 amountCents "ten"', { type: 'OrderPlaced', id: 'customer-3', amountCents: 'ten' });
    await post('OrderPlaced customer-1 5.00', { type: 'OrderPlaced', id: 'customer-1', amountCents: 500 });
    await post('type 42 (not a string)', { type: 42, id: 'customer-1' });

    await runtime.waitUntilIdle(30_000);
    console.log('\n5. What happened to each event (the local runtime\'s log):');
    for (const line of eventLog) console.log(`   ${line}`);

    console.log('\n6. Views');
    console.log('GET /customer-1         →', JSON.stringify((await get('/customer-1')).json));
    console.log('GET /customer-2         →', JSON.stringify((await get('/customer-2')).json));
    console.log('GET /summary/customer-1 →', JSON.stringify((await get('/summary/customer-1')).json));
    console.log('GET /summary/customer-3 →', JSON.stringify((await get('/summary/customer-3')).json), '(its v2 is parked)');
    console.log('GET /nope/customer-1    →', (await get('/nope/customer-1')).status, JSON.stringify((await get('/nope/customer-1')).json));
    console.log(`summary dead-letter list: ${runtime.deadLetters('summary').map((d) => { const e = JSON.parse(d.body); return `${e.streamId} v${e.version} ${e.type} (received ${d.receiveCount}x)`; }).join(', ')}`);

    console.log('\n7. The default view, 5 records a page (LastEvaluatedKey → ExclusiveStartKey)');
    let token: string | undefined;
    let page = 0;
    const seen = new Set<string>();
    do {
      const res = await get('/?limit=5', token ? { ExclusiveStartKey: token } : {});
      const records = res.json as Array<{ id: string; name: string }>;
      records.forEach((r) => seen.add(r.id));
      console.log(`page ${++page}: ${records.map((r) => r.name).join(', ') || '(empty)'}${res.next ? '  → next page token' : ''}`);
      token = res.next;
    } while (token);
    if (seen.size !== names.length) throw new Error(`pagination returned ${seen.size} distinct customers, expected ${names.length}`);

    console.log('\n8. A new view ships: the next deploy adds "emails" (each customer\'s addresses, oldest first)');
    await runtime.stop();
    eventLog.length = 0;
    const next = new App({ outdir: path.join(outdir, 'v2') });
    buildExampleApp(next, { withEmailsView: true });
    runtime = await LocalRuntime.start({ app: next, dataDir, visibilityTimeoutMs: 200, log: (line) => eventLog.push(line) });
    await runtime.waitUntilIdle(60_000);
    for (const line of eventLog.filter((l) => /emails|maintenance/.test(l))) console.log(`   ${line}`);
    console.log('GET /emails/customer-1 →', JSON.stringify((await get('/emails/customer-1')).json));
    console.log('GET /emails/customer-2 →', JSON.stringify((await get('/emails/customer-2')).json));
    const { version } = (await post('EmailChanged customer-3', { type: 'EmailChanged', id: 'customer-3', email: 'alan@bletchley.uk' })).json as { version: number };
    console.log(`GET /emails/customer-3?minVersion=${version} →`, JSON.stringify((await get(`/emails/customer-3?minVersion=${version}`)).json), '(read-your-writes)');
    console.log(`\n$ npx cdk-event-sourced-api status --local ${runtime.operatorUrl}`);
    console.log(await runOperator(parseOperatorArgs(['status', '--local', runtime.operatorUrl])));

    if (keep) {
      console.log(`\nRunning at ${runtime.url}. Try:\n  curl ${runtime.url}/summary\n  curl -X POST ${runtime.url}/ -d '{"type":"OrderPlaced","id":"customer-4","amountCents":700}'\nCtrl-C stops.`);
      eventLog.length = 0;
      const print = setInterval(() => { while (eventLog.length) console.log(eventLog.shift()); }, 200);
      await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
      clearInterval(print);
    }
  } finally {
    await runtime.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  console.log('\nStopped: HTTP server, pollers, functions and DynamoDB Local.');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { execFileSync } from 'node:child_process';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../../../examples/typescript/app';
import { append, connect, HttpClient, listTables, removeTempDirs, tempDir } from '../../../test/support/local-app';
import { synthApp } from '../../../test/support/templates';
import { LocalRuntime } from '../src';
import { startDynamoStore } from '../src/dynamo-store';

/** Command lines of the DynamoDB Local (Java) processes listening on this port. */
function javaProcessesOnPort(port: number): string[] {
  const out = execFileSync('ps', ['-eww', '-o', 'args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('DynamoDBLocal.jar') && new RegExp(`-port ${port}(\\s|$)`).test(line));
}

afterAll(() => removeTempDirs());

test('with AWS_ENDPOINT_URL_DYNAMODB set, the store is that endpoint and is not stopped by the runtime', async () => {
  const store = await startDynamoStore();
  expect(store).toMatchObject({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, embedded: false });
  await store.stop();
  await expect(listTables()).resolves.toEqual(expect.any(Array)); // still answering
});

describe('embedded mode: without AWS_ENDPOINT_URL_DYNAMODB the runtime runs its own DynamoDB Local', () => {
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  let runtime: LocalRuntime | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    const app = new App({ outdir: tempDir('es-local-cdk-out-') });
    buildExampleApp(app);
    const assemblyDir = synthApp(app).directory;
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    try {
      runtime = await LocalRuntime.start({ assemblyDir, visibilityTimeoutMs: 100, pollIntervalMs: 20, log: (line) => logs.push(line) });
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = savedEndpoint;
    }
  }, 90_000);

  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = savedEndpoint;
    await runtime?.stop();
  });

  test('runs the example app end to end on it, and stop() leaves no Java process and no open port behind', async () => {
    const started = logs.map((l) => /DynamoDB (http:\/\/127\.0\.0\.1:(\d+)), in memory\)$/.exec(l)).find(Boolean);
    expect(started).toBeDefined();
    const [, endpoint, port] = started!;
    expect(endpoint).not.toBe(savedEndpoint);
    expect(javaProcessesOnPort(Number(port))).toHaveLength(1);

    const client = new HttpClient(runtime!.url);
    await append(client, { type: 'CustomerRegistered', id: 'c-1', name: 'Ada', email: 'ada@example.com' });
    await append(client, { type: 'OrderPlaced', id: 'c-1', amountCents: 1999 });
    await append(client, { type: 'OrderPlaced', id: 'c-1', amountCents: -5 });
    await runtime!.waitUntilIdle(20_000);

    expect((await client.get('/default/c-1')).json).toEqual({ name: 'Ada', email: 'ada@example.com', status: 'active', id: 'c-1', version: 3 });
    expect((await client.get('/summary/c-1')).json).toMatchObject({ orders: 1, totalCents: 1999, id: 'c-1', version: 2 });
    // The example's summary projection rejects a negative amount: parked after the default 5 receives.
    // When the start's backfill ran after these appends, its catch-up of c-1 meets the same v3 and is parked too.
    const parked = runtime!.deadLetters('summary').map((m) => JSON.parse(m.body));
    expect(parked.filter((m) => !m.catchUp).map((m) => m.version)).toEqual([3]);
    expect(parked.filter((m) => m.catchUp)).toEqual(parked.length > 1 ? [{ catchUp: { streamId: 'c-1' } }] : []);
    expect(runtime!.deadLetters('summary').map((m) => m.receiveCount)).toEqual(parked.map(() => 5));
    // Nothing went to the shared DynamoDB Local.
    const definition = runtime!.apis[0].definition;
    const shared = await listTables();
    for (const table of [definition.eventsTable, ...definition.views.map((v) => v.table)]) expect(shared).not.toContain(table.tableName);

    await runtime!.stop();
    runtime = undefined;
    expect(await connect(Number(port))).toBe('ECONNREFUSED');
    expect(javaProcessesOnPort(Number(port))).toEqual([]);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(savedEndpoint);
  });
});

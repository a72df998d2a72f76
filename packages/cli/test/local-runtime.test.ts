import * as net from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { defineEndToEndSuite } from './e2e-suite';
import { EventSourcedApi } from '../../../src';
import { HttpClient, listTables, removeTempDirs, tempDir } from '../../../test/support/local-app';
import { dynamoClient } from '../../../test/support/local-dynamo';
import { synthApp } from '../../../test/support/templates';
import { LocalRuntime, readCloudAssembly } from '../src';

afterAll(() => removeTempDirs());

defineEndToEndSuite({ chaos: false });

describe('LocalRuntime.start failures', () => {
  test('an assembly without an EventSourcedApi is an error', async () => {
    const app = new App({ outdir: tempDir('es-local-cdk-out-') });
    new Stack(app, 'Empty');
    await expect(LocalRuntime.start({ app, log: () => undefined })).rejects.toThrow(/No EventSourcedApi found/);
  });

  test('a port in use fails the start and drops the tables it made; on a free port an API without views serves POST / only', async () => {
    const app = new App({ outdir: tempDir('es-local-cdk-out-') });
    new EventSourcedApi(new Stack(app, 'NoViews'), 'Api', {});
    const assemblyDir = synthApp(app).directory;
    // Tables of this app, whatever the run id in their names (other test files may make tables meanwhile).
    const [definition] = readCloudAssembly(assemblyDir, { tablePrefix: '' });
    const tablesOfThisApp = async () => (await listTables()).filter((t) => t.startsWith('local-') && t.endsWith(`-${definition.eventsTable.logicalId}`));
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(LocalRuntime.start({ assemblyDir, port: busyPort, log: () => undefined })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(await tablesOfThisApp()).toEqual([]);

    const runtime = await LocalRuntime.start({ assemblyDir, pollIntervalMs: 20, log: () => undefined });
    try {
      expect(await tablesOfThisApp()).toHaveLength(1);
      const client = new HttpClient(runtime.url);
      expect((await client.post({ type: 'Created', id: 'nv-1' })).status).toBe(201);
      await runtime.waitUntilIdle(15_000);
      expect((await client.get('/')).status).toBe(403);
      expect((await client.get('/default/nv-1')).status).toBe(403);
    } finally {
      await runtime.stop();
    }
    expect(await tablesOfThisApp()).toEqual([]);
  });

  test('a 5xx is logged with its cause, the lines the function logged for that request, without --function-logs', async () => {
    const app = new App({ outdir: tempDir('es-local-cdk-out-') });
    new EventSourcedApi(new Stack(app, 'Broken'), 'Api', {});
    const lines: string[] = [];
    const runtime = await LocalRuntime.start({ app, pollIntervalMs: 20, log: (line) => lines.push(line) });
    try {
      // An outage the writer cannot answer for: its table is gone.
      await dynamoClient().send(new DeleteTableCommand({ TableName: runtime.apis[0].definition.eventsTable.tableName }));
      const response = await new HttpClient(runtime.url).post({ type: 'Created', id: 'x' });
      expect(response.status).toBe(500);
      expect(response.json).toEqual({ message: 'Internal server error' });
      const report = lines.join('\n');
      expect(report).toContain('POST / → 500: the function answered it; it logged:');
      expect(report).toMatch(/"level":"error","message":"unhandled error","error":"ResourceNotFoundException/);
    } finally {
      await runtime.stop();
    }
  });

  test('neither an app nor an assembly folder is an error', async () => {
    await expect(LocalRuntime.start({ log: () => undefined })).rejects.toThrow(/needs `assemblyDir` or `app`/);
  });
});

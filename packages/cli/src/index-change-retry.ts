import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoAnswer, DynamoProxyOptions } from './dynamo-proxy';
import { parse, tablesWritten } from './index-lag-calls';

/** How long a write is sent again while its table's indexes change: DynamoDB Local's take about a second each. */
const RETRY_WINDOW_MS = 10_000;
const RETRY_PAUSE_MS = 100;

/**
 * DynamoDB Local fails writes to a table with InternalFailure (500) while one of its global
 * secondary indexes is being created (the writes that carry the index's key) or deleted (any
 * write), where AWS keeps the table writable while an index is built or removed, the backfill
 * sharing the index's throughput with the writes
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html). Such a
 * write is sent again after a pause, while an index of a table it writes is CREATING or DELETING,
 * for at most RETRY_WINDOW_MS; and once more when none is (the change may have ended since the
 * failure; the SDK would retry a 500 once more anyway). Any other failure passes on as it is.
 */
export function retryWhileIndexesChange(client: DynamoDBClient, windowMs = RETRY_WINDOW_MS): NonNullable<DynamoProxyOptions['retry']> {
  return async (operation: string, body: Buffer, answer: DynamoAnswer, attempt: number) => {
    if (answer.status !== 500 || !answer.body.toString('utf8').includes('InternalFailure')) return false;
    const request = parse(body);
    const tables = request ? tablesWritten(operation, request) : [];
    if (tables.length === 0 || attempt * RETRY_PAUSE_MS > windowMs) return false;
    const changing = await indexesChanging(client, tables).catch(() => false);
    if (!changing && attempt > 1) return false;
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    return true;
  };
}

async function indexesChanging(client: DynamoDBClient, tables: readonly string[]): Promise<boolean> {
  for (const table of tables) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: AbortSignal.timeout(5000) });
    if (Table?.GlobalSecondaryIndexes?.some((g) => g.IndexStatus === 'CREATING' || g.IndexStatus === 'DELETING')) return true;
  }
  return false;
}

import { GetItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KEYS } from '../../src/contract';
import { toApiRecord, type ApiRecord } from '../core/api-record';

export interface Page {
  readonly items: ApiRecord[];
  /** Stream id of the last record read when more may follow. */
  readonly lastStreamId?: string;
}

/** Scan pages to read before answering a short page (records without state are skipped). */
const MAX_SCANS_PER_PAGE = 10;

/** A stream's entry in a view table: its version, and its record unless it has none (deleted, or skipped events only). */
export interface ViewEntry {
  readonly version: number;
  readonly record?: ApiRecord;
}

export async function getEntry(
  client: DynamoDBClient, tableName: string, streamId: string, streamIdField: string, consistent = false,
): Promise<ViewEntry | undefined> {
  const key = { [KEYS.streamId]: { S: streamId } };
  const result = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: consistent }));
  if (!result.Item) return undefined;
  return {
    version: Number(result.Item[KEYS.version].N),
    record: result.Item[KEYS.state] === undefined ? undefined : toApiRecord(result.Item, streamIdField),
  };
}

export async function listRecords(
  client: DynamoDBClient, tableName: string, limit: number, afterStreamId: string | undefined, streamIdField: string,
): Promise<Page> {
  const items: ApiRecord[] = [];
  let startKey: Record<string, AttributeValue> | undefined = afterStreamId === undefined ? undefined : { [KEYS.streamId]: { S: afterStreamId } };
  for (let scans = 0; scans < MAX_SCANS_PER_PAGE && items.length < limit; scans++) {
    const page = await client.send(new ScanCommand({
      TableName: tableName,
      Limit: limit - items.length,
      ExclusiveStartKey: startKey,
      FilterExpression: 'attribute_exists(#state)',
      ExpressionAttributeNames: { '#state': KEYS.state },
    }));
    for (const item of page.Items ?? []) items.push(toApiRecord(item, streamIdField));
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, lastStreamId: startKey?.[KEYS.streamId]?.S };
}

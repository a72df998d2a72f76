import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KEYS } from '../../src/private/contract';

/** A view record as the API returns it: the projected object, its stream id and its version. */
export type ApiRecord = Record<string, unknown>;

export interface Page {
  readonly items: ApiRecord[];
  /** Stream id of the last record read when more may follow. */
  readonly lastStreamId?: string;
}

/** Scan pages to read before answering a short page (records without state are skipped). */
const MAX_SCANS_PER_PAGE = 10;

export function toApiRecord(item: Record<string, unknown>, streamIdField: string): ApiRecord {
  return { ...(item[KEYS.state] as object), [streamIdField]: item[KEYS.streamId], [KEYS.version]: item[KEYS.version] };
}

export async function getRecord(
  client: DynamoDBDocumentClient, tableName: string, streamId: string, streamIdField: string,
): Promise<ApiRecord | undefined> {
  const result = await client.send(new GetCommand({ TableName: tableName, Key: { [KEYS.streamId]: streamId } }));
  if (!result.Item || result.Item[KEYS.state] === undefined) return undefined;
  return toApiRecord(result.Item, streamIdField);
}

export async function listRecords(
  client: DynamoDBDocumentClient, tableName: string, limit: number, afterStreamId: string | undefined, streamIdField: string,
): Promise<Page> {
  const items: ApiRecord[] = [];
  let startKey: Record<string, unknown> | undefined = afterStreamId === undefined ? undefined : { [KEYS.streamId]: afterStreamId };
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
  return { items, lastStreamId: startKey?.[KEYS.streamId] as string | undefined };
}

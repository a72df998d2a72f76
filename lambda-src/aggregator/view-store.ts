import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ViewRecord } from './apply';
import { KEYS } from '../../src/contract';
import { fromAttributeValue, toAttributeValue } from '../core/attribute-value';
import { errorName } from '../core/dynamo';
import { storedEventOf, type StoredEvent } from '../core/stored-event';

export async function loadView(client: DynamoDBClient, tableName: string, streamId: string): Promise<ViewRecord> {
  const result = await client.send(new GetItemCommand({ TableName: tableName, Key: { [KEYS.streamId]: { S: streamId } }, ConsistentRead: true }));
  if (!result.Item) return { version: 0, state: undefined };
  const state = result.Item[KEYS.state];
  return {
    version: Number(result.Item[KEYS.version].N),
    state: state === undefined ? undefined : fromAttributeValue(state) as ViewRecord['state'],
  };
}

/**
 * Writes a view record only on top of the version it was computed from. A record without state
 * (deleted, or only unhandled events so far) still keeps its version, so late duplicates of
 * older events can never bring it back. `indexAttrs` (from `indexAttributes`) are written with
 * it: the whole item is replaced, so an index key the record no longer has leaves its index.
 * Returns false when another writer got there first.
 */
export async function saveView(
  client: DynamoDBClient, tableName: string, streamId: string, previousVersion: number, record: ViewRecord,
  indexAttrs: Record<string, AttributeValue> = {},
): Promise<boolean> {
  const item: Record<string, AttributeValue> = {
    ...indexAttrs,
    [KEYS.streamId]: { S: streamId },
    [KEYS.version]: { N: String(record.version) },
    updatedAt: { S: new Date().toISOString() },
  };
  if (record.state !== undefined) item[KEYS.state] = toAttributeValue(record.state);
  try {
    await client.send(new PutItemCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: previousVersion === 0 ? 'attribute_not_exists(#pk)' : '#v = :previous',
      ExpressionAttributeNames: previousVersion === 0 ? { '#pk': KEYS.streamId } : { '#v': KEYS.version },
      ExpressionAttributeValues: previousVersion === 0 ? undefined : { ':previous': { N: String(previousVersion) } },
    }));
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** Reads events [fromVersion, toVersion] of a stream from the events table, the source of truth. */
export async function readEvents(
  client: DynamoDBClient, tableName: string, streamId: string, fromVersion: number, toVersion: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version },
      ExpressionAttributeValues: { ':pk': { S: streamId }, ':from': { N: String(fromVersion) }, ':to': { N: String(toVersion) } },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    events.push(...(page.Items ?? []).map((item) => storedEventOf(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return events;
}

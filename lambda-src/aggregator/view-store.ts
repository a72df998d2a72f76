import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ViewRecord } from './apply';
import { KEYS } from '../../src/private/contract';
import { errorName } from '../core/dynamo';
import type { StoredEvent } from '../core/stored-event';

export async function loadView(client: DynamoDBDocumentClient, tableName: string, streamId: string): Promise<ViewRecord> {
  const result = await client.send(new GetCommand({ TableName: tableName, Key: { [KEYS.streamId]: streamId }, ConsistentRead: true }));
  if (!result.Item) return { version: 0, state: undefined };
  return { version: result.Item[KEYS.version] as number, state: result.Item[KEYS.state] as ViewRecord['state'] };
}

/**
 * Writes a view record only on top of the version it was computed from. A record without state
 * (deleted, or only unhandled events so far) still keeps its version, so late duplicates of
 * older events can never bring it back. Returns false when another writer got there first.
 */
export async function saveView(
  client: DynamoDBDocumentClient, tableName: string, streamId: string, previousVersion: number, record: ViewRecord,
): Promise<boolean> {
  try {
    await client.send(new PutCommand({
      TableName: tableName,
      Item: {
        [KEYS.streamId]: streamId,
        [KEYS.version]: record.version,
        ...(record.state !== undefined ? { [KEYS.state]: record.state } : {}),
        updatedAt: new Date().toISOString(),
      },
      ConditionExpression: previousVersion === 0 ? 'attribute_not_exists(#pk)' : '#v = :previous',
      ExpressionAttributeNames: previousVersion === 0 ? { '#pk': KEYS.streamId } : { '#v': KEYS.version },
      ExpressionAttributeValues: previousVersion === 0 ? undefined : { ':previous': previousVersion },
    }));
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** Reads events [fromVersion, toVersion] of a stream from the events table, the source of truth. */
export async function readEvents(
  client: DynamoDBDocumentClient, tableName: string, streamId: string, fromVersion: number, toVersion: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': KEYS.streamId, '#sk': KEYS.version },
      ExpressionAttributeValues: { ':pk': streamId, ':from': fromVersion, ':to': toVersion },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    events.push(...(page.Items ?? []) as StoredEvent[]);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return events;
}

import { BatchGetItemCommand, UpdateItemCommand, type AttributeValue, type BatchGetItemCommandOutput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { INDEX_FINGERPRINT, KEYS } from '../../src/contract';
import { fromAttributeValue } from '../core/attribute-value';
import { errorName } from '../core/dynamo';
import { log } from '../core/log';
import { describeIndexKeyProblem, gsiName, indexAttributes, type IndexSpec } from '../core/view-indexes';

/** What a restamp of some streams' records did. */
export interface RestampOutcome {
  /** Records that lacked the declared set's attributes and were rewritten with them. */
  readonly stamped: number;
  /** Of those, records with a key value DynamoDB would refuse: left out of that index. */
  readonly unindexable: number;
}

/**
 * Gives the records of these streams the index attributes of the declared set (`fingerprint`),
 * as the aggregator writes them: records written before an index was declared have none, and
 * DynamoDB's own backfill of a new GSI would find nothing to index. A record already stamped
 * with this set is left alone. Each write is conditional on the record's version (and on it not
 * being stamped meanwhile): a failed condition means the aggregator wrote it since, with the
 * attributes of the set it runs with (a later check finds out which).
 *
 * A record whose key field DynamoDB would refuse for an index is stamped without that index's
 * attributes (it is in no such index, as DynamoDB does with key violations) and logged.
 */
export async function restampStreams(
  dynamo: DynamoDBClient, view: string, table: string, streams: readonly string[], specs: readonly IndexSpec[], fingerprint: string,
): Promise<RestampOutcome> {
  let stamped = 0;
  let unindexable = 0;
  for (const item of await viewItems(dynamo, table, streams)) {
    if (!item[KEYS.state]?.M || item[INDEX_FINGERPRINT]?.S === fingerprint) continue;
    const streamId = item[KEYS.streamId].S!;
    const state = fromAttributeValue(item[KEYS.state]) as Record<string, unknown>;
    const attributes: Record<string, AttributeValue> = {};
    let refused = false;
    for (const spec of specs) {
      const { attributes: own, problem } = indexAttributes(state, [spec]);
      if (problem) {
        refused = true;
        log('warn', `record left out of index "${problem.index}": its ${describeIndexKeyProblem(problem)}`, { view, streamId, index: problem.index, gsi: gsiName(problem.index) });
        continue;
      }
      Object.assign(attributes, own);
    }
    attributes[INDEX_FINGERPRINT] = { S: fingerprint };
    // Index attributes of indexes no longer declared, or of a key field the record no longer has.
    const stale = Object.keys(item).filter((name) => name.startsWith(gsiName('')) && !(name in attributes));
    if (await stamp(dynamo, table, item, attributes, stale)) {
      stamped += 1;
      if (refused) unindexable += 1;
    }
  }
  return { stamped, unindexable };
}

async function stamp(
  dynamo: DynamoDBClient, table: string, item: Record<string, AttributeValue>, attributes: Record<string, AttributeValue>, stale: string[],
): Promise<boolean> {
  const names: Record<string, string> = { '#version': KEYS.version, '#ixv': INDEX_FINGERPRINT };
  const values: Record<string, AttributeValue> = { ':version': item[KEYS.version], ':fp': attributes[INDEX_FINGERPRINT] };
  const sets = Object.entries(attributes).map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  const removes = stale.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  try {
    await dynamo.send(new UpdateItemCommand({
      TableName: table,
      Key: { [KEYS.streamId]: item[KEYS.streamId] },
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: '#version = :version AND (attribute_not_exists(#ixv) OR #ixv <> :fp)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }));
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** The whole records of these streams in a view table (those that have one), strongly consistent. */
async function viewItems(dynamo: DynamoDBClient, table: string, streams: readonly string[]): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  for (let i = 0; i < streams.length; i += 100) {
    let keys: Array<Record<string, AttributeValue>> | undefined = streams.slice(i, i + 100).map((s) => ({ [KEYS.streamId]: { S: s } }));
    while (keys?.length) {
      const result: BatchGetItemCommandOutput = await dynamo.send(new BatchGetItemCommand({
        RequestItems: { [table]: { Keys: keys, ConsistentRead: true } },
      }));
      items.push(...result.Responses?.[table] ?? []);
      keys = result.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}

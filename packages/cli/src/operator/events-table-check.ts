import { DescribeTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { CATALOGUE, KEYS } from '../../../../src/contract';

/** Stream view types the publisher can read events from: it needs each new item's image. */
const STREAM_VIEW_TYPES = ['NEW_IMAGE', 'NEW_AND_OLD_IMAGES'];

/**
 * What is wrong with an events table, as DynamoDB describes it: the checks synth cannot make on a
 * table the app imports (`existingEventsTable` from Table.fromTableAttributes), each with what to
 * change. Empty when the table has the keys, the stream and the catalogue index the API needs.
 */
export function eventsTableProblems(table: TableDescription): string[] {
  const problems: string[] = [];
  const type = (name: string) => table.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
  const key = (schema: TableDescription['KeySchema'], role: 'HASH' | 'RANGE') => schema?.find((k) => k.KeyType === role)?.AttributeName;
  const expectKey = (where: string, schema: TableDescription['KeySchema'], role: 'HASH' | 'RANGE', name: string, attributeType: 'S' | 'N') => {
    const actual = key(schema, role);
    const what = role === 'HASH' ? 'partition key' : 'sort key';
    if (actual !== name || type(name) !== attributeType) {
      problems.push(`${where} ${what} is ${actual ? `"${actual}" (${type(actual)})` : 'missing'}; it must be "${name}" (${attributeType === 'S' ? 'string' : 'number'})`);
    }
  };
  expectKey('its', table.KeySchema, 'HASH', KEYS.streamId, 'S');
  expectKey('its', table.KeySchema, 'RANGE', KEYS.version, 'N');
  const stream = table.StreamSpecification;
  if (!stream?.StreamEnabled) {
    problems.push('it has no stream; enable one with view type NEW_IMAGE (the publisher reads every new event from it)');
  } else if (!STREAM_VIEW_TYPES.includes(stream.StreamViewType ?? '')) {
    problems.push(`its stream's view type is ${stream.StreamViewType}; it must carry new images: NEW_IMAGE (or NEW_AND_OLD_IMAGES)`);
  }
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === CATALOGUE.indexName);
  if (!index) {
    problems.push(`it has no global secondary index "${CATALOGUE.indexName}" (partition key "${CATALOGUE.shardAttribute}" number, sort key "${KEYS.streamId}" string, ` +
      'keys only): backfills, rebuilds and replays list the streams from it');
  } else {
    expectKey(`its index "${CATALOGUE.indexName}"'s`, index.KeySchema, 'HASH', CATALOGUE.shardAttribute, 'N');
    expectKey(`its index "${CATALOGUE.indexName}"'s`, index.KeySchema, 'RANGE', KEYS.streamId, 'S');
  }
  return problems;
}

/** The problems of the events table a deployed API uses (DescribeTable). */
export async function checkEventsTable(dynamo: DynamoDBClient, tableName: string): Promise<string[]> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  return eventsTableProblems(Table ?? {});
}

/**
 * status checks the events table a deployed API uses against what the API needs: synth cannot
 * inspect a table the app imports. Real tables on DynamoDB Local, described as DynamoDB does.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CATALOGUE, KEYS } from '../../../../src/contract';
import { createEventsTable, dynamoClient, uniqueTableName } from '../../../../test/support/local-dynamo';
import { checkEventsTable, eventsTableProblems } from '../../src/operator/events-table-check';

test('a table as the construct makes it has no problem', async () => {
  const { tableName } = await createEventsTable();
  expect(await checkEventsTable(dynamoClient(), tableName)).toEqual([]);
});

test('a table with other keys, a KEYS_ONLY stream and no catalogue index gets one problem each, with what to change', async () => {
  const tableName = uniqueTableName('imported');
  await dynamoClient().send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
  }));
  expect(await checkEventsTable(dynamoClient(), tableName)).toEqual([
    `its partition key is "pk" (S); it must be "${KEYS.streamId}" (string)`,
    `its sort key is missing; it must be "${KEYS.version}" (number)`,
    'its stream\'s view type is KEYS_ONLY; it must carry new images: NEW_IMAGE (or NEW_AND_OLD_IMAGES)',
    `it has no global secondary index "${CATALOGUE.indexName}" (partition key "${CATALOGUE.shardAttribute}" number, sort key "${KEYS.streamId}" string, keys only): ` +
      'backfills, rebuilds and replays list the streams from it',
  ]);
});

test('no stream, a version key of the wrong type, and an index with other keys are named too', () => {
  const problems = eventsTableProblems({
    AttributeDefinitions: [{ AttributeName: KEYS.streamId, AttributeType: 'S' }, { AttributeName: KEYS.version, AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: KEYS.streamId, KeyType: 'HASH' }, { AttributeName: KEYS.version, KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{ IndexName: CATALOGUE.indexName, KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }] }],
  });
  expect(problems).toEqual([
    `its sort key is "${KEYS.version}" (S); it must be "${KEYS.version}" (number)`,
    'it has no stream; enable one with view type NEW_IMAGE (the publisher reads every new event from it)',
    `its index "${CATALOGUE.indexName}"'s partition key is "g" (S); it must be "${CATALOGUE.shardAttribute}" (number)`,
    `its index "${CATALOGUE.indexName}"'s sort key is missing; it must be "${KEYS.streamId}" (string)`,
  ]);
  // A NEW_AND_OLD_IMAGES stream carries the new image the publisher reads.
  expect(eventsTableProblems({
    AttributeDefinitions: [{ AttributeName: KEYS.streamId, AttributeType: 'S' }, { AttributeName: KEYS.version, AttributeType: 'N' }],
    KeySchema: [{ AttributeName: KEYS.streamId, KeyType: 'HASH' }, { AttributeName: KEYS.version, KeyType: 'RANGE' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }).filter((p) => p.includes('stream'))).toEqual([expect.stringContaining('no global secondary index')]);
});

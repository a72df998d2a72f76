/**
 * DynamoDB Local fails writes with InternalFailure while a table's GSI is being created or deleted,
 * where AWS keeps the table writable: the proxy in front of the functions that write views sends
 * such writes again until the index has settled.
 */
import { DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { gsiName, keyAttribute } from '../../../lambda-src/core/view-indexes';
import { KEYS } from '../../../src/contract';
import { createViewTable, dynamoClient } from '../../../test/support/local-dynamo';
import { DynamoProxy } from '../src/dynamo-proxy';
import { retryWhileIndexesChange } from '../src/index-change-retry';

const endpoint = () => process.env.AWS_ENDPOINT_URL_DYNAMODB!;
const pk = keyAttribute('byStatus', 'pk');

function put(client: DynamoDBClient, table: string, id: string): Promise<string> {
  return client.send(new PutItemCommand({ TableName: table, Item: { [KEYS.streamId]: { S: id }, version: { N: '1' }, [pk]: { S: 'open' } } }))
    .then(() => 'ok', (error: Error) => error.name);
}

async function gsiStatus(table: string): Promise<string | undefined> {
  return (await dynamoClient().send(new DescribeTableCommand({ TableName: table }))).Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus;
}

async function until(table: string, status: string | undefined): Promise<void> {
  for (let i = 0; i < 200 && await gsiStatus(table) !== status; i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Writes `table` directly until DynamoDB Local fails one while its GSI is `status`, then once
 * through the proxy: what each answered ('none' if no direct write failed in that status).
 */
async function failThenProxy(
  direct: DynamoDBClient, proxied: DynamoDBClient, table: string, status: string,
): Promise<{ direct: string; proxied: string }> {
  let failed = 'none';
  for (let i = 0; failed === 'none' && await gsiStatus(table) === status; i++) {
    const outcome = await put(direct, table, `${status}-direct-${i}`);
    if (outcome !== 'ok') failed = outcome;
  }
  return { direct: failed, proxied: failed === 'none' ? 'not tried' : await put(proxied, table, `${status}-proxied`) };
}

test('writes while a GSI is CREATING, then DELETING: DynamoDB Local fails them; through the proxy they succeed', async () => {
  const table = await createViewTable();
  const proxy = new DynamoProxy(endpoint(), { retry: retryWhileIndexesChange(dynamoClient()) });
  // One attempt each, so that the SDK's own retries do not hide the failures.
  const direct = new DynamoDBClient({ endpoint: endpoint(), maxAttempts: 1 });
  const proxied = new DynamoDBClient({ endpoint: await proxy.start(), maxAttempts: 1 });
  try {
    await dynamoClient().send(new UpdateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: KEYS.streamId, AttributeType: 'S' }, { AttributeName: pk, AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsiName('byStatus'), KeySchema: [{ AttributeName: pk, KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
    }));
    const creating = await failThenProxy(direct, proxied, table, 'CREATING');
    await until(table, 'ACTIVE');

    await dynamoClient().send(new UpdateTableCommand({ TableName: table, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: gsiName('byStatus') } }] }));
    const deleting = await failThenProxy(direct, proxied, table, 'DELETING');

    expect({ creating, deleting }).toEqual({
      creating: { direct: 'InternalFailure', proxied: 'ok' },
      deleting: { direct: 'InternalFailure', proxied: 'ok' },
    });
  } finally {
    direct.destroy();
    proxied.destroy();
    await proxy.stop();
  }
}, 30_000);

test('only a write\'s InternalFailure is sent again, while an index changes, and once more after', async () => {
  const table = await createViewTable();
  const retry = retryWhileIndexesChange(dynamoClient(), 500);
  const write = Buffer.from(JSON.stringify({ TableName: table, Item: { [KEYS.streamId]: { S: 'x' } } }));
  const internal = { status: 500, headers: {}, body: Buffer.from('{"__type":"com.amazonaws.dynamodb.v20120810#InternalFailure"}') };
  expect(await retry('PutItem', write, { ...internal, status: 400 }, 1)).toBe(false);
  expect(await retry('PutItem', write, { ...internal, body: Buffer.from('{"__type":"x#ProvisionedThroughputExceededException"}') }, 1)).toBe(false);
  expect(await retry('GetItem', write, internal, 1)).toBe(false);
  // No index of the table is changing: once more (the change may have just ended), then no more.
  expect(await retry('PutItem', write, internal, 1)).toBe(true);
  expect(await retry('PutItem', write, internal, 2)).toBe(false);
  // Past the window, never.
  expect(await retry('PutItem', write, internal, 6)).toBe(false);
});

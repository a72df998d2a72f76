/**
 * Chaos mode's lagging indexes as the runtime wires them: the functions that write view tables
 * call DynamoDB through a proxy that reports their writes and UpdateTables to the IndexLag, and
 * the reader through one that sends its index queries to the lagging shadow.
 */
import {
  DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { gsiName, indexAttributes, keyAttribute, type IndexSpec } from '../../../lambda-src/core/view-indexes';
import { INDEX_STATE_KEY, KEYS } from '../../../src/contract';
import { createViewTable, dynamoClient } from '../../../test/support/local-dynamo';
import { DynamoProxy } from '../src/dynamo-proxy';
import { IndexLag, shadowName } from '../src/index-lag';
import { indexLagReadHooks, indexLagWriteHooks, writtenStreamIds } from '../src/index-lag-calls';

const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };

describe('writtenStreamIds', () => {
  const key = (id: string) => ({ [KEYS.streamId]: { S: id } });
  test('names the items each kind of write changed, by table, leaving out the store\'s own $ items', () => {
    expect(writtenStreamIds('PutItem', { TableName: 't', Item: { ...key('a'), version: { S: '1' } } })).toEqual(new Map([['t', ['a']]]));
    expect(writtenStreamIds('UpdateItem', { TableName: 't', Key: key('b') })).toEqual(new Map([['t', ['b']]]));
    expect(writtenStreamIds('DeleteItem', { TableName: 't', Key: key('c') })).toEqual(new Map([['t', ['c']]]));
    expect(writtenStreamIds('UpdateItem', { TableName: 't', Key: key(INDEX_STATE_KEY) })).toEqual(new Map());
    expect(writtenStreamIds('BatchWriteItem', {
      RequestItems: { t: [{ PutRequest: { Item: key('d') } }, { DeleteRequest: { Key: key('e') } }], u: [{ PutRequest: { Item: key('$maintenance') } }] },
    })).toEqual(new Map([['t', ['d', 'e']]]));
    expect(writtenStreamIds('TransactWriteItems', {
      TransactItems: [{ Put: { TableName: 't', Item: key('f') } }, { Update: { TableName: 'u', Key: key('g') } }, { ConditionCheck: { TableName: 'u', Key: key('h') } }],
    })).toEqual(new Map([['t', ['f']], ['u', ['g']]]));
    expect(writtenStreamIds('GetItem', { TableName: 't', Key: key('i') })).toEqual(new Map());
  });
});

describe('through the proxies', () => {
  let lag: IndexLag;
  const proxies: DynamoProxy[] = [];
  const clients: DynamoDBClient[] = [];
  afterEach(async () => {
    lag?.stop();
    for (const proxy of proxies) await proxy.stop();
    for (const client of clients) client.destroy();
  });

  async function clientThrough(proxy: DynamoProxy): Promise<DynamoDBClient> {
    proxies.push(proxy);
    const client = new DynamoDBClient({ endpoint: await proxy.start() });
    clients.push(client);
    return client;
  }

  async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!await condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  const openOrders = (client: DynamoDBClient, table: string) => client.send(new QueryCommand({
    TableName: table,
    IndexName: gsiName('byStatus'),
    KeyConditionExpression: '#k = :v',
    ExpressionAttributeNames: { '#k': keyAttribute('byStatus', 'pk') },
    ExpressionAttributeValues: { ':v': { S: 'open' } },
  })).then((answer) => (answer.Items ?? []).map((item) => item.streamId.S));

  test('the first GSI added through the writers\' proxy makes the shadow; a write reaches the reader\'s index queries only after its lag', async () => {
    const table = await createViewTable();
    lag = new IndexLag(dynamoClient(), { lagMs: () => 400 });
    const writers = await clientThrough(new DynamoProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!, indexLagWriteHooks(lag)));
    const reader = await clientThrough(new DynamoProxy(process.env.AWS_ENDPOINT_URL_DYNAMODB!, indexLagReadHooks(lag)));

    await writers.send(new UpdateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: KEYS.streamId, AttributeType: 'S' }, { AttributeName: keyAttribute('byStatus', 'pk'), AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{
        Create: { IndexName: gsiName('byStatus'), KeySchema: [{ AttributeName: keyAttribute('byStatus', 'pk'), KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
      }],
    }));
    await eventually('the shadow', async () => lag.queryTable(table) === shadowName(table));
    await eventually('the GSI to be ACTIVE', async () => (await dynamoClient().send(new DescribeTableCommand({ TableName: table })))
      .Table?.GlobalSecondaryIndexes?.every((g) => g.IndexStatus === 'ACTIVE') === true);

    // The store's own items are in no index: no copy for them.
    await writers.send(new PutItemCommand({ TableName: table, Item: { [KEYS.streamId]: { S: INDEX_STATE_KEY }, fingerprint: { S: 'x' } } }));
    expect(lag.depth).toBe(0);

    const { attributes } = indexAttributes({ status: 'open' }, [byStatus]);
    await writers.send(new PutItemCommand({ TableName: table, Item: { [KEYS.streamId]: { S: 'order-1' }, version: { N: '1' }, ...attributes } }));
    expect(lag.depth).toBe(1);
    // The table has it at once, and the reader's other calls read the table...
    expect((await reader.send(new GetItemCommand({ TableName: table, Key: { [KEYS.streamId]: { S: 'order-1' } } }))).Item).toBeDefined();
    expect(await openOrders(dynamoClient(), table)).toEqual(['order-1']);
    // ...while its index query reads the lagging shadow: not there yet, then there.
    expect(await openOrders(reader, table)).toEqual([]);
    await eventually('the index query to show the write', async () => (await openOrders(reader, table)).length === 1);
    expect(lag.depth).toBe(0);
  }, 30_000);
});

/**
 * The Lambda code's shared DynamoDB client is a plain `new DynamoDBClient({})`: these tests prove
 * the standard AWS_ENDPOINT_URL_DYNAMODB setting that test/support/global-setup.ts makes points
 * it at DynamoDB Local, which every other test here relies on.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient, errorName, requireEnv } from '../../../lambda-src/core/dynamo';
import { createViewTable } from '../../support/local-dynamo';

test('the environment points the SDK at DynamoDB Local on the loopback interface', () => {
  expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS).toBe(process.env.AWS_ENDPOINT_URL_DYNAMODB);
});

test('dynamoClient() reaches DynamoDB Local through AWS_ENDPOINT_URL_DYNAMODB', async () => {
  const client = dynamoClient();
  const hosts: string[] = [];
  client.middlewareStack.add((next) => async (args) => {
    const request = args.request as { hostname?: string; port?: number };
    hosts.push(`${request.hostname}:${request.port}`);
    return next(args);
  }, { step: 'finalizeRequest', name: 'recordHost' });
  try {
    // A table made through the test helpers is visible to the Lambda code's client...
    const tableName = await createViewTable();
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(described.Table?.TableName).toBe(tableName);
    // ...which is DynamoDB Local (its ARNs name the region "ddblocal"), on the configured port.
    expect(described.Table?.TableArn).toMatch(/^arn:aws:dynamodb:ddblocal:/);
    expect(hosts).toEqual([process.env.AWS_ENDPOINT_URL_DYNAMODB!.replace('http://', '')]);
  } finally {
    client.middlewareStack.remove('recordHost');
  }
  expect(dynamoClient()).toBe(client); // one client per container
});

test('errorName reads the name of SDK errors', async () => {
  const error = await dynamoClient().send(new DescribeTableCommand({ TableName: 'no-such-table-anywhere' })).catch((e: unknown) => e);
  expect(errorName(error)).toBe('ResourceNotFoundException');
  expect(errorName(undefined)).toBeUndefined();
  expect(errorName('text')).toBeUndefined();
});

test('requireEnv returns a set variable and refuses a missing or empty one', () => {
  process.env.SOME_TEST_VARIABLE = 'value';
  expect(requireEnv('SOME_TEST_VARIABLE')).toBe('value');
  process.env.SOME_TEST_VARIABLE = '';
  expect(() => requireEnv('SOME_TEST_VARIABLE')).toThrow('Missing environment variable SOME_TEST_VARIABLE');
  delete process.env.SOME_TEST_VARIABLE;
  expect(() => requireEnv('SOME_TEST_VARIABLE')).toThrow('SOME_TEST_VARIABLE');
});

/** Where globalSetup keeps the DynamoDB Local child process for globalTeardown. */
export const DYNAMO_GLOBAL_KEY = '__cdkEventSourcedApiDynamoDbLocal';

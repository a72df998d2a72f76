/** Where globalSetup keeps the DynamoDB Local store for globalTeardown. */
export const DYNAMO_GLOBAL_KEY = '__cdkEventSourcedApiDynamoDbLocal';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let shared: DynamoDBClient | undefined;

/**
 * One DynamoDB client per container, created on first use. Standard SDK settings apply, so
 * AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local. Items are converted with
 * core/attribute-value.ts, which keeps every key of user data.
 */
export function dynamoClient(): DynamoDBClient {
  shared ??= new DynamoDBClient({});
  return shared;
}

/** The name of an AWS SDK error, whichever way the SDK spelled it. */
export function errorName(err: unknown): string | undefined {
  return (err as { name?: string })?.name;
}

/** Errors that mean "too much at once" after the SDK's own retries: the caller may retry later. */
export function isThrottling(err: unknown): boolean {
  return ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'].includes(errorName(err) ?? '');
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

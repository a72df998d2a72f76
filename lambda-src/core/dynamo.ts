import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let shared: DynamoDBDocumentClient | undefined;

/**
 * One document client per container, created on first use. Standard SDK settings apply, so
 * AWS_ENDPOINT_URL_DYNAMODB points it at DynamoDB Local.
 */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return shared;
}

/** The name of an AWS SDK error, whichever way the SDK spelled it. */
export function errorName(err: unknown): string | undefined {
  return (err as { name?: string })?.name;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

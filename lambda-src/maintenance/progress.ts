import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JobStep } from './jobs';
import { KEYS, MAINTENANCE_KEY, RESTAMP_KEY } from '../../src/contract';
import { fromItem, toItem } from '../core/attribute-value';
import { errorName } from '../core/dynamo';

export type ProgressKey = typeof MAINTENANCE_KEY | typeof RESTAMP_KEY;

/** What a view table's maintenance item says about the job that brings it up to date. */
export interface Progress {
  readonly jobId: string;
  readonly view: string;
  /** Why the job runs: a backfill (the table is new), a rebuild (a new version), a replay. */
  readonly reason: string;
  /** send: catch-ups go out; verify: the streams are checked; done; stalled (streams stayed behind). */
  readonly phase: 'send' | 'verify' | 'done' | 'stalled';
  /** Steps done; each job message carries the step it is, so a repeated message does nothing twice. */
  readonly step: number;
  readonly sent: number;
  /** In the last (or current) verify pass: streams checked, and found behind. */
  readonly checked: number;
  readonly behind: number;
  readonly pass: number;
  /** The table has caught up and reads may switch to it (a rebuilt version). Once true, it stays true. */
  readonly ready: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** The job message of the next step, kept so that a retried step can queue it again. */
  readonly next?: { readonly step: JobStep; readonly delaySeconds: number };
}

/**
 * The progress of a table's job: its catalogue job (`MAINTENANCE_KEY`: backfill, rebuild, replay)
 * or its restamp (`RESTAMP_KEY`), each under its own key so that neither replaces the other.
 */
export async function readProgress(client: DynamoDBClient, table: string, key: ProgressKey = MAINTENANCE_KEY): Promise<Progress | undefined> {
  const result = await client.send(new GetItemCommand({ TableName: table, Key: { [KEYS.streamId]: { S: key } }, ConsistentRead: true }));
  if (!result.Item) return undefined;
  const { [KEYS.streamId]: _key, ...progress } = fromItem(result.Item);
  return progress as unknown as Progress;
}

/**
 * Writes the progress of step `progress.step`, only on top of the step before it of the same
 * job (or, for step 0, over anything): false when another message got there first.
 */
export async function writeProgress(client: DynamoDBClient, table: string, progress: Progress, key: ProgressKey = MAINTENANCE_KEY): Promise<boolean> {
  try {
    await client.send(new PutItemCommand({
      TableName: table,
      Item: toItem({ [KEYS.streamId]: key, ...progress }),
      ...(progress.step === 0 ? {} : {
        ConditionExpression: 'jobId = :job AND step = :previous',
        ExpressionAttributeValues: { ':job': { S: progress.jobId }, ':previous': { N: String(progress.step - 1) } },
      }),
    }));
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

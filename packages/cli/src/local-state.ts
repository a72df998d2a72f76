import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalQueue } from './local-queue';

/** A queued message as it is kept between runs. */
interface KeptMessage {
  readonly body: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly attributes: Record<string, string>;
}

/** What a run deployed of one EventSourcedApi, for the next run to remove what left the template. */
export interface DeployedApi {
  /** Its view tables (each version's), by local name, with their DeletionPolicy. */
  readonly viewTables: Array<{ readonly tableName: string; readonly deletionPolicy: string }>;
  /** Its Custom::ViewBackfill resources, as they were created. */
  readonly backfills: Array<{ readonly logicalId: string; readonly physicalResourceId: string; readonly properties: Record<string, string> }>;
}

/**
 * What a data folder keeps besides the tables (which DynamoDB Local keeps in it): each
 * publisher's stream checkpoints and every queue's messages, so a stopped runtime goes on where
 * it stopped, as a deployed stack does.
 */
export interface LocalState {
  /** EventSourcedApi construct path -> shard id -> last sequence number done with. */
  readonly streams: Record<string, Record<string, string>>;
  /** Queue ARN -> its messages, oldest first. */
  readonly queues: Record<string, KeptMessage[]>;
  /** EventSourcedApi construct path -> what the last run deployed (absent before the first). */
  readonly deployed?: Record<string, DeployedApi>;
  /**
   * Tables a Retain policy kept when they left the template: no longer any resource's, so a new
   * table of the same logical id gets another name, as CloudFormation's would.
   */
  readonly retainedTables?: string[];
}

const STATE_FILE = 'runtime-state.json';

export function readState(dataDir: string): LocalState {
  const file = path.join(dataDir, STATE_FILE);
  if (!fs.existsSync(file)) return { streams: {}, queues: {} };
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalState>;
  return { ...parsed, streams: parsed.streams ?? {}, queues: parsed.queues ?? {} };
}

/** Written to a temporary file first, so a crash mid-write never leaves half a state. */
export function writeState(dataDir: string, state: LocalState): void {
  const file = path.join(dataDir, STATE_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
  fs.renameSync(`${file}.tmp`, file);
}

/** A queue's messages, in flight ones included (they would come back after their visibility timeout). */
export function keepMessages(queue: LocalQueue): KeptMessage[] {
  return queue.peek().map((m) => ({ body: m.body, groupId: m.groupId, deduplicationId: m.deduplicationId, attributes: m.attributes }));
}

export function restoreMessages(queue: LocalQueue, messages: KeptMessage[] | undefined): void {
  for (const m of messages ?? []) queue.send(m.body, m.groupId, m.deduplicationId, m.attributes);
}

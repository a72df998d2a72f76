/**
 * The names the local runtime gives tables, queues and topics. They come from logical ids, and a
 * resource of a nested stack has a long one (its nested stack's logical id, then its own), so a
 * name longer than the service allows keeps its start and its end (the resource's own logical id)
 * around a hash of the whole name: still valid, still distinct from every other name, the same on
 * every run.
 */
import { createHash } from 'node:crypto';

/** DynamoDB: 3 to 255 of [a-zA-Z0-9_.-]. */
const TABLE_NAME_LIMIT = 255;
/** SQS: up to 80 of [a-zA-Z0-9_-], the `.fifo` of a FIFO queue included. */
const QUEUE_NAME_LIMIT = 80;
/** SNS: up to 256 of [a-zA-Z0-9_-], the `.fifo` of a FIFO topic included. */
const TOPIC_NAME_LIMIT = 256;
const FIFO_SUFFIX = '.fifo';
const HASH_LENGTH = 12;

export function localTableName(name: string): string {
  return withinLimit(name, TABLE_NAME_LIMIT);
}

export function localQueueName(logicalId: string, fifo: boolean): string {
  return fifoName(logicalId, fifo, QUEUE_NAME_LIMIT);
}

export function localTopicName(logicalId: string, fifo: boolean): string {
  return fifoName(logicalId, fifo, TOPIC_NAME_LIMIT);
}

function fifoName(base: string, fifo: boolean, limit: number): string {
  return fifo ? `${withinLimit(base, limit - FIFO_SUFFIX.length)}${FIFO_SUFFIX}` : withinLimit(base, limit);
}

/** The name itself when it fits, else `<start>-<hash of the whole name>-<end>`, `limit` characters in all. */
export function withinLimit(name: string, limit: number): string {
  if (name.length <= limit) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  const kept = limit - HASH_LENGTH - 2;
  const start = Math.floor(kept / 2);
  return `${name.slice(0, start)}-${hash}-${name.slice(name.length - (kept - start))}`;
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { KEYS } from '../../src/contract';
import { eventMessage, messageGroupId, sha256, SNS_MAX_BATCH_BYTES, SNS_MAX_BATCH_ENTRIES, type EventMessage } from '../core/event-message';
import { findJsonTextProblem } from '../core/json-text';
import { log, stopwatch } from '../core/log';
import { directBodyOf, storedEventOf, type StoredEvent } from '../core/stored-event';
import { findDataProblem } from '../core/user-data';

export interface PublishOptions {
  readonly topicArn: string;
  readonly fifo: boolean;
}

interface Pending {
  readonly record: DynamoDBRecord;
  readonly event: StoredEvent;
  readonly message: EventMessage;
}

/** A stream record is a new event only if it is an INSERT of a version >= 1 (not a marker). */
export function newEventOf(record: DynamoDBRecord): StoredEvent | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  const item = record.dynamodb.NewImage as Record<string, AttributeValue>;
  if (!(Number(item[KEYS.version]?.N) >= 1)) return undefined;
  const body = directBodyOf(item);
  const event = storedEventOf(item, body);
  if (body !== undefined) warnOfDirectData(body, event);
  return event;
}

/**
 * `WritePath.DIRECT` stores the body as sent, without the writer Lambda's checks of the data: say
 * so, once per event, when its data holds what the writer would have refused (a repeated key, a
 * number JavaScript rounds, a "__proto__" key...). It is published as JSON.parse reads it.
 */
function warnOfDirectData(body: string, event: StoredEvent): void {
  const problem = findJsonTextProblem(body) ?? findDataProblem(event.data);
  if (problem) {
    const { streamId, version, eventId, type } = event;
    log('warn', 'event stored by the direct write path holds data the writer Lambda refuses; it is published as JSON.parse reads it',
      { streamId, version, eventId, type, field: problem.path, problem: problem.reason });
  }
}

/** Same event, same deduplication id, so a re-published record is dropped by SNS FIFO. */
export function deduplicationId(event: StoredEvent): string {
  return sha256(`${event.streamId}\u0000${event.version}`);
}

/**
 * Consecutive runs of events that fit one PublishBatch request: at most 10 entries and 256 KiB
 * in all. An event too large on its own gets a batch of its own (SNS refuses it; the writer never
 * stores one).
 */
export function publishBatches<T extends { readonly message: EventMessage }>(pending: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of pending) {
    if (current.length > 0 && (current.length === SNS_MAX_BATCH_ENTRIES || bytes + item.message.bytes > SNS_MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Publishes the new events of a stream batch in order. Stops at the first failure and reports
 * that record, so Lambda retries from it and per-stream order is kept.
 */
export async function publishRecords(sns: SNSClient, records: DynamoDBRecord[], options: PublishOptions): Promise<DynamoDBBatchResponse> {
  const pending: Pending[] = [];
  // A record that cannot be decoded stops the batch there: the records before it are published,
  // it is reported failed, and Lambda's bisect/retry/on-failure settings bound what happens next.
  let undecodable: DynamoDBRecord | undefined;
  for (const record of records) {
    try {
      const event = newEventOf(record);
      if (event) pending.push({ record, event, message: eventMessage(event) });
    } catch (error) {
      log('error', 'stream record cannot be decoded', { sequenceNumber: record.dynamodb?.SequenceNumber, error: String(error) });
      undecodable = record;
      break;
    }
  }

  for (const chunk of publishBatches(pending)) {
    const entries: PublishBatchRequestEntry[] = chunk.map(({ event, message }, index) => ({
      Id: String(index),
      Message: message.body,
      MessageAttributes: Object.fromEntries(Object.entries(message.attributes)
        .map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
      ...(options.fifo ? { MessageGroupId: messageGroupId(event.streamId), MessageDeduplicationId: deduplicationId(event) } : {}),
    }));

    let failedIndex: number | undefined;
    const elapsed = stopwatch();
    try {
      const result = await sns.send(new PublishBatchCommand({ TopicArn: options.topicArn, PublishBatchRequestEntries: entries }));
      const failed = (result.Failed ?? []).map((f) => Number(f.Id));
      if (failed.length > 0) {
        failedIndex = Math.min(...failed);
        log('warn', 'publish failed for some entries', { failed: result.Failed, durationMs: elapsed() });
      }
    } catch (err) {
      failedIndex = 0;
      log('warn', 'publish batch failed', { error: String(err), durationMs: elapsed(), entries: entries.length, bytes: chunk.reduce((n, p) => n + p.message.bytes, 0) });
    }

    if (failedIndex !== undefined) {
      const first = chunk[failedIndex].record;
      return { batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? '' }] };
    }
    // Per event: the PublishBatch call's duration, and how long after its append it went out.
    const publishMs = elapsed();
    const now = Date.now();
    for (const { event } of chunk) {
      const { streamId, version, eventId, type } = event;
      log('info', 'event published', { streamId, version, eventId, type, publishMs, sinceAppendMs: now - Date.parse(event.timestamp) });
    }
  }
  if (undecodable) return { batchItemFailures: [{ itemIdentifier: undecodable.dynamodb?.SequenceNumber ?? '' }] };
  return { batchItemFailures: [] };
}

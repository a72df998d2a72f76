import { createHash } from 'node:crypto';
import type { StoredEvent } from './stored-event';

/**
 * SNS refuses a message over 256 KiB, message attributes included, and a PublishBatch request
 * whose messages add up to more.
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
export const SNS_MAX_BATCH_BYTES = 262_144;
export const SNS_MAX_BATCH_ENTRIES = 10;

/** An event as the publisher sends it to SNS (and SQS hands it to the aggregators). */
export interface EventMessage {
  readonly body: string;
  /** String message attributes (subscription filter policies can use them). */
  readonly attributes: Record<string, string>;
  /** What SNS counts against its size limits: the body plus every attribute's name, type and value. */
  readonly bytes: number;
}

export function eventMessage(event: StoredEvent): EventMessage {
  const body = JSON.stringify(event);
  const attributes = { type: event.type };
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + 'String'.length + Buffer.byteLength(value, 'utf8');
  }
  return { body, attributes, bytes };
}

// SNS and SQS FIFO group and deduplication ids: at most 128 characters from this set.
const FIFO_ID_PATTERN = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

/**
 * The FIFO message group of a stream: the stream id itself when SNS and SQS accept it, else its
 * hash. Everything sent about one stream (events, catch-ups) shares it, so it stays in order.
 */
export function messageGroupId(streamId: string): string {
  return FIFO_ID_PATTERN.test(streamId) ? streamId : sha256(streamId);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

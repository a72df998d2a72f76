/**
 * An events-table item becomes the same event whichever path stored it: the writer Lambda's item
 * (data as a map, an ISO timestamp) or WritePath.DIRECT's (the POST body as sent, in a binary
 * attribute, and epoch milliseconds), and whether the bytes come from the AWS SDK or base64 in a
 * Lambda stream record.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { toItem } from '../../../lambda-src/core/attribute-value';
import { directEventData, eventTimestamp, storedEventOf } from '../../../lambda-src/core/stored-event';
import { runs, storableData } from '../../support/arbitraries';

interface DirectFields {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly epochMs: number;
}

/** The item WritePath.DIRECT's template writes for this body (see direct-append-templates.ts). */
function directItem(body: string, fields: DirectFields, bytes: 'sdk' | 'stream') {
  const raw = Buffer.from(body, 'utf8');
  return {
    streamId: { S: fields.streamId },
    version: { N: String(fields.version) },
    eventId: { S: fields.eventId },
    type: { S: fields.type },
    timestamp: { N: String(fields.epochMs) },
    requestBody: { B: bytes === 'sdk' ? new Uint8Array(raw) : raw.toString('base64') },
    streamIdField: { S: 'customerId' },
  } as unknown as Record<string, AttributeValue>;
}

test('a DIRECT item and the writer\'s item of the same request are the same event', () => {
  fc.assert(fc.property(storableData, fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 1e6 }), fc.boolean(),
    (data, streamId, version, fromStream) => {
      const epochMs = 1_796_000_000_123;
      const timestamp = new Date(epochMs).toISOString();
      const event = { streamId, version, eventId: 'e-1', type: 'Placed', schemaVersion: 1, data, timestamp };
      const body = JSON.stringify({ type: 'Placed', customerId: streamId, expectedVersion: version - 1, eventId: 'e-1', ...data });
      const direct = storedEventOf(directItem(body, { streamId, version, eventId: 'e-1', type: 'Placed', epochMs }, fromStream ? 'stream' : 'sdk'));
      expect(direct).toEqual(storedEventOf(toItem(event)));
      // What was sent, as JSON carries it (-0 is written 0).
      expect(direct).toEqual(JSON.parse(JSON.stringify(event)));
    }), runs(300));
});

test('DIRECT data is the body without the envelope; every other key, "__proto__" included, stays data', () => {
  const data = directEventData('{"type":"T","id":"s","eventId":"e","expectedVersion":2,"__proto__":{"x":1},"constructor":"c","data":0}', 'id');
  expect(Object.keys(data)).toEqual(['__proto__', 'constructor', 'data']);
  expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  expect(JSON.stringify(data)).toBe('{"__proto__":{"x":1},"constructor":"c","data":0}');
  expect(() => directEventData('[1]', 'id')).toThrow('not a JSON object');
});

test('a timestamp is the writer\'s ISO string, or a DIRECT event\'s epoch milliseconds as one', () => {
  expect(eventTimestamp({ S: '2026-12-06T10:00:00.000Z' })).toBe('2026-12-06T10:00:00.000Z');
  expect(eventTimestamp({ N: '1796000000123' })).toBe(new Date(1796000000123).toISOString());
  expect(eventTimestamp(undefined)).toBe('');
  // Both read in the same order as ISO strings compare: the maintenance jobs compare them as text.
  expect(eventTimestamp({ N: String(Date.parse('2026-12-06T10:00:00.001Z')) }) > '2026-12-06T10:00:00.000Z').toBe(true);
});

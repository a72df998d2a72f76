import type { DynamoDBRecord } from 'aws-lambda';
import { matchesPattern } from '../../../src/local/event-pattern';
import { synth } from '../../support/synth';

/** A stream record as Lambda delivers it (only the fields the filter looks at matter). */
function streamRecord(eventName: DynamoDBRecord['eventName'], newImage?: Record<string, unknown>): DynamoDBRecord {
  return {
    eventID: '1',
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { streamId: { S: 's' }, version: { N: '1' } },
      ...(newImage ? { NewImage: newImage as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'] } : {}),
      SequenceNumber: '100',
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

describe("the publisher's filter pattern from a synthesized template", () => {
  const { template } = synth({});
  const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))
    .filter((r) => r.Properties.StartingPosition);
  const patterns: unknown[] = mappings[0].Properties.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
  const passes = (record: DynamoDBRecord) => patterns.some((p) => matchesPattern(record, p));

  test('the template has one stream mapping with one pattern', () => {
    expect(mappings).toHaveLength(1);
    expect(patterns).toHaveLength(1);
  });

  test('a new event (an INSERT with an eventId) passes', () => {
    expect(passes(streamRecord('INSERT', { streamId: { S: 's' }, version: { N: '1' }, eventId: { S: 'e1' }, type: { S: 'Created' } }))).toBe(true);
    expect(passes(streamRecord('INSERT', { streamId: { S: 's' }, version: { N: '12345' }, eventId: { S: 'e2' } }))).toBe(true);
  });

  test('an idempotency marker (no eventId attribute) does not', () => {
    expect(passes(streamRecord('INSERT', { streamId: { S: '$eventId#e1' }, version: { N: '0' }, eventStreamId: { S: 's' }, eventVersion: { N: '1' } }))).toBe(false);
  });

  test('MODIFY and REMOVE do not, even with an eventId', () => {
    expect(passes(streamRecord('MODIFY', { streamId: { S: 's' }, version: { N: '3' }, eventId: { S: 'e' } }))).toBe(false);
    expect(passes(streamRecord('REMOVE'))).toBe(false);
  });

  test('an eventId that is not a string attribute does not', () => {
    expect(passes(streamRecord('INSERT', { streamId: { S: 's' }, version: { N: '1' }, eventId: { N: '1' } }))).toBe(false);
    expect(passes(streamRecord('INSERT', { streamId: { S: 's' }, version: { N: '1' }, eventId: { M: { S: { S: 'x' } } } }))).toBe(false);
  });

  test('as on AWS, the former numeric rule on version matches no stream record: N values are strings', () => {
    const numeric = { eventName: ['INSERT'], dynamodb: { NewImage: { version: { N: [{ numeric: ['>', 0] }] } } } };
    expect(matchesPattern(streamRecord('INSERT', { streamId: { S: 's' }, version: { N: '1' }, eventId: { S: 'e' } }), numeric)).toBe(false);
  });
});

describe('matchesPattern rules', () => {
  test('exact values: a list matches any of its values; fields the pattern does not name are ignored', () => {
    expect(matchesPattern({ a: 'x', b: 1 }, { a: ['x', 'y'] })).toBe(true);
    expect(matchesPattern({ a: 'z' }, { a: ['x', 'y'] })).toBe(false);
    expect(matchesPattern({ a: 1 }, { a: [1] })).toBe(true);
    expect(matchesPattern({ a: '1' }, { a: [1] })).toBe(false);
    expect(matchesPattern({}, { a: ['x'] })).toBe(false);
  });

  test('every field of a pattern must match, nested included', () => {
    const pattern = { a: ['x'], n: { m: ['y'] } };
    expect(matchesPattern({ a: 'x', n: { m: 'y' } }, pattern)).toBe(true);
    expect(matchesPattern({ a: 'x', n: { m: 'z' } }, pattern)).toBe(false);
    expect(matchesPattern({ a: 'x' }, pattern)).toBe(false);
    expect(matchesPattern({ a: 'x', n: 'y' }, pattern)).toBe(false);
  });

  test('numeric ranges match JSON numbers only, never a string that reads as a number', () => {
    const range = { v: [{ numeric: ['>=', 2, '<', 5] }] };
    expect([1, 2, 4, 5].map((v) => matchesPattern({ v }, range))).toEqual([false, true, true, false]);
    expect(matchesPattern({ v: '3' }, range)).toBe(false);
    expect(matchesPattern({ v: 'three' }, range)).toBe(false);
    expect(matchesPattern({}, range)).toBe(false);
    expect(matchesPattern({ v: 7 }, { v: [{ numeric: ['=', 7] }] })).toBe(true);
    expect(matchesPattern({ v: '7' }, { v: [{ numeric: ['=', 7] }] })).toBe(false);
    expect(matchesPattern({ v: 7 }, { v: [{ numeric: ['<=', 6] }] })).toBe(false);
  });

  test('exists, prefix and anything-but', () => {
    expect(matchesPattern({ a: 1 }, { a: [{ exists: true }] })).toBe(true);
    expect(matchesPattern({}, { a: [{ exists: true }] })).toBe(false);
    expect(matchesPattern({}, { a: [{ exists: false }] })).toBe(true);
    expect(matchesPattern({ a: 1 }, { a: [{ exists: false }] })).toBe(false);
    // Exists only works on leaf nodes: an object is never "there" (LocalStack's AWS-validated
    // DynamoDB filter tests, exists_false_filter).
    expect(matchesPattern({ a: { S: 'x' } }, { a: [{ exists: true }] })).toBe(false);
    expect(matchesPattern({ a: { S: 'x' } }, { a: [{ exists: false }] })).toBe(true);

    expect(matchesPattern({ a: 'order-1' }, { a: [{ prefix: 'order-' }] })).toBe(true);
    expect(matchesPattern({ a: 'customer-1' }, { a: [{ prefix: 'order-' }] })).toBe(false);
    expect(matchesPattern({ a: 5 }, { a: [{ prefix: '5' }] })).toBe(false);

    expect(matchesPattern({ a: 'x' }, { a: [{ 'anything-but': ['y', 'z'] }] })).toBe(true);
    expect(matchesPattern({ a: 'y' }, { a: [{ 'anything-but': ['y', 'z'] }] })).toBe(false);
    expect(matchesPattern({ a: 'y' }, { a: [{ 'anything-but': 'y' }] })).toBe(false);
    expect(matchesPattern({}, { a: [{ 'anything-but': 'y' }] })).toBe(false);
  });

  test('a list of rules matches when any rule does', () => {
    const pattern = { a: [{ prefix: 'x' }, { numeric: ['>', 10] }, 'exact'] };
    expect(matchesPattern({ a: 'xyz' }, pattern)).toBe(true);
    expect(matchesPattern({ a: 11 }, pattern)).toBe(true);
    expect(matchesPattern({ a: 'exact' }, pattern)).toBe(true);
    expect(matchesPattern({ a: 'other' }, pattern)).toBe(false);
  });
});

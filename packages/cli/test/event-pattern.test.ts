import type { DynamoDBRecord } from 'aws-lambda';
import { synth } from '../../../test/support/synth';
import { EventPattern, InvalidPatternError, matchesPattern } from '../src/event-pattern';

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

/**
 * Where the local matcher answered otherwise than event-ruler before it was held to it
 * (event-pattern.oracle.property.test.ts checks these and every other case against event-ruler).
 */
describe('as event-ruler answers', () => {
  const insertWithout = streamRecord('INSERT', { streamId: { S: 's' }, version: { N: '1' } });

  test('exists: false holds under a missing parent and under one that is not an object (FilterRule.notExists)', () => {
    expect(matchesPattern(insertWithout, { dynamodb: { NewImage: { x: { S: [{ exists: false }] } } } })).toBe(true);
    expect(matchesPattern(streamRecord('REMOVE'), { dynamodb: { NewImage: { x: { S: [{ exists: false }] } } } })).toBe(true);
    expect(matchesPattern({ a: 'text' }, { a: { b: [{ exists: false }] } })).toBe(true);
    expect(matchesPattern({ a: [] }, { a: [{ exists: false }] })).toBe(true);
    expect(matchesPattern({ a: null }, { a: [{ exists: true }] })).toBe(true);
  });

  test('an array in the event matches when any element does, at any depth', () => {
    expect(matchesPattern({ v: ['x', 'y'] }, { v: ['x'] })).toBe(true);
    expect(matchesPattern({ v: [['z'], [['x']]] }, { v: ['x'] })).toBe(true);
    expect(matchesPattern({ a: [{ b: 'x' }, { b: 'y' }] }, { a: { b: ['y'] } })).toBe(true);
    const setRecord = streamRecord('INSERT', { tags: { SS: ['red', 'blue'] }, items: { L: [{ S: 'a' }, { M: { k: { S: 'b' } } }] } });
    expect(matchesPattern(setRecord, { dynamodb: { NewImage: { tags: { SS: ['blue'] } } } })).toBe(true);
    expect(matchesPattern(setRecord, { dynamodb: { NewImage: { items: { L: { M: { k: { S: ['b'] } } } } } } })).toBe(true);
  });

  test('but never joins fields from different elements of one array', () => {
    const event = { a: [{ b: '1', c: '2' }, { b: '3', c: '4' }] };
    expect(matchesPattern(event, { a: { b: ['1'], c: ['2'] } })).toBe(true);
    expect(matchesPattern(event, { a: { b: ['1'], c: ['4'] } })).toBe(false);
  });

  test('anything-but looks at each element, and never at an object or an empty array', () => {
    expect(matchesPattern({ a: ['x', 'y'] }, { a: [{ 'anything-but': 'x' }] })).toBe(true);
    expect(matchesPattern({ a: ['x'] }, { a: [{ 'anything-but': 'x' }] })).toBe(false);
    expect(matchesPattern({ a: { b: 1 } }, { a: [{ 'anything-but': 'x' }] })).toBe(false);
    expect(matchesPattern({ a: [] }, { a: [{ 'anything-but': 'x' }] })).toBe(false);
    expect(matchesPattern({ a: 5 }, { a: [{ 'anything-but': 'x' }] })).toBe(true);
    expect(matchesPattern({ a: 'init-1' }, { a: [{ 'anything-but': { prefix: 'init' } }] })).toBe(false);
    expect(matchesPattern({ a: 'run-1' }, { a: [{ 'anything-but': { prefix: 'init' } }] })).toBe(true);
    expect(matchesPattern({ a: 5 }, { a: [{ 'anything-but': { prefix: 'init' } }] })).toBe(true);
  });

  test('suffix, equals-ignore-case, wildcard, cidr and $or match', () => {
    expect(matchesPattern({ a: 'file.png' }, { a: [{ suffix: '.png' }] })).toBe(true);
    expect(matchesPattern({ a: 'EC2' }, { a: [{ 'equals-ignore-case': 'ec2' }] })).toBe(true);
    expect(matchesPattern({ a: 'Simple Queue Service' }, { a: [{ wildcard: 'Simple*Service' }] })).toBe(true);
    expect(matchesPattern({ a: 'Simple' }, { a: [{ wildcard: 'Simple*Service' }] })).toBe(false);
    expect(matchesPattern({ ip: '10.0.0.7' }, { ip: [{ cidr: '10.0.0.0/24' }] })).toBe(true);
    expect(matchesPattern({ ip: '10.0.1.7' }, { ip: [{ cidr: '10.0.0.0/24' }] })).toBe(false);
    const or = { source: ['s'], $or: [{ a: ['x'] }, { b: ['y'] }] };
    expect(matchesPattern({ source: 's', b: 'y' }, or)).toBe(true);
    expect(matchesPattern({ source: 's', b: 'z' }, or)).toBe(false);
  });

  test.each([
    [{ a: 'x' }, '"a" must be an object or an array'],
    [{ a: [] }, 'Empty arrays are not allowed'],
    [{}, 'Empty objects are not allowed'],
    [{ a: [{ regex: 'x' }] }, 'Unrecognized match type regex'],
    [{ a: [{ numeric: ['>', '0'] }] }, 'Value of > must be numeric'],
    [{ a: [{ numeric: ['>', 5, '<', 1] }] }, 'Bottom must be less than top'],
    [{ a: [{ 'anything-but': ['x', 1] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    [{ a: [{ wildcard: 'a**' }] }, 'Consecutive wildcard characters at pos 2'],
    [{ a: [{ cidr: '10.0.0.0/33' }] }, 'IPv4 mask bits must be < 32'],
    [{ $or: [{ a: ['x'] }] }, 'There must have at least 2 Objects in $or relationship.'],
  ])('refuses %j: %s', (pattern, reason) => {
    expect(() => new EventPattern(pattern)).toThrow(new InvalidPatternError(reason));
  });
});

import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ApiAuthorization, EventSourcedApi, EventSourcedApiProps } from '../../src';
import { COUNTER, FIXTURES } from '../support/synth';

function build(props: EventSourcedApiProps, stack = new Stack(new App(), 'S')) {
  return () => new EventSourcedApi(stack, 'Api', props);
}
const view = (name: string, entry = COUNTER) => ({ name, entry });

describe('synth-time validation names the bad prop', () => {
  test.each([
    ['Orders', /projections\[0\]\.name "Orders" is invalid/],
    ['my view', /projections\[0\]\.name "my view" is invalid/],
    ['9lives', /projections\[0\]\.name "9lives" is invalid/],
    ['a'.repeat(41), /is invalid/],
    ['', /is invalid/],
  ])('bad projection name %p', (name, message) => {
    expect(build({ projections: [view(name)] })).toThrow(message);
  });

  test('reserved names clash with the API paths', () => {
    expect(build({ projections: [view('events')] })).toThrow(/projections\[0\]\.name "events" is reserved/);
  });

  test('duplicate names', () => {
    expect(build({ projections: [view('a'), view('b'), view('a')] })).toThrow(/projections\[2\]\.name "a" is used by more than one projection/);
  });

  test('missing, wrong-type and unbundleable entries', () => {
    expect(build({ projections: [view('a', path.join(FIXTURES, 'missing.ts'))] })).toThrow(/projections\[0\]\.entry ".*missing\.ts" does not exist/);
    expect(build({ projections: [view('a', path.join(FIXTURES, 'not-code.txt'))] })).toThrow(/projections\[0\]\.entry ".*not-code\.txt" must be a \.ts/);
    expect(build({ projections: [view('a', path.join(FIXTURES, 'broken-syntax.ts'))] })).toThrow(/Projection "a": could not bundle entry .*broken-syntax\.ts/);
  });

  test('defaultView must be a projection', () => {
    expect(build({ projections: [view('a')], defaultView: 'b' })).toThrow(/defaultView "b" is not one of the projections \(a\)/);
    expect(build({ defaultView: 'b' })).toThrow(/defaultView "b" is not one of the projections \(none\)/);
  });

  test.each(['type', 'eventId', 'expectedVersion', 'version', 'has space', ''])('streamIdField %p is rejected', (field) => {
    expect(build({ streamIdField: field })).toThrow(/streamIdField/);
  });

  test('api options conflict with api.enabled false', () => {
    expect(build({ api: { enabled: false, authorization: ApiAuthorization.none() } })).toThrow(/api\.enabled is false, so api\.authorization cannot be set/);
    expect(build({ api: { enabled: false, throttlingRateLimit: 5, stageName: 'x' } })).toThrow(/api\.throttlingRateLimit, api\.stageName cannot be set/);
  });

  test('CORS needs exactly one origin', () => {
    expect(build({ api: { cors: { allowOrigins: ['https://a.example', 'https://b.example'] } } })).toThrow(/api\.cors\.allowOrigins must name exactly one origin/);
  });

  test.each([
    [{ maxBodyBytes: 0 }, /maxBodyBytes must be a whole number from 1 to 245760, got 0/],
    [{ maxBodyBytes: 300_000 }, /maxBodyBytes must be a whole number from 1 to 245760/],
    [{ maxPageSize: 1001 }, /maxPageSize/],
    [{ defaultPageSize: 200 }, /defaultPageSize must be a whole number from 1 to 100/],
    [{ publisherRetryAttempts: -1 }, /publisherRetryAttempts/],
    [{ api: { throttlingRateLimit: 1.5 } }, /api\.throttlingRateLimit/],
  ])('numbers out of range %p', (props, message) => {
    expect(build(props as EventSourcedApiProps)).toThrow(message);
  });

  test.each([
    [{ batchSize: 11 }, /projection "a" batchSize must be a whole number from 1 to 10/],
    [{ maxReceiveCount: 0 }, /projection "a" maxReceiveCount/],
    [{ memorySize: 64 }, /projection "a" memorySize/],
  ])('projection numbers out of range %p', (extra, message) => {
    expect(build({ projections: [{ ...view('a'), ...extra }] })).toThrow(message);
  });

  test('existing events table needs a stream and takes no removal policy', () => {
    const stack = new Stack(new App(), 'S');
    const noStream = dynamodb.Table.fromTableName(stack, 'NoStream', 'events');
    expect(build({ existingEventsTable: noStream }, stack)).toThrow(/existingEventsTable has no stream/);
    const stack2 = new Stack(new App(), 'S2');
    const withStream = dynamodb.Table.fromTableAttributes(stack2, 'T', { tableName: 'e', tableStreamArn: 'arn:aws:dynamodb:eu-west-1:1:table/e/stream/x' });
    expect(build({ existingEventsTable: withStream, eventsTableRemovalPolicy: RemovalPolicy.DESTROY }, stack2)).toThrow(/eventsTableRemovalPolicy applies only to a new events table/);
  });
});

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EventSourcedApi, FunctionTuning, Projection } from '../../src';
import type { Fields } from '../../src/private/known-keys';
import { COUNTER } from '../support/synth';

/** Props as a JavaScript caller (or TypeScript through `any`) may pass them: any keys. */
function build(props: any) {
  return () => new EventSourcedApi(new Stack(new App(), 'S'), 'Api', props);
}
const view = { name: 'a', entry: COUNTER };

describe('keys a struct does not have are refused, not ignored', () => {
  test('a snake_case key of a projection names the Python struct and the camelCase key', () => {
    expect(build({ projections: [view, { ...view, name: 'b', batch_size: 3 }] })).toThrow(
      'projections[1] has an unknown key "batch_size": from Python use ProjectionDefinition(batch_size=…) or the key "batchSize".');
  });

  test('another unknown key lists the known ones', () => {
    expect(build({ projections: [{ ...view, batchsize: 3 }] })).toThrow(
      'projections[0] has an unknown key "batchsize"; known keys: name, entry, version, memorySize, timeout, batchSize, nestedStack, maxReceiveCount, indexes.');
  });

  test.each([
    [{ projection: [view] }, /^EventSourcedApiProps has an unknown key "projection"; known keys: projections, defaultView, /],
    [{ stream_id_field: 'orderId' }, 'EventSourcedApiProps has an unknown key "stream_id_field": from Python use EventSourcedApiProps(stream_id_field=…) or the key "streamIdField".'],
    [{ api: { stage_name: 'v1' } }, 'api has an unknown key "stage_name": from Python use RestApiOptions(stage_name=…) or the key "stageName".'],
    [{ api: { apiKeyRequired: true, usagePlan: { quota: 5 } } }, /^api\.usagePlan has an unknown key "quota"; known keys: quotaLimit, quotaPeriod, /],
    [{ api: { cors: { allowOrigins: ['*'], allow_headers: ['x'] } } }, /^api\.cors has an unknown key "allow_headers": from Python use CorsOptions\(allow_headers=…\) or the key "allowHeaders"/],
    [{ alarms: { max_projection_lag: Duration.minutes(1) } }, /^alarms has an unknown key "max_projection_lag": .* "maxProjectionLag"/],
    [{ writer: { memory: 512 } }, 'writer has an unknown key "memory"; known keys: memorySize, timeout.'],
    [{ reader: { memory_size: 512 } }, /^reader has an unknown key "memory_size": from Python use FunctionTuning\(memory_size=…\)/],
    [{ publisher: { timeOut: Duration.seconds(5) } }, /^publisher has an unknown key "timeOut"/],
  ])('every struct of the props: %p', (props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('user values are not key-checked: JSON Schemas, Durations, resources, undefined keys', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new EventSourcedApi(stack, 'Api', {
      projections: [{ ...view, timeout: Duration.seconds(10) }],
      eventSchemas: { OrderPlaced: { type: 'object', properties: { any_key: { type: 'string' } } } },
      api: { cors: { allowOrigins: ['*'], allowMethods: apigateway.Cors.ALL_METHODS } },
      alarms: { alarmActions: [] },
      ...({ logLevel: undefined } as any),
    })).not.toThrow();
  });

  test('the known keys are listed once per struct, and the compiler holds the list to the struct', () => {
    // Type-checked (tsc -p tsconfig.dev.json): an unused @ts-expect-error is an error too.
    // @ts-expect-error a prop of FunctionTuning left out of its list
    const missing: Fields<FunctionTuning> = { memorySize: 'value' };
    // @ts-expect-error a key FunctionTuning does not have
    const extra: Fields<FunctionTuning> = { memorySize: 'value', timeout: 'value', memory: 'value' };
    expect([missing, extra]).toHaveLength(2);
  });

  test('a Projection created directly checks its props too', () => {
    const stack = new Stack(new App(), 'S');
    const topic = new sns.Topic(stack, 'T', { fifo: true });
    const eventsTable = new dynamodb.Table(stack, 'E', { partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING } });
    expect(() => new Projection(stack, 'P', { ...view, topic, eventsTable, max_receive_count: 2 } as any)).toThrow(
      'ProjectionProps has an unknown key "max_receive_count": from Python use ProjectionProps(max_receive_count=…) or the key "maxReceiveCount".');
  });
});

// Errors name props by their TypeScript path (projections[0].batchSize); docs/python-and-java.md
// says how that maps to Python (snake_case) and Java (getters and builder methods). Pinned here.
describe('synth errors name props by their TypeScript path', () => {
  test.each([
    [{ projections: [{ ...view, batchSize: 99 }] }, /^projections\[0\]\.batchSize must be a whole number from 1 to 10, got 99/],
    [{ projections: [{ ...view, nestedStack: 'Bad Name' }] }, /^projections\[0\]\.nestedStack "Bad Name" is invalid/],
    [{ api: { enabled: false, stageName: 'x' } }, /^api\.enabled is false, so api\.stageName cannot be set/],
    [{ writer: { memorySize: 64 } }, /^writer\.memorySize must be a whole number from 128 to 10240, got 64/],
    [{ defaultView: 'levels', projections: [view] }, /^defaultView "levels" is not one of the projections \(a\)/],
  ])('%p', (props, message) => {
    expect(build(props)).toThrow(message);
  });
});

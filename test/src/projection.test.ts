import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LogLevel, Projection } from '../../src';
import { COUNTER } from '../support/synth';
import { templateOf } from '../support/templates';

// Projection used on its own: a view fed by a topic and an events table you already have.
function standalone(fifo: boolean, extra: Partial<ConstructorParameters<typeof Projection>[2]> = {}) {
  const stack = new Stack(new App(), 'S');
  const topic = new sns.Topic(stack, 'Topic', { fifo: fifo || undefined });
  const eventsTable = dynamodb.Table.fromTableName(stack, 'Events', 'events');
  const projection = new Projection(stack, 'View', { name: 'counter', entry: COUNTER, topic, eventsTable, fifo, ...extra });
  return { projection, template: templateOf(stack) };
}

describe('Projection', () => {
  test('subscribes a FIFO queue with raw delivery to a FIFO topic and exposes its resources', () => {
    const { projection, template } = standalone(true);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 2);
    expect(projection.name).toBe('counter');
    expect(projection.queue.fifo).toBe(true);
    expect(projection.deadLetterQueue.fifo).toBe(true);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { VIEW_NAME: 'counter', VIEW_TABLE_NAME: Match.anyValue(), EVENTS_TABLE_NAME: 'events' } },
    });
  });

  test('standard queues for a standard topic; removal policy applies to the view table', () => {
    const { template } = standalone(false, { removalPolicy: RemovalPolicy.RETAIN });
    template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: Match.absent() });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  test('its aggregator maps stack traces to the projection\'s files through the bundle\'s source map', () => {
    const { template } = standalone(true);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) } });
  });

  test('its aggregator logs at INFO unless logLevel says otherwise', () => {
    for (const [level, expected] of [[undefined, 'INFO'], [LogLevel.WARN, 'WARN']] as const) {
      const { template } = standalone(true, level ? { logLevel: level } : {});
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ LOG_LEVEL: expected }) } });
    }
  });

  test('validates its own props when used alone', () => {
    expect(() => standalone(true, { name: 'Bad Name' })).toThrow(/name "Bad Name" is invalid/);
    expect(() => standalone(true, { batchSize: 0 })).toThrow(/projection "counter" batchSize/);
    expect(() => standalone(true, { entry: '/nope/missing.ts' })).toThrow(/projection "counter" entry "\/nope\/missing\.ts" does not exist/);
  });
});

/**
 * What a user would write by hand with aws-cdk-lib for the same architecture, as the synth
 * benchmark's yardstick: events table with a stream, writer and reader Lambdas behind a REST API,
 * a publisher on the stream, a FIFO topic, and per view a FIFO queue with its dead-letter queue,
 * an aggregator Lambda and a table. Inline code (no bundling) and no alarms, backfills, scanners'
 * acknowledgments or least-privilege statements beyond CDK's grants: the bare wiring.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const CODE = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });');

function fn(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: CODE, timeout: Duration.seconds(30) });
}

export function handWrittenStack(stack: Stack, views: number): void {
  const events = new dynamodb.Table(stack, 'Events', {
    partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'version', type: dynamodb.AttributeType.NUMBER },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const topic = new sns.Topic(stack, 'Topic', { fifo: true, fifoThroughputScope: sns.FifoThroughputScope.MESSAGE_GROUP });
  const writer = fn(stack, 'Writer');
  events.grantReadWriteData(writer);
  const publisher = fn(stack, 'Publisher');
  topic.grantPublish(publisher);
  publisher.addEventSource(new DynamoEventSource(events, { startingPosition: lambda.StartingPosition.TRIM_HORIZON, batchSize: 100 }));
  const reader = fn(stack, 'Reader');
  for (let i = 0; i < views; i++) {
    const table = new dynamodb.Table(stack, `View${i}`, {
      partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const dlq = new sqs.Queue(stack, `View${i}Dlq`, { fifo: true });
    const queue = new sqs.Queue(stack, `View${i}Queue`, { fifo: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
    topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
    const aggregator = fn(stack, `View${i}Aggregator`);
    aggregator.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    table.grantReadWriteData(aggregator);
    events.grantReadData(aggregator);
    table.grantReadData(reader);
  }
  const api = new apigateway.RestApi(stack, 'Api');
  api.root.addMethod('POST', new apigateway.LambdaIntegration(writer));
  const read = new apigateway.LambdaIntegration(reader);
  api.root.addMethod('GET', read);
  const view = api.root.addResource('{view}');
  view.addMethod('GET', read);
  view.addResource('{id}').addMethod('GET', read);
}

/**
 * The metric methods: each names the metric CloudWatch has (namespace, name, dimensions that
 * resolve to this stack's resources) with its documented statistic, and takes overrides.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { logicalIdOf, synth, twoViews } from '../support/synth';

const { api } = synth({ projections: twoViews() });
const summary = api.projection('summary');
const resolved = (metric: cloudwatch.Metric) => ({
  namespace: metric.namespace,
  metricName: metric.metricName,
  statistic: metric.statistic,
  period: metric.period.toSeconds(),
  dimensions: Stack.of(api).resolve(metric.dimensions),
});

test('a view\'s own metrics come from the aggregator\'s EMF lines: namespace CdkEventSourcedApi, dimensions Api (events table) and View', () => {
  const api_ = { Ref: logicalIdOf(api.eventsTable) };
  expect(resolved(summary.metricEventsApplied())).toEqual({
    namespace: 'CdkEventSourcedApi', metricName: 'EventsApplied', statistic: 'Sum', period: 300, dimensions: { Api: api_, View: 'summary' },
  });
  expect(resolved(summary.metricLag())).toEqual({
    namespace: 'CdkEventSourcedApi', metricName: 'ProjectionLag', statistic: 'Maximum', period: 300, dimensions: { Api: api_, View: 'summary' },
  });
});

test('parked messages, the oldest message\'s age and aggregator errors are the view\'s SQS and Lambda metrics', () => {
  expect(resolved(summary.metricParkedMessages())).toMatchObject({
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    statistic: 'Maximum',
    dimensions: { QueueName: { 'Fn::GetAtt': [logicalIdOf(summary.deadLetterQueue), 'QueueName'] } },
  });
  expect(resolved(summary.metricOldestMessageAge())).toMatchObject({
    namespace: 'AWS/SQS',
    metricName: 'ApproximateAgeOfOldestMessage',
    statistic: 'Maximum',
    dimensions: { QueueName: { 'Fn::GetAtt': [logicalIdOf(summary.queue), 'QueueName'] } },
  });
  expect(resolved(summary.metricAggregatorErrors())).toMatchObject({
    namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', dimensions: { FunctionName: { Ref: logicalIdOf(summary.aggregator) } },
  });
});

test('the API\'s: publisher iterator age and failures, REST 5xx and latency', () => {
  expect(resolved(api.metricPublisherIteratorAge())).toMatchObject({
    namespace: 'AWS/Lambda', metricName: 'IteratorAge', statistic: 'Maximum', dimensions: { FunctionName: { Ref: logicalIdOf(api.publisher) } },
  });
  expect(resolved(api.metricPublisherFailures())).toMatchObject({
    namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: { 'Fn::GetAtt': [logicalIdOf(api.publisherFailureQueue), 'QueueName'] } },
  });
  expect(resolved(api.metricApiServerErrors())).toMatchObject({ namespace: 'AWS/ApiGateway', metricName: '5XXError', statistic: 'Sum' });
  expect(resolved(api.metricApiLatency())).toMatchObject({ namespace: 'AWS/ApiGateway', metricName: 'Latency', statistic: 'p99' });
});

test('every method takes MetricOptions, as aws-cdk-lib\'s do', () => {
  expect(resolved(summary.metricLag({ period: Duration.minutes(1), statistic: 'p90' }))).toMatchObject({ period: 60, statistic: 'p90' });
  expect(resolved(api.metricPublisherIteratorAge({ period: Duration.minutes(1) }))).toMatchObject({ period: 60, statistic: 'Maximum' });
});

test('REST API metrics without a REST API say why', () => {
  const noApi = synth({ projections: twoViews(), api: { enabled: false } }).api;
  expect(() => noApi.metricApiLatency()).toThrow(/metricApiLatency\(\) needs the API, but api.enabled is false/);
});

test('the writer\'s appends, rejected appends and conflicts: its EMF metrics, dimension Api', () => {
  for (const [metric, name] of [[api.metricAppends(), 'Appends'], [api.metricAppendsRejected(), 'AppendsRejected'], [api.metricAppendConflicts(), 'AppendConflicts']] as const) {
    expect(resolved(metric)).toEqual({
      namespace: 'CdkEventSourcedApi', metricName: name, statistic: 'Sum', period: 300, dimensions: { Api: { Ref: logicalIdOf(api.eventsTable) } },
    });
  }
});

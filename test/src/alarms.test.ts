/**
 * The alarms every EventSourcedApi gets by default: which, on what metric, with which threshold,
 * statistic and period, wired to the actions given; and none when turned off.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { logicalIdOf, synth, twoViews } from '../support/synth';

function alarmsOf(template: { findResources(type: string): Record<string, any> }) {
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => ({ id, ...r.Properties }));
}

/**
 * An alarm by name: the API's (`Throttles`: ApiAlarmsThrottles…) or a view's (`summaryLag`:
 * ApiProjectionsummaryLagAlarm…, in the view's Projection).
 */
function alarmNamed(alarms: ReturnType<typeof alarmsOf>, name: string) {
  const view = /^(.+)(Parked|Lag|Throttles)$/.exec(name);
  const prefix = view && view[1] !== '' && view[1] !== 'Publisher' ? `ApiProjection${view[1]}${view[2]}Alarm` : `ApiAlarms${name}`;
  return alarms.find((a) => a.id.startsWith(prefix))!;
}

/** The API with its defaults (synthesized once for the tests that need it). */
const defaults = synth({ projections: twoViews() });

describe('by default', () => {
  const { template, api } = defaults;
  const alarms = alarmsOf(template);
  const byId = (prefix: string) => alarmNamed(alarms, prefix);

  test('per view parked, lag and throttles; publisher failures and iterator age; REST 5xx rate; throttles', () => {
    expect(alarms.map((a) => a.id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiAlarmsApiServerErrors', 'ApiAlarmsPublisherFailures', 'ApiAlarmsPublisherIteratorAge', 'ApiAlarmsThrottles',
      'ApiProjectiondefaultLagAlarm', 'ApiProjectiondefaultParkedAlarm', 'ApiProjectiondefaultThrottlesAlarm',
      'ApiProjectionsummaryLagAlarm', 'ApiProjectionsummaryParkedAlarm', 'ApiProjectionsummaryThrottlesAlarm',
    ]);
    expect(api.alarms).toHaveLength(10);
    expect(alarms.every((a) => a.TreatMissingData === 'notBreaching' && a.AlarmActions === undefined)).toBe(true);
  });

  test('a parked message: the DLQ\'s visible messages >= 1 in a minute', () => {
    expect(byId('summaryParked')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(api.projection('summary').deadLetterQueue), 'QueueName'] } }],
    });
  });

  test('lag: ProjectionLag above 5 minutes for 3 minutes, on the view\'s Api and View dimensions', () => {
    expect(byId('summaryLag')).toMatchObject({
      Namespace: 'CdkEventSourcedApi',
      MetricName: 'ProjectionLag',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      Dimensions: [{ Name: 'Api', Value: { Ref: logicalIdOf(api.eventsTable) } }, { Name: 'View', Value: 'summary' }],
    });
  });

  test('the publisher: any failure record; iterator age above 5 minutes for 3 minutes', () => {
    expect(byId('PublisherFailures')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(api.publisherFailureQueue), 'QueueName'] } }],
    });
    expect(byId('PublisherIteratorAge')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 300_000,
      EvaluationPeriods: 3,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(api.publisher) } }],
    });
  });

  test('REST 5xx as a percentage of requests over 5 minutes; throttles summed over the shared functions, and per view', () => {
    const errors = byId('ApiServerErrors');
    expect(errors).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    const expression = errors.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    const stats = errors.Metrics.filter((m: any) => m.MetricStat)
      .map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Period, m.MetricStat.Stat]);
    expect(stats)
      .toEqual([['errors', '5XXError', 300, 'Sum'], ['requests', 'Count', 300, 'Sum']]);
    const throttles = byId('Throttles');
    const functions = throttles.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions[0].Value.Ref);
    const shared = [api.writer!, api.publisher, api.reader!, api.maintenanceFunction!];
    expect(new Set(functions)).toEqual(new Set(shared.map((fn) => logicalIdOf(fn))));
    expect(throttles.Metrics.find((m: any) => m.Expression).Expression).toBe(`SUM([${functions.map((_: unknown, i: number) => `t${i}`).join(', ')}])`);
    expect(byId('summaryThrottles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(api.projection('summary').aggregator) } }],
    });
  });

  test('many views: every alarm stays within CloudWatch\'s 10 metrics per alarm, so an API with 12 views synthesizes', () => {
    const many = synth({ projections: Array.from({ length: 12 }, (_, i) => ({ ...twoViews()![0], name: `view-${i}` })) });
    const all = alarmsOf(many.template);
    expect(all).toHaveLength(12 * 3 + 4);
    for (const alarm of all) expect((alarm.Metrics ?? []).filter((m: any) => m.MetricStat).length).toBeLessThanOrEqual(10);
  });
});

test('thresholds and actions are the user\'s: every alarm notifies the topic on ALARM and on OK', () => {
  const { template } = synth((stack: Stack) => ({
    projections: twoViews(),
    alarms: {
      alarmActions: [new actions.SnsAction(new sns.Topic(stack, 'Oncall'))],
      maxProjectionLag: Duration.seconds(30),
      maxPublisherIteratorAge: Duration.minutes(1),
      maxApiServerErrorPercent: 1,
    },
  }));
  const alarms = alarmsOf(template);
  const topic = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('Oncall'))!;
  const toTopic = JSON.stringify([{ Ref: topic }]);
  expect(alarms.every((a) => JSON.stringify(a.AlarmActions) === toTopic && JSON.stringify(a.OKActions) === toTopic)).toBe(true);
  const threshold = (prefix: string) => alarmNamed(alarms, prefix).Threshold;
  expect([threshold('summaryLag'), threshold('PublisherIteratorAge'), threshold('ApiServerErrors')]).toEqual([30_000, 60_000, 1]);
});

test('enabled: false creates no alarm; without a REST API there is no 5xx alarm', () => {
  expect(alarmsOf(synth({ projections: twoViews(), alarms: { enabled: false } }).template)).toEqual([]);
  const noRest = alarmsOf(synth({ projections: twoViews(), api: { enabled: false } }).template);
  expect(noRest.map((a) => a.id)).not.toContainEqual(expect.stringMatching(/ApiServerErrors/));
  expect(noRest).toHaveLength(9);
});

test('dashboard: true adds one dashboard with appends, lag and parked per view, errors, iterator age and latency', () => {
  expect(Object.keys(defaults.template.findResources('AWS::CloudWatch::Dashboard'))).toHaveLength(0);
  const { template, stack, api } = synth({ projections: twoViews(), dashboard: true });
  const [dashboard] = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(api.dashboard).toBeDefined();
  // The body is a Fn::Join of JSON text and references (which all sit inside JSON strings).
  const parts: unknown[] = stack.resolve(dashboard.Properties.DashboardBody)['Fn::Join'][1];
  const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ref')).join(''));
  const widgets = body.widgets.map((w: any) => w.properties.title);
  expect(widgets).toEqual([
    'Appends per minute', 'Lag per view (ms, append to applied)', 'Parked messages per view', 'Errors', 'Publisher iterator age (ms)', 'API latency (ms)',
  ]);
  const lag = body.widgets[1].properties.metrics;
  expect(lag.map((m: any[]) => [m[0], m[1], m[m.length - 1].label])).toEqual([['CdkEventSourcedApi', 'ProjectionLag', 'default'], ['CdkEventSourcedApi', 'ProjectionLag', 'summary']]);
});

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AlarmOptions } from '../alarm-options';
import type { EventSourcedApi } from '../event-sourced-api';

const MINUTE = Duration.minutes(1);

/**
 * The alarms every EventSourcedApi has unless turned off. Missing data is not breaching: lag is
 * only reported while events arrive, and an idle API has no requests. A view's alarms live in its
 * Projection (with the rest of what the view adds to a stack), the API's own under `Alarms`.
 */
export function createDefaultAlarms(api: EventSourcedApi, options: AlarmOptions): cloudwatch.Alarm[] {
  if (options.enabled === false) return [];
  const group = new Construct(api, 'Alarms');
  const alarms: cloudwatch.Alarm[] = [];
  const add = (id: string, props: cloudwatch.AlarmProps, scope: Construct = group) => {
    const alarm = new cloudwatch.Alarm(scope, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
    for (const action of options.alarmActions ?? []) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    alarms.push(alarm);
  };
  const maxLag = options.maxProjectionLag ?? Duration.minutes(5);
  for (const p of api.projections) {
    add('ParkedAlarm', {
      metric: p.metricParkedMessages({ period: MINUTE }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `View "${p.name}": an event was parked in its dead-letter queue after failing maxReceiveCount times. Fix the projection, deploy, then run: npx cdk-event-sourced-api redrive --view ${p.name} --stack <stack>`,
    }, p);
    add('LagAlarm', {
      metric: p.metricLag({ period: MINUTE }),
      threshold: maxLag.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `View "${p.name}": events reach it more than ${maxLag.toHumanString()} after their append, for 3 minutes.`,
    }, p);
    add('ThrottlesAlarm', {
      metric: p.aggregator.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `View "${p.name}": its aggregator was throttled (account or reserved concurrency reached): its events waited.`,
    }, p);
  }
  add('PublisherFailures', {
    metric: api.metricPublisherFailures({ period: MINUTE }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    alarmDescription: 'The publisher gave up on stream records: no view received those events. Fix the cause, then run `replay --failures`.',
  });
  const maxAge = options.maxPublisherIteratorAge ?? Duration.minutes(5);
  add('PublisherIteratorAge', {
    metric: api.metricPublisherIteratorAge({ period: MINUTE }),
    threshold: maxAge.toMilliseconds(),
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    alarmDescription: `Publishing is more than ${maxAge.toHumanString()} behind the appends, for 3 minutes: every view is late.`,
  });
  if ((api.restApi ?? api.httpApi) !== undefined) {
    const percent = options.maxApiServerErrorPercent ?? 5;
    add('ApiServerErrors', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: api.metricApiServerErrors(),
          requests: api.metricApiRequests(),
        },
        period: Duration.minutes(5),
        label: 'API 5xx (%)',
      }),
      threshold: percent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `More than ${percent}% of the API's requests were answered with a 5xx over 5 minutes.`,
    });
  }
  // An alarm may sum at most 10 metrics (CloudWatch's limit on a math expression's metrics), so
  // the shared functions (at most 4) get one, and each view's aggregator its own, above.
  const shared = [api.writer, api.publisher, api.reader, api.maintenanceFunction].filter((fn): fn is lambda.IFunction => fn !== undefined);
  const throttles: Record<string, cloudwatch.IMetric> = {};
  shared.forEach((fn, i) => { throttles[`t${i}`] = fn.metricThrottles({ statistic: cloudwatch.Stats.SUM }); });
  add('Throttles', {
    metric: new cloudwatch.MathExpression({
      expression: `SUM([${Object.keys(throttles).join(', ')}])`, usingMetrics: throttles, period: Duration.minutes(5), label: 'Lambda throttles',
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    alarmDescription: 'The writer, publisher, reader or maintenance function was throttled (account or reserved concurrency reached): requests got 5xx or events waited.',
  });
  return alarms;
}

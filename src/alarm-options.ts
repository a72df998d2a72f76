import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The alarms an EventSourcedApi creates by default, and where they notify. Each alarm is
 * explained, with what to do about it, in the monitoring guide (docs/monitoring.md).
 */
export interface AlarmOptions {
  /**
   * Create the alarms. `false` for none (the metric methods stay available).
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * What each alarm does when it goes into ALARM and back to OK, for example
   * `new cloudwatch_actions.SnsAction(topic)`.
   * @default - no actions: the alarms show in the CloudWatch console only
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * A view's lag (append to applied) above this, over 3 consecutive minutes, raises its lag alarm.
   * @default Duration.minutes(5)
   */
  readonly maxProjectionLag?: Duration;

  /**
   * The publisher's iterator age (how far publishing is behind appends) above this, over 3
   * consecutive minutes, raises the publisher alarm.
   * @default Duration.minutes(5)
   */
  readonly maxPublisherIteratorAge?: Duration;

  /**
   * Percent of REST API requests answered with a 5xx over 5 minutes above which the API errors
   * alarm goes off.
   * @default 5
   */
  readonly maxApiServerErrorPercent?: number;
}

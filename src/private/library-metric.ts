import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { METRICS } from '../contract';

/**
 * One of the library's own metrics (EMF lines from its functions): namespace `CdkEventSourcedApi`,
 * dimension `Api` (the events table's name) and, for a view's, `View`.
 */
export function libraryMetric(
  scope: IConstruct, metricName: string, dimensions: { api: string; view?: string }, props: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  const dimensionsMap: Record<string, string> = { [METRICS.dimensions.api]: dimensions.api };
  if (dimensions.view !== undefined) dimensionsMap[METRICS.dimensions.view] = dimensions.view;
  return new cloudwatch.Metric({ namespace: METRICS.namespace, metricName, dimensionsMap, ...props }).attachTo(scope);
}

import { METRIC_UNITS, METRICS } from '../../src/contract';

/** One JSON line per log entry, so CloudWatch Logs Insights can query every field. */
export function log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  if (level === 'debug' && process.env.LOG_LEVEL !== 'DEBUG') return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}


/**
 * Fields that make a log line a CloudWatch metric too (Embedded Metric Format,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * spread into `log()`'s fields; CloudWatch Logs extracts the metrics, no API call is made.
 * The library's metrics have the dimensions `Api` (the events table's name: one per deployed API,
 * unchanged by view versions) and `View`.
 */
export function metricFields(dimensions: Record<string, string>, values: Record<string, number>): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{
        Namespace: METRICS.namespace,
        Dimensions: [Object.keys(dimensions)],
        Metrics: Object.keys(values).map((Name) => ({ Name, Unit: METRIC_UNITS[Name] ?? 'Count' })),
      }],
    },
    ...dimensions,
    ...values,
  };
}

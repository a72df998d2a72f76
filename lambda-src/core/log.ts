import { ENV, METRIC_UNITS, METRICS } from '../../src/contract';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * One JSON object per line, so CloudWatch Logs Insights can query every field. Lines below the
 * function's LOG_LEVEL (default INFO) are dropped, except those carrying metrics (`_aws`).
 * Written with the console methods and the function's log format left at Text: Lambda keeps such
 * a line whole after its own prefix, and CloudWatch extracts the metrics from it, as with
 * aws-embedded-metrics' ConsoleSink. The JSON log format would wrap it in its own object's
 * `message` and the metrics would be lost
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Libraries.html).
 */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const threshold = RANK[(process.env[ENV.logLevel] ?? '').toLowerCase() as Level] ?? RANK.info;
  if (RANK[level] < threshold && !('_aws' in fields)) return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** Starts a clock; the function it returns gives the milliseconds since, to 0.1 ms. */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round((performance.now() - started) * 10) / 10;
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

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { EventSourcedApi } from '../event-sourced-api';

export const DASHBOARD_PERIOD = Duration.minutes(1);
const period = DASHBOARD_PERIOD;

/** The first graph: what POST / did (the writer's metrics, or API Gateway's with WritePath.DIRECT). */
export interface AppendGraph {
  readonly title: string;
  readonly metrics: cloudwatch.IMetric[];
}

/** A CloudWatch dashboard of one API: appends, lag and parked messages per view, errors, latency, index queries. */
export function createApiDashboard(api: EventSourcedApi, appends: AppendGraph): cloudwatch.Dashboard {
  const views = api.projections;
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left, right, width: 12, height: 6 });
  const dashboard = new cloudwatch.Dashboard(api, 'Dashboard', { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    graph(appends.title, appends.metrics),
    graph('Lag per view (ms, append to applied)', views.map((p) => p.metricLag({ period, label: p.name }))),
  );
  dashboard.addWidgets(
    graph('Parked messages per view', views.map((p) => p.metricParkedMessages({ period, label: p.name }))),
    graph('Errors', [
      ...views.map((p) => p.metricAggregatorErrors({ period, label: `${p.name} aggregator` })),
      api.metricPublisherFailures({ period, label: 'publisher failure records' }),
      ...((api.restApi ?? api.httpApi) !== undefined ? [api.metricApiServerErrors({ period, label: 'API 5xx' })] : []),
    ]),
  );
  dashboard.addWidgets(
    graph('Publisher iterator age (ms)', [api.metricPublisherIteratorAge({ period })]),
    ...((api.restApi ?? api.httpApi) !== undefined ? [graph('API latency (ms)', [api.metricApiLatency({ period, label: 'p99' }), api.metricApiLatency({ period, statistic: 'p50', label: 'p50' })])] : []),
  );
  const indexed = views.filter((p) => p.indexes.length > 0);
  if (indexed.length > 0) {
    dashboard.addWidgets(graph('Index queries per view (pages)', indexed.map((p) => p.metricIndexQueries({ period, label: p.name }))));
  }
  return dashboard;
}

import type { Registry } from 'prom-client';

export interface RequestLabels {
  area: string;
  route: string;
  method: string;
}

/** One (area, route, method) series: plain numbers, so recording a request costs a few additions. */
export interface RequestSeries {
  readonly labels: RequestLabels;
  /** Requests by status class, 1xx to 5xx. */
  readonly byStatus: number[];
  /** Requests per latency bucket (not cumulative), the last one past every bound. */
  readonly buckets: number[];
  seconds: number;
  bytesIn: number;
  bytesOut: number;
}

/** The latency bucket bounds, in seconds. */
const bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

type Value = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * Request counts, latency and bytes per series, kept as plain numbers and turned into Prometheus
 * counters and a histogram only when scraped (prom-client's own metrics hash their labels on
 * every observation, which costs more than answering a cached packument).
 */
export class RequestMetrics {
  private readonly series = new Map<string, RequestSeries>();

  constructor(registry: Registry) {
    const metric = (name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]) => {
      registry.registerMetric({ name, help, type, aggregator: 'sum', get: () => ({ name, help, type, aggregator: 'sum', values: values() }) } as never);
    };
    metric('kura_http_requests_total', 'HTTP requests answered, by area, route template, method and status class.', 'counter', () =>
      [...this.series.values()].flatMap((s) => s.byStatus.flatMap((value, i) => (value > 0 ? [{ labels: { ...s.labels, status: `${i + 1}xx` }, value }] : []))));
    metric('kura_http_request_duration_seconds', 'Time to answer, by area, route template and method.', 'histogram', () =>
      [...this.series.values()].flatMap((s) => {
        let cumulative = 0;
        const values: Value[] = bounds.map((le, i) => ({ metricName: 'kura_http_request_duration_seconds_bucket', labels: { ...s.labels, le }, value: (cumulative += s.buckets[i]!) }));
        const count = cumulative + s.buckets[bounds.length]!;
        values.push({ metricName: 'kura_http_request_duration_seconds_bucket', labels: { ...s.labels, le: '+Inf' }, value: count });
        values.push({ metricName: 'kura_http_request_duration_seconds_sum', labels: { ...s.labels }, value: s.seconds });
        values.push({ metricName: 'kura_http_request_duration_seconds_count', labels: { ...s.labels }, value: count });
        return values;
      }));
    const bytes = (field: 'bytesIn' | 'bytesOut') => () => {
      const byArea = new Map<string, number>();
      for (const s of this.series.values()) byArea.set(s.labels.area, (byArea.get(s.labels.area) ?? 0) + s[field]);
      return [...byArea].filter(([, value]) => value > 0).map(([area, value]) => ({ labels: { area }, value }));
    };
    metric('kura_http_request_bytes_total', 'Request body bytes (as declared by Content-Length), by area.', 'counter', bytes('bytesIn'));
    metric('kura_http_response_bytes_total', 'Response body bytes (as declared by Content-Length), by area.', 'counter', bytes('bytesOut'));
  }

  /** The series under `key`, created with `labels()` the first time. */
  seriesFor(key: string, labels: () => RequestLabels): RequestSeries {
    let found = this.series.get(key);
    if (!found) {
      found = { labels: labels(), byStatus: [0, 0, 0, 0, 0], buckets: new Array<number>(bounds.length + 1).fill(0), seconds: 0, bytesIn: 0, bytesOut: 0 };
      this.series.set(key, found);
    }
    return found;
  }

  /** Records one answered request. */
  record(series: RequestSeries, status: number, seconds: number, bytesIn: number, bytesOut: number): void {
    series.byStatus[Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1]! += 1;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    series.buckets[i]! += 1;
    series.seconds += seconds;
    if (bytesIn > 0) series.bytesIn += bytesIn;
    if (bytesOut > 0) series.bytesOut += bytesOut;
  }
}

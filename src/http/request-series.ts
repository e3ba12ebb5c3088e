import type { Registry } from 'prom-client';
import { bucketOf, histogramSamples, registerCollected, type Sample } from './plain-metrics.js';

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

/**
 * Request counts, latency and bytes per series, kept as plain numbers and turned into Prometheus
 * counters and a histogram only when scraped (prom-client's own metrics hash their labels on
 * every observation, which costs more than answering a cached packument).
 */
export class RequestMetrics {
  private readonly series = new Map<string, RequestSeries>();

  constructor(registry: Registry) {
    registerCollected(registry, 'kura_http_requests_total', 'HTTP requests answered, by area, route template, method and status class.', 'counter', () =>
      [...this.series.values()].flatMap((s) => s.byStatus.flatMap((value, i) => (value > 0 ? [{ labels: { ...s.labels, status: `${i + 1}xx` }, value }] : []))));
    registerCollected(registry, 'kura_http_request_duration_seconds', 'Time to answer, by area, route template and method.', 'histogram', () =>
      [...this.series.values()].flatMap((s) => histogramSamples('kura_http_request_duration_seconds', { ...s.labels }, bounds, s.buckets, s.seconds)));
    const bytes = (field: 'bytesIn' | 'bytesOut') => (): Sample[] => {
      const byArea = new Map<string, number>();
      for (const s of this.series.values()) byArea.set(s.labels.area, (byArea.get(s.labels.area) ?? 0) + s[field]);
      return [...byArea].filter(([, value]) => value > 0).map(([area, value]) => ({ labels: { area }, value }));
    };
    registerCollected(registry, 'kura_http_request_bytes_total', 'Request body bytes (as declared by Content-Length), by area.', 'counter', bytes('bytesIn'));
    registerCollected(registry, 'kura_http_response_bytes_total', 'Response body bytes (as declared by Content-Length), by area.', 'counter', bytes('bytesOut'));
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
    series.buckets[bucketOf(bounds, seconds)]! += 1;
    series.seconds += seconds;
    if (bytesIn > 0) series.bytesIn += bytesIn;
    if (bytesOut > 0) series.bytesOut += bytesOut;
  }
}

import type { Registry } from 'prom-client';

/** One exposed sample: what prom-client's `get()` returns per series. */
export type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * Registers a metric whose samples are computed when scraped, so recording costs a few
 * additions instead of prom-client's label hashing on every observation.
 */
export function registerCollected(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', samples: () => Sample[]): void {
  registry.registerMetric({ name, help, type, aggregator: 'sum', get: () => ({ name, help, type, aggregator: 'sum', values: samples() }) } as never);
}

/** The index of the first bucket bound `value` does not exceed (`bounds.length` past all of them). */
export function bucketOf(bounds: readonly number[], value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return i;
}

/** A histogram's Prometheus samples from per-bucket (not cumulative) counts. */
export function histogramSamples(name: string, labels: Record<string, string>, bounds: readonly number[], buckets: readonly number[], sum: number): Sample[] {
  let cumulative = 0;
  const samples: Sample[] = bounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: (cumulative += buckets[i]!) }));
  const count = cumulative + buckets[bounds.length]!;
  samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
  samples.push({ metricName: `${name}_sum`, labels: { ...labels }, value: sum });
  samples.push({ metricName: `${name}_count`, labels: { ...labels }, value: count });
  return samples;
}

/** A latency histogram over a few fixed label sets, each created on first use. */
export class PlainHistogram {
  private readonly series = new Map<string, { labels: Record<string, string>; buckets: number[]; sum: number }>();

  constructor(registry: Registry, private readonly name: string, help: string, private readonly bounds: readonly number[]) {
    registerCollected(registry, name, help, 'histogram', () => [...this.series.values()].flatMap((s) => histogramSamples(this.name, s.labels, this.bounds, s.buckets, s.sum)));
  }

  /** Records `seconds` under `key`, whose labels `labels()` gives the first time. */
  observe(key: string, labels: () => Record<string, string>, seconds: number): void {
    let series = this.series.get(key);
    if (!series) {
      series = { labels: labels(), buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0 };
      this.series.set(key, series);
    }
    series.buckets[bucketOf(this.bounds, seconds)]! += 1;
    series.sum += seconds;
  }
}

/** A counter over a few fixed label sets, each created on first use. */
export class PlainCounter {
  private readonly series = new Map<string, { labels: Record<string, string>; value: number }>();

  constructor(registry: Registry, name: string, help: string) {
    registerCollected(registry, name, help, 'counter', () => [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value })));
  }

  inc(key: string, labels: () => Record<string, string>, by = 1): void {
    let series = this.series.get(key);
    if (!series) {
      series = { labels: labels(), value: 0 };
      this.series.set(key, series);
    }
    series.value += by;
  }
}

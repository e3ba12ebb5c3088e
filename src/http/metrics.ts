import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheLookups } from '../core/cache-lookups.js';
import type { BlobStore } from '../core/blobs/blob-store.js';
import type { Db } from '../db/schema.js';
import { sql } from 'kysely';
import { PlainCounter, PlainHistogram } from './plain-metrics.js';
import { RequestMetrics, type RequestSeries } from './request-series.js';

/**
 * Kura's Prometheus metrics, one registry per server: requests by area (a format id, `api`,
 * `web` or `other`) and route template (never a package name), their latency, bytes in and out,
 * and background job runs; plus the process's memory, CPU time and uptime.
 */
export class KuraMetrics {
  readonly registry = new Registry();
  readonly requests = new RequestMetrics(this.registry);
  readonly packageWrites = new Counter<'format' | 'action'>({ name: 'kura_package_writes_total', help: 'Committed package writes (version.publish, file.created, tag.set…), by format and action.', labelNames: ['format', 'action'], registers: [this.registry] });
  private readonly queries = new PlainHistogram(this.registry, 'kura_db_query_duration_seconds', 'Database query time, by outcome (ok, failed).', [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1]);
  private readonly blobOperations = new PlainHistogram(this.registry, 'kura_blob_operation_duration_seconds', 'Blob store call time (reads until the bytes start, writes at commit), by operation and outcome.', [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]);
  private readonly cacheLookupCounts = new PlainCounter(this.registry, 'kura_cache_lookups_total', 'Cache lookups by cache (npm.packument, container.manifest, nuget.package, rubygems.index, blob) and outcome (hit, miss); the hit ratio is hit / (hit + miss).');
  readonly jobRuns = new Counter<'job' | 'outcome'>({ name: 'kura_job_runs_total', help: 'Background job runs, by job and outcome (ok, failed).', labelNames: ['job', 'outcome'], registers: [this.registry] });
  readonly jobSeconds = new Histogram<'job'>({ name: 'kura_job_duration_seconds', help: 'Background job run time, by job.', labelNames: ['job'], buckets: [0.01, 0.1, 1, 10, 60, 600], registers: [this.registry] });

  constructor() {
    // Read when scraped, not sampled in the background (prom-client's default collectors watch the event loop and every GC).
    new Gauge({ name: 'kura_process_resident_memory_bytes', help: 'Resident memory of the process.', registers: [this.registry], collect() { this.set(process.memoryUsage().rss); } });
    new Gauge({ name: 'kura_process_heap_used_bytes', help: 'V8 heap in use.', registers: [this.registry], collect() { this.set(process.memoryUsage().heapUsed); } });
    new Gauge({ name: 'kura_process_cpu_seconds_total', help: 'User and system CPU time of the process.', registers: [this.registry], collect() { const { user, system } = process.cpuUsage(); this.set((user + system) / 1e6); } });
    new Gauge({ name: 'kura_process_uptime_seconds', help: 'Seconds since the process started.', registers: [this.registry], collect() { this.set(process.uptime()); } });
  }

  /** Records one database query. */
  readonly queryRan = (seconds: number, ok: boolean): void => {
    this.queries.observe(ok ? 'ok' : 'failed', () => ({ outcome: ok ? 'ok' : 'failed' }), seconds);
  };

  /** Records one blob store call. */
  readonly blobCalled = (operation: string, seconds: number, ok: boolean): void => {
    this.blobOperations.observe(`${operation} ${ok}`, () => ({ operation, outcome: ok ? 'ok' : 'failed' }), seconds);
  };

  /** Counts the caches' hits and misses. */
  readonly cacheLookups: CacheLookups = {
    record: (cache, hit) => this.cacheLookupCounts.inc(`${cache} ${hit}`, () => ({ cache, outcome: hit ? 'hit' : 'miss' })),
  };

  /** Records one background job run. */
  jobRan(job: string, ok: boolean, seconds: number): void {
    this.jobRuns.inc({ job, outcome: ok ? 'ok' : 'failed' });
    this.jobSeconds.observe({ job }, seconds);
  }
}

/**
 * Counts every answered request (registered before the routes, so it sees all of them) and
 * serves `/metrics` (Prometheus text) and `/readyz` (the database and the blob store answer).
 */
export function registerMetrics(app: FastifyInstance, metrics: KuraMetrics | null, areas: ReadonlyArray<{ id: string; mountPath: string }>, storage: { db: Db; blobs: BlobStore }): void {
  /** The area of a path: `api`, the format whose mount it is under, else `matched` (the web UI, ops) or `other`. */
  const areaOf = (path: string, matched: boolean) => {
    if (path.startsWith('/api/')) return 'api';
    const format = areas.find((a) => path === a.mountPath || path.startsWith(`${a.mountPath}/`) || path.startsWith(`${a.mountPath}?`));
    if (format) return format.id;
    return matched ? 'web' : 'other';
  };
  if (metrics) {
    const record = (series: RequestSeries, request: FastifyRequest, reply: FastifyReply) =>
      metrics.requests.record(series, reply.statusCode, reply.elapsedTime / 1000, Number(request.headers['content-length']), Number(reply.getHeader('content-length')));
    // Each route records into its own series, found when the route is registered: nothing is
    // looked up or built per request.
    app.addHook('onRoute', (route) => {
      const url = route.url ?? route.path;
      const area = areaOf(url, true);
      const seriesOf = (method: string) => metrics.requests.seriesFor(`${method} ${url}`, () => ({ area, route: url, method }));
      const byMethod = new Map([route.method].flat().map((method) => [method, seriesOf(method)]));
      const hook: onResponseHookHandler = (request, reply, done) => {
        record(byMethod.get(request.method) ?? seriesOf(request.method), request, reply);
        done();
      };
      route.onResponse = [...[route.onResponse ?? []].flat(), hook];
    });
    app.addHook('onResponse', (request, reply, done) => {
      if (request.is404) {
        const area = areaOf(request.url, false);
        record(metrics.requests.seriesFor(`${request.method} unmatched ${area}`, () => ({ area, route: 'unmatched', method: request.method })), request, reply);
      }
      done();
    });
    app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  }
  app.get('/readyz', async (_request, reply) => {
    const [database, blobs] = await Promise.all([
      sql`select 1`.execute(storage.db).then(() => 'ok', () => 'unavailable'),
      (storage.blobs.check ? storage.blobs.check() : storage.blobs.stat('0'.repeat(64))).then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = database === 'ok' && blobs === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, blobs });
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { BlobStore } from '../core/blobs/blob-store.js';
import type { Db } from '../db/schema.js';
import { sql } from 'kysely';

type RequestLabels = 'area' | 'route' | 'method';

/**
 * Kura's Prometheus metrics, one registry per server: requests by area (a format id, `api`,
 * `web` or `other`) and route template (never a package name), their latency, bytes in and out,
 * and background job runs; plus Node's process metrics.
 */
export class KuraMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter<RequestLabels | 'status'>({ name: 'kura_http_requests_total', help: 'HTTP requests answered, by area, route template, method and status class.', labelNames: ['area', 'route', 'method', 'status'], registers: [this.registry] });
  readonly latency = new Histogram<RequestLabels>({
    name: 'kura_http_request_duration_seconds', help: 'Time to answer, by area, route template and method.', labelNames: ['area', 'route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [this.registry],
  });
  readonly bytesIn = new Counter<'area'>({ name: 'kura_http_request_bytes_total', help: 'Request body bytes (as declared by Content-Length), by area.', labelNames: ['area'], registers: [this.registry] });
  readonly bytesOut = new Counter<'area'>({ name: 'kura_http_response_bytes_total', help: 'Response body bytes (as declared by Content-Length), by area.', labelNames: ['area'], registers: [this.registry] });
  readonly packageWrites = new Counter<'format' | 'action'>({ name: 'kura_package_writes_total', help: 'Committed package writes (version.publish, file.created, tag.set…), by format and action.', labelNames: ['format', 'action'], registers: [this.registry] });
  readonly queries = new Histogram<'outcome'>({ name: 'kura_db_query_duration_seconds', help: 'Database query time, by outcome (ok, failed).', labelNames: ['outcome'], buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1], registers: [this.registry] });
  readonly jobRuns = new Counter<'job' | 'outcome'>({ name: 'kura_job_runs_total', help: 'Background job runs, by job and outcome (ok, failed).', labelNames: ['job', 'outcome'], registers: [this.registry] });
  readonly jobSeconds = new Histogram<'job'>({ name: 'kura_job_duration_seconds', help: 'Background job run time, by job.', labelNames: ['job'], buckets: [0.01, 0.1, 1, 10, 60, 600], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kura_' });
  }

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
  const areaOf = (request: FastifyRequest) => {
    const url = request.url;
    if (url.startsWith('/api/')) return 'api';
    const format = areas.find((a) => url === a.mountPath || url.startsWith(`${a.mountPath}/`) || url.startsWith(`${a.mountPath}?`));
    if (format) return format.id;
    return request.routeOptions.url === undefined ? 'other' : 'web';
  };
  if (metrics) {
    app.addHook('onResponse', (request, reply, done) => {
      const area = areaOf(request);
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ area, route, method: request.method, status: `${Math.floor(reply.statusCode / 100)}xx` });
      metrics.latency.observe({ area, route, method: request.method }, reply.elapsedTime / 1000);
      const sentLength = Number(reply.getHeader('content-length'));
      if (sentLength > 0) metrics.bytesOut.inc({ area }, sentLength);
      const receivedLength = Number(request.headers['content-length']);
      if (receivedLength > 0) metrics.bytesIn.inc({ area }, receivedLength);
      done();
    });
    app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  }
  app.get('/readyz', async (_request, reply) => {
    const [database, blobs] = await Promise.all([
      sql`select 1`.execute(storage.db).then(() => 'ok', () => 'unavailable'),
      storage.blobs.stat('0'.repeat(64)).then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = database === 'ok' && blobs === 'ok';
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, blobs });
  });
}

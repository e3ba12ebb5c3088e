import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { KuraConfig } from './config/config.js';
import type { BlobStore } from './core/blobs/blob-store.js';
import { createCore, type Core } from './core/core.js';
import { untrackedChanges } from './core/data-changes.js';
import { indexEarlierVersions } from './core/packages/dependency-index.js';
import { FsBlobStore } from './drivers/blob/fs.js';
import { MemoryBlobStore } from './drivers/blob/memory.js';
import { openSqliteDatabase, sqliteChanges } from './drivers/db/sqlite.js';
import { sqlitePackageSearch } from './drivers/db/sqlite-package-search.js';
import { UrlBuilder } from './delivery/url-builder.js';
import { ecosystemRanges, FormatCatalog } from './formats/catalog.js';
import type { FormatContext } from './formats/contract.js';
import { formats } from './formats/registry.js';
import { createFormatContexts } from './host/format-context.js';
import { buildApp } from './http/app.js';
import { KuraMetrics } from './http/metrics.js';
import { MeasuredBlobStore } from './drivers/blob/measured-blob-store.js';
import { createAuthenticator } from './http/authenticate.js';
import { serializeRequest } from './http/request-log.js';
import { collectGarbage } from './jobs/collect-garbage.js';
import { WebhookSender } from './jobs/deliver-webhooks.js';
import { AllowedHosts } from './core/webhooks/address-rules.js';
import { purgeDeleted } from './jobs/purge-deleted.js';
import { JobScheduler } from './jobs/scheduler.js';

/**
 * Creates the logger every part of Kura shares. Tokens never reach it: authorization headers,
 * `token`/`password` fields and tokens inside URLs are masked. Without a destination it writes
 * to stdout without blocking the request that logs, in batches: a line is out within 250 ms, and
 * what is still buffered is written at exit.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    serializers: { req: serializeRequest },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-nuget-apikey"]', 'token', '*.token', 'password', '*.password'], censor: '[redacted]' },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false, minLength: 8192, periodicFlush: 250 }));
}

/**
 * Opens storage and builds the core: the database (migrated) and the blob store under the data
 * directory. The `kura` commands use this alone; `kura serve` adds the HTTP app and jobs.
 */
export async function openCore(config: KuraConfig, now: () => Date = () => new Date(), logger?: Logger, metrics?: KuraMetrics | null, baseUrl?: () => string): Promise<Core> {
  const usesDataDir = (!config.databaseUrl && config.databaseFile !== ':memory:') || config.blobDriver === 'fs';
  if (usesDataDir) await mkdir(config.dataDir, { recursive: true });
  const migrations = formats.map((f) => ({ formatId: f.id, migrations: f.migrations ?? {} }));
  // The PostgreSQL and S3 drivers (and their client libraries) are loaded only when configured.
  const db = config.databaseUrl
    ? await (await import('./drivers/db/postgres.js')).openPostgresDatabase(config.databaseUrl, migrations, {
      poolSize: config.databasePoolSize,
      onIdleError: (error) => logger?.warn({ err: error }, 'a PostgreSQL connection failed; it is replaced'),
      onQuery: metrics?.queryRan,
    })
    : await openSqliteDatabase(config.databaseFile, migrations, { onQuery: metrics?.queryRan });
  let blobs: BlobStore;
  if (config.blobDriver === 'memory') blobs = new MemoryBlobStore();
  else if (config.s3) {
    const { S3BlobStore } = await import('./drivers/blob/s3.js');
    blobs = new S3BlobStore(config.s3, { redirect: config.s3.redirect });
    await blobs.check!().catch(async (error: unknown) => {
      await db.destroy();
      throw error;
    });
  }
  else blobs = await new FsBlobStore(join(config.dataDir, 'blobs')).init();
  if (metrics) blobs = new MeasuredBlobStore(blobs, metrics.blobCalled);
  await indexEarlierVersions(db, (format, metadata, version) => formats.find((f) => f.id === format)?.dependencies?.(metadata, version) ?? [], now());
  // PostgreSQL cannot tell other nodes' writes for less than a query, so its reads are never reused.
  const changes = config.databaseUrl ? untrackedChanges : sqliteChanges(db);
  const packageSearch = config.databaseUrl ? undefined : sqlitePackageSearch;
  return createCore({ db, blobs, now, caches: metrics?.cacheLookups, changes, packageSearch }, {
    deleteProtectionDownloads: config.deleteProtectionDownloads,
    restoreWindowDays: config.restoreWindowDays,
    sessions: { idleMinutes: config.sessionIdleMinutes, maxDays: config.sessionMaxDays },
    webhooks: {
      allowedHosts: config.webhookAllowedHosts,
      baseUrl: baseUrl ?? (() => config.baseUrl ?? listenBase(config.host, config.port)),
      retry: { baseMs: config.webhookRetryBaseMs },
    },
  }, {
    ranges: ecosystemRanges(formats),
    reviewRequired: config.advisoryReview === 'required',
    report: (error, context) => logger?.error({ err: error }, `could not update ${context}`),
  });
}

/** The URL a server listening on `host:port` is reached at from the same machine. */
function listenBase(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export interface Kura {
  config: KuraConfig;
  core: Core;
  app: FastifyInstance;
  logger: Logger;
  jobs: JobScheduler;
  /** Sends queued webhook deliveries. */
  webhookSender: WebhookSender;
  /** Each format's context (its view of the core, its own tables, its settings). */
  formatContexts: ReadonlyMap<string, FormatContext<unknown>>;
  /** Flushes download counts, stops jobs, closes the app and the database. */
  close(): Promise<void>;
}

/**
 * The composition root: config → drivers → core → HTTP app (not listening) and jobs
 * (started only when `startJobs`).
 */
export async function createKura(config: KuraConfig, options: { logger?: Logger; startJobs?: boolean; now?: () => Date } = {}): Promise<Kura> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = config.metrics ? new KuraMetrics() : null;
  let base = config.baseUrl ?? listenBase(config.host, config.port);
  const core = await openCore(config, options.now, logger, metrics, () => base);
  if (metrics) core.packages.onChange(async ({ format, action }) => void metrics.packageWrites.inc({ format: format ?? '', action }));
  const catalog = new FormatCatalog(formats, config.formatModes);
  const urls = new UrlBuilder(config.baseUrl);
  const authenticate = createAuthenticator(core);
  const formatContexts = createFormatContexts(formats, { core, config, logger, urls, authenticate });
  const app = await buildApp({ core, config, logger, formats: catalog, formatContexts, authenticate, urls, metrics });
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (!config.baseUrl && address && typeof address === 'object') base = listenBase(config.host, address.port);
  });
  const webhookSender = new WebhookSender(core.webhookDeliveries, { allowed: new AllowedHosts(config.webhookAllowedHosts), logger, now: core.deps.now });
  core.webhooks.onQueued(() => void webhookSender.pump());
  const jobs = new JobScheduler(core.deps.db, logger, core.deps.now, metrics ? (job, ok, seconds) => metrics.jobRan(job, ok, seconds) : undefined);
  if (options.startJobs) {
    jobs.start([
      { name: 'downloads.flush', everyMs: config.downloadFlushMs, exclusive: false, run: () => core.downloads.flush() },
      { name: 'packages.purge', everyMs: 3_600_000, exclusive: true, run: async () => { await purgeDeleted(core.deps, config.restoreWindowDays); } },
      { name: 'blobs.gc', everyMs: 3_600_000, exclusive: true, run: async () => { await collectGarbage(core.deps, config.gcGraceHours); } },
      { name: 'webhooks.deliver', everyMs: 1_000, exclusive: false, run: () => webhookSender.pump() },
      { name: 'webhooks.prune', everyMs: 3_600_000, exclusive: true, run: async () => { await core.webhookDeliveries.prune(30); } },
      ...formats.flatMap((format) => format.jobs?.(formatContexts.get(format.id)!) ?? []),
    ]);
  }
  let closed = false;
  return {
    config, core, app, logger, jobs, webhookSender, formatContexts,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await jobs.stop();
      await core.alerts.settled();
      await core.webhookEvents.settled();
      await webhookSender.stop();
      await core.downloads.flush().catch((error: unknown) => logger.error({ err: error }, 'could not write download counts'));
      await core.deps.db.destroy();
    },
  };
}

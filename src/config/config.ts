import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import type { S3Settings } from '../drivers/blob/s3-bucket.js';
import { AllowedHosts } from '../core/webhooks/address-rules.js';

export type FormatMode = 'enabled' | 'read-only' | 'disabled';

/** Kura's whole configuration. Sources, strongest first: command-line flags, `KURA_*` env, defaults. */
export interface KuraConfig {
  dataDir: string;
  host: string;
  port: number;
  /** Public base URL for absolute links (tarball URLs); null derives it from each request's Host. */
  baseUrl: string | null;
  maxBodyBytes: number;
  /** Largest container blob (a layer), pushed whole or in chunks. */
  maxBlobBytes: number;
  logLevel: string;
  /** Peers whose X-Forwarded-For / -Proto / -Host are believed: addresses, CIDR ranges or loopback, linklocal, uniquelocal. */
  trustedProxies: string[];
  blobDriver: 'fs' | 'memory' | 's3';
  /** The bucket when `blobDriver` is `s3`, else null. */
  s3: (S3Settings & { redirect: boolean }) | null;
  /** SQLite file; `:memory:` for a throwaway database. Unused when `databaseUrl` is set. */
  databaseFile: string;
  /** PostgreSQL server (`postgres://…`); null keeps the embedded SQLite database. */
  databaseUrl: string | null;
  /** Connections each process keeps to PostgreSQL at most. */
  databasePoolSize: number;
  deleteProtectionDownloads: number;
  restoreWindowDays: number;
  gcGraceHours: number;
  downloadFlushMs: number;
  /** Minutes a browser session may sit unused before it ends. */
  sessionIdleMinutes: number;
  /** Days after which a browser session ends, however busy. */
  sessionMaxDays: number;
  /** `required`: a site admin reviews a published advisory before it alerts other owners' repositories. */
  advisoryReview: 'none' | 'required';
  /** Hosts (`host` or `host:port`) webhooks may reach although they are loopback, private or link-local. */
  webhookAllowedHosts: string[];
  /** The wait after a webhook delivery's first failed attempt; it doubles after each further one (capped at an hour). */
  webhookRetryBaseMs: number;
  /** Whether `/metrics` serves Prometheus metrics. */
  metrics: boolean;
  /** Mode per format id; formats not listed are enabled. */
  formatModes: Record<string, FormatMode>;
  /** The `KURA_*` environment, from which each format reads the settings it declares. */
  formatEnvironment: Readonly<Record<string, string | undefined>>;
}

/** Settings that fill one field of KuraConfig together (`s3`). */
type PartSetting = 's3Endpoint' | 's3Bucket' | 's3Region' | 's3AccessKeyId' | 's3SecretAccessKey' | 's3ForcePathStyle' | 's3Redirect';

interface Setting {
  key: Exclude<keyof KuraConfig, 'formatEnvironment' | 's3'> | PartSetting;
  flag?: string;
  env: string;
  describe: string;
  default: string;
}

/** Every core setting, in the order the README's configuration table lists them (formats add their own). */
export const settings: readonly Setting[] = [
  { key: 'dataDir', flag: 'data', env: 'KURA_DATA_DIR', default: './data', describe: 'Directory for the database and blobs.' },
  { key: 'host', flag: 'host', env: 'KURA_HOST', default: '127.0.0.1', describe: 'Address to listen on.' },
  { key: 'port', flag: 'port', env: 'KURA_PORT', default: '8080', describe: 'Port to listen on (0 picks a free one).' },
  { key: 'baseUrl', flag: 'base-url', env: 'KURA_BASE_URL', default: '', describe: 'Public URL for absolute links; empty uses the request’s Host and X-Forwarded-Proto.' },
  { key: 'maxBodyBytes', flag: 'max-body-size', env: 'KURA_MAX_BODY_SIZE', default: '256mb', describe: 'Largest accepted upload body (b, kb, mb, gb).' },
  { key: 'maxBlobBytes', flag: 'max-blob-size', env: 'KURA_MAX_BLOB_SIZE', default: '10gb', describe: 'Largest container blob (an image layer), pushed whole or in chunks; other uploads obey the body limit.' },
  { key: 'trustedProxies', env: 'KURA_TRUSTED_PROXIES', default: 'loopback,linklocal,uniquelocal', describe: 'Comma-separated addresses or CIDR ranges (or loopback, linklocal, uniquelocal) of the reverse proxies whose X-Forwarded-For, -Proto and -Host headers are believed; others’ are ignored.' },
  { key: 'logLevel', flag: 'log-level', env: 'KURA_LOG_LEVEL', default: 'info', describe: 'pino log level: fatal, error, warn, info, debug, trace, silent.' },
  { key: 'blobDriver', flag: 'blob-driver', env: 'KURA_BLOB_DRIVER', default: 'fs', describe: 'Blob storage: fs (DATA/blobs), s3 (a bucket, see KURA_S3_*) or memory.' },
  { key: 's3Endpoint', env: 'KURA_S3_ENDPOINT', default: '', describe: 'S3 endpoint URL (`http://127.0.0.1:8333`); empty uses AWS for the region.' },
  { key: 's3Bucket', env: 'KURA_S3_BUCKET', default: '', describe: 'Bucket for blobs (required with the s3 driver; it must exist).' },
  { key: 's3Region', env: 'KURA_S3_REGION', default: 'us-east-1', describe: 'Region of the bucket.' },
  { key: 's3AccessKeyId', env: 'KURA_S3_ACCESS_KEY_ID', default: '', describe: 'Access key; empty (with the secret) uses the AWS SDK credential chain.' },
  { key: 's3SecretAccessKey', env: 'KURA_S3_SECRET_ACCESS_KEY', default: '', describe: 'Secret of the access key.' },
  { key: 's3ForcePathStyle', env: 'KURA_S3_FORCE_PATH_STYLE', default: 'false', describe: 'true: `ENDPOINT/BUCKET/KEY` URLs (SeaweedFS, MinIO); false: `BUCKET.ENDPOINT/KEY`.' },
  { key: 's3Redirect', env: 'KURA_S3_REDIRECT', default: 'false', describe: 'true: downloads of blobs over 256 KiB answer 307 with a presigned bucket URL (clients must reach the endpoint).' },
  { key: 'databaseFile', flag: 'database', env: 'KURA_DATABASE', default: 'DATA/kura.db', describe: 'SQLite database file (when no database URL is set).' },
  { key: 'databaseUrl', flag: 'database-url', env: 'KURA_DATABASE_URL', default: '', describe: 'PostgreSQL URL (`postgres://user:password@host:5432/db`); empty uses the SQLite file.' },
  { key: 'databasePoolSize', env: 'KURA_DATABASE_POOL_SIZE', default: '10', describe: 'Connections each process keeps to PostgreSQL at most.' },
  { key: 'deleteProtectionDownloads', env: 'KURA_DELETE_PROTECTION_DOWNLOADS', default: '5000', describe: 'Public versions downloaded more often can be deleted only by a site admin.' },
  { key: 'restoreWindowDays', env: 'KURA_RESTORE_WINDOW_DAYS', default: '30', describe: 'Days a deleted package or version can be restored before it is purged.' },
  { key: 'gcGraceHours', env: 'KURA_GC_GRACE_HOURS', default: '24', describe: 'Hours an unreferenced blob is kept before garbage collection deletes it.' },
  { key: 'downloadFlushMs', env: 'KURA_DOWNLOAD_FLUSH_MS', default: '2000', describe: 'How often download counts are written to the database.' },
  { key: 'sessionIdleMinutes', env: 'KURA_SESSION_IDLE_MINUTES', default: '1440', describe: 'Minutes a signed-in browser session may sit unused before it ends.' },
  { key: 'sessionMaxDays', env: 'KURA_SESSION_MAX_DAYS', default: '30', describe: 'Days after which a browser session ends and the user signs in again.' },
  { key: 'advisoryReview', env: 'KURA_ADVISORY_REVIEW', default: 'none', describe: 'none: a published advisory alerts every dependent repository at once; required: other owners’ repositories only after a site admin reviews it.' },
  { key: 'webhookAllowedHosts', env: 'KURA_WEBHOOK_ALLOWED_HOSTS', default: '', describe: 'Comma-separated `host` or `host:port` entries webhooks may reach although they resolve to loopback, private, link-local or other non-public addresses (refused otherwise).' },
  { key: 'webhookRetryBaseMs', env: 'KURA_WEBHOOK_RETRY_BASE_MS', default: '30000', describe: 'Milliseconds before a failed webhook delivery is tried again; the wait doubles after each attempt (at most an hour) until 24 hours after the first.' },
  { key: 'metrics', env: 'KURA_METRICS', default: 'on', describe: 'on: Prometheus metrics at /metrics (request counts and latency by format and route template, bytes, job runs, process); off: no /metrics.' },
  { key: 'formatModes', env: 'KURA_FORMATS', default: '', describe: 'Format modes, e.g. `npm=read-only`; each format is enabled, read-only or disabled.' },
];

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!match) throw new Error(`invalid size "${text}": use a number with b, kb, mb or gb`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(match[1]) * unit);
}

/** A list of proxy addresses, CIDR ranges or named ranges; anything else stops start-up. */
function parseTrustedProxies(text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const prefix = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address ?? '') === 6 ? 128 : 32));
    if (!named && (extra !== undefined || isIP(address ?? '') === 0 || !prefix)) {
      throw new Error(`invalid KURA_TRUSTED_PROXIES entry "${entry}": use addresses, CIDR ranges, loopback, linklocal or uniquelocal`);
    }
  }
  return entries;
}

function parseSwitch(name: string, text: string): boolean {
  if (text === 'on' || text === 'true') return true;
  if (text === 'off' || text === 'false') return false;
  throw new Error(`invalid ${name} setting "${text}": use on or off`);
}

function parseInteger(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`invalid ${name} "${text}": expected an integer >= ${min}`);
  return value;
}

function parseFormatModes(text: string): Record<string, FormatMode> {
  const modes: Record<string, FormatMode> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, mode] = item.split('=');
    if (!id || (mode !== 'enabled' && mode !== 'read-only' && mode !== 'disabled')) {
      throw new Error(`invalid format mode "${item}": use FORMAT=enabled|read-only|disabled`);
    }
    modes[id] = mode;
  }
  return modes;
}

/** @throws Error naming an entry that is not `host` or `host:port` */
function parseAllowedHosts(text: string): string[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  new AllowedHosts(list);
  return list;
}

function s3Settings(get: (key: Setting['key']) => string): S3Settings & { redirect: boolean } {
  const bucket = get('s3Bucket');
  if (!bucket) throw new Error('the s3 blob driver needs KURA_S3_BUCKET');
  const endpoint = get('s3Endpoint');
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new Error(`invalid S3 endpoint "${endpoint}": expected http(s)://host[:port]`);
  const accessKeyId = get('s3AccessKeyId');
  const secretAccessKey = get('s3SecretAccessKey');
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) throw new Error('set both KURA_S3_ACCESS_KEY_ID and KURA_S3_SECRET_ACCESS_KEY, or neither');
  return {
    endpoint: endpoint || null,
    bucket,
    region: get('s3Region'),
    accessKeyId: accessKeyId || null,
    secretAccessKey: secretAccessKey || null,
    forcePathStyle: parseSwitch('S3 path style', get('s3ForcePathStyle')),
    redirect: parseSwitch('S3 redirect', get('s3Redirect')),
  };
}

/**
 * Resolves the configuration from flags (`--data`, `--port`, …), then `KURA_*` variables, then
 * defaults. @throws Error with a one-line message naming the bad setting.
 */
export function loadConfig(flags: Record<string, string | undefined> = {}, env: NodeJS.ProcessEnv = process.env): KuraConfig {
  const raw = (s: Setting): string => {
    const fromFlag = s.flag ? flags[s.flag] : undefined;
    return fromFlag ?? env[s.env] ?? s.default;
  };
  const get = (key: Setting['key']): string => raw(settings.find((s) => s.key === key)!);
  const dataDir = resolve(get('dataDir'));
  const blobDriver = get('blobDriver');
  if (blobDriver !== 'fs' && blobDriver !== 'memory' && blobDriver !== 's3') throw new Error(`invalid blob driver "${blobDriver}": use fs, s3 or memory`);
  const databaseFile = get('databaseFile');
  const databaseUrl = get('databaseUrl');
  if (databaseUrl && !/^postgres(ql)?:\/\/./i.test(databaseUrl)) throw new Error('invalid database URL: expected postgres://user:password@host:port/database');
  const advisoryReview = get('advisoryReview');
  if (advisoryReview !== 'none' && advisoryReview !== 'required') throw new Error(`invalid advisory review "${advisoryReview}": use none or required`);
  const baseUrl = get('baseUrl').replace(/\/+$/, '');
  if (baseUrl && !/^https?:\/\/[^/]+/.test(baseUrl)) throw new Error(`invalid base URL "${baseUrl}": expected http(s)://host[:port][/path]`);
  return {
    dataDir,
    host: get('host'),
    port: parseInteger('port', get('port'), 0),
    baseUrl: baseUrl || null,
    maxBodyBytes: parseSize(get('maxBodyBytes')),
    maxBlobBytes: parseSize(get('maxBlobBytes')),
    logLevel: get('logLevel'),
    trustedProxies: parseTrustedProxies(get('trustedProxies')),
    blobDriver,
    s3: blobDriver === 's3' ? s3Settings(get) : null,
    databaseFile: databaseFile === 'DATA/kura.db' ? join(dataDir, 'kura.db') : databaseFile === ':memory:' ? databaseFile : resolve(databaseFile),
    databaseUrl: databaseUrl || null,
    databasePoolSize: parseInteger('database pool size', get('databasePoolSize'), 1),
    deleteProtectionDownloads: parseInteger('delete protection threshold', get('deleteProtectionDownloads'), 0),
    restoreWindowDays: parseInteger('restore window', get('restoreWindowDays'), 0),
    gcGraceHours: parseInteger('GC grace period', get('gcGraceHours'), 0),
    downloadFlushMs: parseInteger('download flush interval', get('downloadFlushMs'), 10),
    sessionIdleMinutes: parseInteger('session idle time', get('sessionIdleMinutes'), 1),
    sessionMaxDays: parseInteger('session lifetime', get('sessionMaxDays'), 1),
    advisoryReview,
    webhookAllowedHosts: parseAllowedHosts(get('webhookAllowedHosts')),
    webhookRetryBaseMs: parseInteger('webhook retry wait', get('webhookRetryBaseMs'), 10),
    metrics: parseSwitch('metrics', get('metrics')),
    formatModes: parseFormatModes(get('formatModes')),
    formatEnvironment: Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('KURA_'))),
  };
}

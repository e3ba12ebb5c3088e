import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CacheLookups } from '../../core/cache-lookups.js';
import type { PackageRecord } from '../../core/packages/package.js';
import type { PackageQueries } from '../../core/packages/package-queries.js';
import { renderPackuments } from './packument.js';

/** One rendered body in both encodings. */
export interface RenderedBody {
  identity: Buffer;
  gzip: Buffer;
}

/** A package rendered at one revision for one base URL. */
export interface PackumentEntry {
  /** The full document's ETag. */
  etag: string;
  /** The abbreviated document's ETag. */
  abbreviatedEtag: string;
  full: RenderedBody;
  abbreviated: RenderedBody;
  /** Tarball file name → blob and owning version. */
  files: Map<string, { sha256: string; size: number; versionId: number }>;
  /** Bytes held, for the cache budget. */
  bytes: number;
}

/**
 * Rendered packuments keyed by (package, revision, base URL). A package's `rev` changes with
 * every write, in any process, so an entry is never stale: a new revision simply misses.
 * Old revisions are evicted on insert; the whole cache is bounded by a byte budget (LRU).
 */
export class PackumentCache {
  private readonly entries = new Map<string, PackumentEntry>();
  private readonly latestKey = new Map<number, string>();
  private readonly inflight = new Map<string, Promise<PackumentEntry>>();
  private bytes = 0;

  constructor(
    private readonly queries: PackageQueries,
    private readonly caches: CacheLookups,
    private readonly budgetBytes = 24 * 1024 * 1024,
  ) {}

  /** The rendered entry for the package's current revision, rendering it at most once. */
  async get(pkg: PackageRecord, baseUrl: string): Promise<PackumentEntry> {
    const key = `${pkg.id}:${pkg.rev}:${baseUrl}`;
    const hit = this.entries.get(key);
    this.caches.record('npm.packument', hit !== undefined);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.render(pkg, baseUrl, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async render(pkg: PackageRecord, baseUrl: string, key: string): Promise<PackumentEntry> {
    const [versions, tags, files] = await Promise.all([
      this.queries.versions(pkg.id),
      this.queries.tags(pkg.id),
      this.queries.liveFiles(pkg.id),
    ]);
    const docs = renderPackuments({ pkg, versions, tags, files, baseUrl });
    const body = (doc: unknown): RenderedBody => {
      const identity = Buffer.from(JSON.stringify(doc));
      return { identity, gzip: gzipSync(identity, { level: 6 }) };
    };
    const full = body(docs.full);
    const abbreviated = body(docs.abbreviated);
    const fileMap = new Map<string, { sha256: string; size: number; versionId: number }>();
    for (const f of files) fileMap.set(f.name, { sha256: f.sha256, size: f.size, versionId: f.versionId });
    const tag = `${pkg.id}-${pkg.rev}-${createHash('sha1').update(baseUrl).digest('hex').slice(0, 8)}`;
    const entry: PackumentEntry = {
      etag: `"${tag}"`,
      abbreviatedEtag: `"${tag}-a"`,
      full,
      abbreviated,
      files: fileMap,
      bytes: full.identity.length + full.gzip.length + abbreviated.identity.length + abbreviated.gzip.length,
    };
    this.store(pkg.id, key, entry);
    return entry;
  }

  private store(packageId: number, key: string, entry: PackumentEntry): void {
    const previous = this.latestKey.get(packageId);
    if (previous && previous.split(':')[1] !== key.split(':')[1]) this.evict(previous);
    this.latestKey.set(packageId, key);
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    while (this.bytes > this.budgetBytes && this.entries.size > 1) {
      const oldest = this.entries.keys().next().value as string;
      this.evict(oldest);
    }
  }

  private evict(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

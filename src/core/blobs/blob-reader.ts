import { uncountedCacheLookups, type CacheLookups } from '../cache-lookups.js';
import type { BlobHandle, BlobStore, ByteRange } from './blob-store.js';

/** Bytes of a blob still to be read from an open handle. Whoever sends them closes the handle. */
export interface BlobSlice {
  handle: BlobHandle;
  /** Offset of the first byte. */
  start: number;
  /** Number of bytes. */
  length: number;
}

/** A download the client fetches from the blob store itself (a presigned URL). */
export interface BlobRedirect {
  redirect: string;
}

/** A download's body: the bytes themselves (small, cached blobs), a slice to read, or where to fetch it. */
export type BlobContent = Buffer | BlobSlice | BlobRedirect;

/** What {@link BlobReader} may keep in memory. */
export interface BlobCacheLimits {
  /** Blobs up to this size are cached from their first download. */
  smallBytes: number;
  /** Blobs up to this size are cached from their second download in a while (see {@link BlobReader}). */
  hotBytes: number;
  /** Bytes the cache holds at most. */
  budgetBytes: number;
}

const MiB = 1024 * 1024;

const defaultBlobCacheLimits: BlobCacheLimits = { smallBytes: 256 * 1024, hotBytes: 16 * MiB, budgetBytes: 64 * MiB };

/** Downloads of uncached blobs remembered to tell a hot blob from one fetched once. */
const rememberedMisses = 4096;

/**
 * Serves blob bytes for downloads from an LRU memory cache (blobs are immutable, so a cached copy
 * is never stale) or the store. Small blobs are cached as soon as they are read. A blob up to
 * `hotBytes` is cached when it is downloaded again while its first download is among the last
 * few thousand misses, and while no more than a quarter of the budget is being loaded: a hot
 * tarball or layer then goes out of memory, which costs half the CPU of reading it from a file,
 * while a run of distinct downloads (a mirror) never loads whole blobs. Every other blob is read
 * from the store through a handle, so the sender can reuse its buffers, or, when the store
 * offers direct URLs, fetched by the client from there.
 */
export class BlobReader {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;
  private readonly loading = new Map<string, Promise<Buffer>>();
  private loadingBytes = 0;
  private readonly misses = new Set<string>();

  constructor(
    private readonly store: BlobStore,
    private readonly caches: CacheLookups = uncountedCacheLookups,
    private readonly limits: BlobCacheLimits = defaultBlobCacheLimits,
  ) {}

  /**
   * The blob of `size` bytes, or its inclusive `range` (already checked against `size`). A large
   * blob may come back as a redirect unless `redirect` is false (for bodies whose response
   * headers matter to the client, such as manifests).
   * @throws KuraError NOT_FOUND
   */
  async open(sha256: string, size: number, range?: ByteRange, options: { redirect?: boolean } = {}): Promise<BlobContent> {
    const data = await this.fromMemory(sha256, size, options.redirect !== false && this.store.redirectUrl !== undefined);
    if (data) return range ? data.subarray(range.start, range.end + 1) : data;
    const url = options.redirect !== false && this.store.redirectUrl ? await this.store.redirectUrl(sha256) : null;
    if (url) return { redirect: url };
    const handle = await this.store.openHandle(sha256);
    return range ? { handle, start: range.start, length: range.end - range.start + 1 } : { handle, start: 0, length: size };
  }

  /** The cached bytes, loaded first when the blob qualifies (see the class); null to read it otherwise. */
  private async fromMemory(sha256: string, size: number, redirects: boolean): Promise<Buffer | null> {
    if (size > this.limits.smallBytes && (redirects || size > this.limits.hotBytes)) return null;
    const hit = this.cache.get(sha256);
    if (hit) {
      this.caches.record('blob', true);
      this.cache.delete(sha256);
      this.cache.set(sha256, hit);
      return hit;
    }
    const pending = this.loading.get(sha256);
    if (pending) return pending;
    this.caches.record('blob', false);
    if (size > this.limits.smallBytes && !this.hot(sha256, size)) return null;
    return this.load(sha256, size);
  }

  /** Whether a blob above the small size is downloaded again and may be loaded now. */
  private hot(sha256: string, size: number): boolean {
    if (!this.misses.delete(sha256)) {
      this.misses.add(sha256);
      if (this.misses.size > rememberedMisses) this.misses.delete(this.misses.values().next().value as string);
      return false;
    }
    if (this.loadingBytes + size <= this.limits.budgetBytes / 4) return true;
    this.misses.add(sha256);
    return false;
  }

  private async load(sha256: string, size: number): Promise<Buffer> {
    this.loadingBytes += size;
    const loaded = this.store.read(sha256).then((data) => {
      this.cache.set(sha256, data);
      this.cachedBytes += data.length;
      while (this.cachedBytes > this.limits.budgetBytes) {
        const oldest = this.cache.keys().next().value as string;
        this.cachedBytes -= this.cache.get(oldest)!.length;
        this.cache.delete(oldest);
      }
      return data;
    });
    this.loading.set(sha256, loaded);
    try {
      return await loaded;
    } finally {
      this.loading.delete(sha256);
      this.loadingBytes -= size;
    }
  }
}

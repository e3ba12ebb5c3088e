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

/**
 * Serves blob bytes for downloads. Blobs up to `maxCachedBytes` are kept in an LRU memory cache
 * (they are immutable, so a cached copy is never stale); larger ones are read from the store
 * through a handle, so the sender can reuse its buffers, or, when the store offers direct URLs,
 * fetched by the client from there.
 */
export class BlobReader {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(
    private readonly store: BlobStore,
    private readonly caches: CacheLookups = uncountedCacheLookups,
    private readonly maxCachedBytes = 256 * 1024,
    private readonly budgetBytes = 48 * 1024 * 1024,
  ) {}

  /**
   * The blob of `size` bytes, or its inclusive `range` (already checked against `size`). A large
   * blob may come back as a redirect unless `redirect` is false (for bodies whose response
   * headers matter to the client, such as manifests).
   * @throws KuraError NOT_FOUND
   */
  async open(sha256: string, size: number, range?: ByteRange, options: { redirect?: boolean } = {}): Promise<BlobContent> {
    if (size > this.maxCachedBytes) {
      const url = options.redirect !== false && this.store.redirectUrl ? await this.store.redirectUrl(sha256) : null;
      if (url) return { redirect: url };
      const handle = await this.store.openHandle(sha256);
      return range ? { handle, start: range.start, length: range.end - range.start + 1 } : { handle, start: 0, length: size };
    }
    const data = await this.cached(sha256);
    return range ? data.subarray(range.start, range.end + 1) : data;
  }

  private async cached(sha256: string): Promise<Buffer> {
    const hit = this.cache.get(sha256);
    this.caches.record('blob', hit !== undefined);
    if (hit) {
      this.cache.delete(sha256);
      this.cache.set(sha256, hit);
      return hit;
    }
    const data = await this.store.read(sha256);
    this.cache.set(sha256, data);
    this.cachedBytes += data.length;
    while (this.cachedBytes > this.budgetBytes) {
      const oldest = this.cache.keys().next().value as string;
      this.cachedBytes -= this.cache.get(oldest)!.length;
      this.cache.delete(oldest);
    }
    return data;
  }
}

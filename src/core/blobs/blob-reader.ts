import type { Readable } from 'node:stream';
import type { BlobStore } from './blob-store.js';

/**
 * Serves blob bytes for downloads. Blobs up to `maxCachedBytes` are kept in an LRU memory cache
 * (they are immutable, so a cached copy is never stale); larger ones are streamed from the store.
 */
export class BlobReader {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(
    private readonly store: BlobStore,
    private readonly maxCachedBytes = 256 * 1024,
    private readonly budgetBytes = 48 * 1024 * 1024,
  ) {}

  /** The blob as a buffer (small, cached) or a stream (large). @throws KuraError NOT_FOUND */
  async open(sha256: string, size: number): Promise<Buffer | Readable> {
    if (size > this.maxCachedBytes) return this.store.open(sha256);
    const hit = this.cache.get(sha256);
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

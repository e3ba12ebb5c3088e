import type { BlobHandle, BlobInfo, BlobStore, BlobWriter, ByteRange, ResumableUploads } from '../../core/blobs/blob-store.js';

/** Receives the time of one blob store call, by operation, and whether it succeeded. */
export type BlobObserver = (operation: string, seconds: number, ok: boolean) => void;

/**
 * A blob store that times each call of the one it wraps (reads until the stream or handle is
 * ready, writes at commit) and reports it; behaviour is the wrapped store's.
 */
export class MeasuredBlobStore implements BlobStore {
  readonly uploads: ResumableUploads;

  constructor(private readonly store: BlobStore, private readonly observe: BlobObserver) {
    this.uploads = store.uploads;
    if (store.redirectUrl) this.redirectUrl = (sha256) => this.timed('redirect', () => store.redirectUrl!(sha256));
    if (store.check) this.check = () => this.timed('check', () => store.check!());
  }

  redirectUrl?: (sha256: string) => Promise<string | null>;
  check?: () => Promise<void>;

  private async timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      this.observe(operation, (performance.now() - started) / 1000, true);
      return result;
    } catch (error) {
      this.observe(operation, (performance.now() - started) / 1000, false);
      throw error;
    }
  }

  async create(): Promise<BlobWriter> {
    const writer = await this.store.create();
    return {
      write: (chunk) => writer.write(chunk),
      get size() { return writer.size; },
      read: (into, length, position) => writer.read(into, length, position),
      ended: () => writer.ended?.(),
      commit: (sha256) => this.timed('commit', () => writer.commit(sha256)),
      cancel: () => writer.cancel(),
    };
  }

  open(sha256: string, range?: ByteRange) { return this.timed('open', () => this.store.open(sha256, range)); }
  openHandle(sha256: string): Promise<BlobHandle> { return this.timed('open', () => this.store.openHandle(sha256)); }
  read(sha256: string): Promise<Buffer> { return this.timed('read', () => this.store.read(sha256)); }
  stat(sha256: string): Promise<BlobInfo | null> { return this.timed('stat', () => this.store.stat(sha256)); }
  touch(sha256: string): Promise<void> { return this.timed('touch', () => this.store.touch(sha256)); }
  delete(sha256: string): Promise<void> { return this.timed('delete', () => this.store.delete(sha256)); }
  list(): AsyncIterable<BlobInfo> { return this.store.list(); }
}

import { Readable } from 'node:stream';
import { KuraError } from '../../core/errors/catalogue.js';
import { isSha256Hex, type BlobInfo, type BlobStore, type BlobWriter, type ByteRange } from '../../core/blobs/blob-store.js';

/** Blobs held in process memory: for tests and throwaway servers. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, { data: Buffer; modifiedAt: Date }>();

  async create(): Promise<BlobWriter> {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    return {
      get size() {
        return size;
      },
      write: async (chunk) => {
        if (finished) throw new Error('write after commit or cancel');
        chunks.push(Buffer.from(chunk));
        size += chunk.byteLength;
      },
      commit: async (sha256) => {
        if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
        finished = true;
        const existing = this.blobs.get(sha256);
        if (existing) existing.modifiedAt = new Date();
        else this.blobs.set(sha256, { data: Buffer.concat(chunks), modifiedAt: new Date() });
        chunks.length = 0;
      },
      cancel: async () => {
        finished = true;
        chunks.length = 0;
      },
    };
  }

  private get(sha256: string): Buffer {
    const entry = this.blobs.get(sha256);
    if (!entry) throw new KuraError('NOT_FOUND', 'blob not found');
    return entry.data;
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const data = this.get(sha256);
    return Readable.from(range ? [data.subarray(range.start, range.end + 1)] : [data]);
  }

  async read(sha256: string): Promise<Buffer> {
    return this.get(sha256);
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const entry = this.blobs.get(sha256);
    return entry ? { sha256, size: entry.data.byteLength, modifiedAt: entry.modifiedAt } : null;
  }

  async touch(sha256: string): Promise<void> {
    const entry = this.blobs.get(sha256);
    if (entry) entry.modifiedAt = new Date();
  }

  async delete(sha256: string): Promise<void> {
    this.blobs.delete(sha256);
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const [sha256, entry] of [...this.blobs]) {
      yield { sha256, size: entry.data.byteLength, modifiedAt: entry.modifiedAt };
    }
  }
}

import { Readable } from 'node:stream';
import { KuraError } from '../../core/errors/catalogue.js';
import { randomUUID } from 'node:crypto';
import { isSha256Hex, isUploadId, type BlobHandle, type BlobInfo, type BlobStore, type BlobWriter, type ByteRange, type ResumableUploads, type UploadInfo } from '../../core/blobs/blob-store.js';

/** Blobs held in process memory: for tests and throwaway servers. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, { data: Buffer; modifiedAt: Date }>();
  readonly uploads: ResumableUploads = new MemoryResumableUploads((sha256, data) => this.place(sha256, data));

  /** Stores `data` as `sha256`, or touches the blob already stored under it. */
  private place(sha256: string, data: Buffer): void {
    if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
    const existing = this.blobs.get(sha256);
    if (existing) existing.modifiedAt = new Date();
    else this.blobs.set(sha256, { data, modifiedAt: new Date() });
  }

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
      read: async (into, length, position) => {
        if (finished) throw new Error('read after commit or cancel');
        const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (chunks.length > 1) chunks.splice(0, chunks.length, data);
        if (position >= data.length) return 0;
        return data.copy(into, 0, position, Math.min(position + Math.min(length, into.byteLength), data.length));
      },
      commit: async (sha256) => {
        if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
        finished = true;
        this.place(sha256, Buffer.concat(chunks));
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

  async openHandle(sha256: string): Promise<BlobHandle> {
    const data = this.get(sha256);
    return {
      read: async (into, length, position) => (position >= data.length ? 0 : data.copy(into, 0, position, Math.min(position + length, data.length))),
      close: async () => undefined,
    };
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

/** Resumable uploads as buffers in memory. */
class MemoryResumableUploads implements ResumableUploads {
  private readonly uploads = new Map<string, { chunks: Buffer[]; size: number; modifiedAt: Date }>();

  constructor(private readonly place: (sha256: string, data: Buffer) => void) {}

  private get(id: string) {
    const upload = isUploadId(id) ? this.uploads.get(id) : undefined;
    if (!upload) throw new KuraError('NOT_FOUND', 'unknown upload');
    return upload;
  }

  async start(): Promise<string> {
    const id = randomUUID();
    this.uploads.set(id, { chunks: [], size: 0, modifiedAt: new Date() });
    return id;
  }

  async size(id: string): Promise<number | null> {
    return this.uploads.get(id)?.size ?? null;
  }

  async append(id: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number> {
    const upload = this.get(id);
    if (upload.size !== offset) throw new KuraError('RANGE_NOT_SATISFIABLE', `the upload has ${upload.size} bytes; a chunk must start there, not at ${offset}`);
    for await (const chunk of source) {
      upload.chunks.push(Buffer.from(chunk));
      upload.size += chunk.byteLength;
      upload.modifiedAt = new Date();
    }
    return upload.size;
  }

  async read(id: string): Promise<Readable> {
    return Readable.from([Buffer.concat(this.get(id).chunks)]);
  }

  async commit(id: string, sha256: string): Promise<void> {
    const upload = this.get(id);
    this.place(sha256, Buffer.concat(upload.chunks));
    this.uploads.delete(id);
  }

  async cancel(id: string): Promise<void> {
    this.uploads.delete(id);
  }

  async *list(): AsyncIterable<UploadInfo> {
    for (const [id, upload] of [...this.uploads]) yield { id, size: upload.size, modifiedAt: upload.modifiedAt };
  }
}

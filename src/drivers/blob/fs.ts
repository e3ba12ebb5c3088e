import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { KuraError } from '../../core/errors/catalogue.js';
import { isSha256Hex, type BlobInfo, type BlobStore, type BlobWriter, type ByteRange } from '../../core/blobs/blob-store.js';

/**
 * Blobs as files under `root`:
 *
 *   root/sha256/ab/cd/abcd…   committed content, named by its SHA-256
 *   root/uploads/<uuid>       writes in progress (fsynced, then renamed into place on commit)
 */
export class FsBlobStore implements BlobStore {
  private readonly blobsDir: string;
  private readonly uploadsDir: string;

  constructor(root: string) {
    this.blobsDir = join(root, 'sha256');
    this.uploadsDir = join(root, 'uploads');
  }

  async init(): Promise<this> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.uploadsDir, { recursive: true });
    return this;
  }

  private pathOf(sha256: string): string {
    if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
    return join(this.blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async create(): Promise<BlobWriter> {
    const temp = join(this.uploadsDir, randomUUID());
    const handle = await open(temp, 'wx');
    return new FsBlobWriter(handle, temp, (sha256) => this.pathOf(sha256));
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(sha256);
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new KuraError('NOT_FOUND', 'blob not found');
      throw error;
    });
    return createReadStream('', { fd: handle, start: range?.start, end: range?.end, highWaterMark: 256 * 1024 });
  }

  async read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new KuraError('NOT_FOUND', 'blob not found');
      throw error;
    });
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.pathOf(sha256));
      return { sha256, size: s.size, modifiedAt: s.mtime };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async touch(sha256: string): Promise<void> {
    const now = new Date();
    await utimes(this.pathOf(sha256), now, now).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await readdir(this.blobsDir)) {
      for (const b of await readdir(join(this.blobsDir, a)).catch(() => [] as string[])) {
        for (const name of await readdir(join(this.blobsDir, a, b)).catch(() => [] as string[])) {
          if (!isSha256Hex(name)) continue;
          const s = await stat(join(this.blobsDir, a, b, name)).catch(() => null);
          if (s) yield { sha256: name, size: s.size, modifiedAt: s.mtime };
        }
      }
    }
  }
}

class FsBlobWriter implements BlobWriter {
  size = 0;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    private readonly temp: string,
    private readonly target: (sha256: string) => string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
    this.size += chunk.byteLength;
  }

  async commit(sha256: string): Promise<void> {
    const path = this.target(sha256);
    await this.handle.sync();
    await this.close();
    const existing = await stat(path).catch(() => null);
    if (existing) {
      await rm(this.temp, { force: true });
      const now = new Date();
      await utimes(path, now, now);
      return;
    }
    await mkdir(join(path, '..'), { recursive: true });
    await rename(this.temp, path);
  }

  async cancel(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.temp, { force: true }).catch(() => undefined);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

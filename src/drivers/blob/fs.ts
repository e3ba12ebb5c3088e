import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { KuraError } from '../../core/errors/catalogue.js';
import { isSha256Hex, isUploadId, type BlobHandle, type BlobInfo, type BlobStore, type BlobWriter, type ByteRange, type ResumableUploads, type UploadInfo } from '../../core/blobs/blob-store.js';
import { TempFileWriter } from './temp-file-writer.js';

/** Bytes per read when streaming a blob: large reads mean fewer trips through the thread pool. */
const readChunkBytes = 1024 * 1024;

/**
 * Blobs as files under `root`:
 *
 *   root/sha256/ab/cd/abcd…   committed content, named by its SHA-256
 *   root/uploads/<uuid>       writes in progress (fsynced, then renamed into place on commit)
 *   root/resumable/<uuid>     resumable uploads: appended to (fsynced per append), renamed on commit
 */
export class FsBlobStore implements BlobStore {
  private readonly blobsDir: string;
  private readonly uploadsDir: string;
  private readonly resumableDir: string;
  /** Content directories (`ab/cd`) known to exist. */
  private readonly directories = new KnownDirectories();
  readonly uploads: ResumableUploads;

  constructor(root: string) {
    this.blobsDir = join(root, 'sha256');
    this.uploadsDir = join(root, 'uploads');
    this.resumableDir = join(root, 'resumable');
    this.uploads = new FsResumableUploads(this.resumableDir, (temp, sha256) => moveIntoPlace(temp, this.pathOf(sha256), this.directories));
  }

  async init(): Promise<this> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.uploadsDir, { recursive: true });
    await mkdir(this.resumableDir, { recursive: true });
    return this;
  }

  private pathOf(sha256: string): string {
    if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
    return join(this.blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async create(): Promise<BlobWriter> {
    return new FsBlobWriter(join(this.uploadsDir, randomUUID()), (sha256) => this.pathOf(sha256), this.directories);
  }

  private async openFile(sha256: string): Promise<FileHandle> {
    return open(this.pathOf(sha256), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new KuraError('NOT_FOUND', 'blob not found');
      throw error;
    });
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    const handle = await this.openFile(sha256);
    return createReadStream('', { fd: handle, start: range?.start, end: range?.end, highWaterMark: readChunkBytes });
  }

  async openHandle(sha256: string): Promise<BlobHandle> {
    const file = await this.openFile(sha256);
    let closed = false;
    return {
      read: async (into, length, position) => (await file.read(into, 0, length, position)).bytesRead,
      close: async () => {
        if (closed) return;
        closed = true;
        await file.close().catch(() => undefined);
      },
    };
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

/** A write staged in a temp file of the blob directory, renamed into place on commit. */
class FsBlobWriter extends TempFileWriter {
  constructor(temp: string, private readonly target: (sha256: string) => string, private readonly directories: KnownDirectories) {
    super(temp);
  }

  async commit(sha256: string): Promise<void> {
    const path = this.target(sha256);
    await this.writeOut(true);
    try {
      await moveIntoPlace(this.temp, path, this.directories);
    } finally {
      await this.release();
    }
  }
}

/** Directories this process saw or made, so a rename into them needs no `mkdir` first; bounded. */
class KnownDirectories {
  private readonly known = new Set<string>();

  has(dir: string): boolean {
    return this.known.has(dir);
  }

  add(dir: string): void {
    if (this.known.size >= 70_000) this.known.clear();
    this.known.add(dir);
  }
}

/**
 * Renames a finished temp file to its content path. Content already stored there is the same
 * bytes (the path is their digest), so it is replaced, which leaves it as fresh as a touch would.
 */
async function moveIntoPlace(temp: string, path: string, directories: KnownDirectories): Promise<void> {
  const dir = dirname(path);
  if (!directories.has(dir)) await mkdir(dir, { recursive: true });
  try {
    await rename(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    await rename(temp, path);
  }
  directories.add(dir);
}

/** Bytes gathered before one write to a resumable upload's file: few trips through the thread pool. */
const appendBatchBytes = 4 * 1024 * 1024;

/** Writes `buffers` (`total` bytes) at `position`, finishing a short vectored write from one copy of the rest. */
async function writeAll(handle: FileHandle, buffers: Uint8Array[], total: number, position: number): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers, position);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(buffers, total).subarray(bytesWritten);
  let written = 0;
  while (written < rest.length) {
    const result = await handle.write(rest, written, rest.length - written, position + bytesWritten + written);
    written += result.bytesWritten;
  }
}

/** Resumable uploads as files under `dir`, one per upload id; each append is fsynced. */
class FsResumableUploads implements ResumableUploads {
  constructor(
    private readonly dir: string,
    private readonly place: (temp: string, sha256: string) => Promise<void>,
  ) {}

  private pathOf(id: string): string {
    if (!isUploadId(id)) throw new KuraError('NOT_FOUND', 'unknown upload');
    return join(this.dir, id);
  }

  async start(): Promise<string> {
    const id = randomUUID();
    const handle = await open(this.pathOf(id), 'wx');
    await handle.close();
    return id;
  }

  async size(id: string): Promise<number | null> {
    if (!isUploadId(id)) return null;
    const s = await stat(this.pathOf(id)).catch(() => null);
    return s ? s.size : null;
  }

  async append(id: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number> {
    const handle = await open(this.pathOf(id), 'r+').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new KuraError('NOT_FOUND', 'unknown upload');
      throw error;
    });
    try {
      let position = (await handle.stat()).size;
      if (position !== offset) throw new KuraError('RANGE_NOT_SATISFIABLE', `the upload has ${position} bytes; a chunk must start there, not at ${offset}`);
      // Chunks from the network are small: gather them and write about 4 MiB at a time, one
      // batch written while the next is gathered.
      let batch: Uint8Array[] = [];
      let batched = 0;
      let writing: Promise<void> = Promise.resolve();
      const flush = () => {
        if (batched === 0) return;
        const buffers = batch;
        const total = batched;
        const at = position;
        batch = [];
        batched = 0;
        position += total;
        writing = writing.then(() => writeAll(handle, buffers, total, at));
        // A failed write is thrown where it is awaited, not reported as unhandled meanwhile.
        writing.catch(() => undefined);
      };
      try {
        for await (const chunk of source) {
          batch.push(chunk);
          batched += chunk.byteLength;
          if (batched >= appendBatchBytes) {
            await writing;
            flush();
          }
        }
      } finally {
        // What arrived is kept even when the source failed: a client resumes from there.
        flush();
        await writing;
        await handle.sync();
      }
      return position;
    } finally {
      await handle.close();
    }
  }

  async read(id: string): Promise<Readable> {
    const handle = await open(this.pathOf(id), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new KuraError('NOT_FOUND', 'unknown upload');
      throw error;
    });
    return createReadStream('', { fd: handle, highWaterMark: readChunkBytes });
  }

  async commit(id: string, sha256: string): Promise<void> {
    const path = this.pathOf(id);
    if (!(await stat(path).catch(() => null))) throw new KuraError('NOT_FOUND', 'unknown upload');
    await this.place(path, sha256);
  }

  async cancel(id: string): Promise<void> {
    if (!isUploadId(id)) return;
    await rm(this.pathOf(id), { force: true }).catch(() => undefined);
  }

  async *list(): AsyncIterable<UploadInfo> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!isUploadId(name)) continue;
      const s = await stat(join(this.dir, name)).catch(() => null);
      if (s) yield { id: name, size: s.size, modifiedAt: s.mtime };
    }
  }
}

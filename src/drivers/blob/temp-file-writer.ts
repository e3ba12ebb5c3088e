import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { BlobWriter } from '../../core/blobs/blob-store.js';

/** Bytes gathered before one write to the file: network chunks are 64 KiB or less. */
const batchBytes = 1024 * 1024;
/** The first batch's size; each next one doubles up to {@link batchBytes}, so small blobs stay small. */
const firstBatchBytes = 64 * 1024;

/**
 * A blob write staged in a local temporary file: appends, reads back what was written, and
 * discards it on cancel. Appended bytes are copied (the caller may reuse its chunk) and written
 * about 1 MiB at a time, one batch written while the next is gathered. The file is created with
 * the first write to it, so a small blob costs one write and a cancelled one may cost none.
 * Each driver decides in {@link commit} where the finished file goes, after {@link close}.
 */
export abstract class TempFileWriter implements BlobWriter {
  size = 0;
  private closed = false;
  /** The batch being gathered, and how much of it is filled. */
  private batch: Buffer | null = null;
  private batched = 0;
  /** A full-sized batch buffer whose write finished, kept for the next batch. */
  private spare: Buffer | null = null;
  private nextBatchBytes = firstBatchBytes;
  /** Bytes in the file once the write in flight is done. */
  private flushed = 0;
  private writing: Promise<void> = Promise.resolve();
  /** The temporary file, once something needed it. */
  private opened: Promise<FileHandle> | null = null;

  /** `temp` must not exist yet; it is created exclusively when first needed. */
  constructor(protected readonly temp: string) {}

  /** The temporary file, created on first use. */
  protected file(): Promise<FileHandle> {
    this.opened ??= open(this.temp, 'wx+');
    return this.opened;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (this.batch === null) {
        this.batch = this.spare ?? Buffer.allocUnsafeSlow(this.nextBatchBytes);
        this.spare = null;
        this.nextBatchBytes = Math.min(this.nextBatchBytes * 2, batchBytes);
      }
      const copied = Math.min(chunk.byteLength - offset, this.batch.length - this.batched);
      this.batch.set(chunk.subarray(offset, offset + copied), this.batched);
      this.batched += copied;
      offset += copied;
      if (this.batched === this.batch.length) {
        await this.writing;
        this.startWrite();
      }
    }
    this.size += chunk.byteLength;
  }

  async read(into: Uint8Array, length: number, position: number): Promise<number> {
    if (this.closed) throw new Error('read after commit or cancel');
    await this.settle();
    if (this.flushed === 0) return 0;
    const { bytesRead } = await (await this.file()).read(into, 0, Math.min(length, into.byteLength), position);
    return bytesRead;
  }

  abstract commit(sha256: string): Promise<void>;

  async cancel(): Promise<void> {
    this.batch = null;
    await this.writing.catch(() => undefined);
    if (this.opened === null) {
      this.closed = true;
      return;
    }
    await this.close().catch(() => undefined);
    await rm(this.temp, { force: true }).catch(() => undefined);
  }

  /** Writes every appended byte to the file. @throws the error of a failed write */
  protected async settle(): Promise<void> {
    this.startWrite();
    await this.writing;
  }

  /**
   * Closes the file (once) after writing what was appended, `sync` first when asked; the file
   * exists afterwards (empty for an empty blob) and stays until the subclass moves or removes it.
   */
  protected async close(sync = false): Promise<void> {
    if (this.closed) return;
    let handle: FileHandle | null = null;
    try {
      await this.settle();
      handle = await this.file();
      if (sync) await handle.sync();
    } finally {
      this.closed = true;
      if (handle) await handle.close();
      else await this.opened?.then((h) => h.close()).catch(() => undefined);
    }
  }

  /** Starts writing the gathered batch after the write in flight. */
  private startWrite(): void {
    if (this.batch === null || this.batched === 0) return;
    const buffer = this.batch;
    const bytes = buffer.subarray(0, this.batched);
    const position = this.flushed;
    this.flushed += this.batched;
    this.batch = null;
    this.batched = 0;
    this.writing = this.writing.then(async () => {
      const handle = await this.file();
      let written = 0;
      while (written < bytes.length) {
        const result = await handle.write(bytes, written, bytes.length - written, position + written);
        written += result.bytesWritten;
      }
      if (buffer.length === batchBytes) this.spare = buffer;
    });
    // A failed write is thrown where it is awaited, not reported as unhandled meanwhile.
    this.writing.catch(() => undefined);
  }
}

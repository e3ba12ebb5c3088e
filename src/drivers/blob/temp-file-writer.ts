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
 * about 1 MiB at a time, one batch written while the next is gathered. The file is being created
 * from the start, while the first bytes arrive, and {@link ended} starts syncing it while the
 * caller checks what it wrote, so a commit is left with little to wait for. Each driver decides
 * in {@link commit} where the finished file goes, after {@link writeOut}.
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
  /** The temporary file, being created since construction. */
  private readonly opened: Promise<FileHandle>;
  /** The fsync started by {@link ended}, and the size it covers. */
  private syncing: { size: number; done: Promise<void> } | null = null;

  /** `temp` must not exist yet; it is created exclusively at once. */
  constructor(protected readonly temp: string) {
    this.opened = open(temp, 'wx+');
    // A failed open is thrown where the file is first needed, not reported as unhandled meanwhile.
    this.opened.catch(() => undefined);
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
    const { bytesRead } = await (await this.opened).read(into, 0, Math.min(length, into.byteLength), position);
    return bytesRead;
  }

  abstract commit(sha256: string): Promise<void>;

  /** Starts writing out and syncing the file while the caller checks the bytes; {@link writeOut} waits for it. */
  ended(): void {
    if (this.closed || this.syncing) return;
    const done = this.settle().then(async () => (await this.opened).sync());
    done.catch(() => undefined);
    this.syncing = { size: this.size, done };
  }

  async cancel(): Promise<void> {
    this.batch = null;
    this.closed = true;
    await this.writing.catch(() => undefined);
    await this.syncing?.done.catch(() => undefined);
    const handle = await this.opened.catch(() => null);
    if (!handle) return;
    await handle.close().catch(() => undefined);
    await rm(this.temp, { force: true }).catch(() => undefined);
  }

  /** Writes every appended byte to the file. @throws the error of a failed write */
  protected async settle(): Promise<void> {
    this.startWrite();
    await this.writing;
  }

  /**
   * Writes out what was appended, `sync`ing it when asked (or waiting for the sync {@link ended}
   * started), and ends writing; the file stays open until {@link release}, and in place until
   * the subclass moves or removes it.
   */
  protected async writeOut(sync: boolean): Promise<void> {
    if (this.closed) throw new Error('commit after commit or cancel');
    await this.settle();
    this.closed = true;
    const handle = await this.opened;
    const synced = this.syncing?.size === this.size ? this.syncing.done : null;
    if (sync) await (synced ?? handle.sync());
    else await synced?.catch(() => undefined);
  }

  /** Closes the file; a failure to close a file already written out changes nothing. */
  protected async release(): Promise<void> {
    await (await this.opened).close().catch(() => undefined);
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
      const handle = await this.opened;
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

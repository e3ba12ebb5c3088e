import { rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { BlobWriter } from '../../core/blobs/blob-store.js';

/**
 * A blob write staged in a local temporary file: appends, reads back what was written, and
 * discards it on cancel. Each driver decides in {@link commit} where the finished file goes.
 */
export abstract class TempFileWriter implements BlobWriter {
  size = 0;
  private closed = false;

  constructor(
    protected readonly handle: FileHandle,
    protected readonly temp: string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
    this.size += chunk.byteLength;
  }

  async read(into: Uint8Array, length: number, position: number): Promise<number> {
    if (this.closed) throw new Error('read after commit or cancel');
    const { bytesRead } = await this.handle.read(into, 0, Math.min(length, into.byteLength), position);
    return bytesRead;
  }

  abstract commit(sha256: string): Promise<void>;

  async cancel(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.temp, { force: true }).catch(() => undefined);
  }

  /** Closes the file (once); the temporary file stays until the subclass moves or removes it. */
  protected async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

import { createHash, type Hash } from 'node:crypto';
import { KuraError } from '../errors/catalogue.js';
import type { BlobStore, BlobWriter } from './blob-store.js';

/** Extra digests a format may ask for while bytes stream in (sha256 is always computed). */
export type ExtraDigest = 'sha512' | 'sha1' | 'md5';

/** Bytes written to the blob store but not yet committed, with their digests. */
export interface StagedBlob {
  sha256: string;
  size: number;
  /** Hex digests of the requested extra algorithms. */
  digests: Partial<Record<ExtraDigest, string>>;
  /** Makes the bytes durable under `sha256`, as fresh for garbage collection as a new write. Idempotent. */
  commit(): Promise<void>;
  /** Drops the bytes if not committed. Never fails. */
  cancel(): Promise<void>;
  /** Reads the staged bytes back before commit (see BlobWriter.read); absent on blobs already stored. */
  read?(into: Uint8Array, length: number, position: number): Promise<number>;
}

export interface IngestOptions {
  extraDigests?: readonly ExtraDigest[];
  /** Maximum bytes accepted; more fails with PAYLOAD_TOO_LARGE and nothing is kept. */
  maxBytes?: number;
}

/**
 * Incrementally writes bytes into a blob store while hashing them, never holding more than one
 * chunk in memory. Use {@link BlobIngest.finish} to get a {@link StagedBlob}.
 */
export class BlobIngest {
  private readonly sha256 = createHash('sha256');
  private readonly extra: Array<[ExtraDigest, Hash]>;
  private size = 0;
  private done = false;

  private constructor(
    private readonly writer: BlobWriter,
    private readonly options: IngestOptions,
  ) {
    this.extra = (options.extraDigests ?? []).map((a) => [a, createHash(a)]);
  }

  static async start(store: BlobStore, options: IngestOptions = {}): Promise<BlobIngest> {
    return new BlobIngest(await store.create(), options);
  }

  /** Appends bytes. @throws KuraError PAYLOAD_TOO_LARGE past `maxBytes` (the write is cancelled). */
  async write(chunk: Uint8Array): Promise<void> {
    this.size += chunk.byteLength;
    if (this.options.maxBytes !== undefined && this.size > this.options.maxBytes) {
      await this.cancel();
      throw new KuraError('PAYLOAD_TOO_LARGE', `content exceeds the limit of ${this.options.maxBytes} bytes`);
    }
    this.sha256.update(chunk);
    for (const [, h] of this.extra) h.update(chunk);
    await this.writer.write(chunk);
  }

  /** Ends the write and returns the staged blob; the bytes stay invisible until it is committed. */
  finish(): StagedBlob {
    this.writer.ended?.();
    const sha256 = this.sha256.digest('hex');
    const digests: Partial<Record<ExtraDigest, string>> = {};
    for (const [a, h] of this.extra) digests[a] = h.digest('hex');
    let committed: Promise<void> | undefined;
    return {
      sha256,
      size: this.size,
      digests,
      commit: () => {
        this.done = true;
        committed ??= this.writer.commit(sha256);
        return committed;
      },
      cancel: () => (committed ? Promise.resolve() : this.cancel()),
      read: (into, length, position) => this.writer.read(into, length, position),
    };
  }

  /** Discards everything written. Never fails. */
  async cancel(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.writer.cancel();
  }
}

/**
 * Streams `source` into the store, hashing on the way.
 * @throws KuraError PAYLOAD_TOO_LARGE past `maxBytes`; any source error (the write is cancelled).
 */
export async function ingestStream(
  store: BlobStore,
  source: AsyncIterable<Uint8Array>,
  options: IngestOptions = {},
): Promise<StagedBlob> {
  const ingest = await BlobIngest.start(store, options);
  try {
    for await (const chunk of source) await ingest.write(chunk);
  } catch (error) {
    await ingest.cancel();
    throw error;
  }
  return ingest.finish();
}

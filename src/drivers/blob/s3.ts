import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { KuraError } from '../../core/errors/catalogue.js';
import { isSha256Hex, type BlobHandle, type BlobInfo, type BlobStore, type BlobWriter, type ByteRange, type ResumableUploads } from '../../core/blobs/blob-store.js';
import { S3Bucket, type S3Settings } from './s3-bucket.js';
import { S3ResumableUploads } from './s3-resumable-uploads.js';
import { TempFileWriter } from './temp-file-writer.js';

/** How long a presigned download URL stays valid. */
const redirectSeconds = 300;

export interface S3BlobStoreOptions {
  /** Answer downloads with a presigned URL of the object instead of streaming it through Kura. */
  redirect?: boolean;
  /** Directory for bytes being received before they are committed (default: a new one under the OS temp dir). */
  stagingDir?: string;
}

/**
 * Blobs as objects of an S3-compatible bucket, so several Kura nodes share them:
 *
 *   blobs/sha256/ab/abcd…      committed content, named by its SHA-256
 *   touches/abcd…              an empty object written when a blob is touched (S3 cannot
 *                              change an object's modification time in place)
 *   uploads/<uuid>/…           resumable uploads (see S3ResumableUploads)
 *
 * A write is staged in a local file (so it can be read back before commit) and sent to the
 * bucket on commit as a multipart upload, never whole in memory.
 */
export class S3BlobStore implements BlobStore {
  private readonly bucket: S3Bucket;
  private stagingDir: string | null;
  readonly uploads: ResumableUploads;

  constructor(settings: S3Settings, private readonly options: S3BlobStoreOptions = {}) {
    this.bucket = new S3Bucket(settings);
    this.stagingDir = options.stagingDir ?? null;
    this.uploads = new S3ResumableUploads(this.bucket, (sha256, body) => this.place(sha256, body));
  }

  private keyOf(sha256: string): string {
    if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
    return `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;
  }

  private touchKeyOf(sha256: string): string {
    return `touches/${sha256}`;
  }

  /** Stores `body` as the blob `sha256`, or touches the blob when that content is already there. */
  private async place(sha256: string, body: () => Readable): Promise<void> {
    const key = this.keyOf(sha256);
    if (await this.bucket.head(key)) {
      await this.touch(sha256);
      return;
    }
    await this.bucket.upload(key, body());
  }

  async create(): Promise<BlobWriter> {
    this.stagingDir ??= await mkdtemp(join(tmpdir(), 'kura-s3-staging-'));
    const temp = join(this.stagingDir, randomUUID());
    return new S3BlobWriter(temp, (sha256) => {
      this.keyOf(sha256);
      return this.place(sha256, () => createReadStream(temp, { highWaterMark: 1024 * 1024 }));
    });
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable> {
    return this.bucket.get(this.keyOf(sha256), range);
  }

  async openHandle(sha256: string): Promise<BlobHandle> {
    const key = this.keyOf(sha256);
    const info = await this.bucket.head(key);
    if (!info) throw new KuraError('NOT_FOUND', 'blob not found');
    return new S3BlobHandle(this.bucket, key, info.size);
  }

  async read(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.bucket.get(this.keyOf(sha256))) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const [blob, touched] = await Promise.all([this.bucket.head(this.keyOf(sha256)), this.bucket.head(this.touchKeyOf(sha256))]);
    if (!blob) return null;
    return { sha256, size: blob.size, modifiedAt: later(blob.modifiedAt, touched?.modifiedAt) };
  }

  async touch(sha256: string): Promise<void> {
    this.keyOf(sha256);
    await this.bucket.put(this.touchKeyOf(sha256), new Uint8Array(0));
  }

  async delete(sha256: string): Promise<void> {
    await this.bucket.delete([this.keyOf(sha256), this.touchKeyOf(sha256)]);
  }

  async *list(): AsyncIterable<BlobInfo> {
    const touches = new Map<string, Date>();
    for await (const object of this.bucket.list('touches/')) touches.set(object.key.slice('touches/'.length), object.modifiedAt);
    for await (const object of this.bucket.list('blobs/sha256/')) {
      const sha256 = object.key.slice(object.key.lastIndexOf('/') + 1);
      if (!isSha256Hex(sha256)) continue;
      yield { sha256, size: object.size, modifiedAt: later(object.modifiedAt, touches.get(sha256)) };
    }
  }

  check(): Promise<void> {
    return this.bucket.check();
  }

  /** A presigned URL of the blob's object when redirects are on, else null. */
  async redirectUrl(sha256: string): Promise<string | null> {
    return this.options.redirect ? this.bucket.presignedGet(this.keyOf(sha256), redirectSeconds) : null;
  }
}

function later(a: Date, b: Date | undefined): Date {
  return b && b > a ? b : a;
}

/** A write staged in a local file until it is committed to the bucket. */
class S3BlobWriter extends TempFileWriter {
  constructor(temp: string, private readonly place: (sha256: string) => Promise<void>) {
    super(temp);
  }

  /** The staging file is read once by the upload and then removed: nothing to sync ahead. */
  override ended(): void {}

  async commit(sha256: string): Promise<void> {
    if (!isSha256Hex(sha256)) throw new KuraError('BAD_REQUEST', 'invalid blob digest');
    await this.writeOut(false);
    await this.release();
    try {
      await this.place(sha256);
    } finally {
      await rm(this.temp, { force: true }).catch(() => undefined);
    }
  }
}

/**
 * Positioned reads of one object. Downloads read a blob front to back, so the handle keeps one
 * ranged GET open and serves consecutive reads from it; a read elsewhere starts a new GET there.
 */
class S3BlobHandle implements BlobHandle {
  private body: Readable | null = null;
  private chunks: AsyncIterator<Buffer> | null = null;
  /** Offset in the object of the first byte of `pending`. */
  private position = 0;
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly bucket: S3Bucket,
    private readonly key: string,
    private readonly size: number,
  ) {}

  async read(into: Uint8Array, length: number, position: number): Promise<number> {
    const wanted = Math.min(length, into.byteLength, this.size - position);
    if (wanted <= 0) return 0;
    if (!this.chunks || position !== this.position) await this.restartAt(position);
    let copied = 0;
    while (copied < wanted) {
      if (this.pending.length === 0) {
        const next = await this.chunks!.next();
        if (next.done) break;
        this.pending = next.value;
      }
      const take = Math.min(wanted - copied, this.pending.length);
      into.set(this.pending.subarray(0, take), copied);
      this.pending = this.pending.subarray(take);
      this.position += take;
      copied += take;
    }
    return copied;
  }

  private async restartAt(position: number): Promise<void> {
    this.body?.destroy();
    this.body = await this.bucket.get(this.key, { start: position, end: this.size - 1 });
    this.chunks = this.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.position = position;
    this.pending = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    this.body?.destroy();
    this.body = null;
    this.chunks = null;
  }
}

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { KuraError } from '../../core/errors/catalogue.js';
import { isUploadId, type ResumableUploads, type UploadInfo } from '../../core/blobs/blob-store.js';
import type { S3Bucket } from './s3-bucket.js';

/** Bytes gathered in memory before they are written as one piece of an upload. */
const pieceBytes = 8 * 1024 * 1024;

/** Offsets are zero-padded so that key order is byte order. */
const offsetDigits = 16;

interface Piece {
  key: string;
  offset: number;
  size: number;
  modifiedAt: Date;
}

/** What the bucket holds of one upload: its start marker and its pieces in order. */
interface UploadState {
  keys: string[];
  pieces: Piece[];
  size: number;
  modifiedAt: Date;
}

/**
 * Resumable uploads as objects, so any node can continue an upload another began:
 *
 *   uploads/<uuid>/start               written by start()
 *   uploads/<uuid>/<offset, 16 digits> one piece per append (or per 8 MiB of it)
 *
 * Multipart parts cannot hold the small chunks clients send (S3 wants 5 MiB per part), so each
 * append is stored as its own object and the pieces are concatenated into the blob on commit.
 */
export class S3ResumableUploads implements ResumableUploads {
  constructor(
    private readonly bucket: S3Bucket,
    private readonly place: (sha256: string, body: () => Readable) => Promise<void>,
  ) {}

  private prefixOf(id: string): string {
    return `uploads/${id}/`;
  }

  private async state(id: string): Promise<UploadState | null> {
    if (!isUploadId(id)) return null;
    const prefix = this.prefixOf(id);
    const keys: string[] = [];
    const pieces: Piece[] = [];
    let started = false;
    let modifiedAt = new Date(0);
    for await (const object of this.bucket.list(prefix)) {
      keys.push(object.key);
      if (object.modifiedAt > modifiedAt) modifiedAt = object.modifiedAt;
      const rest = object.key.slice(prefix.length);
      if (rest === 'start') started = true;
      else if (/^\d+$/.test(rest)) pieces.push({ key: object.key, offset: Number(rest), size: object.size, modifiedAt: object.modifiedAt });
    }
    if (!started) return null;
    pieces.sort((a, b) => a.offset - b.offset);
    return { keys, pieces, size: pieces.reduce((total, p) => total + p.size, 0), modifiedAt };
  }

  private async existing(id: string): Promise<UploadState> {
    const state = await this.state(id);
    if (!state) throw new KuraError('NOT_FOUND', 'unknown upload');
    return state;
  }

  async start(): Promise<string> {
    const id = randomUUID();
    await this.bucket.put(`${this.prefixOf(id)}start`, new Uint8Array(0));
    return id;
  }

  async size(id: string): Promise<number | null> {
    return (await this.state(id))?.size ?? null;
  }

  async append(id: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number> {
    const state = await this.existing(id);
    if (state.size !== offset) throw new KuraError('RANGE_NOT_SATISFIABLE', `the upload has ${state.size} bytes; a chunk must start there, not at ${offset}`);
    let position = offset;
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = async () => {
      if (batched === 0) return;
      const body = Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      await this.bucket.put(`${this.prefixOf(id)}${String(position).padStart(offsetDigits, '0')}`, body);
      position += body.length;
    };
    try {
      for await (const chunk of source) {
        batch.push(chunk);
        batched += chunk.byteLength;
        if (batched >= pieceBytes) await flush();
      }
    } finally {
      // What arrived is kept even when the source failed: a client resumes from there.
      await flush();
    }
    return position;
  }

  async read(id: string): Promise<Readable> {
    return this.concatenation(await this.existing(id));
  }

  private concatenation(state: UploadState): Readable {
    const bucket = this.bucket;
    return Readable.from((async function* () {
      for (const piece of state.pieces) yield* await bucket.get(piece.key);
    })(), { objectMode: false });
  }

  async commit(id: string, sha256: string): Promise<void> {
    const state = await this.existing(id);
    await this.place(sha256, () => this.concatenation(state));
    await this.bucket.delete(state.keys);
  }

  async cancel(id: string): Promise<void> {
    const state = await this.state(id).catch(() => null);
    if (state) await this.bucket.delete(state.keys).catch(() => undefined);
  }

  async *list(): AsyncIterable<UploadInfo> {
    let current: { id: string; size: number; modifiedAt: Date } | null = null;
    for await (const object of this.bucket.list('uploads/')) {
      const [id, rest] = object.key.slice('uploads/'.length).split('/');
      if (!id || !isUploadId(id)) continue;
      if (current && current.id !== id) {
        yield current;
        current = null;
      }
      current ??= { id, size: 0, modifiedAt: new Date(0) };
      if (rest !== 'start') current.size += object.size;
      if (object.modifiedAt > current.modifiedAt) current.modifiedAt = object.modifiedAt;
    }
    if (current) yield current;
  }
}

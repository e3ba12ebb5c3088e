import { createHash, type Hash } from 'node:crypto';
import { jobImageAudit, type ImageAudit } from './audit.js';
import type { ImageKey } from './blob-links.js';
import type { Digest } from './digests.js';
import type { KuraError } from '../../core/errors/catalogue.js';
import { ociError } from './errors.js';
import type { ContainerContext, ContainerTx } from './tables.js';

/** A blob upload session, as the container_uploads table keeps it. */
export interface UploadSession extends ImageKey {
  id: string;
  size: number;
}

/** The SHA-256 state of an upload's bytes so far, kept in memory between chunks. */
interface HashState {
  size: number;
  sha256: Hash;
}

/** The error for a blob larger than the configured body limit (413, SIZE_INVALID). */
export function blobTooLarge(maxBytes: number): KuraError {
  return ociError('SIZE_INVALID', `the blob exceeds the limit of ${maxBytes} bytes`, { limit: maxBytes }, 'PAYLOAD_TOO_LARGE');
}

/** Uploads idle longer than this are reaped. */
export const abandonedUploadMs = 24 * 3_600_000;

/**
 * Chunked blob uploads (POST, then PATCH… and a final PUT). Sessions live in the database and
 * their bytes in the blob store's resumable uploads, so an upload survives a server restart and
 * can continue on another server process. The SHA-256 of the bytes so far is kept in memory;
 * after a restart (or when another process appended) it is recomputed from the stored bytes.
 * Appends to one upload are serialized in this process; the store refuses an append that does
 * not start where the upload ends.
 */
export class UploadSessions {
  private readonly hashes = new Map<string, HashState>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: ContainerContext) {}

  /** Opens a session for `key`, with its audit row. */
  async create(key: ImageKey, userId: number | null, audit: ImageAudit): Promise<UploadSession> {
    const id = await this.ctx.blobs.store.uploads.start();
    const now = this.ctx.now().toISOString();
    await this.ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('container_uploads').values({ id, owner_id: key.ownerId, image: key.image, user_id: userId, size: 0, created_at: now, updated_at: now }).execute();
      await audit(trx, 'container.upload.start', { upload: id });
    });
    this.hashes.set(id, { size: 0, sha256: createHash('sha256') });
    return { id, ownerId: key.ownerId, image: key.image, size: 0 };
  }

  /** The session `id` of image `key`. @throws KuraError BLOB_UPLOAD_UNKNOWN */
  async find(key: ImageKey, id: string): Promise<UploadSession> {
    const row = await this.ctx.db.selectFrom('container_uploads').selectAll()
      .where('id', '=', id).where('owner_id', '=', key.ownerId).where('image', '=', key.image).executeTakeFirst();
    const size = row ? await this.ctx.blobs.store.uploads.size(id) : null;
    if (!row || size === null) throw ociError('BLOB_UPLOAD_UNKNOWN', `no blob upload ${id} in progress for this repository`, { uuid: id });
    return { id, ownerId: row.owner_id, image: row.image, size };
  }

  /**
   * Appends `source` at `offset` (the session's size when the client sent no Content-Range),
   * hashing on the way. Resolves to the new size. A blob may not grow past `maxBytes`: the
   * append stops there and the caller is expected to drop the session.
   * @throws KuraError RANGE_NOT_SATISFIABLE when `offset` is not where the upload ends; BLOB_UPLOAD_UNKNOWN; PAYLOAD_TOO_LARGE (SIZE_INVALID)
   */
  append(session: UploadSession, offset: number | null, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number> {
    return this.serialized(session.id, async () => {
      const stored = await this.ctx.blobs.store.uploads.size(session.id);
      if (stored === null) throw ociError('BLOB_UPLOAD_UNKNOWN', `no blob upload ${session.id} in progress`, { uuid: session.id });
      const start = offset ?? stored;
      if (start !== stored) throw ociError('BLOB_UPLOAD_INVALID', `the upload has ${stored} bytes; the next chunk must start at ${stored}, not ${start}`, { size: stored }, 'RANGE_NOT_SATISFIABLE');
      const state = await this.hashState(session.id, stored);
      this.hashes.delete(session.id);
      let total = stored;
      const hashing = (async function* () {
        for await (const chunk of source) {
          total += chunk.byteLength;
          if (total > maxBytes) throw blobTooLarge(maxBytes);
          state.sha256.update(chunk);
          yield chunk;
        }
      })();
      const size = await this.ctx.blobs.store.uploads.append(session.id, start, hashing);
      this.hashes.set(session.id, { size, sha256: state.sha256 });
      await this.ctx.db.updateTable('container_uploads').set({ size, updated_at: this.ctx.now().toISOString() }).where('id', '=', session.id).execute();
      return size;
    });
  }

  /**
   * Ends the session: checks the bytes against `digest`, commits them as a blob and records it,
   * then ends the session with its audit row, in one transaction with what `complete` writes
   * (the blob's link to its image). A mismatch discards the upload (nothing is stored).
   * @throws KuraError DIGEST_INVALID
   */
  finish(session: UploadSession, digest: Digest, audit: ImageAudit, complete: (trx: ContainerTx, blob: { sha256: string; size: number }) => Promise<void>): Promise<{ sha256: string; size: number; sha512: string | null }> {
    return this.serialized(session.id, async () => {
      const size = await this.ctx.blobs.store.uploads.size(session.id);
      if (size === null) throw ociError('BLOB_UPLOAD_UNKNOWN', `no blob upload ${session.id} in progress`, { uuid: session.id });
      const sha256 = (await this.hashState(session.id, size)).sha256.digest('hex');
      this.hashes.delete(session.id);
      const sha512 = digest.algorithm === 'sha512' ? await this.rehash(session.id, 'sha512') : null;
      const actual = digest.algorithm === 'sha256' ? sha256 : sha512;
      if (actual !== digest.hex) {
        await this.discard(session.id, (trx) => audit(trx, 'container.upload.cancel', { upload: session.id, size, reason: `the bytes have digest ${digest.algorithm}:${actual}, not ${digest.text}` }));
        throw ociError('DIGEST_INVALID', `the uploaded bytes have digest ${digest.algorithm}:${actual}, not ${digest.text}`, { digest: digest.text });
      }
      await this.ctx.blobs.store.uploads.commit(session.id, sha256);
      await this.ctx.blobs.records.record({ sha256, size, sha512 });
      await this.ctx.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('container_uploads').where('id', '=', session.id).execute();
        await complete(trx, { sha256, size });
        await audit(trx, 'container.upload.commit', { upload: session.id, digest: digest.text, size });
      });
      return { sha256, size, sha512 };
    });
  }

  /** Cancels the session and drops its bytes, with its audit row. */
  cancel(session: UploadSession, audit: ImageAudit): Promise<void> {
    return this.serialized(session.id, () => this.discard(session.id, (trx) => audit(trx, 'container.upload.cancel', { upload: session.id, size: session.size })));
  }

  /**
   * Reaps sessions idle for {@link abandonedUploadMs} and stored uploads no session owns
   * (left by a crash between starting an upload and recording it), each with an audit row
   * (`container.upload.expire`, no actor). Returns how many.
   */
  async reapAbandoned(): Promise<number> {
    const cutoff = new Date(this.ctx.now().getTime() - abandonedUploadMs);
    const stale = await this.ctx.db.selectFrom('container_uploads').select(['id', 'owner_id', 'image', 'size', 'updated_at'])
      .where('updated_at', '<', cutoff.toISOString()).execute();
    for (const row of stale) {
      const audit = await jobImageAudit(this.ctx, row.owner_id, row.image);
      await this.serialized(row.id, () => this.discard(row.id, (trx) => audit(trx, 'container.upload.expire', { upload: row.id, size: Number(row.size), idleSince: row.updated_at })));
    }
    let orphans = 0;
    for await (const upload of this.ctx.blobs.store.uploads.list()) {
      if (upload.modifiedAt > cutoff) continue;
      const row = await this.ctx.db.selectFrom('container_uploads').select('id').where('id', '=', upload.id).executeTakeFirst();
      if (row) continue;
      await this.ctx.blobs.store.uploads.cancel(upload.id);
      await this.ctx.audit(this.ctx.db, { actorId: null, action: 'container.upload.expire', target: `upload:${upload.id}`, meta: { upload: upload.id, unrecorded: true } });
      orphans++;
    }
    return stale.length + orphans;
  }

  /** Drops an upload's bytes, then its session row; `audit` records why, in the row's transaction. */
  private async discard(id: string, audit?: (trx: ContainerTx) => Promise<void>): Promise<void> {
    this.hashes.delete(id);
    await this.ctx.blobs.store.uploads.cancel(id);
    await this.ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('container_uploads').where('id', '=', id).execute();
      if (audit) await audit(trx);
    });
  }

  /** The SHA-256 state for the first `size` bytes: the one in memory, or recomputed from the store. */
  private async hashState(id: string, size: number): Promise<HashState> {
    const known = this.hashes.get(id);
    if (known && known.size === size) return known;
    const sha256 = createHash('sha256');
    let read = 0;
    for await (const chunk of await this.ctx.blobs.store.uploads.read(id)) {
      sha256.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
    if (read !== size) throw ociError('BLOB_UPLOAD_INVALID', 'the upload changed while it was being read; retry', { uuid: id });
    return { size, sha256 };
  }

  private async rehash(id: string, algorithm: 'sha512'): Promise<string> {
    const hash = createHash(algorithm);
    for await (const chunk of await this.ctx.blobs.store.uploads.read(id)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Runs `task` after every earlier task on the same upload (in this process). */
  private serialized<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.locks.set(id, next);
    const cleanup = () => {
      if (this.locks.get(id) === next) this.locks.delete(id);
    };
    next.then(cleanup, cleanup);
    return next;
  }
}


import type { BlobRecords } from '../../core/blobs/blob-records.js';
import { jobImageAudit } from './audit.js';
import type { Digest } from './digests.js';
import type { ContainerContext, ContainerDb, ContainerTx } from './tables.js';

/** A blob as seen from one image. */
export interface LinkedBlob {
  digest: string;
  sha256: string;
  size: number;
}

/** Where an image lives: its owner and the path after the owner. */
export interface ImageKey {
  ownerId: number;
  image: string;
}

/**
 * Which blobs belong to which image. Bytes are stored once (content-addressed, across images
 * and formats), but an image serves only the blobs pushed or mounted into it, so knowing a
 * digest never reveals another image's content.
 */
export class BlobLinks {
  constructor(
    private readonly db: ContainerDb,
    private readonly now: () => Date,
  ) {}

  /** Links a stored blob to an image (idempotent), in `db` (the transaction with its audit row). */
  async link(key: ImageKey, digest: Digest, blob: { sha256: string; size: number }, db: ContainerDb | ContainerTx = this.db): Promise<void> {
    await db.insertInto('container_blob_links').values({
      owner_id: key.ownerId, image: key.image, digest: digest.text, blob_sha256: blob.sha256, size: blob.size, created_at: this.now().toISOString(),
    }).onConflict((oc) => oc.columns(['owner_id', 'image', 'digest']).doUpdateSet({ blob_sha256: blob.sha256, size: blob.size })).execute();
  }

  /** The blob `digest` of an image, or null when it was never pushed there (or was deleted). */
  async find(key: ImageKey, digest: string): Promise<LinkedBlob | null> {
    const row = await this.db.selectFrom('container_blob_links').select(['digest', 'blob_sha256', 'size'])
      .where('owner_id', '=', key.ownerId).where('image', '=', key.image).where('digest', '=', digest)
      .executeTakeFirst();
    return row ? { digest: row.digest, sha256: row.blob_sha256, size: Number(row.size) } : null;
  }

  /** Removes a blob from an image, in `db`; false when it was not there. The bytes stay for GC. */
  async unlink(key: ImageKey, digest: string, db: ContainerDb | ContainerTx = this.db): Promise<boolean> {
    const result = await db.deleteFrom('container_blob_links')
      .where('owner_id', '=', key.ownerId).where('image', '=', key.image).where('digest', '=', digest)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Images holding `digest`, at most `limit` (candidates for a mount without `from`). */
  async holders(digest: string, limit: number): Promise<Array<ImageKey & LinkedBlob>> {
    const rows = await this.db.selectFrom('container_blob_links').select(['owner_id', 'image', 'digest', 'blob_sha256', 'size'])
      .where('digest', '=', digest).limit(limit).execute();
    return rows.map((r) => ({ ownerId: r.owner_id, image: r.image, digest: r.digest, sha256: r.blob_sha256, size: Number(r.size) }));
  }

  /**
   * Drops links to blobs garbage collection has deleted (no longer in `records`), with one audit
   * row (`container.blob.prune`, no actor) per image in the transaction of its deletions.
   * Returns how many links went.
   */
  async pruneDangling(ctx: ContainerContext, records: BlobRecords): Promise<number> {
    let pruned = 0;
    let after = '';
    for (;;) {
      const page = (await this.db.selectFrom('container_blob_links').select('blob_sha256').distinct()
        .where('blob_sha256', '>', after).orderBy('blob_sha256').limit(500).execute()).map((r) => r.blob_sha256);
      if (page.length === 0) return pruned;
      const known = await records.known(page);
      const gone = page.filter((sha256) => !known.has(sha256));
      if (gone.length > 0) {
        const links = await this.db.selectFrom('container_blob_links').select(['owner_id', 'image', 'digest']).where('blob_sha256', 'in', gone)
          .orderBy('owner_id').orderBy('image').orderBy('digest').execute();
        const byImage = new Map<string, { ownerId: number; image: string; digests: string[] }>();
        for (const link of links) {
          const key = `${link.owner_id}\u0000${link.image}`;
          const entry = byImage.get(key) ?? { ownerId: link.owner_id, image: link.image, digests: [] };
          entry.digests.push(link.digest);
          byImage.set(key, entry);
        }
        for (const { ownerId, image, digests } of byImage.values()) {
          const audit = await jobImageAudit(ctx, ownerId, image);
          await this.db.transaction().execute(async (trx) => {
            const result = await trx.deleteFrom('container_blob_links')
              .where('owner_id', '=', ownerId).where('image', '=', image).where('digest', 'in', digests).where('blob_sha256', 'in', gone)
              .executeTakeFirst();
            const removed = Number(result.numDeletedRows);
            if (removed > 0) await audit(trx, 'container.blob.prune', { digests, reason: 'bytes collected as garbage' });
            pruned += removed;
          });
        }
      }
      after = page[page.length - 1]!;
    }
  }
}

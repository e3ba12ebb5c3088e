import type { DbOrTx } from '../../db/schema.js';
import type { FileRecord } from './package.js';

/** A file with every digest Kura keeps of its bytes (hex), for formats that serve checksums. */
export interface DigestedFile extends FileRecord {
  sha1: string | null;
  md5: string | null;
  sha512: string | null;
}

/** Read-side queries over the files of one version, joined with their blobs' digests. */
export class FileQueries {
  constructor(private readonly db: DbOrTx) {}

  /** The files of a version with their digests, oldest first; one indexed query. */
  async versionFiles(versionId: number): Promise<DigestedFile[]> {
    const rows = await this.db.selectFrom('files')
      .innerJoin('blobs', 'blobs.sha256', 'files.blob_sha256')
      .select([
        'files.id', 'files.version_id', 'files.name', 'files.blob_sha256', 'files.size', 'files.content_type', 'files.created_at',
        'blobs.sha1', 'blobs.md5', 'blobs.sha512',
      ])
      .where('files.version_id', '=', versionId)
      .orderBy('files.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      versionId: r.version_id,
      name: r.name,
      sha256: r.blob_sha256,
      size: Number(r.size),
      contentType: r.content_type,
      createdAt: r.created_at,
      sha1: r.sha1,
      md5: r.md5,
      sha512: r.sha512,
    }));
  }
}

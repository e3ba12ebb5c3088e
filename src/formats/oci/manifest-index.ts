import type { Db, DbOrTx } from '../../db/schema.js';
import type { Manifest } from './manifest.js';
import { referrerArtifactType } from './manifest.js';

/** A stored manifest, as the registry serves it. */
export interface StoredManifest {
  versionId: number;
  digest: string;
  sha256: string;
  mediaType: string;
  size: number;
}

/** One entry of a referrers list: a descriptor of a manifest whose subject is the asked digest. */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * The container facts of manifest versions (oci_manifests): how each is served, which manifest
 * it refers to as its subject, and which manifests an index lists. Only live (not deleted)
 * versions are ever returned.
 */
export class ManifestIndex {
  constructor(private readonly db: Db) {}

  /** Records a pushed manifest's facts (idempotent: re-pushes keep the first row). */
  async record(entry: { versionId: number; packageId: number; digest: string; sha256: string; size: number; manifest: Manifest; createdAt: string }, db: DbOrTx = this.db): Promise<void> {
    const { manifest } = entry;
    await db.insertInto('oci_manifests').values({
      version_id: entry.versionId,
      package_id: entry.packageId,
      digest: entry.digest,
      blob_sha256: entry.sha256,
      media_type: manifest.mediaType,
      artifact_type: referrerArtifactType(manifest),
      size: entry.size,
      subject_digest: manifest.subject?.digest.text ?? null,
      annotations: manifest.subject && Object.keys(manifest.annotations).length > 0 ? JSON.stringify(manifest.annotations) : null,
      children: JSON.stringify(manifest.manifests.map((m) => m.digest.text)),
      created_at: entry.createdAt,
    }).onConflict((oc) => oc.column('version_id').doNothing()).execute();
  }

  private live() {
    return this.db.selectFrom('oci_manifests')
      .innerJoin('versions', 'versions.id', 'oci_manifests.version_id')
      .where('versions.deleted_at', 'is', null);
  }

  /** The live manifest `digest` of a package, or null. */
  async byDigest(packageId: number, digest: string): Promise<StoredManifest | null> {
    const row = await this.live()
      .select(['oci_manifests.version_id', 'oci_manifests.digest', 'oci_manifests.blob_sha256', 'oci_manifests.media_type', 'oci_manifests.size'])
      .where('oci_manifests.package_id', '=', packageId).where('oci_manifests.digest', '=', digest)
      .executeTakeFirst();
    return row ? toStored(row) : null;
  }

  /** The manifest `tag` points at, or null. */
  async byTag(packageId: number, tag: string): Promise<StoredManifest | null> {
    const row = await this.live()
      .innerJoin('tags', 'tags.version_id', 'oci_manifests.version_id')
      .select(['oci_manifests.version_id', 'oci_manifests.digest', 'oci_manifests.blob_sha256', 'oci_manifests.media_type', 'oci_manifests.size'])
      .where('tags.package_id', '=', packageId).where('tags.name', '=', tag)
      .executeTakeFirst();
    return row ? toStored(row) : null;
  }

  /** Tag names in lexical order after `last`, at most `limit`. */
  async tags(packageId: number, last: string | null, limit: number): Promise<string[]> {
    let query = this.db.selectFrom('tags')
      .innerJoin('versions', 'versions.id', 'tags.version_id')
      .select('tags.name')
      .where('tags.package_id', '=', packageId)
      .where('versions.deleted_at', 'is', null);
    if (last !== null) query = query.where('tags.name', '>', last);
    return (await query.orderBy('tags.name').limit(limit).execute()).map((r) => r.name);
  }

  /** Live manifests whose subject is `subject`, optionally only of `artifactType`. */
  async referrers(packageId: number, subject: string, artifactType: string | null): Promise<ReferrerDescriptor[]> {
    let query = this.live()
      .select(['oci_manifests.digest', 'oci_manifests.media_type', 'oci_manifests.size', 'oci_manifests.artifact_type', 'oci_manifests.annotations'])
      .where('oci_manifests.package_id', '=', packageId).where('oci_manifests.subject_digest', '=', subject);
    if (artifactType !== null) query = query.where('oci_manifests.artifact_type', '=', artifactType);
    const rows = await query.orderBy('oci_manifests.version_id').execute();
    return rows.map((r) => ({
      mediaType: r.media_type,
      digest: r.digest,
      size: Number(r.size),
      ...(r.artifact_type ? { artifactType: r.artifact_type } : {}),
      ...(r.annotations ? { annotations: JSON.parse(r.annotations) as Record<string, string> } : {}),
    }));
  }

  /**
   * Untagged live manifests of a package created before `before` that no live index lists and
   * whose subject (if any) is gone: what a cleanup of untagged manifests may delete.
   */
  async untaggedUnreferenced(packageId: number, before: string): Promise<Array<{ versionId: number; digest: string }>> {
    const rows = await this.live()
      .select(['oci_manifests.version_id', 'oci_manifests.digest', 'oci_manifests.subject_digest', 'oci_manifests.children', 'oci_manifests.created_at'])
      .where('oci_manifests.package_id', '=', packageId)
      .execute();
    const tagged = new Set((await this.db.selectFrom('tags').select('version_id').where('package_id', '=', packageId).execute()).map((r) => r.version_id));
    const live = new Set(rows.map((r) => r.digest));
    const listed = new Set(rows.flatMap((r) => JSON.parse(r.children) as string[]));
    return rows
      .filter((r) => !tagged.has(r.version_id) && r.created_at < before && !listed.has(r.digest) && !(r.subject_digest && live.has(r.subject_digest)))
      .map((r) => ({ versionId: r.version_id, digest: r.digest }));
  }
}

function toStored(row: { version_id: number; digest: string; blob_sha256: string; media_type: string; size: number }): StoredManifest {
  return { versionId: row.version_id, digest: row.digest, sha256: row.blob_sha256, mediaType: row.media_type, size: Number(row.size) };
}

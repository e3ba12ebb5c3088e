import type { PackageRecord } from '../../core/packages/package.js';
import type { Manifest } from './manifest.js';
import { referrerArtifactType } from './manifest.js';
import type { ContainerContext, ContainerDb, ContainerTx } from './tables.js';

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

/** Manifests served per package, valid for one revision of the package. */
interface RevisionCache {
  rev: number;
  byTag: Map<string, StoredManifest>;
  byDigest: Map<string, StoredManifest>;
}

/** How many packages' served manifests are kept in memory (least recently used go first). */
const cachedPackages = 4096;
/** How many manifests of one package are kept per kind of reference. */
const cachedPerPackage = 256;

/**
 * The container facts of manifest versions (container_manifests): how each is served, which
 * manifest it refers to as its subject, and which manifests an index lists. Only live (not
 * deleted) versions are ever returned; liveness and tags come from core's queries. Lookups by
 * tag and digest are cached per package revision (every write bumps it), so a hot manifest
 * costs no query beyond the package lookup.
 */
export class ManifestIndex {
  private readonly db: ContainerDb;
  private readonly cache = new Map<number, RevisionCache>();

  constructor(private readonly ctx: ContainerContext) {
    this.db = ctx.db;
  }

  /** Records a pushed manifest's facts (idempotent: re-pushes keep the first row). */
  async record(entry: { versionId: number; packageId: number; digest: string; sha256: string; size: number; manifest: Manifest; createdAt: string }, db: ContainerDb | ContainerTx = this.db): Promise<void> {
    const { manifest } = entry;
    await db.insertInto('container_manifests').values({
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

  /** The live manifest `digest` of a package, or null. */
  async byDigest(pkg: Pick<PackageRecord, 'id' | 'rev'>, digest: string): Promise<StoredManifest | null> {
    const cache = this.revision(pkg);
    const cached = cache.byDigest.get(digest);
    this.ctx.caches.record('container.manifest', cached !== undefined);
    if (cached) return cached;
    const version = await this.ctx.packages.queries.version(pkg.id, digest);
    if (!version || version.deletedAt) return null;
    const found = await this.byVersion(version.id);
    if (found) remember(cache.byDigest, digest, found);
    return found;
  }

  /** The manifest `tag` points at, or null. */
  async byTag(pkg: Pick<PackageRecord, 'id' | 'rev'>, tag: string): Promise<StoredManifest | null> {
    const cache = this.revision(pkg);
    const cached = cache.byTag.get(tag);
    this.ctx.caches.record('container.manifest', cached !== undefined);
    if (cached) return cached;
    const target = await this.ctx.packages.queries.tag(pkg.id, tag);
    const found = target ? await this.byVersion(target.versionId) : null;
    if (found) remember(cache.byTag, tag, found);
    return found;
  }

  /** Live manifests whose subject is `subject`, optionally only of `artifactType`. */
  async referrers(packageId: number, subject: string, artifactType: string | null): Promise<ReferrerDescriptor[]> {
    let query = this.db.selectFrom('container_manifests')
      .select(['version_id', 'digest', 'media_type', 'size', 'artifact_type', 'annotations'])
      .where('package_id', '=', packageId).where('subject_digest', '=', subject);
    if (artifactType !== null) query = query.where('artifact_type', '=', artifactType);
    const rows = await query.orderBy('version_id').execute();
    const live = await this.ctx.packages.queries.liveVersionIds(rows.map((r) => r.version_id));
    return rows.filter((r) => live.has(r.version_id)).map((r) => ({
      mediaType: r.media_type,
      digest: r.digest,
      size: Number(r.size),
      ...(r.artifact_type ? { artifactType: r.artifact_type } : {}),
      ...(r.annotations ? { annotations: JSON.parse(r.annotations) as Record<string, string> } : {}),
    }));
  }

  /** The digests of the live indexes of a package that list manifest `digest`. */
  async listedBy(packageId: number, digest: string): Promise<string[]> {
    const rows = await this.db.selectFrom('container_manifests')
      .select(['version_id', 'digest', 'children'])
      .where('package_id', '=', packageId).where('children', 'like', `%"${digest}"%`)
      .execute();
    const live = await this.ctx.packages.queries.liveVersionIds(rows.map((r) => r.version_id));
    return rows.filter((r) => live.has(r.version_id) && (JSON.parse(r.children) as string[]).includes(digest)).map((r) => r.digest);
  }

  /**
   * Untagged live manifests of a package created before `before` that no live index lists and
   * whose subject (if any) is gone: what a cleanup of untagged manifests may delete.
   */
  async untaggedUnreferenced(packageId: number, before: string): Promise<Array<{ versionId: number; digest: string }>> {
    const all = await this.db.selectFrom('container_manifests')
      .select(['version_id', 'digest', 'subject_digest', 'children', 'created_at'])
      .where('package_id', '=', packageId)
      .execute();
    const liveIds = await this.ctx.packages.queries.liveVersionIds(all.map((r) => r.version_id));
    const rows = all.filter((r) => liveIds.has(r.version_id));
    const tagged = new Set((await this.ctx.packages.queries.tags(packageId)).map((t) => t.versionId));
    const live = new Set(rows.map((r) => r.digest));
    const listed = new Set(rows.flatMap((r) => JSON.parse(r.children) as string[]));
    return rows
      .filter((r) => !tagged.has(r.version_id) && r.created_at < before && !listed.has(r.digest) && !(r.subject_digest && live.has(r.subject_digest)))
      .map((r) => ({ versionId: r.version_id, digest: r.digest }));
  }

  private async byVersion(versionId: number): Promise<StoredManifest | null> {
    const row = await this.db.selectFrom('container_manifests')
      .select(['version_id', 'digest', 'blob_sha256', 'media_type', 'size'])
      .where('version_id', '=', versionId)
      .executeTakeFirst();
    return row ? toStored(row) : null;
  }

  /** The cache of `pkg` at its current revision (a new revision starts empty). */
  private revision(pkg: Pick<PackageRecord, 'id' | 'rev'>): RevisionCache {
    let entry = this.cache.get(pkg.id);
    if (entry) this.cache.delete(pkg.id);
    if (!entry || entry.rev !== pkg.rev) entry = { rev: pkg.rev, byTag: new Map(), byDigest: new Map() };
    this.cache.set(pkg.id, entry);
    if (this.cache.size > cachedPackages) this.cache.delete(this.cache.keys().next().value as number);
    return entry;
  }
}

function remember(map: Map<string, StoredManifest>, key: string, manifest: StoredManifest): void {
  if (map.size >= cachedPerPackage) map.delete(map.keys().next().value as string);
  map.set(key, manifest);
}

function toStored(row: { version_id: number; digest: string; blob_sha256: string; media_type: string; size: number }): StoredManifest {
  return { versionId: row.version_id, digest: row.digest, sha256: row.blob_sha256, mediaType: row.media_type, size: Number(row.size) };
}

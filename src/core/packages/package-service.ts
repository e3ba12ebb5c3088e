import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import { principalUserId, type Actor, type Principal } from '../access/principal.js';
import { packageScope, recordAudit } from '../audit/audit-log.js';
import type { StagedBlob } from '../blobs/blob-ingest.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import type { Owner } from '../owners/owner.js';
import type { OwnerService } from '../owners/owner-service.js';
import type { RepoService } from '../repos/repo-service.js';
import type { RepoRole, Repository, Visibility } from '../repos/repository.js';
import type { Tx } from '../../db/schema.js';
import type { DeclaredDependency } from './dependency.js';
import { insertDependencies } from './dependency-index.js';
import { FilePruning } from './file-pruning.js';
import { FileQueries } from './file-queries.js';
import { PackageMembers, type PackageMember } from './package-members.js';
import { effectiveVisibility, hasOwnAccess, packageLabel, packageSubject, packageTarget, type PackageRecord, type VersionRecord } from './package.js';
import { PackageQueries, toVersion } from './package-queries.js';
import { PublishStatements } from './publish-statements.js';
import { isUniqueViolation, retryingUniqueRace } from '../../db/unique-violation.js';

export interface PublishFile {
  name: string;
  blob: StagedBlob;
  contentType?: string | null;
}

/** Who publishes to which package: what {@link PackageService.authorizePublish} decides on. */
export type PublishTarget = Pick<PublishRequest, 'principal' | 'format' | 'owner' | 'name' | 'nameLower' | 'repository'> & { requireLink?: boolean | undefined };

/** A decision that the principal may publish to one package, made by {@link PackageService.authorizePublish}. */
export interface PublishGrant {
  readonly principal: Principal;
  /** Format, owner and normalized name the grant is for. */
  readonly key: string;
  /** The package as it was when the grant was made (deleted ones included), or null for a new one. */
  readonly existing: PackageRecord | null;
  /** The repository a new package links to. */
  readonly linkRepoId: number | null;
}

const grantKey = (target: Pick<PublishTarget, 'format' | 'owner' | 'nameLower'>) => `${target.format}\u0000${target.owner.id}\u0000${target.nameLower}`;

/** Everything a format hands over to publish one version. */
export interface PublishRequest {
  principal: Principal;
  format: string;
  owner: Owner;
  /** The package name as the format spells it. */
  name: string;
  /** The normalized name that identifies the package (per the format's rules). */
  nameLower: string;
  version: string;
  /** The format's metadata for the version, stored as one JSON document. */
  metadata: unknown;
  description?: string | null | undefined;
  readme?: string | null | undefined;
  license?: string | null | undefined;
  /** A repository named by the package's own metadata, `OWNER/NAME`; it links a new package when it qualifies. */
  repository?: string | null | undefined;
  /** A decision made earlier for this principal and package, so access is not decided twice. */
  grant?: PublishGrant | undefined;
  files: PublishFile[];
  /** Tags to point at the new version. */
  tags?: readonly string[] | undefined;
  /** What the version depends on (read from its metadata), kept in the dependency index. */
  dependencies?: readonly DeclaredDependency[] | undefined;
  /**
   * Rows the format keeps beside the version (e.g. a manifest index), written inside the
   * publish transaction so they commit or roll back with it.
   */
  withinTransaction?: ((trx: Tx, ids: { packageId: number; versionId: number }) => Promise<void>) | undefined;
}

export interface PublishResult {
  package: PackageRecord;
  version: VersionRecord;
  created: boolean;
}

/** One file added to a version that may not exist yet (formats that upload file by file, like Maven). */
export interface AddFileRequest extends Omit<PublishRequest, 'files' | 'tags' | 'metadata'> {
  /** Replaces the version's dependencies in the index; only read together with `metadata`. */
  dependencies?: readonly DeclaredDependency[] | undefined;
  file: PublishFile;
  /**
   * The version's metadata. Used when the version is created; when it already exists and this
   * is given, it replaces the stored metadata (the upload carrying the descriptor, e.g. a POM).
   */
  metadata?: unknown;
  /**
   * What to do when the version already has a file of that name with other content:
   * replace it (mutable versions such as Maven snapshots) or refuse with VERSION_EXISTS.
   * Identical content is always accepted unchanged (clients retry uploads).
   */
  replaceExisting: boolean;
  /** When set, the package must link to `repository`: it must exist under the owner and the caller must be able to write to it. */
  requireLink?: boolean;
  /** Rows the format keeps beside the file, written in the same transaction (not called when the upload changed nothing). */
  withinTransaction?: PublishRequest['withinTransaction'];
}

export interface AddFileResult {
  package: PackageRecord;
  version: VersionRecord;
  outcome: 'created' | 'replaced' | 'unchanged';
  /** Whether this upload created the version. */
  versionCreated: boolean;
}

export interface PackageServiceOptions {
  /** Public versions downloaded more than this many times can be deleted only by a site admin. */
  deleteProtectionDownloads: number;
  /** Days a deleted package or version can be restored. */
  restoreWindowDays: number;
}

/** One committed change: the package, its format, and the audit action (`version.publish`, `tag.set`…). */
export interface PackageChange {
  packageId: number;
  format: string | null;
  action: string;
  /** Who made it: a user's id; null for the `kura` command or a retention rule. */
  actorId?: number | null;
  /** What the audit row says about it (`version`, `tag`…), plus `versionId` where known. */
  meta?: Record<string, unknown>;
  /** When it was made (the time its rows record). */
  at?: string;
}

/** Told, after the commit, that a package, its versions or its tags changed; must not throw. */
export type PackageChangeListener = (change: PackageChange) => Promise<void>;

/** Publishing and every other write to packages, versions and tags; each one transaction. */
export class PackageService {
  readonly queries: PackageQueries;
  private readonly statements: PublishStatements;
  private readonly listeners: PackageChangeListener[] = [];
  /** The files of one version with every digest of their bytes. */
  readonly files: FileQueries;
  private readonly pruning: FilePruning;
  private readonly roles: PackageMembers;
  private readonly grants = new WeakSet<PublishGrant>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
    owners: OwnerService,
    private readonly repos: RepoService,
    private readonly options: PackageServiceOptions,
  ) {
    this.queries = new PackageQueries(deps.db, deps.changes, deps.packageSearch);
    this.statements = new PublishStatements(deps.db);
    this.files = new FileQueries(deps.db);
    this.pruning = new FilePruning(deps, access);
    this.roles = new PackageMembers(deps, access, owners);
  }

  /** Calls `listener` after every committed change to a package (publishes, tags, deletes, restores). */
  onChange(listener: PackageChangeListener): void {
    this.listeners.push(listener);
  }

  private async changed(change: PackageChange): Promise<void> {
    for (const listener of this.listeners) await listener(change);
  }

  /**
   * Removes the named files of `version` (replaceable files a format defines, e.g. superseded
   * builds of a mutable version); the bytes are left to garbage collection. Returns how many went.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE (write access is needed)
   */
  removeFiles(principal: Principal, pkg: PackageRecord, version: VersionRecord, names: readonly string[]): Promise<number> {
    return this.pruning.removeFiles(principal, pkg, version, names);
  }

  /**
   * Changes a package's format-specific settings: the package's admins may (the same rule as
   * deleting it); `body` writes the format's rows in the same transaction as the audit row.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
   */
  async changeSettings(principal: Principal, pkg: PackageRecord, meta: Record<string, unknown>, body: (trx: Tx) => Promise<void>): Promise<void> {
    await this.access.authorize(principal, 'delete', packageSubject(pkg));
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await body(trx);
      await recordAudit(trx, { actorId: principalUserId(principal), action: 'package.settings', target: `${pkg.format}:${pkg.name}`, meta, ...packageScope(pkg) }, now);
    });
  }

  /**
   * Decides once whether `target.principal` may publish to the package `target` names: write
   * on the existing package, or creating it (linked to `target.repository` when it exists under
   * the same owner and the publisher may write there; with `requireLink` the link is a must).
   * Pass the grant to {@link publishVersion} or {@link addFile} so they do not decide again.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
   */
  async authorizePublish(target: PublishTarget): Promise<PublishGrant> {
    const label = packageLabel({ format: target.format, name: target.name });
    const existing = await this.queries.find(target.format, target.owner.login, target.nameLower, true);
    let linkRepoId: number | null = null;
    if (existing) {
      await this.access.authorize(target.principal, 'write', packageSubject(existing));
    } else {
      const named = await this.namedRepository(target);
      const owner = ownerTarget(target.owner);
      if (named && (await this.access.permits(target.principal, 'write', { kind: 'new-package', owner, repo: named, label }))) {
        linkRepoId = named.id;
      } else {
        if (target.requireLink && !named) throw new KuraError('NOT_FOUND', `repository ${target.repository ?? '(none)'} not found`);
        const repo = target.requireLink ? named : null;
        await this.access.authorize(target.principal, 'write', { kind: 'new-package', owner, repo, label });
        linkRepoId = repo?.id ?? null;
      }
    }
    const grant: PublishGrant = { principal: target.principal, key: grantKey(target), existing, linkRepoId };
    this.grants.add(grant);
    return grant;
  }

  /** The request's own grant when it brings a valid one for the same target, else a new decision. */
  private async grantFor(request: PublishTarget & { grant?: PublishGrant | undefined }): Promise<PublishGrant> {
    const grant = request.grant;
    if (grant && this.grants.has(grant) && grant.principal === request.principal && grant.key === grantKey(request)) return grant;
    return this.authorizePublish(request);
  }

  /**
   * Publishes a version: checks access, commits the staged blobs, then in one transaction
   * creates the package if needed (linking it to `repository` when the publisher may write
   * there), the version, its files and tags, and an audit row. Blobs left behind by a failed
   * transaction are garbage collected later, never deleted here.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE, VERSION_EXISTS
   */
  async publishVersion(request: PublishRequest): Promise<PublishResult> {
    const label = packageLabel({ format: request.format, name: request.name });
    const { existing, linkRepoId } = await this.grantFor(request);
    if (existing && (await this.queries.version(existing.id, request.version))) throw versionExists(label, request.version);

    for (const file of request.files) await file.blob.commit();

    const now = this.deps.now().toISOString();
    const actorId = principalUserId(request.principal);
    let result: PublishResult;
    try {
      result = await retryingUniqueRace(() => this.deps.db.transaction().execute(async (trx) => {
        let pkgId: number;
        let created = false;
        const current = await this.queries.within(trx).find(request.format, request.owner.login, request.nameLower, true);
        if (current) {
          pkgId = current.id;
          if (await this.statements.versionTaken(trx, pkgId, request.version)) throw versionExists(label, request.version);
        } else {
          created = true;
          pkgId = await this.insertPackage(trx, request, linkRepoId, actorId, now);
        }
        const version = await this.statements.insertVersion(trx, {
          packageId: pkgId,
          version: request.version,
          metadata: JSON.stringify(request.metadata),
          readme: request.readme ?? null,
          description: request.description ?? null,
          license: request.license ?? null,
          publisherId: actorId,
          createdAt: now,
        });
        for (const file of request.files) {
          await this.statements.upsertBlob(trx, file.blob, now);
          await this.statements.insertFile(trx, { versionId: version.id, name: file.name, sha256: file.blob.sha256, size: file.blob.size, contentType: file.contentType ?? null }, now);
        }
        for (const tag of request.tags ?? []) await this.statements.upsertTag(trx, pkgId, tag, version.id, now);
        await insertDependencies(trx, request.format, version.id, request.dependencies ?? []);
        if (request.withinTransaction) await request.withinTransaction(trx, { packageId: pkgId, versionId: version.id });
        // The description is written only when it changes: the search index follows every write of the column.
        const describe = request.tags?.includes('latest') && current && current.description !== (request.description ?? null);
        await this.statements.touchPackage(trx, pkgId, now, describe ? { description: request.description ?? null } : undefined);
        const pkg = await this.queries.within(trx).findById(pkgId);
        if (!pkg) throw new Error('package vanished inside its own transaction');
        await recordAudit(trx, {
          actorId, action: 'version.publish', target: `${request.format}:${request.name}@${request.version}`, ...packageScope(pkg),
          meta: { version: request.version, versionId: version.id, ...(created ? { created: true } : {}), ...(request.tags?.length ? { tags: request.tags } : {}) },
        }, new Date(now));
        return { package: pkg, version: toVersion(version), created };
      }));
    } catch (error) {
      if (isUniqueViolation(error)) throw versionExists(label, request.version);
      throw error;
    }
    await this.changed({
      packageId: result.package.id, format: request.format, action: 'version.publish', actorId, at: now,
      meta: { version: request.version, versionId: result.version.id, tags: request.tags ?? [], created: result.created },
    });
    return result;
  }

  /**
   * Adds one file to a version, creating the package and the version when needed, in one
   * transaction with an audit row. Same access rules as {@link publishVersion}.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE, VERSION_EXISTS (file exists with other content)
   */
  async addFile(request: AddFileRequest): Promise<AddFileResult> {
    const label = packageLabel({ format: request.format, name: request.name });
    const { linkRepoId } = await this.grantFor(request);
    await request.file.blob.commit();

    const now = this.deps.now().toISOString();
    const actorId = principalUserId(request.principal);
    try {
      const result = await retryingUniqueRace(() => this.addFileInTransaction(request, label, linkRepoId, actorId, now));
      if (result.outcome !== 'unchanged') {
        await this.changed({
          packageId: result.package.id, format: request.format, action: `file.${result.outcome}`, actorId, at: now,
          meta: { version: request.version, versionId: result.version.id, file: request.file.name, versionCreated: result.versionCreated },
        });
      }
      return result;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new KuraError('VERSION_EXISTS', `${label}@${request.version}: ${request.file.name} was uploaded concurrently; retry the upload`);
      }
      throw error;
    }
  }

  private async addFileInTransaction(request: AddFileRequest, label: string, linkRepoId: number | null, actorId: number | null, now: string): Promise<AddFileResult> {
    const blob = request.file.blob;
    return this.deps.db.transaction().execute(async (trx) => {
      const q = this.queries.within(trx);
      let pkg = await q.find(request.format, request.owner.login, request.nameLower, true);
      if (!pkg) {
        pkg = (await q.findById(await this.insertPackage(trx, request, linkRepoId, actorId, now)))!;
      }
      let version = await q.version(pkg.id, request.version);
      if (version?.deletedAt) throw versionExists(label, request.version);
      const versionCreated = !version;
      if (!version) {
        const row = await this.statements.insertVersion(trx, {
          packageId: pkg.id, version: request.version, metadata: JSON.stringify(request.metadata ?? {}),
          readme: request.readme ?? null, description: request.description ?? null, license: request.license ?? null,
          publisherId: actorId, createdAt: now,
        });
        version = toVersion(row);
        if (request.metadata !== undefined) await insertDependencies(trx, request.format, version.id, request.dependencies ?? []);
      } else if (request.metadata !== undefined) {
        await trx.deleteFrom('version_dependencies').where('version_id', '=', version.id).execute();
        await insertDependencies(trx, request.format, version.id, request.dependencies ?? []);
        await trx.updateTable('versions').set({
          metadata: JSON.stringify(request.metadata),
          description: request.description ?? null,
          license: request.license ?? null,
          readme: request.readme ?? null,
        }).where('id', '=', version.id).execute();
        if (request.description) await trx.updateTable('packages').set({ description: request.description }).where('id', '=', pkg.id).execute();
      }
      await this.statements.upsertBlob(trx, blob, now);
      const current = await trx.selectFrom('files').select(['id', 'blob_sha256']).where('version_id', '=', version.id).where('name', '=', request.file.name).executeTakeFirst();
      let outcome: AddFileResult['outcome'] = 'created';
      if (current) {
        if (current.blob_sha256 === blob.sha256) return { package: pkg, version, outcome: 'unchanged' as const, versionCreated };
        if (!request.replaceExisting) {
          throw new KuraError('VERSION_EXISTS', `${label}@${request.version} already has a different ${request.file.name} (published versions are immutable)`);
        }
        await trx.updateTable('files').set({ blob_sha256: blob.sha256, size: blob.size, content_type: request.file.contentType ?? null, created_at: now }).where('id', '=', current.id).execute();
        outcome = 'replaced';
      } else {
        await this.statements.insertFile(trx, { versionId: version.id, name: request.file.name, sha256: blob.sha256, size: blob.size, contentType: request.file.contentType ?? null }, now);
      }
      if (request.withinTransaction) await request.withinTransaction(trx, { packageId: pkg.id, versionId: version.id });
      await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1), updated_at: now, deleted_at: null })).where('id', '=', pkg.id).execute();
      const updated = (await q.findById(pkg.id))!;
      await recordAudit(trx, {
        actorId, action: `file.${outcome}`, target: `${request.format}:${request.name}@${request.version}/${request.file.name}`, ...packageScope(updated),
        meta: { version: request.version, file: request.file.name, sha256: blob.sha256, size: blob.size },
      }, new Date(now));
      return { package: updated, version: (await q.versionById(version.id))!, outcome, versionCreated };
    });
  }

  /** Points `tag` at `version`. @throws KuraError (access), NOT_FOUND for an unknown version */
  async setTag(principal: Principal, pkg: PackageRecord, tag: string, version: string): Promise<void> {
    await this.access.authorize(principal, 'write', packageSubject(pkg));
    const target = await this.queries.version(pkg.id, version);
    if (!target || target.deletedAt) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} has no version ${version}`);
    await this.write(pkg, principal, 'tag.set', { tag, version }, async (trx, now) => {
      await this.statements.upsertTag(trx, pkg.id, tag, target.id, now);
    });
  }

  /** Removes a tag. @throws KuraError (access), NOT_FOUND for an unknown tag */
  async removeTag(principal: Principal, pkg: PackageRecord, tag: string): Promise<void> {
    await this.access.authorize(principal, 'write', packageSubject(pkg));
    await this.write(pkg, principal, 'tag.remove', { tag }, async (trx) => {
      const result = await trx.deleteFrom('tags').where('package_id', '=', pkg.id).where('name', '=', tag).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} has no tag "${tag}"`);
    });
  }

  /** Sets or clears (null) a version's deprecation message. */
  async setDeprecation(principal: Principal, pkg: PackageRecord, changes: ReadonlyMap<string, string | null>): Promise<void> {
    await this.access.authorize(principal, 'write', packageSubject(pkg));
    if (changes.size === 0) return;
    await this.write(pkg, principal, 'version.deprecate', { versions: Object.fromEntries(changes) }, async (trx) => {
      for (const [version, message] of changes) {
        const result = await trx.updateTable('versions').set({ deprecated: message || null })
          .where('package_id', '=', pkg.id).where('version', '=', version).where('deleted_at', 'is', null).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} has no version ${version}`);
      }
    });
  }

  /**
   * Soft-deletes a version: it disappears from reads, its number stays taken, and it can be
   * restored within the restore window. Tags pointing at it are removed.
   * @throws KuraError (access), NOT_FOUND, DELETE_PROTECTED
   */
  async deleteVersion(principal: Principal, pkg: PackageRecord, version: VersionRecord): Promise<void> {
    await this.access.authorize(principal, 'delete', packageSubject(pkg));
    if (version.deletedAt) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)}@${version.version} is already deleted`);
    this.checkDeleteProtection(principal, pkg, [version]);
    await this.write(pkg, principal, 'version.delete', { version: version.version }, async (trx, now) => {
      await trx.updateTable('versions').set({ deleted_at: now }).where('id', '=', version.id).execute();
      await trx.deleteFrom('tags').where('version_id', '=', version.id).execute();
    });
  }

  /**
   * Soft-deletes versions on behalf of a retention rule (no user acts): live versions of the
   * package among `versionIds` whose downloads do not exceed the delete-protection threshold.
   * One transaction with an audit row naming `rule`. Returns how many were deleted.
   */
  async expireVersions(packageId: number, versionIds: readonly number[], rule: string, meta: Record<string, unknown> = {}): Promise<number> {
    if (versionIds.length === 0) return 0;
    const now = this.deps.now().toISOString();
    return this.deps.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('versions').set({ deleted_at: now })
        .where('package_id', '=', packageId)
        .where('id', 'in', [...versionIds])
        .where('deleted_at', 'is', null)
        .where('download_count', '<=', this.options.deleteProtectionDownloads)
        .executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      if (count === 0) return 0;
      await trx.deleteFrom('tags').where('version_id', 'in', [...versionIds]).where('package_id', '=', packageId).execute();
      await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1), updated_at: now })).where('id', '=', packageId).execute();
      const pkg = await this.queries.within(trx).findById(packageId);
      await recordAudit(trx, {
        actorId: null, action: 'version.expire', target: pkg ? `${pkg.format}:${pkg.name}` : `package:${packageId}`, ...(pkg ? packageScope(pkg) : { packageId }),
        meta: { rule, ...meta },
      }, new Date(now));
      return count;
    }).then(async (count) => {
      if (count > 0) await this.changed({ packageId, format: null, action: 'version.expire', actorId: null, at: now, meta: { rule, ...meta, count } });
      return count;
    });
  }

  /** Restores a soft-deleted version. @throws KuraError (access), NOT_FOUND, RESTORE_EXPIRED */
  async restoreVersion(principal: Principal, pkg: PackageRecord, version: VersionRecord): Promise<void> {
    await this.access.authorize(principal, 'delete', packageSubject(pkg));
    if (!version.deletedAt) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)}@${version.version} is not deleted`);
    this.checkRestoreWindow(version.deletedAt, version.purgedAt, `${packageLabel(pkg)}@${version.version}`);
    await this.write(pkg, principal, 'version.restore', { version: version.version }, async (trx) => {
      await trx.updateTable('versions').set({ deleted_at: null }).where('id', '=', version.id).execute();
    });
  }

  /** Soft-deletes a whole package with its versions. @throws KuraError (access), DELETE_PROTECTED */
  async deletePackage(principal: Principal, pkg: PackageRecord): Promise<void> {
    await this.access.authorize(principal, 'delete', packageSubject(pkg));
    if (pkg.deletedAt) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} is already deleted`);
    this.checkDeleteProtection(principal, pkg, await this.queries.versions(pkg.id));
    await this.write(pkg, principal, 'package.delete', {}, async (trx, now) => {
      await trx.updateTable('packages').set({ deleted_at: now }).where('id', '=', pkg.id).execute();
    });
  }

  /** Restores a soft-deleted package. @throws KuraError (access), NOT_FOUND, RESTORE_EXPIRED */
  async restorePackage(principal: Principal, pkg: PackageRecord): Promise<void> {
    await this.access.authorize(principal, 'delete', packageSubject(pkg));
    if (!pkg.deletedAt) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} is not deleted`);
    this.checkRestoreWindow(pkg.deletedAt, null, packageLabel(pkg));
    await this.write(pkg, principal, 'package.restore', {}, async (trx) => {
      await trx.updateTable('packages').set({ deleted_at: null }).where('id', '=', pkg.id).execute();
    });
  }

  /**
   * Makes an unlinked package public or private (a linked one follows its repository). A public
   * package with a version downloaded more often than the delete-protection threshold stays
   * public unless a site admin changes it: those who depend on it would lose it.
   * @throws KuraError (access), BAD_REQUEST (linked), VISIBILITY_PROTECTED
   */
  async setVisibility(principal: Principal, pkg: PackageRecord, visibility: Visibility): Promise<void> {
    await this.access.authorize(principal, 'delete', packageSubject(pkg));
    if (!hasOwnAccess(pkg) && pkg.repo) throw new KuraError('BAD_REQUEST', `${packageLabel(pkg)} is linked to ${pkg.repo.fullName} and follows its visibility (turn off inheriting access to set its own)`);
    if (visibility === 'private' && effectiveVisibility(pkg) === 'public' && !this.access.bypassesDeleteProtection(principal)) {
      const limit = this.options.deleteProtectionDownloads;
      const popular = (await this.queries.versions(pkg.id)).find((v) => v.downloadCount > limit);
      if (popular) throw new KuraError('VISIBILITY_PROTECTED', `${packageLabel(pkg)}@${popular.version} was downloaded more than ${limit} times; only a site admin can make ${pkg.name} private`);
    }
    await this.write(pkg, principal, 'package.visibility', { visibility }, async (trx) => {
      await trx.updateTable('packages').set({ visibility }).where('id', '=', pkg.id).execute();
    });
  }

  /**
   * Links a package to a repository of its owner (its admins, when they may also publish to the
   * repository): it then follows the repository's visibility and permissions, and its own roles
   * are dropped (the audit row lists them). Returns the package as linked.
   * @throws KuraError BAD_REQUEST (another owner's repository), plus the access policy's
   */
  async linkRepository(actor: Actor, pkg: PackageRecord, repo: Repository): Promise<PackageRecord> {
    await this.access.authorize(actor, 'administer', packageSubject(pkg));
    if (repo.ownerId !== pkg.ownerId) throw new KuraError('BAD_REQUEST', `${packageLabel(pkg)} can link only to a repository of ${pkg.ownerLogin}, not to ${repo.fullName}`);
    await this.access.authorize(actor, 'write', { kind: 'repository', owner: packageTarget(pkg).owner, repo });
    if (pkg.repo?.id === repo.id) return pkg;
    await this.write(pkg, actor, 'package.link', { repository: repo.fullName, previous: pkg.repo?.fullName ?? null }, async (trx) => {
      const members = await trx.selectFrom('package_members').innerJoin('owners', 'owners.id', 'package_members.user_id')
        .select(['owners.login', 'package_members.role']).where('package_members.package_id', '=', pkg.id).execute();
      await trx.deleteFrom('package_members').where('package_id', '=', pkg.id).execute();
      await trx.updateTable('packages').set({ repo_id: repo.id, inherit_access: 1 }).where('id', '=', pkg.id).execute();
      return { removedRoles: Object.fromEntries(members.map((m) => [m.login, m.role])) };
    });
    return (await this.queries.findById(pkg.id))!;
  }

  /**
   * Unlinks a package from its repository (its admins). It keeps the visibility it had, and the
   * user who unlinks it becomes its admin unless the owner already makes them one. Returns the
   * package as unlinked.
   * @throws KuraError NOT_FOUND (not linked), plus the access policy's
   */
  async unlinkRepository(actor: Actor, pkg: PackageRecord): Promise<PackageRecord> {
    await this.access.authorize(actor, 'administer', packageSubject(pkg));
    const repo = pkg.repo;
    if (!repo) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} is not linked to a repository`);
    const visibility = effectiveVisibility(pkg);
    const unlinked = { kind: 'package' as const, package: { ...packageTarget(pkg), repo: null, visibility } };
    const admin = actor.kind === 'user' && !(await this.access.permits(actor, 'administer', unlinked)) ? actor.user : null;
    await this.write(pkg, actor, 'package.unlink', { repository: repo.fullName, visibility, ...(admin ? { admin: admin.login } : {}) }, async (trx, now) => {
      await trx.updateTable('packages').set({ repo_id: null, visibility, inherit_access: 1 }).where('id', '=', pkg.id).execute();
      if (admin) {
        await trx.insertInto('package_members').values({ package_id: pkg.id, user_id: admin.id, role: 'admin', created_at: now })
          .onConflict((oc) => oc.columns(['package_id', 'user_id']).doUpdateSet({ role: 'admin' }))
          .execute();
      }
    });
    return (await this.queries.findById(pkg.id))!;
  }

  /**
   * Makes a linked package take its visibility and permissions from its repository, or keep its
   * own (its admins), as GitHub's "Inherit access from source repository". Turned off, it keeps
   * the visibility it has and the user who turns it off becomes its admin unless the owner already
   * makes them one; turned on again, its own roles are dropped (the audit row lists them).
   * Returns the package as changed.
   * @throws KuraError BAD_REQUEST (not linked), plus the access policy's
   */
  async setAccessInheritance(actor: Actor, pkg: PackageRecord, inherit: boolean): Promise<PackageRecord> {
    await this.access.authorize(actor, 'administer', packageSubject(pkg));
    const repo = pkg.repo;
    if (!repo) throw new KuraError('BAD_REQUEST', `${packageLabel(pkg)} is not linked to a repository; only a linked package inherits access`);
    if (pkg.inheritsAccess === inherit) return pkg;
    if (inherit) {
      await this.write(pkg, actor, 'package.access.inherit', { repository: repo.fullName }, async (trx) => {
        const members = await trx.selectFrom('package_members').innerJoin('owners', 'owners.id', 'package_members.user_id')
          .select(['owners.login', 'package_members.role']).where('package_members.package_id', '=', pkg.id).execute();
        await trx.deleteFrom('package_members').where('package_id', '=', pkg.id).execute();
        await trx.updateTable('packages').set({ inherit_access: 1 }).where('id', '=', pkg.id).execute();
        return { removedRoles: Object.fromEntries(members.map((m) => [m.login, m.role])) };
      });
    } else {
      const own = { kind: 'package' as const, package: { ...packageTarget(pkg), inheritsAccess: false, visibility: repo.visibility } };
      const admin = actor.kind === 'user' && !(await this.access.permits(actor, 'administer', own)) ? actor.user : null;
      await this.write(pkg, actor, 'package.access.own', { repository: repo.fullName, visibility: repo.visibility, ...(admin ? { admin: admin.login } : {}) }, async (trx, now) => {
        await trx.updateTable('packages').set({ inherit_access: 0, visibility: repo.visibility }).where('id', '=', pkg.id).execute();
        if (admin) {
          await trx.insertInto('package_members').values({ package_id: pkg.id, user_id: admin.id, role: 'admin', created_at: now })
            .onConflict((oc) => oc.columns(['package_id', 'user_id']).doUpdateSet({ role: 'admin' }))
            .execute();
        }
      });
    }
    return (await this.queries.findById(pkg.id))!;
  }

  /**
   * The users with a role on an unlinked package, for its writers (see {@link PackageMembers}).
   * @throws KuraError BAD_REQUEST (a linked package), plus the access policy's
   */
  members(actor: Actor, pkg: PackageRecord): Promise<PackageMember[]> {
    return this.roles.list(actor, pkg);
  }

  /**
   * Gives a user a role on an unlinked package, or changes it (its admins).
   * @throws KuraError BAD_REQUEST (role, a linked package, the owner), NOT_FOUND (user), plus the access policy's
   */
  setMember(actor: Actor, pkg: PackageRecord, userLogin: string, role: RepoRole): Promise<{ member: PackageMember; created: boolean }> {
    return this.roles.set(actor, pkg, userLogin, role);
  }

  /**
   * Takes a user's role on an unlinked package away (its admins).
   * @throws KuraError BAD_REQUEST (a linked package, the owner), NOT_FOUND (user, or no role), plus the access policy's
   */
  removeMember(actor: Actor, pkg: PackageRecord, userLogin: string): Promise<void> {
    return this.roles.remove(actor, pkg, userLogin);
  }

  /**
   * Runs one audited write on a package and bumps its revision, in one transaction; what `body`
   * returns is added to the audit row's `meta`.
   */
  private async write(
    pkg: PackageRecord,
    actor: Actor,
    action: string,
    meta: Record<string, unknown>,
    body: (trx: Tx, now: string) => Promise<Record<string, unknown> | void>,
  ): Promise<void> {
    const now = this.deps.now().toISOString();
    const recorded = await this.deps.db.transaction().execute(async (trx) => {
      const found = await body(trx, now);
      const all = { ...meta, ...found };
      await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1), updated_at: now })).where('id', '=', pkg.id).execute();
      await recordAudit(trx, { actorId: principalUserId(actor), action, target: `${pkg.format}:${pkg.name}`, ...packageScope(pkg), meta: all }, new Date(now));
      return all;
    });
    await this.changed({ packageId: pkg.id, format: pkg.format, action, actorId: principalUserId(actor), at: now, meta: recorded });
  }

  /** Inserts a new package row (its publisher becomes admin when unlinked); returns its id. */
  private async insertPackage(
    trx: Tx,
    request: Pick<PublishRequest, 'owner' | 'format' | 'name' | 'nameLower' | 'description'>,
    linkRepoId: number | null,
    actorId: number | null,
    now: string,
  ): Promise<number> {
    const row = await trx.insertInto('packages').values({
      owner_id: request.owner.id,
      format: request.format,
      name: request.name,
      name_lower: request.nameLower,
      repo_id: linkRepoId,
      visibility: request.owner.publicPackagesByDefault ? 'public' : 'private',
      description: request.description ?? null,
      rev: 1,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    if (linkRepoId === null && actorId !== null) {
      await trx.insertInto('package_members').values({ package_id: row.id, user_id: actorId, role: 'admin', created_at: now }).execute();
    }
    return row.id;
  }

  /** The repository a package's metadata names, when it exists under the package's owner. */
  private async namedRepository(request: Pick<PublishRequest, 'repository' | 'owner'>) {
    if (!request.repository) return null;
    const [ownerLogin, name] = request.repository.split('/');
    if (!ownerLogin || !name || ownerLogin.toLowerCase() !== request.owner.login.toLowerCase()) return null;
    return this.repos.find(ownerLogin, name);
  }

  private checkDeleteProtection(principal: Principal, pkg: PackageRecord, versions: VersionRecord[]): void {
    if (this.access.bypassesDeleteProtection(principal)) return;
    if (effectiveVisibility(pkg) !== 'public') return;
    const limit = this.options.deleteProtectionDownloads;
    const popular = versions.find((v) => v.downloadCount > limit);
    if (popular) {
      throw new KuraError('DELETE_PROTECTED', `${packageLabel(pkg)}@${popular.version} was downloaded more than ${limit} times; only a site admin can delete it`);
    }
  }

  /** Days a deleted package or version can be restored. */
  get restoreWindowDays(): number {
    return this.options.restoreWindowDays;
  }

  /**
   * Until when a deleted package or version can be restored, or null when it no longer can (past
   * the restore window, or purged); for pages that offer restoring. Live items: null.
   */
  restorableUntil(item: { deletedAt: string | null; purgedAt?: string | null }): Date | null {
    if (!item.deletedAt || item.purgedAt) return null;
    const limit = new Date(new Date(item.deletedAt).getTime() + this.options.restoreWindowDays * 86_400_000);
    return this.deps.now().getTime() > limit.getTime() ? null : limit;
  }

  private checkRestoreWindow(deletedAt: string, purgedAt: string | null, label: string): void {
    if (!this.restorableUntil({ deletedAt, purgedAt })) {
      throw new KuraError('RESTORE_EXPIRED', `${label} was deleted more than ${this.options.restoreWindowDays} days ago and can no longer be restored`);
    }
  }
}

function versionExists(label: string, version: string): KuraError {
  return new KuraError('VERSION_EXISTS', `${label}@${version} already exists (published versions are immutable, even after deletion): bump the version`);
}

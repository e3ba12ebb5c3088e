import { sql, type Kysely, type Selectable } from 'kysely';
import { PreparedQuery } from '../../db/prepared-query.js';
import type { DbOrTx, VersionsTable } from '../../db/schema.js';
import type { ReadablePackages } from '../access/access-policy.js';
import { untrackedChanges, type DataChanges } from '../data-changes.js';
import type { Owner } from '../owners/owner.js';
import { toOwner } from '../owners/owner-service.js';
import { UnchangedReads } from '../unchanged-reads.js';
import type { Visibility } from '../repos/repository.js';
import type { FileRecord, PackageRecord, TagRecord, VersionRecord, VersionSummary } from './package.js';
import type { PackageSearchIndex } from './package-search-index.js';

/** Which live packages of one owner a page lists. */
export interface PackageListFilter {
  ownerId: number;
  /** The formats listed (one, or every format that is not disabled). */
  formats: readonly string[];
  /** Only packages linked to this repository. */
  repoId?: number | undefined;
  /** Only packages of this effective visibility (a linked package has its repository's). */
  visibility?: Visibility | undefined;
  /** What the caller may read (from the access policy). */
  readable: ReadablePackages;
}

/** A slice of a list: `limit` items after the first `offset`. */
export interface PageSlice {
  offset: number;
  limit: number;
}

/** One page of a list, and how many items the whole list has. */
export interface Page<T> {
  total: number;
  items: T[];
}

/** A package's live versions and the downloads of all its versions. */
export interface PackageCounts {
  versionCount: number;
  downloadCount: number;
}

const packageColumns = [
  'packages.id', 'packages.format', 'packages.name', 'packages.owner_id', 'packages.repo_id', 'packages.visibility',
  'packages.description', 'packages.inherit_access', 'packages.rev', 'packages.created_at', 'packages.updated_at', 'packages.deleted_at',
  'owners.login as owner_login', 'owners.kind as owner_kind',
  'repositories.name as repo_name', 'repositories.visibility as repo_visibility',
] as const;

function basePackageQuery(db: DbOrTx) {
  return db.selectFrom('packages')
    .innerJoin('owners', 'owners.id', 'packages.owner_id')
    .leftJoin('repositories', 'repositories.id', 'packages.repo_id')
    .select(packageColumns);
}

type PackageRow = Awaited<ReturnType<ReturnType<typeof basePackageQuery>['executeTakeFirstOrThrow']>>;

function toPackage(row: PackageRow): PackageRecord {
  return {
    id: row.id,
    format: row.format,
    name: row.name,
    ownerId: row.owner_id,
    ownerLogin: row.owner_login,
    ownerKind: row.owner_kind,
    repo: row.repo_id !== null && row.repo_name !== null && row.repo_visibility !== null
      ? { id: row.repo_id, fullName: `${row.owner_login}/${row.repo_name}`, visibility: row.repo_visibility }
      : null,
    visibility: row.visibility,
    inheritsAccess: row.inherit_access === 1,
    description: row.description,
    rev: row.rev,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export function toVersion(row: Selectable<VersionsTable>): VersionRecord {
  return {
    id: row.id,
    packageId: row.package_id,
    version: row.version,
    metadata: row.metadata,
    readme: row.readme,
    description: row.description,
    license: row.license,
    deprecated: row.deprecated,
    publisherId: row.publisher_id,
    downloadCount: Number(row.download_count),
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
    purgedAt: row.purged_at,
  };
}

type FindParams = { owner: string; format: string; name: string };

/** An owner and, when it has one, its live package of a given format and name. */
export interface OwnerWithPackage {
  owner: Owner;
  pkg: PackageRecord | null;
}
type TagRow = { name: string; version_id: number; version: string; updated_at: string };

/** The lookup on every package request, compiled once per query shape. */
function findQuery(db: DbOrTx, includeDeleted: boolean) {
  return new PreparedQuery<PackageRow, FindParams>((param) => {
    let query = basePackageQuery(db)
      .where('owners.login_lower', '=', param('owner'))
      .where('packages.format', '=', param('format'))
      .where('packages.name_lower', '=', param('name'));
    if (!includeDeleted) query = query.where('packages.deleted_at', 'is', null);
    return query;
  });
}

type OwnerWithPackageRow = Awaited<ReturnType<ReturnType<typeof ownerWithPackageQuery>['execute']>>[number];

/** An owner by login with its live package of one format and name (null columns when it has none). */
function ownerWithPackageQuery(db: DbOrTx) {
  return new PreparedQuery((param) => db.selectFrom('owners')
    .leftJoin('packages', (join) => join.onRef('packages.owner_id', '=', 'owners.id')
      .on('packages.format', '=', param('format'))
      .on('packages.name_lower', '=', param('name'))
      .on('packages.deleted_at', 'is', null))
    .leftJoin('repositories', 'repositories.id', 'packages.repo_id')
    .selectAll('owners')
    .select([
      'packages.id as package_id', 'packages.format', 'packages.name', 'packages.repo_id', 'packages.visibility', 'packages.description',
      'packages.inherit_access', 'packages.rev', 'packages.created_at as package_created_at', 'packages.updated_at', 'packages.deleted_at',
      'repositories.name as repo_name', 'repositories.visibility as repo_visibility',
    ])
    .where('owners.login_lower', '=', param('owner')));
}

/** The package lookups every publish and download makes, each compiled once and run on any connection of the database. */
class PreparedPackageQueries {
  readonly findLive: PreparedQuery<PackageRow, FindParams>;
  readonly findAny: PreparedQuery<PackageRow, FindParams>;
  readonly findById: PreparedQuery<PackageRow, { id: number }>;
  readonly version: PreparedQuery<Selectable<VersionsTable>, { packageId: number; version: string }>;
  readonly tag: PreparedQuery<TagRow, { packageId: number; name: string }>;
  readonly ownerWithPackage: ReturnType<typeof ownerWithPackageQuery>;

  constructor(db: DbOrTx) {
    this.findLive = findQuery(db, false);
    this.findAny = findQuery(db, true);
    this.findById = new PreparedQuery((param) => basePackageQuery(db).where('packages.id', '=', param('id') as unknown as number));
    this.version = new PreparedQuery((param) => db.selectFrom('versions').selectAll()
      .where('package_id', '=', param('packageId') as unknown as number).where('version', '=', param('version')));
    this.ownerWithPackage = ownerWithPackageQuery(db);
    this.tag = new PreparedQuery((param) => db.selectFrom('tags')
      .innerJoin('versions', 'versions.id', 'tags.version_id')
      .select(['tags.name', 'tags.version_id', 'versions.version', 'tags.updated_at'])
      .where('tags.package_id', '=', param('packageId') as unknown as number)
      .where('tags.name', '=', param('name'))
      .where('versions.deleted_at', 'is', null));
  }
}

/** Read-side queries over packages; one indexed query each, never one per item. */
export class PackageQueries {
  /** Live packages by (format, owner, name), reused until the database changes. */
  private readonly live: UnchangedReads<PackageRow | undefined>;
  /** Packages by (format, owner, name), deleted ones included, reused until the database changes. */
  private readonly any: UnchangedReads<PackageRow | undefined>;
  /** Owners with their live package by (format, owner, name), reused until the database changes. */
  private readonly liveWithOwner: UnchangedReads<OwnerWithPackageRow | undefined>;

  /**
   * `changes` tells when reads of live packages may be reused (never inside a transaction);
   * `searchIndex` narrows {@link search} on engines that have one, without it search scans.
   */
  constructor(
    private readonly db: DbOrTx,
    changes: DataChanges = untrackedChanges,
    private readonly searchIndex?: PackageSearchIndex,
    private readonly prepared = new PreparedPackageQueries(db),
  ) {
    this.live = new UnchangedReads(changes);
    this.any = new UnchangedReads(changes);
    this.liveWithOwner = new UnchangedReads(changes);
  }

  /** The same queries run inside `trx` (nothing reused from outside it), sharing the compiled statements. */
  within(trx: DbOrTx): PackageQueries {
    return new PackageQueries(trx, untrackedChanges, this.searchIndex, this.prepared);
  }

  /** A package by owner, format and normalized name; deleted ones only when asked. */
  async find(format: string, ownerLogin: string, nameLower: string, includeDeleted = false): Promise<PackageRecord | null> {
    const params = { owner: ownerLogin.toLowerCase(), format, name: nameLower };
    const key = `${format}\u0000${params.owner}\u0000${nameLower}`;
    const row = includeDeleted
      ? await this.any.get(key, async () => (await this.prepared.findAny.execute(this.db as Kysely<unknown>, params))[0])
      : await this.live.get(key, async () => (await this.prepared.findLive.execute(this.db as Kysely<unknown>, params))[0]);
    return row ? toPackage(row) : null;
  }

  /**
   * The owner `ownerLogin` (any case) with its live package of `format` named `nameLower`, in one
   * query: what a request naming OWNER/NAME needs first. Null when there is no such owner.
   */
  async findWithOwner(format: string, ownerLogin: string, nameLower: string): Promise<OwnerWithPackage | null> {
    const params = { owner: ownerLogin.toLowerCase(), format, name: nameLower };
    const row = await this.liveWithOwner.get(`${format}\u0000${params.owner}\u0000${nameLower}`, async () => (await this.prepared.ownerWithPackage.execute(this.db as Kysely<unknown>, params))[0]);
    if (!row) return null;
    const owner = toOwner(row);
    if (row.package_id === null || row.format === null || row.name === null || row.visibility === null || row.rev === null
      || row.inherit_access === null || row.package_created_at === null || row.updated_at === null) return { owner, pkg: null };
    const pkg = toPackage({
      id: row.package_id, format: row.format, name: row.name, owner_id: row.id, repo_id: row.repo_id, visibility: row.visibility,
      description: row.description, inherit_access: row.inherit_access, rev: row.rev, created_at: row.package_created_at,
      updated_at: row.updated_at, deleted_at: row.deleted_at, owner_login: row.login, owner_kind: row.kind,
      repo_name: row.repo_name, repo_visibility: row.repo_visibility,
    });
    return { owner, pkg };
  }

  async findById(id: number): Promise<PackageRecord | null> {
    const [row] = await this.prepared.findById.execute(this.db as Kysely<unknown>, { id });
    return row ? toPackage(row) : null;
  }

  /** Live packages of an owner, optionally of one format or one linked repository. */
  async listByOwner(ownerId: number, filter: { format?: string | undefined; repoId?: number | undefined } = {}): Promise<PackageRecord[]> {
    let query = basePackageQuery(this.db).where('packages.owner_id', '=', ownerId).where('packages.deleted_at', 'is', null);
    if (filter.format) query = query.where('packages.format', '=', filter.format);
    if (filter.repoId !== undefined) query = query.where('packages.repo_id', '=', filter.repoId);
    return (await query.orderBy('packages.name').execute()).map(toPackage);
  }

  /**
   * One page of an owner's live packages the caller may read, by name (then format and id, so
   * pages never overlap), and how many there are in all: one query (two for a page past the end).
   */
  async listPage(filter: PackageListFilter, slice: PageSlice): Promise<Page<PackageRecord>> {
    if (filter.formats.length === 0) return { total: 0, items: [] };
    // A package that takes its access from its repository has the repository's visibility; any other has its own.
    const inherits = sql<boolean>`(${sql.ref('packages.repo_id')} is not null and ${sql.ref('packages.inherit_access')} = 1)`;
    const effectiveVisibility = sql<Visibility>`case when ${inherits} then ${sql.ref('repositories.visibility')} else ${sql.ref('packages.visibility')} end`;
    let base = basePackageQuery(this.db).where('packages.owner_id', '=', filter.ownerId).where('packages.deleted_at', 'is', null)
      .where('packages.format', 'in', [...filter.formats]);
    if (filter.repoId !== undefined) base = base.where('packages.repo_id', '=', filter.repoId);
    if (filter.visibility) base = base.where(effectiveVisibility, '=', filter.visibility);
    const readable = filter.readable;
    if (!readable.all) {
      base = base.where((eb) => eb.or([
        eb(effectiveVisibility, '=', 'public'),
        ...(readable.repoIds.length > 0 ? [eb.and([inherits, eb('packages.repo_id', 'in', readable.repoIds)])] : []),
        ...(readable.packageIds.length > 0 ? [eb.and([eb.not(inherits), eb('packages.id', 'in', readable.packageIds)])] : []),
      ]));
    }
    const rows = await base.select((eb) => eb.fn.countAll<number | string>().over().as('total'))
      .orderBy('packages.name').orderBy('packages.format').orderBy('packages.id')
      .offset(slice.offset).limit(slice.limit).execute();
    const total = rows[0] ? Number(rows[0].total)
      : slice.offset === 0 ? 0
        : Number((await base.clearSelect().select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst())?.n ?? 0);
    return { total, items: rows.map(toPackage) };
  }

  /** The live version count and total downloads of each of `packageIds`: one grouped query. */
  async counts(packageIds: readonly number[]): Promise<Map<number, PackageCounts>> {
    const counts = new Map<number, PackageCounts>(packageIds.map((id) => [id, { versionCount: 0, downloadCount: 0 }]));
    if (packageIds.length === 0) return counts;
    const rows = await this.db.selectFrom('versions')
      .select((eb) => [
        'package_id',
        eb.fn.sum<number | string>(sql<number>`case when ${eb.ref('deleted_at')} is null then 1 else 0 end`).as('versions'),
        eb.fn.sum<number | string>('download_count').as('downloads'),
      ])
      .where('package_id', 'in', [...packageIds]).groupBy('package_id').execute();
    for (const row of rows) counts.set(row.package_id, { versionCount: Number(row.versions), downloadCount: Number(row.downloads) });
    return counts;
  }

  /**
   * One page of a package's versions with their metadata, newest first: live ones, or deleted
   * ones not yet purged. One query (two for a page past the end).
   */
  async versionRecordsPage(packageId: number, state: 'active' | 'deleted', slice: PageSlice): Promise<Page<VersionRecord>> {
    let base = this.db.selectFrom('versions').where('package_id', '=', packageId);
    base = state === 'active' ? base.where('deleted_at', 'is', null) : base.where('deleted_at', 'is not', null).where('purged_at', 'is', null);
    const rows = await base.selectAll().select((eb) => eb.fn.countAll<number | string>().over().as('total'))
      .orderBy('created_at', 'desc').orderBy('id', 'desc').offset(slice.offset).limit(slice.limit).execute();
    const total = rows[0] ? Number(rows[0].total)
      : slice.offset === 0 ? 0
        : Number((await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst())?.n ?? 0);
    return { total, items: rows.map(toVersion) };
  }

  /** Live packages whose name or description contains `text` (case-insensitive; `%`, `_` and `\\` match themselves). */
  async search(format: string | null, text: string, limit: number): Promise<PackageRecord[]> {
    const needle = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    let query = basePackageQuery(this.db).where('packages.deleted_at', 'is', null);
    if (format) query = query.where('packages.format', '=', format);
    if (text) {
      const candidates = this.searchIndex?.candidates(text.toLowerCase());
      if (candidates) query = query.where(candidates);
      query = query.where((eb) => eb.or([
        sql<boolean>`${eb.ref('packages.name_lower')} like ${needle} escape '\\'`,
        sql<boolean>`lower(${eb.ref('packages.description')}) like ${needle} escape '\\'`,
      ]));
    }
    return (await query.orderBy('packages.updated_at', 'desc').limit(limit).execute()).map(toPackage);
  }

  /** Versions of a package, oldest first. */
  async versions(packageId: number, includeDeleted = false): Promise<VersionRecord[]> {
    let query = this.db.selectFrom('versions').selectAll().where('package_id', '=', packageId);
    if (!includeDeleted) query = query.where('deleted_at', 'is', null);
    return (await query.orderBy('id').execute()).map(toVersion);
  }

  /**
   * One page of a package's versions, newest first, without their metadata, and how many there
   * are in all; deleted (and purged) versions only when asked. One query for the page, one for the count.
   */
  async versionPage(packageId: number, page: { offset: number; limit: number; includeDeleted?: boolean }): Promise<{ total: number; versions: VersionSummary[] }> {
    let base = this.db.selectFrom('versions').where('package_id', '=', packageId);
    if (!page.includeDeleted) base = base.where('deleted_at', 'is', null);
    const [rows, count] = await Promise.all([
      base.select(['id', 'version', 'created_at', 'download_count', 'deprecated', 'deleted_at', 'purged_at'])
        .orderBy('created_at', 'desc').orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return {
      total: Number(count?.n ?? 0),
      versions: rows.map((r) => ({
        id: r.id, version: r.version, createdAt: r.created_at, downloadCount: Number(r.download_count),
        deprecated: r.deprecated, deletedAt: r.deleted_at, purgedAt: r.purged_at,
      })),
    };
  }

  /** Live packages of `format` whose normalized names are among `namesLower`, in one query. */
  async findByNames(format: string, namesLower: readonly string[]): Promise<PackageRecord[]> {
    if (namesLower.length === 0) return [];
    const rows = await basePackageQuery(this.db).where('packages.format', '=', format)
      .where('packages.name_lower', 'in', [...new Set(namesLower)].slice(0, 1000)).where('packages.deleted_at', 'is', null).execute();
    return rows.map(toPackage);
  }

  async version(packageId: number, version: string): Promise<VersionRecord | null> {
    const [row] = await this.prepared.version.execute(this.db as Kysely<unknown>, { packageId, version });
    return row ? toVersion(row) : null;
  }

  async versionById(id: number): Promise<VersionRecord | null> {
    const row = await this.db.selectFrom('versions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  /** Files of the package's live versions, in one query. */
  async liveFiles(packageId: number): Promise<FileRecord[]> {
    const rows = await this.db.selectFrom('files')
      .innerJoin('versions', 'versions.id', 'files.version_id')
      .select(['files.id', 'files.version_id', 'files.name', 'files.blob_sha256', 'files.size', 'files.content_type', 'files.created_at'])
      .where('versions.package_id', '=', packageId)
      .where('versions.deleted_at', 'is', null)
      .orderBy('files.id')
      .execute();
    return rows.map((r) => ({ id: r.id, versionId: r.version_id, name: r.name, sha256: r.blob_sha256, size: Number(r.size), contentType: r.content_type, createdAt: r.created_at }));
  }

  /** The files of one version, in the order they were added. */
  async filesOf(versionId: number): Promise<FileRecord[]> {
    const rows = await this.db.selectFrom('files')
      .select(['id', 'version_id', 'name', 'blob_sha256', 'size', 'content_type', 'created_at'])
      .where('version_id', '=', versionId).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, versionId: r.version_id, name: r.name, sha256: r.blob_sha256, size: Number(r.size), contentType: r.content_type, createdAt: r.created_at }));
  }

  async tags(packageId: number): Promise<TagRecord[]> {
    const rows = await this.db.selectFrom('tags')
      .innerJoin('versions', 'versions.id', 'tags.version_id')
      .select(['tags.name', 'tags.version_id', 'versions.version', 'tags.updated_at'])
      .where('tags.package_id', '=', packageId)
      .where('versions.deleted_at', 'is', null)
      .orderBy('tags.name')
      .execute();
    return rows.map((r) => ({ name: r.name, versionId: r.version_id, version: r.version, updatedAt: r.updated_at }));
  }

  /** The live version `tag` points at, or null. */
  async tag(packageId: number, name: string): Promise<TagRecord | null> {
    const row = await this.prepared.tag.execute(this.db as Kysely<unknown>, { packageId, name });
    const r = row[0];
    return r ? { name: r.name, versionId: r.version_id, version: r.version, updatedAt: r.updated_at } : null;
  }

  /** Names of the live tags of a package in lexical order after `after`, at most `limit`. */
  async tagNames(packageId: number, after: string | null, limit: number): Promise<string[]> {
    let query = this.db.selectFrom('tags')
      .innerJoin('versions', 'versions.id', 'tags.version_id')
      .select('tags.name')
      .where('tags.package_id', '=', packageId)
      .where('versions.deleted_at', 'is', null);
    if (after !== null) query = query.where('tags.name', '>', after);
    return (await query.orderBy('tags.name').limit(limit).execute()).map((r) => r.name);
  }

  /** Which of `versionIds` are live (not deleted); one query per 500 ids. */
  async liveVersionIds(versionIds: readonly number[]): Promise<Set<number>> {
    const live = new Set<number>();
    for (let i = 0; i < versionIds.length; i += 500) {
      const rows = await this.db.selectFrom('versions').select('id')
        .where('id', 'in', versionIds.slice(i, i + 500)).where('deleted_at', 'is', null).execute();
      for (const row of rows) live.add(row.id);
    }
    return live;
  }

  /** The names of the files of each live version among `versionIds` (a version with no file is absent). */
  async liveFileNames(versionIds: readonly number[]): Promise<Map<number, Set<string>>> {
    const live = new Map<number, Set<string>>();
    for (let i = 0; i < versionIds.length; i += 500) {
      const rows = await this.db.selectFrom('files').innerJoin('versions', 'versions.id', 'files.version_id')
        .select(['files.version_id', 'files.name'])
        .where('files.version_id', 'in', versionIds.slice(i, i + 500)).where('versions.deleted_at', 'is', null).execute();
      for (const row of rows) {
        let names = live.get(row.version_id);
        if (!names) live.set(row.version_id, (names = new Set()));
        names.add(row.name);
      }
    }
    return live;
  }

  /**
   * A value that changes whenever any package of `ownerId` in `format` changes: a write to it
   * (every write bumps its revision), a new or deleted package, or a change of its effective
   * visibility (also through its repository). One aggregate query; for caching owner-wide views.
   */
  async ownerFingerprint(ownerId: number, format: string): Promise<string> {
    const row = await this.db.selectFrom('packages')
      .leftJoin('repositories', 'repositories.id', 'packages.repo_id')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('packages.rev').as('revs'),
        eb.fn.sum<number>(sql<number>`case when (case when ${eb.ref('packages.inherit_access')} = 1 then coalesce(${eb.ref('repositories.visibility')}, ${eb.ref('packages.visibility')}) else ${eb.ref('packages.visibility')} end) = 'public' then ${eb.ref('packages.id')} else 0 end`).as('public_ids'),
        eb.fn.sum<number>(sql<number>`case when ${eb.ref('packages.deleted_at')} is null then ${eb.ref('packages.id')} else 0 end`).as('live_ids'),
      ])
      .where('packages.owner_id', '=', ownerId)
      .where('packages.format', '=', format)
      .executeTakeFirst();
    return `${row?.n ?? 0}:${row?.revs ?? 0}:${row?.public_ids ?? 0}:${row?.live_ids ?? 0}`;
  }

  /** Total downloads per live version of a package. */
  async downloadTotal(packageId: number): Promise<number> {
    const row = await this.db.selectFrom('versions').select((eb) => eb.fn.sum<number>('download_count').as('n')).where('package_id', '=', packageId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

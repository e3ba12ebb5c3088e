import type { DbOrTx } from '../../db/schema.js';

/** A live version that declares a dependency, with what alerting needs about its package. */
export interface DependentEdge {
  dependency: string;
  range: string;
  scope: string;
  versionId: number;
  version: string;
  packageId: number;
  packageName: string;
  packageKey: string;
  repoId: number | null;
  ownerId: number;
  /** Whether this version is the package's `latest`. */
  latest: boolean;
}

/** A dependency one version declares. */
export interface DeclaredEdge {
  versionId: number;
  dependency: string;
  range: string;
  scope: string;
}

/** A live version of a package hosted in Kura, by the package's normalized name. */
export interface HostedVersion {
  packageKey: string;
  versionId: number;
  version: string;
}

const chunk = 500;

/** Reads of the dependency index, each one query per chunk of names or ids (never one per version). */
export class DependencyGraph {
  constructor(private readonly db: DbOrTx) {}

  /** Every live version of a live package in `ecosystem` that declares a dependency on one of `names` (normalized). */
  async dependentsOf(ecosystem: string, names: readonly string[]): Promise<DependentEdge[]> {
    const result: DependentEdge[] = [];
    for (let i = 0; i < names.length; i += chunk) {
      const rows = await this.db.selectFrom('version_dependencies as d')
        .innerJoin('versions as v', 'v.id', 'd.version_id')
        .innerJoin('packages as p', 'p.id', 'v.package_id')
        .leftJoin('tags as t', (join) => join.onRef('t.package_id', '=', 'p.id').on('t.name', '=', 'latest'))
        .select(['d.name_lower', 'd.range', 'd.scope', 'v.id as version_id', 'v.version', 'p.id as package_id', 'p.name', 'p.name_lower as package_key', 'p.repo_id', 'p.owner_id', 't.version_id as latest_id'])
        .where('d.ecosystem', '=', ecosystem)
        .where('d.name_lower', 'in', names.slice(i, i + chunk))
        .where('v.deleted_at', 'is', null)
        .where('p.deleted_at', 'is', null)
        .execute();
      for (const r of rows) {
        result.push({
          dependency: r.name_lower, range: r.range, scope: r.scope, versionId: r.version_id, version: r.version, packageId: r.package_id,
          packageName: r.name, packageKey: r.package_key, repoId: r.repo_id, ownerId: r.owner_id, latest: r.latest_id === r.version_id,
        });
      }
    }
    return result;
  }

  /** What the given versions declare. */
  async declaredBy(versionIds: readonly number[]): Promise<DeclaredEdge[]> {
    const result: DeclaredEdge[] = [];
    for (let i = 0; i < versionIds.length; i += chunk) {
      const rows = await this.db.selectFrom('version_dependencies').select(['version_id', 'name_lower', 'range', 'scope'])
        .where('version_id', 'in', versionIds.slice(i, i + chunk)).execute();
      for (const r of rows) result.push({ versionId: r.version_id, dependency: r.name_lower, range: r.range, scope: r.scope });
    }
    return result;
  }

  /** The live versions of live packages in `ecosystem` named `names`, grouped by name. */
  async hostedVersions(ecosystem: string, names: readonly string[]): Promise<Map<string, HostedVersion[]>> {
    const result = new Map<string, HostedVersion[]>();
    for (let i = 0; i < names.length; i += chunk) {
      const rows = await this.db.selectFrom('packages as p').innerJoin('versions as v', 'v.package_id', 'p.id')
        .select(['p.name_lower', 'v.id', 'v.version'])
        .where('p.format', '=', ecosystem).where('p.name_lower', 'in', names.slice(i, i + chunk))
        .where('p.deleted_at', 'is', null).where('v.deleted_at', 'is', null)
        .execute();
      for (const r of rows) {
        const list = result.get(r.name_lower) ?? [];
        list.push({ packageKey: r.name_lower, versionId: r.id, version: r.version });
        result.set(r.name_lower, list);
      }
    }
    return result;
  }

  /** A live package's latest version and where its alerts go, or null when it has none. */
  async latestOf(packageId: number): Promise<{ packageId: number; format: string; name: string; repoId: number | null; ownerId: number; versionId: number; version: string } | null> {
    const row = await this.db.selectFrom('packages as p')
      .innerJoin('tags as t', (join) => join.onRef('t.package_id', '=', 'p.id').on('t.name', '=', 'latest'))
      .innerJoin('versions as v', 'v.id', 't.version_id')
      .select(['p.id', 'p.format', 'p.name', 'p.repo_id', 'p.owner_id', 'v.id as version_id', 'v.version'])
      .where('p.id', '=', packageId).where('p.deleted_at', 'is', null).where('v.deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? { packageId: row.id, format: row.format, name: row.name, repoId: row.repo_id, ownerId: row.owner_id, versionId: row.version_id, version: row.version } : null;
  }
}

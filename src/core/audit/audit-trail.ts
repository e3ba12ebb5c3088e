import { sql } from 'kysely';
import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import type { Principal } from '../access/principal.js';
import type { CoreDeps } from '../context.js';
import type { Owner } from '../owners/owner.js';
import type { Page, PageSlice } from '../packages/package-queries.js';

/** What an audit log listing is narrowed to; every part is optional. */
export interface AuditFilter {
  /** Entries by the user with this login. */
  actor?: string | undefined;
  /** An action (`version.publish`), or a prefix ending at a dot: `version` and `version.` match `version.publish`, `version.delete`… */
  action?: string | undefined;
  /** Entries about the package(s) of this format and normalized name (of the listed owner, when there is one). */
  package?: { format: string; nameLower: string } | undefined;
  /** Entries written at or after this ISO time. */
  since?: string | undefined;
  /** Entries written before this ISO time. */
  until?: string | undefined;
}

/** An audit row with the names of whom and what it concerns. */
export interface AuditRecord {
  id: number;
  createdAt: string;
  action: string;
  actor: { id: number; login: string } | null;
  owner: { id: number; login: string; kind: 'user' | 'org' } | null;
  repo: { id: number; fullName: string } | null;
  package: { id: number; format: string; name: string } | null;
  target: string;
  meta: Record<string, unknown>;
}

/**
 * Reads the audit log: an organization's (what was done to it and to everything it owns), for
 * its owners; the whole site's, for site admins. Ask {@link authorizeOrganization} or
 * {@link authorizeSite}, then {@link list}: newest first, one query per page.
 */
export class AuditTrail {
  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
  ) {}

  /**
   * Allows reading the entries of `org` and what it owns (its owners).
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND (non-members), FORBIDDEN (members), MISSING_SCOPE (a token without `admin`)
   */
  authorizeOrganization(principal: Principal, org: Owner): Promise<void> {
    return this.access.authorize(principal, 'audit', { kind: 'organization', org: ownerTarget(org) });
  }

  /**
   * Allows reading every entry of the site (site admins).
   * @throws KuraError UNAUTHENTICATED, FORBIDDEN (not a site admin), MISSING_SCOPE (a token without `admin`)
   */
  authorizeSite(principal: Principal): void {
    this.access.authorizeSiteAdministration(principal, 'read the audit log');
  }

  /** A page of the entries of the owner `ownerId` (null: of the whole site) that `filter` admits. */
  async list(ownerId: number | null, filter: AuditFilter, slice: PageSlice): Promise<Page<AuditRecord>> {
    const db = this.deps.db;
    let base = db.selectFrom('audit_log');
    if (ownerId !== null) base = base.where('audit_log.owner_id', '=', ownerId);
    if (filter.actor !== undefined) {
      base = base.where('audit_log.actor_id', '=', db.selectFrom('owners').select('id').where('login_lower', '=', filter.actor.toLowerCase()));
    }
    if (filter.action !== undefined) {
      const action = filter.action.replace(/[.*]+$/, '');
      const prefix = `${action.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;
      base = base.where((eb) => eb.or([eb('audit_log.action', '=', action), sql<boolean>`${eb.ref('audit_log.action')} like ${prefix} escape '\\'`]));
    }
    if (filter.package !== undefined) {
      let packages = db.selectFrom('packages').select('id').where('format', '=', filter.package.format).where('name_lower', '=', filter.package.nameLower);
      if (ownerId !== null) packages = packages.where('owner_id', '=', ownerId);
      base = base.where('audit_log.package_id', 'in', packages);
    }
    if (filter.since !== undefined) base = base.where('audit_log.created_at', '>=', filter.since);
    if (filter.until !== undefined) base = base.where('audit_log.created_at', '<', filter.until);

    const rows = await base
      .leftJoin('owners as actor', 'actor.id', 'audit_log.actor_id')
      .leftJoin('owners as owner', 'owner.id', 'audit_log.owner_id')
      .leftJoin('repositories', 'repositories.id', 'audit_log.repo_id')
      .leftJoin('packages', 'packages.id', 'audit_log.package_id')
      .select((eb) => [
        'audit_log.id', 'audit_log.created_at', 'audit_log.action', 'audit_log.target', 'audit_log.meta',
        'audit_log.actor_id', 'actor.login as actor_login',
        'audit_log.owner_id', 'owner.login as owner_login', 'owner.kind as owner_kind',
        'audit_log.repo_id', 'repositories.name as repo_name',
        'audit_log.package_id', 'packages.format as package_format', 'packages.name as package_name',
        eb.fn.countAll<number | string>().over().as('total'),
      ])
      .orderBy('audit_log.created_at', 'desc').orderBy('audit_log.id', 'desc')
      .offset(slice.offset).limit(slice.limit).execute();
    const total = rows[0] ? Number(rows[0].total)
      : slice.offset === 0 ? 0
        : Number((await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst())?.n ?? 0);
    return {
      total,
      items: rows.map((row) => ({
        id: row.id,
        createdAt: row.created_at,
        action: row.action,
        actor: row.actor_id !== null ? { id: row.actor_id, login: row.actor_login ?? '' } : null,
        owner: row.owner_id !== null && row.owner_login !== null && row.owner_kind !== null ? { id: row.owner_id, login: row.owner_login, kind: row.owner_kind } : null,
        repo: row.repo_id !== null && row.repo_name !== null ? { id: row.repo_id, fullName: `${row.owner_login}/${row.repo_name}` } : null,
        package: row.package_id !== null && row.package_format !== null && row.package_name !== null ? { id: row.package_id, format: row.package_format, name: row.package_name } : null,
        target: row.target,
        meta: parseMeta(row.meta),
      })),
    };
  }
}

function parseMeta(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

import { KuraError } from '../errors/catalogue.js';
import type { OrgRole } from '../owners/owner.js';
import type { RepoRole, Visibility } from '../repos/repository.js';
import { scopeAllows, type Scope } from '../tokens/scopes.js';
import type { Principal } from './principal.js';

export type Role = 'none' | RepoRole;
const rank: Record<Role, number> = { none: 0, read: 1, write: 2, admin: 3 };
const maxRole = (a: Role, b: Role): Role => (rank[a] >= rank[b] ? a : b);
export const roleAtLeast = (role: Role, needed: Role): boolean => rank[role] >= rank[needed];

/** The facts access decisions need, looked up on demand. */
export interface AccessFacts {
  orgRole(orgId: number, userId: number): Promise<OrgRole | null>;
  collaboratorRole(repoId: number, userId: number): Promise<RepoRole | null>;
  packageMemberRole(packageId: number, userId: number): Promise<RepoRole | null>;
}

export interface OwnerTarget {
  id: number;
  login: string;
  kind: 'user' | 'org';
}

export interface RepoTarget {
  id: number;
  fullName: string;
  visibility: Visibility;
}

/** A package as access decisions see it. */
export interface PackageTarget {
  id: number;
  /** How messages name it, e.g. `npm package @alice/widget`. */
  label: string;
  owner: OwnerTarget;
  repo: RepoTarget | null;
  /** The unlinked package's own visibility (ignored when linked). */
  visibility: Visibility;
}

export type PackageAction = 'read' | 'write' | 'delete';
const actionNeeds: Record<PackageAction, { role: Role; scope: Scope; verb: string }> = {
  read: { role: 'read', scope: 'read:packages', verb: 'read' },
  write: { role: 'write', scope: 'write:packages', verb: 'publish to' },
  delete: { role: 'admin', scope: 'delete:packages', verb: 'delete or restore' },
};

/** The effective visibility: a linked package follows its repository. */
export function packageVisibility(target: PackageTarget): Visibility {
  return target.repo ? target.repo.visibility : target.visibility;
}

/**
 * The single authority for who may do what (DESIGN §1). Every route asks it; nothing else
 * decides access. Failures are catalogue errors that keep private things private:
 * anonymous → UNAUTHENTICATED, signed-in but unable to read → NOT_FOUND, can read but not act →
 * FORBIDDEN or MISSING_SCOPE naming what is missing.
 */
export class AccessPolicy {
  constructor(private readonly facts: AccessFacts) {}

  /** The role a user has on a repository of `owner` (public visibility not counted). */
  async repoRole(principal: Principal, owner: OwnerTarget, repo: RepoTarget): Promise<Role> {
    if (principal.kind !== 'user') return 'none';
    if (principal.repoId !== null && principal.repoId !== repo.id) return 'none';
    const user = principal.user;
    if (user.isAdmin || user.id === owner.id) return 'admin';
    let role: Role = 'none';
    if (owner.kind === 'org') {
      const org = await this.facts.orgRole(owner.id, user.id);
      if (org === 'owner') return 'admin';
      if (org === 'member') role = 'read';
    }
    const collaborator = await this.facts.collaboratorRole(repo.id, user.id);
    return collaborator ? maxRole(role, collaborator) : role;
  }

  /** The role a user has on a package (public visibility not counted). */
  async packageRole(principal: Principal, target: PackageTarget): Promise<Role> {
    if (principal.kind !== 'user') return 'none';
    if (target.repo) return this.repoRole(principal, target.owner, target.repo);
    if (principal.repoId !== null) return 'none';
    const role = await this.ownerRole(principal, target.owner);
    if (role === 'admin') return role;
    const member = await this.facts.packageMemberRole(target.id, principal.user.id);
    return member ? maxRole(role, member) : role;
  }

  /**
   * Allows `action` on an existing package or throws the catalogue error to answer with.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
   */
  async authorizePackage(principal: Principal, action: PackageAction, target: PackageTarget): Promise<void> {
    const isPublic = packageVisibility(target) === 'public';
    const role = await this.packageRole(principal, target);
    if (!isPublic && !roleAtLeast(role, 'read')) throw this.invisible(principal, target.label);
    if (action === 'read') {
      if (!isPublic) this.requireScope(principal, 'read:packages', `read ${target.label}`);
      return;
    }
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${actionNeeds[action].verb} ${target.label}`);
    this.requireRole(role, action, target.label, target.repo);
    this.requireScope(principal, actionNeeds[action].scope, `${actionNeeds[action].verb} ${target.label}`);
  }

  /**
   * Allows creating a new package under `owner`, linked to `repo` when given.
   * @throws KuraError UNAUTHENTICATED, FORBIDDEN, MISSING_SCOPE
   */
  async authorizeNewPackage(principal: Principal, owner: OwnerTarget, repo: RepoTarget | null, label: string): Promise<void> {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to publish ${label}`);
    const role = repo ? await this.repoRole(principal, owner, repo) : principal.repoId === null ? await this.ownerRole(principal, owner) : 'none';
    this.requireRole(role, 'write', label, repo);
    this.requireScope(principal, 'write:packages', `publish ${label}`);
  }

  /**
   * Allows reading a repository (its package list) or throws like {@link authorizePackage}.
   */
  async authorizeRepoRead(principal: Principal, owner: OwnerTarget, repo: RepoTarget): Promise<void> {
    if (repo.visibility === 'public') return;
    const role = await this.repoRole(principal, owner, repo);
    if (!roleAtLeast(role, 'read')) throw this.invisible(principal, `repository ${repo.fullName}`);
    this.requireScope(principal, 'read:packages', `read repository ${repo.fullName}`);
  }

  /** Whether the principal may read the package; never throws for access reasons. */
  async canReadPackage(principal: Principal, target: PackageTarget): Promise<boolean> {
    if (packageVisibility(target) === 'public') return true;
    if (principal.kind !== 'user' || !scopeAllows(principal.scopes, 'read:packages')) return false;
    return roleAtLeast(await this.packageRole(principal, target), 'read');
  }

  /** A user's standing on an owner: themselves or org owner → admin; org member → write. */
  private async ownerRole(principal: Principal, owner: OwnerTarget): Promise<Role> {
    if (principal.kind !== 'user') return 'none';
    const user = principal.user;
    if (user.isAdmin || user.id === owner.id) return 'admin';
    if (owner.kind !== 'org') return 'none';
    const org = await this.facts.orgRole(owner.id, user.id);
    return org === 'owner' ? 'admin' : org === 'member' ? 'write' : 'none';
  }

  private invisible(principal: Principal, label: string): KuraError {
    return principal.kind === 'user'
      ? new KuraError('NOT_FOUND', `${label} not found`)
      : new KuraError('UNAUTHENTICATED', `authentication required to read ${label}`);
  }

  private requireRole(role: Role, action: PackageAction, label: string, repo: RepoTarget | null): void {
    const needed = actionNeeds[action].role;
    if (roleAtLeast(role, needed)) return;
    const where = repo ? `${needed} permission on repository ${repo.fullName}` : `${needed} permission on ${label}`;
    throw new KuraError('FORBIDDEN', `you need ${where} to ${actionNeeds[action].verb} ${label}`);
  }

  /** @throws KuraError UNAUTHENTICATED for anonymous callers, MISSING_SCOPE when the token lacks `scope`. */
  requireScope(principal: Principal, scope: Scope, what: string): void {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${what}`);
    if (!scopeAllows(principal.scopes, scope)) throw new KuraError('MISSING_SCOPE', `the token lacks the ${scope} scope needed to ${what}`);
  }
}

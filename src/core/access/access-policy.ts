import { KuraError } from '../errors/catalogue.js';
import type { OrgRole, Owner } from '../owners/owner.js';
import type { RepoRole, Visibility } from '../repos/repository.js';
import { scopeAllows, type Scope } from '../tokens/scopes.js';
import type { Actor, Principal } from './principal.js';

export type Role = 'none' | RepoRole;
const rank: Record<Role, number> = { none: 0, read: 1, write: 2, admin: 3 };
const maxRole = (a: Role, b: Role): Role => (rank[a] >= rank[b] ? a : b);
export const roleAtLeast = (role: Role, needed: Role): boolean => rank[role] >= rank[needed];

/** What is known about one user's standing on a repository. */
export interface RepositoryStanding {
  siteAdmin: boolean;
  /** The user owns the repository (a repository of their own login). */
  owner: boolean;
  /** Their role in the organization that owns the repository, if any. */
  orgRole: OrgRole | null;
  /** The role given to them on the repository itself, if any. */
  collaboratorRole: RepoRole | null;
}

/**
 * The role rule of DESIGN §1 for one user on a repository: site admins and the owner are admin,
 * an organization's owners are admin on all its repositories and its members have `read`,
 * raised by a collaborator role. Public visibility is not counted.
 */
export function repositoryRole(standing: RepositoryStanding): Role {
  if (standing.siteAdmin || standing.owner || standing.orgRole === 'owner') return 'admin';
  const role: Role = standing.orgRole === 'member' ? 'read' : 'none';
  return standing.collaboratorRole ? maxRole(role, standing.collaboratorRole) : role;
}

/** The facts access decisions need, looked up on demand. */
export interface AccessFacts {
  orgRole(orgId: number, userId: number): Promise<OrgRole | null>;
  collaboratorRole(repoId: number, userId: number): Promise<RepoRole | null>;
  packageMemberRole(packageId: number, userId: number): Promise<RepoRole | null>;
  /** The repositories of `ownerId` on which `userId` has a collaborator role. */
  collaboratorRepositories(ownerId: number, userId: number): Promise<number[]>;
  /** The packages of `ownerId` on which `userId` has a role of their own. */
  memberPackages(ownerId: number, userId: number): Promise<number[]>;
}

/**
 * Which live packages of one owner a caller may read, as a set a query applies: all of them, or
 * the public ones (by {@link packageVisibility}) plus those that take their access from a
 * repository among `repoIds` and those with access of their own (unlinked, or linked without
 * inheriting) among `packageIds`.
 */
export type ReadablePackages = { all: true } | { all: false; repoIds: number[]; packageIds: number[] };

export interface OwnerTarget {
  id: number;
  login: string;
  kind: 'user' | 'org';
}

/** An owner as access decisions see it (any owner record has these fields). */
export function ownerTarget(owner: OwnerTarget): OwnerTarget {
  return { id: owner.id, login: owner.login, kind: owner.kind };
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
  /** Whether a linked package takes visibility and roles from `repo` (otherwise it is judged as if unlinked). */
  inheritsAccess: boolean;
  /** The package's own visibility (ignored when it inherits from its repository). */
  visibility: Visibility;
  /** A soft-deleted package: only those who may restore it see it at all. */
  deleted?: boolean;
}

/**
 * What a caller asks to do.
 * - `manage`: a repository's security work (drafting and publishing its advisories), for its admins.
 * - `members`: see who has access: a repository's or package's writers, an organization's members.
 * - `administer`: change settings, roles, memberships and links, or create repositories: for
 *   admins (an organization's owners), with a password or a token carrying the `admin` scope,
 *   since these changes grant access that outlives any one token.
 * - `audit`: read the audit log (of an organization: its owners), with a password or a token
 *   carrying the `admin` scope, since it tells who did what across everything they own.
 */
export type PackageAction = 'read' | 'write' | 'delete' | 'manage' | 'members' | 'administer' | 'audit';
const actionNeeds: Record<PackageAction, { role: Role; scope: Scope; verb: string }> = {
  read: { role: 'read', scope: 'read:packages', verb: 'read' },
  write: { role: 'write', scope: 'write:packages', verb: 'publish to' },
  delete: { role: 'admin', scope: 'delete:packages', verb: 'delete or restore' },
  manage: { role: 'admin', scope: 'write:packages', verb: 'manage the security advisories of' },
  members: { role: 'write', scope: 'read:packages', verb: 'see who has access to' },
  administer: { role: 'admin', scope: 'admin', verb: 'administer' },
  audit: { role: 'admin', scope: 'admin', verb: 'read the audit log of' },
};

/**
 * What an access question is about.
 * - `package`: an existing package (live or, with `deleted`, soft-deleted).
 * - `missing`: something the caller asked for that does not exist (a package, an owner, a
 *   repository); `within` is the public repository it was looked for in, if any; `notFound`
 *   is the message signed-in callers get (default: "LABEL not found").
 * - `new-package`: a package to create under `owner`, linked to `repo` when given; `repo` is
 *   `'pending'` before the metadata naming it has been read (only what is known is checked).
 * - `repository`: a repository, for listing or resolving what it holds; with `adminsOnly`, an item
 *   of it only its admins see at all (a draft advisory): everyone else is answered as if it did not exist.
 * - `namespace`: an owner's names that are not packages yet (e.g. container blobs pushed
 *   before any manifest): whoever may create packages there may use them.
 * - `organization`: an organization as a body of members. Anyone may `read` it (it is public);
 *   its member list and memberships are visible to its members only (`members`), changed by
 *   its owners (`administer`), and its audit log is read by its owners (`audit`).
 * - `new-repository`: a repository to create under `owner`: a user creates under their own
 *   login, an organization's members (owners too) under it.
 */
export type AccessSubject =
  | { kind: 'package'; package: PackageTarget }
  | { kind: 'missing'; label: string; within?: RepoTarget | null; notFound?: string }
  | { kind: 'new-package'; owner: OwnerTarget; repo: RepoTarget | null | 'pending'; label: string }
  | { kind: 'repository'; owner: OwnerTarget; repo: RepoTarget; adminsOnly?: boolean }
  | { kind: 'namespace'; owner: OwnerTarget; label: string }
  | { kind: 'organization'; org: OwnerTarget }
  | { kind: 'new-repository'; owner: OwnerTarget; label: string };

/** The effective visibility: a linked package follows its repository. */
export function packageVisibility(target: PackageTarget): Visibility {
  return target.repo && target.inheritsAccess ? target.repo.visibility : target.visibility;
}

/**
 * The single authority for who may do what (DESIGN §1). Every route asks {@link authorize} (or
 * {@link permits} to filter a list); nothing else decides access. Failures are catalogue errors
 * already shaped by the rule that keeps private things private: anonymous → UNAUTHENTICATED
 * (the route adds its client's challenge), signed-in but unable to read → NOT_FOUND, can read but
 * not act → FORBIDDEN or MISSING_SCOPE naming what is missing. The {@link Operator} (the `kura`
 * command) is allowed everything.
 */
export class AccessPolicy {
  constructor(private readonly facts: AccessFacts) {}

  /**
   * Allows `action` on `subject`, or throws the error to answer with. The operator is allowed
   * everything but a `missing` subject, which is NOT_FOUND for everyone.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
   */
  authorize(actor: Actor, action: PackageAction, subject: Extract<AccessSubject, { kind: 'missing' }>): Promise<never>;
  authorize(actor: Actor, action: PackageAction, subject: AccessSubject): Promise<void>;
  async authorize(actor: Actor, action: PackageAction, subject: AccessSubject): Promise<void> {
    if (actor.kind === 'operator') {
      if (subject.kind === 'missing') throw new KuraError('NOT_FOUND', subject.notFound ?? `${subject.label} not found`);
      return;
    }
    const principal = actor;
    switch (subject.kind) {
      case 'package':
        return this.authorizePackage(principal, action, subject.package);
      case 'missing':
        if (principal.kind === 'user' || subject.within?.visibility === 'public') throw new KuraError('NOT_FOUND', subject.notFound ?? `${subject.label} not found`);
        throw new KuraError('UNAUTHENTICATED', `authentication required to ${actionNeeds[action].verb} ${subject.label}`);
      case 'new-package':
        return this.authorizeNewPackage(principal, subject.owner, subject.repo, subject.label);
      case 'repository':
        if (subject.adminsOnly && !(await this.permits(principal, 'manage', { ...subject, adminsOnly: false }))) throw this.invisible(principal, `repository ${subject.repo.fullName}`);
        return this.authorizeRepository(principal, action, subject.owner, subject.repo);
      case 'namespace':
        return this.authorizeNamespace(principal, action, subject.owner, subject.label);
      case 'organization':
        return this.authorizeOrganization(principal, action, subject.org);
      case 'new-repository':
        return this.authorizeNewRepository(principal, action, subject.owner, subject.label);
    }
  }

  /** Whether {@link authorize} would allow `action` on `subject`; never throws for access reasons. */
  async permits(principal: Actor, action: PackageAction, subject: AccessSubject): Promise<boolean> {
    if (action === 'read' && subject.kind === 'package' && !subject.package.deleted && packageVisibility(subject.package) === 'public') return true;
    if (action === 'read' && subject.kind === 'repository' && !subject.adminsOnly && subject.repo.visibility === 'public') return true;
    try {
      await this.authorize(principal, action, subject);
      return true;
    } catch (error) {
      if (error instanceof KuraError) return false;
      throw error;
    }
  }

  /**
   * The live packages of `owner` the caller may read, for lists that filter and page in one
   * query: the same rule as {@link authorize} with `read` on each of them (public ones for
   * everyone; private ones with `read:packages` and a role on the package or its repository).
   */
  async readablePackages(actor: Actor, owner: OwnerTarget): Promise<ReadablePackages> {
    if (actor.kind === 'operator') return { all: true };
    const none: ReadablePackages = { all: false, repoIds: [], packageIds: [] };
    if (!this.hasScope(actor, 'read:packages') || actor.kind !== 'user') return none;
    const user = actor.user;
    if (actor.repoId !== null) {
      const restricted = { id: actor.repoId, fullName: '', visibility: 'private' as const };
      return roleAtLeast(await this.repositoryRoleOf(user, owner, restricted), 'read') ? { ...none, repoIds: [actor.repoId] } : none;
    }
    if (user.isAdmin || user.id === owner.id) return { all: true };
    if (owner.kind === 'org' && (await this.facts.orgRole(owner.id, user.id))) return { all: true };
    const [repoIds, packageIds] = await Promise.all([this.facts.collaboratorRepositories(owner.id, user.id), this.facts.memberPackages(owner.id, user.id)]);
    return { all: false, repoIds, packageIds };
  }

  /**
   * Allows creating a personal access token, restricted to `repo` when given (null: a token for
   * everything the user may reach): with a password, or with a token that has the `admin` scope;
   * a restriction must name a repository the user may read. A token restricted to one repository
   * only makes tokens restricted to that same repository, so it never reaches further than itself.
   * `'pending'` checks only what is known before the restriction is looked up.
   * @throws KuraError UNAUTHENTICATED, MISSING_SCOPE, FORBIDDEN (an unrestricted token asked with a restricted one), NOT_FOUND (the repository)
   */
  async authorizeTokenCreation(principal: Principal, repo: { owner: OwnerTarget; repo: RepoTarget } | null | 'pending'): Promise<void> {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'authentication required to create a token');
    if (principal.tokenId !== null && !principal.scopes.has('admin')) {
      throw new KuraError('MISSING_SCOPE', 'creating tokens needs a password or a token with the admin scope');
    }
    if (repo === 'pending') return;
    if (principal.repoId !== null && repo === null) {
      throw new KuraError('FORBIDDEN', 'a token restricted to one repository can only create tokens restricted to that repository');
    }
    const elsewhere = repo !== null && principal.repoId !== null && repo.repo.id !== principal.repoId;
    if (repo && (elsewhere || (!roleAtLeast(await this.repoRole(principal, repo.owner, repo.repo), 'read') && repo.repo.visibility !== 'public'))) {
      throw new KuraError('NOT_FOUND', `repository ${repo.repo.fullName} not found`);
    }
  }

  /**
   * Allows a user to change settings of their own account (the visibility their new packages
   * start with), which reach every package they will publish: with a password or a token that
   * carries `admin` and is not restricted to one repository.
   * @throws KuraError UNAUTHENTICATED, FORBIDDEN (a restricted token), MISSING_SCOPE
   */
  authorizeAccountSettings(principal: Principal, what: string): void {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${what}`);
    if (principal.repoId !== null) throw new KuraError('FORBIDDEN', `a token restricted to one repository cannot ${what}`);
    this.requireScope(principal, 'admin', what);
  }

  /**
   * Allows what only site admins do (reviewing advisories), with a password or a token carrying `admin`.
   * @throws KuraError UNAUTHENTICATED, FORBIDDEN, MISSING_SCOPE
   */
  authorizeSiteAdministration(principal: Principal, what: string): void {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${what}`);
    if (!principal.user.isAdmin) throw new KuraError('FORBIDDEN', `only site admins may ${what}`);
    if (!this.hasScope(principal, 'admin')) throw new KuraError('MISSING_SCOPE', `${what} needs a password or a token with the admin scope`);
  }

  /** Whether the principal may delete versions past the delete-protection download threshold (site admins). */
  bypassesDeleteProtection(principal: Principal): boolean {
    return principal.kind === 'user' && principal.user.isAdmin;
  }

  /** Whether the principal's token (or password) carries `scope`. */
  private hasScope(principal: Principal, scope: Scope): boolean {
    return principal.kind === 'user' && scopeAllows(principal.scopes, scope);
  }

  /**
   * The role `user` has on a repository of `owner`, as with their password (no token
   * restriction; public visibility not counted): what a repository's permission check reports.
   */
  async repositoryRoleOf(user: Owner, owner: OwnerTarget, repo: RepoTarget): Promise<Role> {
    if (user.isAdmin || user.id === owner.id) return 'admin';
    const orgRole = owner.kind === 'org' ? await this.facts.orgRole(owner.id, user.id) : null;
    if (orgRole === 'owner') return 'admin';
    return repositoryRole({ siteAdmin: false, owner: false, orgRole, collaboratorRole: await this.facts.collaboratorRole(repo.id, user.id) });
  }

  /** The role a user has on a repository of `owner` (public visibility not counted). */
  private async repoRole(principal: Principal, owner: OwnerTarget, repo: RepoTarget): Promise<Role> {
    if (principal.kind !== 'user') return 'none';
    if (principal.repoId !== null && principal.repoId !== repo.id) return 'none';
    return this.repositoryRoleOf(principal.user, owner, repo);
  }

  /** The role a user has on a package (public visibility not counted). */
  private async packageRole(principal: Principal, target: PackageTarget): Promise<Role> {
    if (principal.kind !== 'user') return 'none';
    if (target.repo && target.inheritsAccess) return this.repoRole(principal, target.owner, target.repo);
    if (principal.repoId !== null) return 'none';
    const role = await this.ownerRole(principal, target.owner);
    if (role === 'admin') return role;
    const member = await this.facts.packageMemberRole(target.id, principal.user.id);
    return member ? maxRole(role, member) : role;
  }

  private async authorizePackage(principal: Principal, action: PackageAction, target: PackageTarget): Promise<void> {
    const isPublic = packageVisibility(target) === 'public';
    const role = await this.packageRole(principal, target);
    if (target.deleted && action !== 'write') {
      if (!roleAtLeast(role, 'admin') || !this.hasScope(principal, 'delete:packages')) throw this.invisible(principal, target.label);
      if (action !== 'members' && action !== 'administer') return;
    }
    if (!isPublic && !roleAtLeast(role, 'read')) throw this.invisible(principal, target.label);
    if (action === 'read') {
      if (!isPublic) this.requireScope(principal, 'read:packages', `read ${target.label}`);
      return;
    }
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${actionNeeds[action].verb} ${target.label}`);
    this.requireRole(role, action, target.label, target.repo);
    this.requireScope(principal, actionNeeds[action].scope, `${actionNeeds[action].verb} ${target.label}`);
  }

  private async authorizeNewPackage(principal: Principal, owner: OwnerTarget, repo: RepoTarget | null | 'pending', label: string): Promise<void> {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to publish ${label}`);
    if (repo !== 'pending') {
      const role = repo ? await this.repoRole(principal, owner, repo) : principal.repoId === null ? await this.ownerRole(principal, owner) : 'none';
      this.requireRole(role, 'write', label, repo);
    }
    this.requireScope(principal, 'write:packages', `publish ${label}`);
  }

  private async authorizeRepository(principal: Principal, action: PackageAction, owner: OwnerTarget, repo: RepoTarget): Promise<void> {
    const label = `repository ${repo.fullName}`;
    const role = await this.repoRole(principal, owner, repo);
    if (repo.visibility !== 'public' && !roleAtLeast(role, 'read')) throw this.invisible(principal, label);
    if (action === 'read') {
      if (repo.visibility !== 'public') this.requireScope(principal, 'read:packages', `read ${label}`);
      return;
    }
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${actionNeeds[action].verb} ${label}`);
    this.requireRole(role, action, action === 'members' || action === 'administer' ? label : `packages in ${label}`, repo);
    this.requireScope(principal, actionNeeds[action].scope, `${actionNeeds[action].verb} ${label}`);
  }

  private async authorizeOrganization(principal: Principal, action: PackageAction, org: OwnerTarget): Promise<void> {
    if (action === 'read') return;
    const label = `organization ${org.login}`;
    const verb = actionNeeds[action].verb;
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${verb} ${label}`);
    const role = principal.repoId !== null ? null : principal.user.isAdmin ? 'owner' : await this.facts.orgRole(org.id, principal.user.id);
    if (!role) throw new KuraError('NOT_FOUND', action === 'audit' ? `the audit log of ${label} is visible to its owners only` : `the members of ${label} are visible to its members only`);
    if (action !== 'members' && role !== 'owner') throw new KuraError('FORBIDDEN', `you need the owner role in ${label} to ${verb} it`);
    this.requireScope(principal, actionNeeds[action].scope, `${verb} ${label}`);
  }

  private async authorizeNewRepository(principal: Principal, action: PackageAction, owner: OwnerTarget, label: string): Promise<void> {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to create ${label}`);
    if (principal.repoId !== null) throw new KuraError('FORBIDDEN', `a token restricted to one repository cannot create ${label}`);
    const user = principal.user;
    if (!user.isAdmin && user.id !== owner.id) {
      if (owner.kind !== 'org') throw new KuraError('FORBIDDEN', `only ${owner.login} may create ${label}`);
      if (!(await this.facts.orgRole(owner.id, user.id))) throw new KuraError('FORBIDDEN', `you need to be a member of organization ${owner.login} to create ${label}`);
    }
    this.requireScope(principal, actionNeeds[action].scope, `create ${label}`);
  }

  private async authorizeNamespace(principal: Principal, action: PackageAction, owner: OwnerTarget, label: string): Promise<void> {
    if (action === 'write') return this.authorizeNewPackage(principal, owner, null, label);
    try {
      await this.authorizeNewPackage(principal, owner, null, label);
    } catch (error) {
      if (error instanceof KuraError && error.code !== 'UNAUTHENTICATED') throw new KuraError('NOT_FOUND', `${label} not found`);
      throw error;
    }
    if (action === 'delete') this.requireScope(principal, 'delete:packages', `delete from ${label}`);
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
  private requireScope(principal: Principal, scope: Scope, what: string): void {
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to ${what}`);
    if (!scopeAllows(principal.scopes, scope)) throw new KuraError('MISSING_SCOPE', `the token lacks the ${scope} scope needed to ${what}`);
  }
}

import type { Selectable } from 'kysely';
import type { OwnersTable } from '../../db/schema.js';
import { ownerTarget, repositoryRole, type AccessPolicy, type AccessSubject, type Role } from '../access/access-policy.js';
import { operator, principalUserId, type Actor } from '../access/principal.js';
import { recordAudit, repositoryScope } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import { parseRepoPath } from '../ids/names.js';
import type { OrgRole, Owner } from '../owners/owner.js';
import { toOwner, type OwnerService } from '../owners/owner-service.js';
import { repoRoles, type CollaboratorAffiliation, type RepoChanges, type RepoMember, type RepoRole, type Repository, type Visibility } from './repository.js';

export interface CreateRepoInput {
  fullName: string;
  visibility?: Visibility | undefined;
  description?: string | undefined;
}

/** Longest repository description kept. */
export const maxDescriptionLength = 1000;
const visibilities: readonly Visibility[] = ['public', 'private'];

const repoColumns = ['repositories.id', 'repositories.owner_id', 'owners.login', 'repositories.name', 'repositories.visibility', 'repositories.description', 'repositories.created_at'] as const;

function toRepository(row: { id: number; owner_id: number; login: string; name: string; visibility: Visibility; description: string | null; created_at: string }): Repository {
  return { id: row.id, ownerId: row.owner_id, ownerLogin: row.login, name: row.name, fullName: `${row.login}/${row.name}`, visibility: row.visibility, description: row.description, createdAt: row.created_at };
}

/** Listeners told, after the commit, that a repository's visibility changed; must not throw. */
export type VisibilityListener = (repo: Repository) => Promise<void>;

/**
 * Repositories and their collaborators. Every change is decided by the access policy (a
 * repository's admins administer it; `create` and the `fullName` forms without an actor are
 * the `kura` command's) and written in one transaction with its audit row.
 */
export class RepoService {
  private readonly visibilityListeners: VisibilityListener[] = [];

  constructor(
    private readonly deps: CoreDeps,
    private readonly owners: OwnerService,
    private readonly access: AccessPolicy,
  ) {}

  /** Calls `listener` after every committed visibility change of a repository. */
  onVisibilityChange(listener: VisibilityListener): void {
    this.visibilityListeners.push(listener);
  }

  /**
   * Creates a repository as `actor` (omitted: the `kura` command): a user under their own login,
   * an organization's members under it. A member who is not an owner becomes the new
   * repository's admin collaborator (owners are admin on every repository of theirs anyway).
   * @throws KuraError INVALID_NAME, BAD_REQUEST, NOT_FOUND (owner), ALREADY_EXISTS, plus the access policy's
   */
  async create(input: CreateRepoInput, actor: Actor = operator): Promise<Repository> {
    const { owner: ownerLogin, name } = parseRepoPath(input.fullName);
    const owner = await this.owners.find(ownerLogin);
    if (!owner) return this.access.authorize(actor, 'read', { kind: 'missing', label: `owner ${ownerLogin}`, notFound: `no user or organization named "${ownerLogin}"` });
    const visibility = input.visibility === undefined ? 'public' : checkVisibility(input.visibility);
    const description = input.description === undefined ? null : checkDescription(input.description);
    const fullName = `${owner.login}/${name}`;
    await this.access.authorize(actor, 'administer', { kind: 'new-repository', owner: ownerTarget(owner), label: `repository ${fullName}` });
    const creator = actor.kind === 'user' && owner.kind === 'org' && !(await this.access.permits(actor, 'administer', { kind: 'organization', org: ownerTarget(owner) }))
      ? actor.user
      : null;
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('repositories').select('id').where('owner_id', '=', owner.id).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
      if (taken) throw new KuraError('ALREADY_EXISTS', `the repository ${fullName} already exists`);
      const row = await trx.insertInto('repositories').values({
        owner_id: owner.id,
        name,
        name_lower: name.toLowerCase(),
        visibility,
        description,
        created_at: now.toISOString(),
      }).returningAll().executeTakeFirstOrThrow();
      if (creator) await trx.insertInto('repo_collaborators').values({ repo_id: row.id, user_id: creator.id, role: 'admin', created_at: now.toISOString() }).execute();
      await recordAudit(trx, { actorId: principalUserId(actor), action: 'repo.create', target: `repo:${fullName}`, ownerId: owner.id, repoId: row.id, meta: { visibility: row.visibility, ...(creator ? { admin: creator.login } : {}) } }, now);
      return { id: row.id, ownerId: owner.id, ownerLogin: owner.login, name: row.name, fullName: `${owner.login}/${row.name}`, visibility: row.visibility, description: row.description, createdAt: row.created_at };
    });
  }

  /** The repository `OWNER/NAME` (any case), or null. */
  async find(ownerLogin: string, name: string): Promise<Repository | null> {
    const row = await this.deps.db.selectFrom('repositories')
      .innerJoin('owners', 'owners.id', 'repositories.owner_id')
      .select(repoColumns)
      .where('owners.login_lower', '=', ownerLogin.toLowerCase())
      .where('repositories.name_lower', '=', name.toLowerCase())
      .executeTakeFirst();
    return row ? toRepository(row) : null;
  }

  async findById(id: number): Promise<Repository | null> {
    const row = await this.deps.db.selectFrom('repositories')
      .innerJoin('owners', 'owners.id', 'repositories.owner_id')
      .select(repoColumns)
      .where('repositories.id', '=', id)
      .executeTakeFirst();
    return row ? toRepository(row) : null;
  }

  /** @throws KuraError NOT_FOUND when absent. */
  async require(fullName: string): Promise<Repository> {
    const { owner, name } = parseRepoPath(fullName);
    const repo = await this.find(owner, name);
    if (!repo) throw new KuraError('NOT_FOUND', `no repository named ${fullName}`);
    return repo;
  }

  /** The repositories of `owner` that `actor` may read, by name. */
  async listVisible(owner: Owner, actor: Actor): Promise<Repository[]> {
    const rows = await this.deps.db.selectFrom('repositories')
      .innerJoin('owners', 'owners.id', 'repositories.owner_id')
      .select(repoColumns)
      .where('repositories.owner_id', '=', owner.id)
      .orderBy('repositories.name_lower')
      .execute();
    const visible: Repository[] = [];
    for (const repo of rows.map(toRepository)) {
      if (await this.access.permits(actor, 'read', { kind: 'repository', owner: ownerTarget(owner), repo })) visible.push(repo);
    }
    return visible;
  }

  /**
   * Changes a repository's description and visibility (its admins). Linked packages follow the
   * visibility: their revision is bumped in the same transaction, so no cache serves them as
   * they were. Returns the repository as changed.
   * @throws KuraError BAD_REQUEST, plus the access policy's
   */
  async update(repo: Repository, changes: RepoChanges, actor: Actor): Promise<Repository> {
    await this.access.authorize(actor, 'administer', await this.subject(repo));
    const set: { visibility?: Visibility; description?: string | null } = {};
    if (changes.visibility !== undefined && checkVisibility(changes.visibility) !== repo.visibility) set.visibility = changes.visibility;
    if (changes.description !== undefined) {
      const description = changes.description === null ? null : checkDescription(changes.description);
      if (description !== repo.description) set.description = description;
    }
    if (Object.keys(set).length === 0) return repo;
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('repositories').set(set).where('id', '=', repo.id).execute();
      if (set.visibility) await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1) })).where('repo_id', '=', repo.id).execute();
      const meta = { ...(set.visibility ? { visibility: set.visibility, previous: repo.visibility } : {}), ...('description' in set ? { description: set.description } : {}) };
      await recordAudit(trx, { actorId: principalUserId(actor), action: 'repo.update', target: `repo:${repo.fullName}`, ...repositoryScope(repo), meta }, now);
    });
    const updated = { ...repo, ...set };
    if (set.visibility) for (const listener of this.visibilityListeners) await listener(updated);
    return updated;
  }

  /** Changes a repository's visibility (see {@link update}), as `actor` (omitted: the `kura` command). */
  async setVisibility(repo: Repository | string, visibility: Visibility, actor: Actor = operator): Promise<void> {
    await this.update(typeof repo === 'string' ? await this.require(repo) : repo, { visibility }, actor);
  }

  /**
   * Gives a user a role on a repository, or changes it (its admins; omitted actor: the `kura`
   * command). The repository's owner is always its admin and cannot be a collaborator.
   * @throws KuraError BAD_REQUEST (role, the owner), NOT_FOUND (user, repository), plus the access policy's
   */
  async setCollaborator(repo: Repository | string, userLogin: string, role: RepoRole, actor: Actor = operator): Promise<{ collaborator: RepoMember; created: boolean }> {
    if (!repoRoles.includes(role)) throw new KuraError('BAD_REQUEST', `role must be one of ${repoRoles.join(', ')}`);
    const repository = typeof repo === 'string' ? await this.require(repo) : repo;
    const subject = await this.subject(repository);
    await this.access.authorize(actor, 'administer', subject);
    const user = await this.owners.requireUser(userLogin);
    if (user.id === repository.ownerId) throw new KuraError('BAD_REQUEST', `${user.login} owns ${repository.fullName} and is always its admin`);
    const now = this.deps.now();
    const previous = await this.deps.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('repo_collaborators').select('role').where('repo_id', '=', repository.id).where('user_id', '=', user.id).executeTakeFirst();
      await trx.insertInto('repo_collaborators')
        .values({ repo_id: repository.id, user_id: user.id, role, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['repo_id', 'user_id']).doUpdateSet({ role }))
        .execute();
      if (current?.role !== role) {
        await recordAudit(trx, { actorId: principalUserId(actor), action: 'repo.collaborator.set', target: `repo:${repository.fullName}`, ...repositoryScope(repository), meta: { user: user.login, role, previous: current?.role ?? null } }, now);
      }
      return current?.role ?? null;
    });
    const effective = await this.access.repositoryRoleOf(user, subject.owner, repository);
    return { collaborator: { user, role: effective === 'none' ? role : effective, collaboratorRole: role }, created: previous === null };
  }

  /**
   * Takes a user's collaborator role away (its admins). What they have through the owner (an
   * organization membership) stays.
   * @throws KuraError NOT_FOUND (user, or not a collaborator), plus the access policy's
   */
  async removeCollaborator(repo: Repository, userLogin: string, actor: Actor): Promise<void> {
    await this.access.authorize(actor, 'administer', await this.subject(repo));
    const user = await this.owners.requireUser(userLogin);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('repo_collaborators').select('role').where('repo_id', '=', repo.id).where('user_id', '=', user.id).executeTakeFirst();
      if (!current) throw new KuraError('NOT_FOUND', `${user.login} is not a collaborator on ${repo.fullName}`);
      await trx.deleteFrom('repo_collaborators').where('repo_id', '=', repo.id).where('user_id', '=', user.id).execute();
      await recordAudit(trx, { actorId: principalUserId(actor), action: 'repo.collaborator.remove', target: `repo:${repo.fullName}`, ...repositoryScope(repo), meta: { user: user.login, role: current.role } }, now);
    });
  }

  /**
   * Who has a role on a repository, by login (see {@link CollaboratorAffiliation}); visible to
   * those who may write to it.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
   */
  async collaborators(repo: Repository, actor: Actor, affiliation: CollaboratorAffiliation = 'all'): Promise<RepoMember[]> {
    const subject = await this.subject(repo);
    await this.access.authorize(actor, 'members', subject);
    const people = new Map<number, { user: Owner; orgRole: OrgRole | null; collaboratorRole: RepoRole | null }>();
    const entry = (row: Selectable<OwnersTable>) => {
      const known = people.get(row.id) ?? { user: toOwner(row), orgRole: null, collaboratorRole: null };
      people.set(row.id, known);
      return known;
    };
    const collaborators = await this.deps.db.selectFrom('repo_collaborators')
      .innerJoin('owners', 'owners.id', 'repo_collaborators.user_id')
      .selectAll('owners').select('repo_collaborators.role as collaborator_role')
      .where('repo_collaborators.repo_id', '=', repo.id)
      .execute();
    for (const row of collaborators) entry(row).collaboratorRole = row.collaborator_role;
    if (subject.owner.kind === 'org') {
      const members = await this.deps.db.selectFrom('org_members')
        .innerJoin('owners', 'owners.id', 'org_members.user_id')
        .selectAll('owners').select('org_members.role as org_role')
        .where('org_members.org_id', '=', repo.ownerId)
        .execute();
      for (const row of members) {
        if (affiliation === 'all') entry(row).orgRole = row.org_role;
        else if (people.has(row.id)) people.get(row.id)!.orgRole = row.org_role;
      }
    } else if (affiliation === 'all') {
      const owner = await this.owners.findById(repo.ownerId);
      if (owner) people.set(owner.id, { user: owner, orgRole: null, collaboratorRole: null });
    }
    return [...people.values()]
      .filter((p) => affiliation !== 'outside' || p.orgRole === null)
      .flatMap((p) => {
        const role = repositoryRole({ siteAdmin: p.user.isAdmin, owner: p.user.id === repo.ownerId, orgRole: p.orgRole, collaboratorRole: p.collaboratorRole });
        return role === 'none' ? [] : [{ user: p.user, role, collaboratorRole: p.collaboratorRole }];
      })
      .sort((a, b) => a.user.login.toLowerCase().localeCompare(b.user.login.toLowerCase()));
  }

  /**
   * The role a user has on a repository in effect (`none` without one), for those who may see
   * its collaborators.
   * @throws KuraError NOT_FOUND (user), plus the access policy's
   */
  async permissionOf(repo: Repository, userLogin: string, actor: Actor): Promise<{ user: Owner; role: Role; collaboratorRole: RepoRole | null }> {
    const subject = await this.subject(repo);
    await this.access.authorize(actor, 'members', subject);
    const user = await this.owners.requireUser(userLogin);
    const row = await this.deps.db.selectFrom('repo_collaborators').select('role').where('repo_id', '=', repo.id).where('user_id', '=', user.id).executeTakeFirst();
    return { user, role: await this.access.repositoryRoleOf(user, subject.owner, repo), collaboratorRole: row?.role ?? null };
  }

  /** The repository as the subject of an access question. */
  private async subject(repo: Repository): Promise<Extract<AccessSubject, { kind: 'repository' }>> {
    const owner = await this.owners.findById(repo.ownerId);
    if (!owner) throw new Error(`repository ${repo.fullName} has no owner row`);
    return { kind: 'repository', owner: ownerTarget(owner), repo };
  }
}

function checkVisibility(value: unknown): Visibility {
  if (!visibilities.includes(value as Visibility)) throw new KuraError('BAD_REQUEST', 'visibility must be "public" or "private"');
  return value as Visibility;
}

/** An empty description is none. */
function checkDescription(value: unknown): string | null {
  if (typeof value !== 'string') throw new KuraError('BAD_REQUEST', 'the description must be a string');
  if (value.length > maxDescriptionLength) throw new KuraError('BAD_REQUEST', `the description is longer than ${maxDescriptionLength} characters`);
  return value === '' ? null : value;
}

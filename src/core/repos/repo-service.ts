import { recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import { parseRepoPath } from '../ids/names.js';
import type { OwnerService } from '../owners/owner-service.js';
import { repoRoles, type RepoRole, type Repository, type Visibility } from './repository.js';

export interface CreateRepoInput {
  fullName: string;
  visibility?: Visibility | undefined;
  description?: string | undefined;
}

/** Repositories and their collaborators. */
export class RepoService {
  constructor(
    private readonly deps: CoreDeps,
    private readonly owners: OwnerService,
  ) {}

  /** @throws KuraError INVALID_NAME, NOT_FOUND (owner), ALREADY_EXISTS */
  async create(input: CreateRepoInput, actorId: number | null = null): Promise<Repository> {
    const { owner: ownerLogin, name } = parseRepoPath(input.fullName);
    const owner = await this.owners.find(ownerLogin);
    if (!owner) throw new KuraError('NOT_FOUND', `no user or organization named "${ownerLogin}"`);
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('repositories').select('id').where('owner_id', '=', owner.id).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
      if (taken) throw new KuraError('ALREADY_EXISTS', `the repository ${owner.login}/${name} already exists`);
      const row = await trx.insertInto('repositories').values({
        owner_id: owner.id,
        name,
        name_lower: name.toLowerCase(),
        visibility: input.visibility ?? 'public',
        description: input.description ?? null,
        created_at: now.toISOString(),
      }).returningAll().executeTakeFirstOrThrow();
      await recordAudit(trx, { actorId, action: 'repo.create', target: `repo:${owner.login}/${name}`, meta: { visibility: row.visibility } }, now);
      return { id: row.id, ownerId: owner.id, ownerLogin: owner.login, name: row.name, fullName: `${owner.login}/${row.name}`, visibility: row.visibility, description: row.description, createdAt: row.created_at };
    });
  }

  /** The repository `OWNER/NAME` (any case), or null. */
  async find(ownerLogin: string, name: string): Promise<Repository | null> {
    const row = await this.deps.db.selectFrom('repositories')
      .innerJoin('owners', 'owners.id', 'repositories.owner_id')
      .select(['repositories.id', 'repositories.owner_id', 'owners.login', 'repositories.name', 'repositories.visibility', 'repositories.description', 'repositories.created_at'])
      .where('owners.login_lower', '=', ownerLogin.toLowerCase())
      .where('repositories.name_lower', '=', name.toLowerCase())
      .executeTakeFirst();
    return row ? { id: row.id, ownerId: row.owner_id, ownerLogin: row.login, name: row.name, fullName: `${row.login}/${row.name}`, visibility: row.visibility, description: row.description, createdAt: row.created_at } : null;
  }

  async findById(id: number): Promise<Repository | null> {
    const row = await this.deps.db.selectFrom('repositories')
      .innerJoin('owners', 'owners.id', 'repositories.owner_id')
      .select(['repositories.id', 'repositories.owner_id', 'owners.login', 'repositories.name', 'repositories.visibility', 'repositories.description', 'repositories.created_at'])
      .where('repositories.id', '=', id)
      .executeTakeFirst();
    return row ? { id: row.id, ownerId: row.owner_id, ownerLogin: row.login, name: row.name, fullName: `${row.login}/${row.name}`, visibility: row.visibility, description: row.description, createdAt: row.created_at } : null;
  }

  /** @throws KuraError NOT_FOUND when absent. */
  async require(fullName: string): Promise<Repository> {
    const { owner, name } = parseRepoPath(fullName);
    const repo = await this.find(owner, name);
    if (!repo) throw new KuraError('NOT_FOUND', `no repository named ${fullName}`);
    return repo;
  }

  /** Adds a collaborator or changes their role. @throws KuraError NOT_FOUND, BAD_REQUEST */
  async setCollaborator(fullName: string, userLogin: string, role: RepoRole, actorId: number | null = null): Promise<void> {
    if (!repoRoles.includes(role)) throw new KuraError('BAD_REQUEST', `role must be one of ${repoRoles.join(', ')}`);
    const repo = await this.require(fullName);
    const user = await this.owners.requireUser(userLogin);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('repo_collaborators')
        .values({ repo_id: repo.id, user_id: user.id, role, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['repo_id', 'user_id']).doUpdateSet({ role }))
        .execute();
      await recordAudit(trx, { actorId, action: 'repo.collaborator.set', target: `repo:${repo.fullName}`, meta: { user: user.login, role } }, now);
    });
  }

  /** Changes a repository's visibility; its linked packages follow. */
  async setVisibility(fullName: string, visibility: Visibility, actorId: number | null = null): Promise<void> {
    const repo = await this.require(fullName);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('repositories').set({ visibility }).where('id', '=', repo.id).execute();
      await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1) })).where('repo_id', '=', repo.id).execute();
      await recordAudit(trx, { actorId, action: 'repo.visibility', target: `repo:${repo.fullName}`, meta: { visibility } }, now);
    });
  }

  /** A user's collaborator role on a repository, or null. */
  async collaboratorRole(repoId: number, userId: number): Promise<RepoRole | null> {
    const row = await this.deps.db.selectFrom('repo_collaborators').select('role').where('repo_id', '=', repoId).where('user_id', '=', userId).executeTakeFirst();
    return row?.role ?? null;
  }
}

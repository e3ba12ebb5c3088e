import type { Kysely, Selectable } from 'kysely';
import { PreparedQuery } from '../../db/prepared-query.js';
import type { OwnersTable, Tx } from '../../db/schema.js';
import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import { operator, principalUserId, type Actor } from '../access/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import { parseOwnerLogin } from '../ids/names.js';
import { hashPassword, verifyPassword } from './password.js';
import { orgRoles, type OrgMember, type OrgRole, type Owner } from './owner.js';

export function toOwner(row: Selectable<OwnersTable>): Owner {
  return {
    id: row.id,
    login: row.login,
    kind: row.kind,
    email: row.email,
    isAdmin: row.is_admin === 1,
    publicPackagesByDefault: row.public_packages_by_default === 1,
    createdAt: row.created_at,
    suspendedAt: row.suspended_at ?? null,
  };
}

export interface CreateUserInput {
  login: string;
  password?: string | undefined;
  email?: string | undefined;
  admin?: boolean | undefined;
}

/**
 * Users, organizations and their members. Logins are unique case-insensitively across both.
 * Membership changes are decided by the access policy (an organization's owners administer
 * it), each one transaction with its audit row; an organization always keeps one owner.
 */
export class OwnerService {
  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
  ) {}

  /** @throws KuraError INVALID_NAME, ALREADY_EXISTS */
  async createUser(input: CreateUserInput, actorId: number | null = null): Promise<Owner> {
    const login = parseOwnerLogin(input.login);
    if (input.password !== undefined && input.password.length < 8) {
      throw new KuraError('BAD_REQUEST', 'passwords need at least 8 characters');
    }
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    return this.insertOwner({ login, kind: 'user', email: input.email ?? null, passwordHash, admin: input.admin ?? false }, actorId);
  }

  /**
   * Creates a user as a site admin (or the `kura` command).
   * @throws KuraError INVALID_NAME, ALREADY_EXISTS, BAD_REQUEST, plus UNAUTHENTICATED, FORBIDDEN, MISSING_SCOPE for callers who are not site admins
   */
  async createUserAs(actor: Actor, input: CreateUserInput): Promise<Owner> {
    if (actor.kind !== 'operator') this.access.authorizeSiteAdministration(actor, 'create users');
    return this.createUser(input, principalUserId(actor));
  }

  /**
   * Suspends a user (their tokens, password and sessions stop working at once, on every node,
   * since each request looks them up) or reinstates them; site admins only, and never a site
   * admin or oneself.
   * @throws KuraError NOT_FOUND, FORBIDDEN, plus the site-administration checks
   */
  async setSuspended(login: string, suspended: boolean, actor: Actor): Promise<Owner> {
    if (actor.kind !== 'operator') this.access.authorizeSiteAdministration(actor, suspended ? 'suspend users' : 'reinstate users');
    const user = await this.requireUser(login);
    if (suspended && user.isAdmin) throw new KuraError('FORBIDDEN', `${user.login} is a site admin; site admins cannot be suspended`);
    if (suspended && actor.kind === 'user' && actor.user.id === user.id) throw new KuraError('FORBIDDEN', 'you cannot suspend yourself');
    if ((user.suspendedAt !== null) === suspended) return user;
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('owners').set({ suspended_at: suspended ? now.toISOString() : null }).where('id', '=', user.id).execute();
      await recordAudit(trx, { actorId: principalUserId(actor), action: suspended ? 'user.suspend' : 'user.unsuspend', target: `user:${user.login}`, ownerId: user.id }, now);
    });
    return (await this.findById(user.id))!;
  }

  /** Creates an organization with `ownerLogin` as its first owner. @throws KuraError INVALID_NAME, ALREADY_EXISTS, NOT_FOUND */
  async createOrg(loginInput: string, ownerLogin: string, actorId: number | null = null): Promise<Owner> {
    const login = parseOwnerLogin(loginInput);
    const founder = await this.requireUser(ownerLogin);
    return this.deps.db.transaction().execute(async (trx) => {
      const org = await this.insertOwner({ login, kind: 'org', email: null, passwordHash: null, admin: false }, actorId, trx, { owner: founder.login });
      await trx.insertInto('org_members').values({ org_id: org.id, user_id: founder.id, role: 'owner', created_at: this.deps.now().toISOString() }).execute();
      return org;
    });
  }

  /**
   * Adds a member or changes their role, as `actor` (omitted: the `kura` command). Demoting the
   * last owner is refused.
   * @throws KuraError BAD_REQUEST (role), NOT_FOUND, LAST_OWNER, plus the access policy's (org owners administer)
   */
  async setOrgMember(orgLogin: string, userLogin: string, role: OrgRole, actor: Actor = operator): Promise<OrgMember & { created: boolean }> {
    return this.putOrgMember(orgLogin, userLogin, role, actor, false);
  }

  /**
   * Changes the role of someone who is already a member; refuses non-members (add them with
   * {@link setOrgMember}). Demoting the last owner is refused.
   * @throws KuraError BAD_REQUEST (role), NOT_FOUND (also for non-members), LAST_OWNER, plus the access policy's
   */
  async setOrgRole(orgLogin: string, userLogin: string, role: OrgRole, actor: Actor): Promise<OrgMember> {
    return this.putOrgMember(orgLogin, userLogin, role, actor, true);
  }

  /**
   * Removes a member. Their roles on the organization's repositories and packages end with the
   * membership (as on GitHub); the result counts them. Removing the last owner is refused.
   * @throws KuraError NOT_FOUND (also for non-members), LAST_OWNER, plus the access policy's
   */
  async removeOrgMember(orgLogin: string, userLogin: string, actor: Actor): Promise<{ repositories: number; packages: number }> {
    const org = await this.requireOrg(orgLogin, actor);
    await this.access.authorize(actor, 'administer', { kind: 'organization', org: ownerTarget(org) });
    const user = await this.requireUser(userLogin);
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const current = await this.lockedRole(trx, org, user);
      if (!current) throw notMember(user, org);
      if (current === 'owner') await this.keepAnOwner(trx, org, user, 'remove');
      await trx.deleteFrom('org_members').where('org_id', '=', org.id).where('user_id', '=', user.id).execute();
      const repositories = await trx.deleteFrom('repo_collaborators').where('user_id', '=', user.id)
        .where('repo_id', 'in', trx.selectFrom('repositories').select('id').where('owner_id', '=', org.id))
        .executeTakeFirst();
      const packages = await trx.deleteFrom('package_members').where('user_id', '=', user.id)
        .where('package_id', 'in', trx.selectFrom('packages').select('id').where('owner_id', '=', org.id))
        .executeTakeFirst();
      const ended = { repositories: Number(repositories.numDeletedRows), packages: Number(packages.numDeletedRows) };
      await recordAudit(trx, { actorId: principalUserId(actor), action: 'org.member.remove', target: `org:${org.login}`, ownerId: org.id, meta: { user: user.login, role: current, ...ended } }, now);
      return ended;
    });
  }

  /**
   * The members of an organization, by login, optionally of one role; visible to its members.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND (also to non-members), MISSING_SCOPE
   */
  async orgMembers(orgLogin: string, actor: Actor, role?: OrgRole): Promise<OrgMember[]> {
    const org = await this.requireOrg(orgLogin, actor);
    await this.access.authorize(actor, 'members', { kind: 'organization', org: ownerTarget(org) });
    let query = this.deps.db.selectFrom('org_members')
      .innerJoin('owners', 'owners.id', 'org_members.user_id')
      .selectAll('owners')
      .select(['org_members.role as member_role', 'org_members.created_at as member_since'])
      .where('org_members.org_id', '=', org.id);
    if (role) query = query.where('org_members.role', '=', role);
    const rows = await query.orderBy('owners.login_lower').execute();
    return rows.map((row) => ({ user: toOwner(row), role: row.member_role, since: row.member_since }));
  }

  /** The organizations `userId` belongs to, with their role, by login. */
  async organizationsOf(userId: number): Promise<Array<{ org: Owner; role: OrgRole }>> {
    const rows = await this.deps.db.selectFrom('org_members')
      .innerJoin('owners', 'owners.id', 'org_members.org_id')
      .selectAll('owners')
      .select('org_members.role as member_role')
      .where('org_members.user_id', '=', userId)
      .orderBy('owners.login_lower').execute();
    return rows.map((row) => ({ org: toOwner(row), role: row.member_role }));
  }

  /**
   * One user's membership of an organization; visible to its members.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND (also when the user is not a member), MISSING_SCOPE
   */
  async orgMembership(orgLogin: string, userLogin: string, actor: Actor): Promise<OrgMember> {
    const org = await this.requireOrg(orgLogin, actor);
    await this.access.authorize(actor, 'members', { kind: 'organization', org: ownerTarget(org) });
    const user = await this.requireUser(userLogin);
    const row = await this.deps.db.selectFrom('org_members').select(['role', 'created_at']).where('org_id', '=', org.id).where('user_id', '=', user.id).executeTakeFirst();
    if (!row) throw notMember(user, org);
    return { user, role: row.role, since: row.created_at };
  }

  private async putOrgMember(orgLogin: string, userLogin: string, role: OrgRole, actor: Actor, existingOnly: boolean): Promise<OrgMember & { created: boolean }> {
    if (!orgRoles.includes(role)) throw new KuraError('BAD_REQUEST', `role must be one of ${orgRoles.join(', ')}`);
    const org = await this.requireOrg(orgLogin, actor);
    await this.access.authorize(actor, 'administer', { kind: 'organization', org: ownerTarget(org) });
    const user = await this.requireUser(userLogin);
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const current = await this.lockedRole(trx, org, user);
      if (!current && existingOnly) throw notMember(user, org);
      if (current === 'owner' && role !== 'owner') await this.keepAnOwner(trx, org, user, 'demote');
      const row = await trx.insertInto('org_members')
        .values({ org_id: org.id, user_id: user.id, role, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role }))
        .returning('created_at')
        .executeTakeFirstOrThrow();
      if (current !== role) {
        await recordAudit(trx, { actorId: principalUserId(actor), action: 'org.member.set', target: `org:${org.login}`, ownerId: org.id, meta: { user: user.login, role, previous: current } }, now);
      }
      return { user, role, since: row.created_at, created: current === null };
    });
  }

  /**
   * `user`'s role in `org`, read after taking the organization row's lock: concurrent membership
   * changes of one organization run one after the other (PostgreSQL holds the row lock to the
   * commit; SQLite serializes every write), so the last-owner check cannot be raced.
   */
  private async lockedRole(trx: Tx, org: Owner, user: Owner): Promise<OrgRole | null> {
    await trx.updateTable('owners').set({ kind: 'org' }).where('id', '=', org.id).execute();
    const row = await trx.selectFrom('org_members').select('role').where('org_id', '=', org.id).where('user_id', '=', user.id).executeTakeFirst();
    return row?.role ?? null;
  }

  /** @throws KuraError LAST_OWNER when `user` is the only owner of `org` */
  private async keepAnOwner(trx: Tx, org: Owner, user: Owner, change: 'demote' | 'remove'): Promise<void> {
    const others = await trx.selectFrom('org_members').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.id).where('role', '=', 'owner').where('user_id', '!=', user.id)
      .executeTakeFirstOrThrow();
    if (Number(others.n) === 0) {
      throw new KuraError('LAST_OWNER', `${user.login} is the last owner of ${org.login}: make another member an owner before you ${change === 'remove' ? 'remove' : 'demote'} them`);
    }
  }

  /** The organization named `login`; a missing one answers as the access policy says (401 to anonymous callers). */
  private async requireOrg(login: string, actor: Actor): Promise<Owner> {
    const org = await this.find(login);
    if (org?.kind === 'org') return org;
    return this.access.authorize(actor, 'read', { kind: 'missing', label: `organization ${login}`, notFound: `no organization named "${login}"` });
  }

  /** The owner with that login (any case), or null. */
  async find(login: string): Promise<Owner | null> {
    const [row] = await ownerByLogin.execute(this.deps.db as Kysely<unknown>, { login: login.toLowerCase() });
    return row ? toOwner(row) : null;
  }

  async findById(id: number): Promise<Owner | null> {
    const row = await this.deps.db.selectFrom('owners').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toOwner(row) : null;
  }

  /** @throws KuraError NOT_FOUND when there is no user (not org) with that login. */
  async requireUser(login: string): Promise<Owner> {
    const owner = await this.find(login);
    if (!owner || owner.kind !== 'user') throw new KuraError('NOT_FOUND', `no user named "${login}"`);
    return owner;
  }

  /** The user when the password is right, else null (same answer for unknown users). */
  async checkPassword(login: string, password: string): Promise<Owner | null> {
    const row = await this.deps.db.selectFrom('owners').selectAll().where('login_lower', '=', login.toLowerCase()).where('kind', '=', 'user').executeTakeFirst();
    if (!row?.password_hash || row.suspended_at) return null;
    return (await verifyPassword(password, row.password_hash)) ? toOwner(row) : null;
  }

  /**
   * Sets whether new unlinked packages of an owner start public, as `actor` (omitted: the `kura`
   * command): a user for themselves, an organization's owners for it, site admins for anyone.
   * @throws KuraError NOT_FOUND, FORBIDDEN, plus the access policy's
   */
  async setPublicPackagesByDefault(login: string, value: boolean, actor: Actor = operator): Promise<Owner> {
    const owner = await this.find(login);
    if (!owner) throw new KuraError('NOT_FOUND', `no user or organization named "${login}"`);
    if (owner.kind === 'org') await this.access.authorize(actor, 'administer', { kind: 'organization', org: ownerTarget(owner) });
    else if (actor.kind === 'user' && actor.user.id !== owner.id) this.access.authorizeSiteAdministration(actor, `change the settings of ${owner.login}`);
    else if (actor.kind !== 'operator') this.access.authorizeAccountSettings(actor, `change the settings of ${owner.login}`);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('owners').set({ public_packages_by_default: value ? 1 : 0 }).where('id', '=', owner.id).execute();
      await recordAudit(trx, { actorId: principalUserId(actor), action: 'owner.settings', target: `owner:${owner.login}`, ownerId: owner.id, meta: { publicPackagesByDefault: value } }, now);
    });
    return (await this.findById(owner.id))!;
  }

  async countUsers(): Promise<number> {
    const row = await this.deps.db.selectFrom('owners').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'user').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async insertOwner(
    input: { login: string; kind: 'user' | 'org'; email: string | null; passwordHash: string | null; admin: boolean },
    actorId: number | null,
    trx = this.deps.db,
    meta: Record<string, unknown> = {},
  ): Promise<Owner> {
    const now = this.deps.now();
    const run = async (db: typeof trx) => {
      const taken = await db.selectFrom('owners').select('id').where('login_lower', '=', input.login.toLowerCase()).executeTakeFirst();
      if (taken) throw new KuraError('ALREADY_EXISTS', `the login "${input.login}" is taken`);
      const row = await db.insertInto('owners').values({
        login: input.login,
        login_lower: input.login.toLowerCase(),
        kind: input.kind,
        email: input.email,
        password_hash: input.passwordHash,
        is_admin: input.admin ? 1 : 0,
        public_packages_by_default: 0,
        created_at: now.toISOString(),
      }).returningAll().executeTakeFirstOrThrow();
      const facts = { ...(input.admin ? { admin: true } : {}), ...meta };
      await recordAudit(db, { actorId, action: `${input.kind}.create`, target: `owner:${input.login}`, ownerId: row.id, ...(Object.keys(facts).length > 0 ? { meta: facts } : {}) }, now);
      return toOwner(row);
    };
    return trx.isTransaction ? run(trx) : trx.transaction().execute(run);
  }
}

function notMember(user: Owner, org: Owner): KuraError {
  return new KuraError('NOT_FOUND', `${user.login} is not a member of ${org.login}`);
}

/** An owner by lower-cased login: asked by nearly every write, so compiled once. */
const ownerByLogin = new PreparedQuery<Selectable<OwnersTable>, { login: string }>((param, db) => db.selectFrom('owners').selectAll().where('login_lower', '=', param('login')));

import type { Selectable } from 'kysely';
import type { OwnersTable } from '../../db/schema.js';
import { recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import { parseOwnerLogin } from '../ids/names.js';
import { hashPassword, verifyPassword } from './password.js';
import { orgRoles, type OrgRole, type Owner } from './owner.js';

export function toOwner(row: Selectable<OwnersTable>): Owner {
  return {
    id: row.id,
    login: row.login,
    kind: row.kind,
    email: row.email,
    isAdmin: row.is_admin === 1,
    publicPackagesByDefault: row.public_packages_by_default === 1,
    createdAt: row.created_at,
  };
}

export interface CreateUserInput {
  login: string;
  password?: string | undefined;
  email?: string | undefined;
  admin?: boolean | undefined;
}

/** Users, organizations and their members. Logins are unique case-insensitively across both. */
export class OwnerService {
  constructor(private readonly deps: CoreDeps) {}

  /** @throws KuraError INVALID_NAME, ALREADY_EXISTS */
  async createUser(input: CreateUserInput, actorId: number | null = null): Promise<Owner> {
    const login = parseOwnerLogin(input.login);
    if (input.password !== undefined && input.password.length < 8) {
      throw new KuraError('BAD_REQUEST', 'passwords need at least 8 characters');
    }
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    return this.insertOwner({ login, kind: 'user', email: input.email ?? null, passwordHash, admin: input.admin ?? false }, actorId);
  }

  /** Creates an organization with `ownerLogin` as its first owner. @throws KuraError INVALID_NAME, ALREADY_EXISTS, NOT_FOUND */
  async createOrg(loginInput: string, ownerLogin: string, actorId: number | null = null): Promise<Owner> {
    const login = parseOwnerLogin(loginInput);
    const founder = await this.requireUser(ownerLogin);
    return this.deps.db.transaction().execute(async (trx) => {
      const org = await this.insertOwner({ login, kind: 'org', email: null, passwordHash: null, admin: false }, actorId, trx);
      await trx.insertInto('org_members').values({ org_id: org.id, user_id: founder.id, role: 'owner', created_at: this.deps.now().toISOString() }).execute();
      return org;
    });
  }

  /** Adds or changes a member's role. @throws KuraError NOT_FOUND, BAD_REQUEST */
  async setOrgMember(orgLogin: string, userLogin: string, role: OrgRole, actorId: number | null = null): Promise<void> {
    if (!orgRoles.includes(role)) throw new KuraError('BAD_REQUEST', `role must be one of ${orgRoles.join(', ')}`);
    const org = await this.find(orgLogin);
    if (!org || org.kind !== 'org') throw new KuraError('NOT_FOUND', `no organization named "${orgLogin}"`);
    const user = await this.requireUser(userLogin);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('org_members')
        .values({ org_id: org.id, user_id: user.id, role, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role }))
        .execute();
      await recordAudit(trx, { actorId, action: 'org.member.set', target: `org:${org.login}`, meta: { user: user.login, role } }, now);
    });
  }

  /** The owner with that login (any case), or null. */
  async find(login: string): Promise<Owner | null> {
    const row = await this.deps.db.selectFrom('owners').selectAll().where('login_lower', '=', login.toLowerCase()).executeTakeFirst();
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
    if (!row?.password_hash) return null;
    return (await verifyPassword(password, row.password_hash)) ? toOwner(row) : null;
  }

  /** Role of a user in an organization, or null when not a member. */
  async orgRole(orgId: number, userId: number): Promise<OrgRole | null> {
    const row = await this.deps.db.selectFrom('org_members').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    return row?.role ?? null;
  }

  /** Sets whether new unlinked packages of this owner start public. */
  async setPublicPackagesByDefault(login: string, value: boolean, actorId: number | null = null): Promise<void> {
    const owner = await this.find(login);
    if (!owner) throw new KuraError('NOT_FOUND', `no user or organization named "${login}"`);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('owners').set({ public_packages_by_default: value ? 1 : 0 }).where('id', '=', owner.id).execute();
      await recordAudit(trx, { actorId, action: 'owner.settings', target: `owner:${owner.login}`, meta: { publicPackagesByDefault: value } }, now);
    });
  }

  async countUsers(): Promise<number> {
    const row = await this.deps.db.selectFrom('owners').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'user').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async insertOwner(
    input: { login: string; kind: 'user' | 'org'; email: string | null; passwordHash: string | null; admin: boolean },
    actorId: number | null,
    trx = this.deps.db,
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
      await recordAudit(db, { actorId, action: `${input.kind}.create`, target: `owner:${input.login}` }, now);
      return toOwner(row);
    };
    return trx.isTransaction ? run(trx) : trx.transaction().execute(run);
  }
}

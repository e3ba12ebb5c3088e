import type { AccessPolicy } from '../access/access-policy.js';
import { principalUserId, type Actor } from '../access/principal.js';
import { packageScope, recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import type { Owner } from '../owners/owner.js';
import { toOwner, type OwnerService } from '../owners/owner-service.js';
import { repoRoles, type RepoRole } from '../repos/repository.js';
import { hasOwnAccess, packageLabel, packageSubject, type PackageRecord } from './package.js';

/** A user given a role on a package with access of its own: unlinked, or not inheriting its repository's (its publisher is the first, as admin). */
export interface PackageMember {
  user: Owner;
  role: RepoRole;
  /** When the role was first given (ISO-8601). */
  since: string;
}

/**
 * The roles users have on unlinked packages, beside what the owner gives (a user owner and an
 * organization's owners are admin, its members write). A linked package follows its
 * repository's permissions and has no roles of its own. The package's writers see the roles,
 * its admins change them; each change is one transaction with its audit row. Roles are not
 * part of any cached view of the package, so its revision stays.
 */
export class PackageMembers {
  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
    private readonly owners: OwnerService,
  ) {}

  /**
   * The users with a role on `pkg`, by login.
   * @throws KuraError BAD_REQUEST (a linked package), plus the access policy's
   */
  async list(actor: Actor, pkg: PackageRecord): Promise<PackageMember[]> {
    await this.access.authorize(actor, 'members', packageSubject(pkg));
    refuseLinked(pkg);
    const rows = await this.deps.db.selectFrom('package_members')
      .innerJoin('owners', 'owners.id', 'package_members.user_id')
      .selectAll('owners')
      .select(['package_members.role as member_role', 'package_members.created_at as member_since'])
      .where('package_members.package_id', '=', pkg.id)
      .orderBy('owners.login_lower')
      .execute();
    return rows.map((row) => ({ user: toOwner(row), role: row.member_role, since: row.member_since }));
  }

  /**
   * Gives a user a role on `pkg`, or changes it. A user who owns the package is always its admin.
   * @throws KuraError BAD_REQUEST (role, a linked package, the owner), NOT_FOUND (user), plus the access policy's
   */
  async set(actor: Actor, pkg: PackageRecord, userLogin: string, role: RepoRole): Promise<{ member: PackageMember; created: boolean }> {
    if (!repoRoles.includes(role)) throw new KuraError('BAD_REQUEST', `role must be one of ${repoRoles.join(', ')}`);
    await this.access.authorize(actor, 'administer', packageSubject(pkg));
    refuseLinked(pkg);
    const user = await this.owners.requireUser(userLogin);
    if (user.id === pkg.ownerId) throw new KuraError('BAD_REQUEST', `${user.login} owns ${packageLabel(pkg)} and is always its admin`);
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('package_members').select('role').where('package_id', '=', pkg.id).where('user_id', '=', user.id).executeTakeFirst();
      const row = await trx.insertInto('package_members')
        .values({ package_id: pkg.id, user_id: user.id, role, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['package_id', 'user_id']).doUpdateSet({ role }))
        .returning('created_at')
        .executeTakeFirstOrThrow();
      if (current?.role !== role) {
        await recordAudit(trx, { actorId: principalUserId(actor), action: 'package.member.set', target: `${pkg.format}:${pkg.name}`, ...packageScope(pkg), meta: { user: user.login, role, previous: current?.role ?? null } }, now);
      }
      return { member: { user, role, since: row.created_at }, created: current === undefined };
    });
  }

  /**
   * Takes a user's role on `pkg` away; what they have through the owner stays.
   * @throws KuraError BAD_REQUEST (a linked package, the owner), NOT_FOUND (user, or no role), plus the access policy's
   */
  async remove(actor: Actor, pkg: PackageRecord, userLogin: string): Promise<void> {
    await this.access.authorize(actor, 'administer', packageSubject(pkg));
    refuseLinked(pkg);
    const user = await this.owners.requireUser(userLogin);
    if (user.id === pkg.ownerId) throw new KuraError('BAD_REQUEST', `${user.login} owns ${packageLabel(pkg)} and is always its admin`);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('package_members').select('role').where('package_id', '=', pkg.id).where('user_id', '=', user.id).executeTakeFirst();
      if (!current) throw new KuraError('NOT_FOUND', `${user.login} has no role on ${packageLabel(pkg)}`);
      await trx.deleteFrom('package_members').where('package_id', '=', pkg.id).where('user_id', '=', user.id).execute();
      await recordAudit(trx, { actorId: principalUserId(actor), action: 'package.member.remove', target: `${pkg.format}:${pkg.name}`, ...packageScope(pkg), meta: { user: user.login, role: current.role } }, now);
    });
  }
}

/** @throws KuraError BAD_REQUEST for a linked package */
function refuseLinked(pkg: PackageRecord): void {
  if (!hasOwnAccess(pkg) && pkg.repo) throw new KuraError('BAD_REQUEST', `${packageLabel(pkg)} is linked to ${pkg.repo.fullName} and follows its permissions: manage the repository's collaborators instead`);
}

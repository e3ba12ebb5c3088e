import type { DbOrTx } from '../../db/schema.js';
import type { AccessFacts } from './access-policy.js';

/** The facts access decisions need, read from core's membership tables: one indexed query each. */
export function membershipFacts(db: DbOrTx): AccessFacts {
  return {
    async orgRole(orgId, userId) {
      const row = await db.selectFrom('org_members').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return row?.role ?? null;
    },
    async collaboratorRole(repoId, userId) {
      const row = await db.selectFrom('repo_collaborators').select('role').where('repo_id', '=', repoId).where('user_id', '=', userId).executeTakeFirst();
      return row?.role ?? null;
    },
    async packageMemberRole(packageId, userId) {
      const row = await db.selectFrom('package_members').select('role').where('package_id', '=', packageId).where('user_id', '=', userId).executeTakeFirst();
      return row?.role ?? null;
    },
    async collaboratorRepositories(ownerId, userId) {
      const rows = await db.selectFrom('repo_collaborators').innerJoin('repositories', 'repositories.id', 'repo_collaborators.repo_id')
        .select('repositories.id').where('repositories.owner_id', '=', ownerId).where('repo_collaborators.user_id', '=', userId).execute();
      return rows.map((r) => r.id);
    },
    async memberPackages(ownerId, userId) {
      const rows = await db.selectFrom('package_members').innerJoin('packages', 'packages.id', 'package_members.package_id')
        .select('packages.id').where('packages.owner_id', '=', ownerId).where('package_members.user_id', '=', userId).execute();
      return rows.map((r) => r.id);
    },
  };
}

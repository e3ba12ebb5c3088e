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
  };
}

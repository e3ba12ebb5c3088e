import type { CoreDeps } from '../core/context.js';

/**
 * Purges what was soft-deleted longer ago than the restore window: file rows of deleted
 * versions (the version row stays, so its number stays taken) and of versions in deleted
 * packages. Blob bytes are left to garbage collection. Idempotent.
 */
export async function purgeDeleted(deps: CoreDeps, restoreWindowDays: number): Promise<number> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - restoreWindowDays * 86_400_000).toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const deletedPackages = trx.selectFrom('packages').select('id').where('deleted_at', '<', cutoff);
    const expired = await trx.selectFrom('versions').select('id')
      .where('purged_at', 'is', null)
      .where((eb) => eb.or([
        eb('deleted_at', '<', cutoff),
        eb('package_id', 'in', deletedPackages),
      ]))
      .execute();
    const ids = expired.map((r) => r.id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('files').where('version_id', 'in', ids).execute();
    await trx.deleteFrom('tags').where('version_id', 'in', ids).execute();
    await trx.updateTable('versions').set({ purged_at: now.toISOString(), deleted_at: (eb) => eb.fn.coalesce('deleted_at', eb.val(now.toISOString())), metadata: '{}', readme: null }).where('id', 'in', ids).execute();
    return ids.length;
  });
}

import { packageScope, recordAudit } from '../core/audit/audit-log.js';
import type { CoreDeps } from '../core/context.js';
import { PackageQueries } from '../core/packages/package-queries.js';

/**
 * Purges what was soft-deleted longer ago than the restore window: file rows of deleted
 * versions (the version row stays, so its number stays taken) and of versions in deleted
 * packages, with one audit row (`version.purge`, no actor) per package in the same transaction.
 * Blob bytes are left to garbage collection. Idempotent. Returns how many versions were purged.
 */
export async function purgeDeleted(deps: CoreDeps, restoreWindowDays: number): Promise<number> {
  const now = deps.now();
  const cutoff = new Date(now.getTime() - restoreWindowDays * 86_400_000).toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const deletedPackages = trx.selectFrom('packages').select('id').where('deleted_at', '<', cutoff);
    const expired = await trx.selectFrom('versions').select(['id', 'package_id', 'version', 'deleted_at'])
      .where('purged_at', 'is', null)
      .where((eb) => eb.or([
        eb('deleted_at', '<', cutoff),
        eb('package_id', 'in', deletedPackages),
      ]))
      .orderBy('package_id').orderBy('id')
      .execute();
    const ids = expired.map((r) => r.id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('files').where('version_id', 'in', ids).execute();
    await trx.deleteFrom('tags').where('version_id', 'in', ids).execute();
    await trx.updateTable('versions').set({ purged_at: now.toISOString(), deleted_at: (eb) => eb.fn.coalesce('deleted_at', eb.val(now.toISOString())), metadata: '{}', readme: null }).where('id', 'in', ids).execute();
    const queries = new PackageQueries(trx);
    for (const packageId of new Set(expired.map((r) => r.package_id))) {
      const pkg = await queries.findById(packageId);
      const versions = expired.filter((r) => r.package_id === packageId).map((r) => r.version);
      await recordAudit(trx, {
        actorId: null,
        action: 'version.purge',
        target: pkg ? `${pkg.format}:${pkg.name}` : `package:${packageId}`,
        ...(pkg ? packageScope(pkg) : { packageId }),
        meta: { versions, restoreWindowDays, ...(pkg?.deletedAt ? { packageDeletedAt: pkg.deletedAt } : {}) },
      }, now);
    }
    return ids.length;
  });
}

import type { FormatJobContext } from '../contract.js';
import type { Job } from '../../jobs/scheduler.js';
import { containerFormat } from './access.js';
import { BlobLinks } from './blob-links.js';
import { ManifestIndex } from './manifest-index.js';
import { UploadSessions } from './uploads.js';

const hourMs = 3_600_000;

/**
 * The registry's background jobs: reaping upload sessions idle for a day (and their bytes),
 * dropping blob links whose bytes garbage collection removed, and deleting untagged manifests
 * of packages whose cleanup policy asks for it.
 */
export function registryJobs({ core, config, logger }: FormatJobContext): Job[] {
  const uploads = new UploadSessions(core.deps);
  const links = new BlobLinks(core.deps.db, core.deps.now);
  const index = new ManifestIndex(core.deps.db);
  return [
    {
      name: `${containerFormat}.uploads.reap`,
      everyMs: hourMs,
      exclusive: true,
      run: async () => {
        const reaped = await uploads.reapAbandoned();
        const pruned = await links.pruneDangling();
        if (reaped + pruned > 0) logger.info({ reaped, pruned }, 'reaped abandoned uploads and dangling blob links');
      },
    },
    {
      name: `${containerFormat}.untagged.cleanup`,
      everyMs: hourMs,
      exclusive: true,
      run: async () => {
        const deleted = await deleteUntaggedManifests(core.deps.db, index, core.deps.now(), config.deleteProtectionDownloads);
        if (deleted > 0) logger.info({ deleted }, 'deleted untagged manifests per cleanup policies');
      },
    },
  ];
}

/**
 * Soft-deletes, per package cleanup policy, untagged manifests older than the policy's days that
 * no live index lists and that refer to no live subject, sparing those downloaded more often
 * than the delete-protection threshold (only a site admin deletes those). Their blobs become
 * garbage once the deletions are purged. Returns how many were deleted.
 */
export async function deleteUntaggedManifests(db: FormatJobContext['core']['deps']['db'], index: ManifestIndex, now: Date, protectedAbove: number): Promise<number> {
  const policies = await db.selectFrom('oci_cleanup_policies').selectAll().execute();
  let deleted = 0;
  for (const policy of policies) {
    const before = new Date(now.getTime() - policy.untagged_days * 24 * hourMs).toISOString();
    const doomed = await index.untaggedUnreferenced(policy.package_id, before);
    if (doomed.length === 0) continue;
    deleted += await db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('versions').set({ deleted_at: now.toISOString() })
        .where('id', 'in', doomed.map((d) => d.versionId)).where('deleted_at', 'is', null).where('download_count', '<=', protectedAbove)
        .executeTakeFirst();
      const count = Number(result.numUpdatedRows);
      if (count === 0) return 0;
      await trx.updateTable('packages').set((eb) => ({ rev: eb('rev', '+', 1), updated_at: now.toISOString() })).where('id', '=', policy.package_id).execute();
      await trx.insertInto('audit_log').values({ actor_id: null, action: 'version.cleanup', target: `${containerFormat}:package:${policy.package_id}`, meta: JSON.stringify({ untaggedDays: policy.untagged_days, candidates: doomed.map((d) => d.digest) }), created_at: now.toISOString() }).execute();
      return count;
    });
  }
  return deleted;
}

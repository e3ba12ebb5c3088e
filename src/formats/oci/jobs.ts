import type { Job } from '../../core/jobs/job.js';
import { containerFormat } from './access.js';
import { BlobLinks } from './blob-links.js';
import { ManifestIndex } from './manifest-index.js';
import type { ContainerContext } from './tables.js';
import { UploadSessions } from './uploads.js';

const hourMs = 3_600_000;

/**
 * The registry's background jobs: reaping upload sessions idle for a day (and their bytes),
 * dropping blob links whose bytes garbage collection removed, and deleting untagged manifests
 * of packages whose cleanup policy asks for it.
 */
export function registryJobs(ctx: ContainerContext): Job[] {
  const { logger } = ctx;
  const uploads = new UploadSessions(ctx);
  const links = new BlobLinks(ctx.db, ctx.now);
  const index = new ManifestIndex(ctx);
  return [
    {
      name: `${containerFormat}.uploads.reap`,
      everyMs: hourMs,
      exclusive: true,
      run: async () => {
        const reaped = await uploads.reapAbandoned();
        const pruned = await links.pruneDangling(ctx, ctx.blobs.records);
        if (reaped + pruned > 0) logger.info({ reaped, pruned }, 'reaped abandoned uploads and dangling blob links');
      },
    },
    {
      name: `${containerFormat}.untagged.cleanup`,
      everyMs: hourMs,
      exclusive: true,
      run: async () => {
        const deleted = await deleteUntaggedManifests(ctx, index, ctx.now());
        if (deleted > 0) logger.info({ deleted }, 'deleted untagged manifests per cleanup policies');
      },
    },
  ];
}

/**
 * Soft-deletes, per package cleanup policy, untagged manifests older than the policy's days that
 * no live index lists and that refer to no live subject (core spares versions past the
 * delete-protection download threshold). Their blobs become garbage once the deletions are
 * purged. Returns how many were deleted.
 */
export async function deleteUntaggedManifests(ctx: ContainerContext, index: ManifestIndex, now: Date): Promise<number> {
  const policies = await ctx.db.selectFrom('container_cleanup_policies').selectAll().execute();
  let deleted = 0;
  for (const policy of policies) {
    const before = new Date(now.getTime() - policy.untagged_days * 24 * hourMs).toISOString();
    const doomed = await index.untaggedUnreferenced(policy.package_id, before);
    deleted += await ctx.packages.expireVersions(policy.package_id, doomed.map((d) => d.versionId), `${containerFormat}.untagged`, {
      untaggedDays: policy.untagged_days,
      digests: doomed.map((d) => d.digest),
    });
  }
  return deleted;
}

import type { Principal } from '../../core/access/principal.js';
import { principalUserId } from '../../core/access/principal.js';
import { containerFormat, type ResolvedImage } from './access.js';
import type { ContainerContext, ContainerDb, ContainerTx } from './tables.js';

/**
 * Records one audit row about an image (an upload session, a blob linked to it or dropped from
 * it) in the transaction of that write: who acted, on which owner's image, its package once a
 * manifest made one.
 */
export type ImageAudit = (db: ContainerDb | ContainerTx, action: string, meta: Record<string, unknown>) => Promise<void>;

/** The audit recorder for writes `principal` makes to `image` (null: a background job). */
export function imageAudit(ctx: ContainerContext, principal: Principal | null, image: Pick<ResolvedImage, 'owner' | 'pkg'> & { name: { image: string } }): ImageAudit {
  return (db, action, meta) => ctx.audit(db, {
    actorId: principal ? principalUserId(principal) : null,
    action,
    target: `${containerFormat}:${image.name.image}`,
    ownerId: image.owner.id,
    repoId: image.pkg?.repo?.id ?? null,
    packageId: image.pkg?.id ?? null,
    meta,
  });
}

/** The audit recorder for a background job's writes to the image `image` of the owner `ownerId` (found by id, with its package if any). */
export async function jobImageAudit(ctx: ContainerContext, ownerId: number, image: string): Promise<ImageAudit> {
  const owner = await ctx.owners.findById(ownerId);
  if (!owner) return (db, action, meta) => ctx.audit(db, { actorId: null, action, target: `${containerFormat}:${image}`, ownerId, meta });
  const pkg = await ctx.packages.queries.find(containerFormat, owner.login, image, true);
  return imageAudit(ctx, null, { owner, pkg, name: { image } });
}

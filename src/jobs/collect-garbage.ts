import { recordAudit } from '../core/audit/audit-log.js';
import type { CoreDeps } from '../core/context.js';

/**
 * Deletes blob bytes nothing refers to, once they have been untouched for the grace period:
 * blob rows without files, and bytes in the store without a row (left by a failed publish).
 * Each removal has an audit row (`blob.gc`, no actor; a row's in the transaction that deletes it).
 * A publish touches its blobs before its transaction, so a blob being published again is
 * never older than the grace period. Runs while the server serves. Returns the bytes freed.
 */
export async function collectGarbage(deps: CoreDeps, graceHours: number, onDeleted: (sha256: string) => void = () => undefined): Promise<number> {
  const cutoff = new Date(deps.now().getTime() - graceHours * 3_600_000);
  let freed = 0;
  const unreferenced = await deps.db.selectFrom('blobs')
    .select(['sha256', 'size'])
    .where('touched_at', '<', cutoff.toISOString())
    .where((eb) => eb.not(eb.exists(eb.selectFrom('files').select('files.id').whereRef('files.blob_sha256', '=', 'blobs.sha256'))))
    .execute();
  for (const blob of unreferenced) {
    const deleted = await deps.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('blobs')
        .where('sha256', '=', blob.sha256)
        .where('touched_at', '<', cutoff.toISOString())
        .where((eb) => eb.not(eb.exists(eb.selectFrom('files').select('files.id').whereRef('files.blob_sha256', '=', 'blobs.sha256'))))
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await recordAudit(trx, { actorId: null, action: 'blob.gc', target: `blob:${blob.sha256}`, meta: { size: Number(blob.size), graceHours } }, deps.now());
      return true;
    });
    if (!deleted) continue;
    const info = await deps.blobs.stat(blob.sha256);
    if (info && info.modifiedAt > cutoff) continue;
    await deps.blobs.delete(blob.sha256);
    onDeleted(blob.sha256);
    freed += Number(blob.size);
  }
  for await (const info of deps.blobs.list()) {
    if (info.modifiedAt > cutoff) continue;
    const row = await deps.db.selectFrom('blobs').select('sha256').where('sha256', '=', info.sha256).executeTakeFirst();
    if (row) continue;
    await deps.blobs.delete(info.sha256);
    await recordAudit(deps.db, { actorId: null, action: 'blob.gc', target: `blob:${info.sha256}`, meta: { size: info.size, graceHours, unrecorded: true } }, deps.now());
    onDeleted(info.sha256);
    freed += info.size;
  }
  return freed;
}

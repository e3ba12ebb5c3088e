import type { DbOrTx } from '../../db/schema.js';

/** One write to record: who (null for the `kura` command), what, on which target. */
export interface AuditEntry {
  actorId: number | null;
  action: string;
  /** A readable target, e.g. `npm:@alice/widget@1.0.0` or `repo:alice/tools`. */
  target: string;
  meta?: Record<string, unknown>;
}

/**
 * Appends an audit row. Call it with the transaction of the write it describes, so the two
 * commit or roll back together. Never include secrets in `meta`.
 */
export async function recordAudit(db: DbOrTx, entry: AuditEntry, at: Date): Promise<void> {
  await db.insertInto('audit_log').values({
    actor_id: entry.actorId,
    action: entry.action,
    target: entry.target,
    meta: entry.meta ? JSON.stringify(entry.meta) : null,
    created_at: at.toISOString(),
  }).execute();
}

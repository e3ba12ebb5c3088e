import type { CoreDeps } from '../context.js';

/** A committed blob as the `blobs` table records it. */
export interface StoredBlob {
  sha256: string;
  size: number;
  sha512?: string | null | undefined;
}

/** The `blobs` table as formats may use it: record, touch and ask about committed bytes. */
export class BlobRecords {
  constructor(private readonly deps: CoreDeps) {}

  /**
   * Records bytes committed outside a publish (an upload that no version refers to yet), so
   * garbage collection knows them: the row restarts their grace period, and they are deleted
   * once the grace period passes with no file pointing at them. Idempotent; a second record of
   * the same blob only touches it.
   */
  async record(blob: StoredBlob): Promise<void> {
    const now = this.deps.now().toISOString();
    await this.deps.db.insertInto('blobs').values({
      sha256: blob.sha256,
      size: blob.size,
      sha512: blob.sha512 ?? null,
      sha1: null,
      md5: null,
      created_at: now,
      touched_at: now,
    }).onConflict((oc) => oc.column('sha256').doUpdateSet({ touched_at: now })).execute();
  }

  /**
   * Restarts the garbage-collection grace period of blobs about to be referenced (in the store
   * and in the `blobs` table), so a collection running meanwhile keeps them.
   */
  async touch(sha256s: readonly string[]): Promise<void> {
    if (sha256s.length === 0) return;
    const now = this.deps.now().toISOString();
    await Promise.all(sha256s.map((sha256) => this.deps.blobs.touch(sha256)));
    await this.deps.db.updateTable('blobs').set({ touched_at: now }).where('sha256', 'in', [...sha256s]).execute();
  }

  /** Which of `sha256s` are recorded (not yet removed by garbage collection). */
  async known(sha256s: readonly string[]): Promise<Set<string>> {
    if (sha256s.length === 0) return new Set();
    const rows = await this.deps.db.selectFrom('blobs').select('sha256').where('sha256', 'in', [...sha256s]).execute();
    return new Set(rows.map((r) => r.sha256));
  }
}

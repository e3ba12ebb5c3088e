import type { CoreDeps } from '../context.js';

/**
 * Counts downloads per version per UTC day. {@link record} only bumps an in-memory counter;
 * {@link flush} writes the batch in one transaction (the server flushes every few seconds and
 * on shutdown), so no download request waits for the database.
 */
export class DownloadRecorder {
  private pending = new Map<string, number>();

  constructor(private readonly deps: CoreDeps) {}

  record(versionId: number): void {
    const key = `${versionId}|${this.deps.now().toISOString().slice(0, 10)}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  /** Number of recorded downloads not yet written. */
  get backlog(): number {
    let n = 0;
    for (const count of this.pending.values()) n += count;
    return n;
  }

  /** Writes pending counts. On failure the counts are put back for the next flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        // Rows are updated in version order, so flushes from several nodes cannot deadlock.
        const ordered = [...batch].sort(([a], [b]) => Number(a.split('|')[0]) - Number(b.split('|')[0]) || (a < b ? -1 : 1));
        for (const [key, count] of ordered) {
          const [id, day] = key.split('|') as [string, string];
          const versionId = Number(id);
          await trx.insertInto('download_counts').values({ version_id: versionId, day, count })
            .onConflict((oc) => oc.columns(['version_id', 'day']).doUpdateSet((eb) => ({ count: eb('download_counts.count', '+', count) })))
            .execute();
          await trx.updateTable('versions').set((eb) => ({ download_count: eb('download_count', '+', count) })).where('id', '=', versionId).execute();
        }
      });
    } catch (error) {
      for (const [key, count] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + count);
      throw error;
    }
  }

  /** Downloads per day of every version of a package since `sinceDay` (YYYY-MM-DD), oldest day first; one query. */
  async dailyOfPackage(packageId: number, sinceDay: string): Promise<Array<{ day: string; count: number }>> {
    const rows = await this.deps.db.selectFrom('download_counts')
      .innerJoin('versions', 'versions.id', 'download_counts.version_id')
      .select(['download_counts.day as day', (eb) => eb.fn.sum<number>('download_counts.count').as('count')])
      .where('versions.package_id', '=', packageId).where('download_counts.day', '>=', sinceDay)
      .groupBy('download_counts.day').orderBy('download_counts.day').execute();
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }

  /**
   * Downloads per UTC day from `fromDay` to `toDay` (YYYY-MM-DD, both included) of a whole
   * package (every version, deleted ones too) or of one version, oldest day first; days without
   * downloads are absent. One query. Counts recorded in the last flush interval are not in it yet.
   */
  async dailyInRange(of: { packageId: number } | { versionId: number }, fromDay: string, toDay: string): Promise<Array<{ day: string; count: number }>> {
    let query = this.deps.db.selectFrom('download_counts')
      .select(['download_counts.day as day', (eb) => eb.fn.sum<number>('download_counts.count').as('count')])
      .where('download_counts.day', '>=', fromDay).where('download_counts.day', '<=', toDay);
    query = 'packageId' in of
      ? query.innerJoin('versions', 'versions.id', 'download_counts.version_id').where('versions.package_id', '=', of.packageId)
      : query.where('download_counts.version_id', '=', of.versionId);
    const rows = await query.groupBy('download_counts.day').orderBy('download_counts.day').execute();
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }

  /** Downloads per day for a set of versions, oldest day first. */
  async daily(versionIds: readonly number[]): Promise<Array<{ day: string; count: number }>> {
    if (versionIds.length === 0) return [];
    const rows = await this.deps.db.selectFrom('download_counts')
      .select(['day', (eb) => eb.fn.sum<number>('count').as('count')])
      .where('version_id', 'in', versionIds)
      .groupBy('day').orderBy('day').execute();
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }
}

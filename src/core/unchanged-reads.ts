import type { DataChanges } from './data-changes.js';

/**
 * Database reads by key, reused while the database has not changed since they were made: a
 * write anywhere (a revoked token, a suspended user, a published version), in any process,
 * makes the next lookup read again. Bounded by `limit` keys.
 */
export class UnchangedReads<V> {
  private readonly entries = new Map<string, { stamp: number; value: V }>();
  private lastStamp: number | null = null;

  constructor(private readonly changes: DataChanges, private readonly limit = 10_000) {}

  /** The value under `key`: the one read before if nothing changed since, else `read()`'s. */
  async get(key: string, read: () => Promise<V>): Promise<V> {
    const stamp = this.changes.stamp();
    if (stamp === null) return read();
    if (stamp !== this.lastStamp) {
      this.entries.clear();
      this.lastStamp = stamp;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.stamp === stamp) return hit.value;
    const value = await read();
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { stamp, value });
    return value;
  }
}

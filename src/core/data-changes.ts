/**
 * Whether the database may have changed. `stamp()` returns a number that differs from every
 * earlier one once a write has been made to the database: at once for this process's writes,
 * and for another process's, once it committed before the latest `refresh()` or before the
 * current turn of the event loop began. So a value read while the stamp was `s` is current for
 * as long as `stamp()` still returns `s`. It returns null when the database cannot tell at a cost
 * below a read (then nothing is reused).
 */
export interface DataChanges {
  stamp(): number | null;
  /** Makes the next `stamp()` count every write committed so far (a request has arrived). */
  refresh(): void;
}

/** For a database that cannot tell: every read goes to the database. */
export const untrackedChanges: DataChanges = { stamp: () => null, refresh: () => undefined };

/**
 * True when a statement failed on a unique or primary-key constraint, on SQLite or PostgreSQL.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

/**
 * Runs a transaction, and runs it once more when it lost a race for a unique row (another
 * transaction inserted the same package, version or file and committed first). SQLite serialises
 * writers, so there the race never happens; on PostgreSQL the second run sees the winner's rows
 * and answers as if it had come second. A second unique violation is rethrown.
 */
export async function retryingUniqueRace<T>(transaction: () => Promise<T>): Promise<T> {
  try {
    return await transaction();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return transaction();
  }
}

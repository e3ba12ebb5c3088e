import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../db/schema.js';
import { migrateToLatest, postgresMigrationDialect, type FormatMigrations } from '../../db/migrate.js';

const int8Oid = 20;
const numericOid = 1700;

/**
 * 64-bit integers (`count(*)`, `sum()`, `bigint` columns) arrive as JavaScript numbers, as they
 * do from SQLite: Kura's counts and sizes stay far below 2^53.
 */
const numericTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8Oid || oid === numericOid) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PostgresOptions {
  /** Connections this process keeps at most. */
  poolSize?: number;
  /** Called when an idle connection fails (the pool replaces it). */
  onIdleError?: (error: Error) => void;
}

/**
 * Connects to PostgreSQL at `url` (`postgres://user:pass@host:port/db`) and migrates the schema
 * (core's tables, then each format's) under Kysely's migration lock, so several nodes may start
 * at once.
 * @throws Error when the server cannot be reached or a migration fails.
 */
export async function openPostgresDatabase(url: string, formats: readonly FormatMigrations[] = [], options: PostgresOptions = {}): Promise<Kysely<Database>> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: numericTypes });
  pool.on('error', (error) => options.onIdleError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>, postgresMigrationDialect, formats);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

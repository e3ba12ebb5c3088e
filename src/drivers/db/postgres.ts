import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Database } from '../../db/schema.js';
import { migrateToLatest, postgresMigrationDialect, type FormatMigrations } from '../../db/migrate.js';
import { timedDialect, type QueryObserver } from './query-log.js';

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
  /** Receives each query's time. */
  onQuery?: QueryObserver;
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
  const db = new Kysely<Database>({ dialect: timedDialect(new PostgresDialect({ pool: withPreparedStatements(pool) }), options.onQuery) });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>, postgresMigrationDialect, formats);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** Distinct statements each process prepares at most; others run unnamed (parsed every time). */
const preparedLimit = 500;

/** `cached plan must not change result type`: a table changed under a prepared statement. */
const stalePlanCode = '0A000';

/**
 * A pool whose clients run parameterised queries as named prepared statements, so the server
 * parses and plans each distinct query once per connection instead of on every execution (Kura's
 * queries are a fixed set; dynamic ones beyond {@link preparedLimit} stay unnamed). A connection
 * whose prepared statement outlived a schema change (a newer node migrated) is discarded; the
 * statement is run again unprepared, unless it was inside a transaction (that one fails).
 */
function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (!name && names.size < preparedLimit) {
      name = `k${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      let stale = false;
      let inTransaction = false;
      const run = async (text: string, values: readonly unknown[]) => {
        // Transaction control statements carry no parameters; queries with parameters skip the tests.
        if (values.length === 0) {
          if (/^\s*(begin|start transaction)/i.test(text)) inTransaction = true;
          else if (/^\s*(commit|rollback)/i.test(text)) inTransaction = false;
        }
        const name = values.length > 0 ? nameOf(text) : undefined;
        try {
          return name ? await client.query({ name, text, values: [...values] }) : await client.query(text, [...values]);
        } catch (error) {
          if ((error as { code?: string }).code !== stalePlanCode) throw error;
          stale = true;
          // Outside a transaction the failed statement changed nothing: run it again unprepared.
          if (inTransaction) throw error;
          return client.query(text, [...values]);
        }
      };
      return {
        // A cursor (Kysely's streaming) passes through untouched.
        query: (text: unknown, values?: readonly unknown[]) => (typeof text === 'string' ? run(text, values ?? []) : client.query(text as pg.Submittable)),
        release: () => client.release(stale),
      } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

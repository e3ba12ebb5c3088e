import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../db/schema.js';
import { migrateToLatest, sqliteMigrationDialect, type FormatMigrations } from '../../db/migrate.js';
import type { QueryObserver } from './query-log.js';

/**
 * Opens (creating if needed) an SQLite database in WAL mode, so a server and `kura` commands can
 * use the same file at once, and migrates it (core's tables, then each format's). `:memory:`
 * gives a private in-memory database.
 */
export async function openSqliteDatabase(file: string, formats: readonly FormatMigrations[] = [], options: { onQuery?: QueryObserver } = {}): Promise<Kysely<Database>> {
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, options.onQuery) }) });
  await migrateToLatest(db as unknown as Kysely<unknown>, sqliteMigrationDialect, formats);
  keepStatisticsFresh(sqlite);
  return db;
}

/** How often the query planner's statistics are refreshed where the data changed enough. */
const optimizeEveryMs = 60 * 60 * 1000;

/**
 * Keeps the query planner's statistics current as the registry grows (SQLite's advice for
 * long-lived connections): `PRAGMA optimize` now and every hour, each bounded by
 * `analysis_limit`, so plans that depend on table sizes (search through the text index rather than
 * all of a format's packages) stay chosen.
 */
function keepStatisticsFresh(sqlite: BetterSqlite3.Database): void {
  if (sqlite.memory) return;
  sqlite.pragma('analysis_limit = 1000');
  sqlite.pragma('optimize = 0x10002');
  const timer = setInterval(() => {
    if (sqlite.open) sqlite.pragma('optimize');
    else clearInterval(timer);
  }, optimizeEveryMs);
  timer.unref();
}

/** What Kysely's SQLite driver uses of a prepared statement. */
type DriverStatement = Pick<BetterSqlite3.Statement, 'reader' | 'all' | 'run' | 'iterate'>;

/**
 * Wraps the connection so each distinct SQL text is prepared once: Kysely's driver prepares on
 * every execution, which costs more than running a point query. Statements run synchronously
 * (`all`/`run`), so reusing one is safe. The cache is bounded (oldest evicted). With `observe`,
 * each run is timed around the synchronous call: two clock reads, no promise.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, observe?: QueryObserver, limit = 1000) {
  const statements = new Map<string, DriverStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        const prepared = sqlite.prepare(sql);
        statement = observe ? timedStatement(prepared, observe) : prepared;
        statements.set(sql, statement);
        if (statements.size > limit) statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
  };
}

function timedStatement(statement: BetterSqlite3.Statement, observe: QueryObserver): DriverStatement {
  return {
    reader: statement.reader,
    all(parameters: unknown) {
      const start = performance.now();
      try {
        const rows = statement.all(parameters);
        observe((performance.now() - start) / 1000, true);
        return rows;
      } catch (error) {
        observe((performance.now() - start) / 1000, false);
        throw error;
      }
    },
    run(parameters: unknown) {
      const start = performance.now();
      try {
        const result = statement.run(parameters);
        observe((performance.now() - start) / 1000, true);
        return result;
      } catch (error) {
        observe((performance.now() - start) / 1000, false);
        throw error;
      }
    },
    iterate: (parameters: unknown) => statement.iterate(parameters),
  } as DriverStatement;
}

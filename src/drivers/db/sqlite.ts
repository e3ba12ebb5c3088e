import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../db/schema.js';
import { migrateToLatest, sqliteMigrationDialect } from '../../db/migrate.js';

/**
 * Opens (creating if needed) an SQLite database in WAL mode, so a server and `kura` commands can
 * use the same file at once, and migrates it. `:memory:` gives a private in-memory database.
 */
export async function openSqliteDatabase(file: string): Promise<Kysely<Database>> {
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db as unknown as Kysely<unknown>, sqliteMigrationDialect);
  return db;
}

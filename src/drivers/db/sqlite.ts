import { closeSync, openSync, readSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DataChanges } from '../../core/data-changes.js';
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
  const changes = new SqliteChanges(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, changes, options.onQuery) }) });
  await migrateToLatest(db as unknown as Kysely<unknown>, sqliteMigrationDialect, formats);
  keepStatisticsFresh(sqlite);
  changesOf.set(db, changes);
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

const changesOf = new WeakMap<Kysely<Database>, DataChanges>();

/** The changes of a database opened by {@link openSqliteDatabase}. */
export function sqliteChanges(db: Kysely<Database>): DataChanges {
  const changes = changesOf.get(db);
  if (!changes) throw new Error('not a database opened by openSqliteDatabase');
  return changes;
}

/**
 * An SQLite database's changes: `PRAGMA data_version` moves when another connection (another
 * process) commits, and every statement this connection runs that may write moves the count
 * before it runs, so a read that waits for a transaction is never stored under the stamp from
 * before it. The database is checked once per event-loop turn or request: first through the
 * WAL index header, then, only when that moved, through `data_version`.
 */
class SqliteChanges implements DataChanges {
  private readonly dataVersion: BetterSqlite3.Statement<[], number>;
  private readonly walIndex: WalIndexHeader | null;
  private lastDataVersion = -1;
  private checked = false;
  private expiring = false;
  private count = 0;
  private readonly expire = () => {
    this.checked = false;
    this.expiring = false;
  };

  constructor(sqlite: BetterSqlite3.Database) {
    this.dataVersion = sqlite.prepare<[], number>('PRAGMA data_version').pluck();
    this.walIndex = sqlite.memory ? null : WalIndexHeader.open(sqlite.name);
  }

  stamp(): number {
    if (!this.checked) {
      this.checked = true;
      if (!this.expiring) {
        this.expiring = true;
        setImmediate(this.expire);
      }
      if (this.walIndex?.unmoved()) return this.count;
      const version = this.dataVersion.get()!;
      if (version !== this.lastDataVersion) {
        this.lastDataVersion = version;
        this.count += 1;
      }
    }
    return this.count;
  }

  refresh(): void {
    this.checked = false;
  }

  /** Notes a write by this connection. */
  wrote(): void {
    this.count += 1;
  }

  close(): void {
    this.walIndex?.close();
  }
}

/** Bytes of the WAL index header (the first of its two copies, the one a commit writes last). */
const walIndexHeaderBytes = 48;

/**
 * The header of a WAL-mode database's index (the `-shm` file that SQLite's connections share
 * through memory): every commit, by any connection, changes it (its transaction counter, last
 * frame, checksums) before the commit returns, so a header that reads as before means no commit
 * since. Reading it is one `pread`, where `PRAGMA data_version` opens a read transaction with its
 * file locks (measured under packument load: about 8 µs of a ~75 µs request). Anything unexpected (no index file, a failed read) counts as
 * moved, so the caller falls back to `data_version`.
 */
class WalIndexHeader {
  private last = Buffer.alloc(walIndexHeaderBytes);
  private next = Buffer.alloc(walIndexHeaderBytes);
  private known = false;

  private constructor(private readonly fd: number) {}

  static open(databaseFile: string): WalIndexHeader | null {
    try {
      return new WalIndexHeader(openSync(`${databaseFile}-shm`, 'r'));
    } catch {
      return null;
    }
  }

  /** True when the header is as at the previous call (and that call read one). */
  unmoved(): boolean {
    let read: number;
    try {
      read = readSync(this.fd, this.next, 0, walIndexHeaderBytes, 0);
    } catch {
      read = 0;
    }
    const unmoved = this.known && read === walIndexHeaderBytes && this.next.equals(this.last);
    this.known = read === walIndexHeaderBytes;
    [this.last, this.next] = [this.next, this.last];
    return unmoved;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/** What Kysely's SQLite driver uses of a prepared statement. */
type DriverStatement = Pick<BetterSqlite3.Statement, 'reader' | 'all' | 'run' | 'iterate'>;

/**
 * Wraps the connection so each distinct SQL text is prepared once: Kysely's driver prepares on
 * every execution, which costs more than running a point query. Statements run synchronously
 * (`all`/`run`), so reusing one is safe. The cache is bounded (oldest evicted). With `observe`,
 * each run is timed around the synchronous call: two clock reads, no promise. A statement that
 * may write tells `changes` each time it runs.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, changes: SqliteChanges, observe?: QueryObserver, limit = 1000) {
  const statements = new Map<string, DriverStatement>();
  return {
    close: () => {
      sqlite.close();
      changes.close();
    },
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        const prepared = sqlite.prepare(sql);
        const measured = observe ? timedStatement(prepared, observe) : prepared;
        statement = prepared.readonly ? measured : writingStatement(measured, changes);
        statements.set(sql, statement);
        if (statements.size > limit) statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
  };
}

function writingStatement(statement: DriverStatement, changes: SqliteChanges): DriverStatement {
  return {
    reader: statement.reader,
    all(parameters: unknown) {
      changes.wrote();
      return statement.all(parameters);
    },
    run(parameters: unknown) {
      changes.wrote();
      return statement.run(parameters);
    },
    iterate(parameters: unknown) {
      changes.wrote();
      return statement.iterate(parameters);
    },
  } as DriverStatement;
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

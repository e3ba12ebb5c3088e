import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { sourceTables, type SourceTable } from './source-tables.js';

/** Reports rows copied so far of all tables, and the table being copied. */
export type RowProgress = (done: number, total: number, table: string) => void;

export interface DatabaseCopyReport {
  tables: number;
  rows: number;
  /** Tables whose row count differs between source and target after the copy (empty when it succeeded). */
  mismatches: string[];
}

const pageSize = 1000;
/** PostgreSQL takes at most 65,535 parameters per statement. */
const maxParameters = 60_000;

// The target is any Kura schema: its tables are known only at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

type Row = Record<string, unknown>;

function* sourcePages(sqlite: BetterSqlite3.Database, table: SourceTable): Generator<Row[]> {
  const columns = table.columns.map((c) => `"${c}"`).join(', ');
  const page = sqlite.prepare(`select rowid as "__rowid", ${columns} from "${table.name}" where rowid > ? order by rowid limit ${pageSize}`);
  let after = -Infinity;
  for (;;) {
    const rows = page.all(after) as Row[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!['__rowid'] as number;
    for (const row of rows) delete row['__rowid'];
    yield rows;
  }
}

const keyOf = (row: Row, primaryKey: readonly string[]) => JSON.stringify(primaryKey.map((c) => row[c]));

/** Deletes the target's rows the source no longer has (a second pass after the source changed); a table without a key is emptied. */
async function removeAbsentRows(sqlite: BetterSqlite3.Database, target: AnyDb, table: SourceTable): Promise<void> {
  if (table.primaryKey.length === 0) {
    await target.deleteFrom(table.name).execute();
    return;
  }
  const present = new Set<string>();
  for (const rows of sourcePages(sqlite, { ...table, columns: table.primaryKey })) for (const row of rows) present.add(keyOf(row, table.primaryKey));
  const absent: Row[] = [];
  let offset = 0;
  for (;;) {
    let page = target.selectFrom(table.name).select(table.primaryKey);
    for (const column of table.primaryKey) page = page.orderBy(column);
    const rows = await page.limit(pageSize).offset(offset).execute() as Row[];
    for (const row of rows) if (!present.has(keyOf(row, table.primaryKey))) absent.push(row);
    if (rows.length < pageSize) break;
    offset += pageSize;
  }
  for (let i = 0; i < absent.length; i += 200) {
    const batch = absent.slice(i, i + 200);
    await target.deleteFrom(table.name)
      .where((eb) => eb.or(batch.map((row) => eb.and(table.primaryKey.map((c) => eb(c, '=', row[c]))))) as Expression<SqlBool>)
      .execute();
  }
}

/** Inserts a page of rows, updating those the target already has (so a rerun after an interruption or a change converges). */
async function upsert(target: AnyDb, table: SourceTable, rows: Row[]): Promise<void> {
  const updated = table.columns.filter((c) => !table.primaryKey.includes(c));
  const perStatement = Math.max(1, Math.min(pageSize, Math.floor(maxParameters / table.columns.length)));
  for (let i = 0; i < rows.length; i += perStatement) {
    const values = rows.slice(i, i + perStatement);
    let insert = target.insertInto(table.name).values(values);
    if (table.primaryKey.length > 0) {
      insert = insert.onConflict((oc) => {
        const conflict = oc.columns(table.primaryKey);
        return updated.length === 0 ? conflict.doNothing() : conflict.doUpdateSet(Object.fromEntries(updated.map((c) => [c, sql.ref(`excluded.${c}`)])));
      });
    }
    await insert.execute();
  }
}

/** Moves each generated id's sequence past the highest copied id, so new rows get fresh ids. */
async function advanceSequence(target: AnyDb, table: SourceTable): Promise<void> {
  if (table.primaryKey.length !== 1 || table.primaryKey[0] !== 'id') return;
  const { rows } = await sql<{ sequence: string | null }>`select pg_get_serial_sequence(${table.name}, 'id') as sequence`.execute(target);
  if (!rows[0]?.sequence) return;
  await sql`select setval(${rows[0].sequence}::regclass, coalesce((select max(id) from ${sql.table(table.name)}), 0) + 1, false)`.execute(target);
}

const countRows = async (target: AnyDb, name: string) => Number((await target.selectFrom(name).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/**
 * Copies every table of the SQLite database into the (migrated, PostgreSQL) target from one
 * consistent snapshot of the source: rows the target lacks are inserted, rows it has are
 * updated, rows the source no longer has are deleted, so running it again after an interruption
 * (or after the source changed) makes the target equal to the source. Compares row counts at
 * the end.
 */
export async function copyDatabase(sqlite: BetterSqlite3.Database, target: AnyDb, progress: RowProgress = () => {}): Promise<DatabaseCopyReport> {
  sqlite.exec('begin');
  try {
    const tables = sourceTables(sqlite);
    const counts = new Map(tables.map((t) => [t.name, (sqlite.prepare(`select count(*) as n from "${t.name}"`).get() as { n: number }).n]));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const table of [...tables].reverse()) await removeAbsentRows(sqlite, target, table);
    let done = 0;
    progress(done, total, tables[0]?.name ?? '');
    for (const table of tables) {
      for (const rows of sourcePages(sqlite, table)) {
        await upsert(target, table, rows);
        done += rows.length;
        progress(done, total, table.name);
      }
      await advanceSequence(target, table);
    }
    const mismatches: string[] = [];
    for (const table of tables) {
      const copied = await countRows(target, table.name);
      if (copied !== counts.get(table.name)) mismatches.push(`${table.name}: ${counts.get(table.name)} rows in the source, ${copied} in the target`);
    }
    return { tables: tables.length, rows: total, mismatches };
  } finally {
    sqlite.exec('commit');
  }
}

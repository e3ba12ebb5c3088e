import type BetterSqlite3 from 'better-sqlite3';

/** One table of the source database as the copy sees it. */
export interface SourceTable {
  name: string;
  columns: string[];
  /** Primary key columns; empty when the table has none (its rows are replaced as a whole). */
  primaryKey: string[];
  /** Tables this one references. */
  references: string[];
}

/**
 * Tables that describe one installation's moment rather than its data: the migrator's own
 * bookkeeping, job leases, recent failed sign-ins, and container uploads in progress (their bytes are not copied, so a
 * client restarts such an upload).
 */
const notCopied = new Set(['kysely_migration', 'kysely_migration_lock', 'sqlite_sequence', 'job_leases', 'sign_in_failures', 'container_uploads']);

/**
 * Every copied table of an SQLite database, each after the tables it references. Virtual tables
 * and their shadow tables (the search index) are SQLite's own and not copied: the target builds
 * its own indexes.
 */
export function sourceTables(sqlite: BetterSqlite3.Database): SourceTable[] {
  const names = (sqlite.prepare("select name from pragma_table_list where schema = 'main' and type = 'table' and name not like 'sqlite_%'").all() as Array<{ name: string }>)
    .map((r) => r.name).filter((n) => !notCopied.has(n)).sort();
  const tables = new Map(names.map((name) => {
    const info = sqlite.prepare(`pragma table_info("${name}")`).all() as Array<{ name: string; pk: number }>;
    const keys = sqlite.prepare(`pragma foreign_key_list("${name}")`).all() as Array<{ table: string }>;
    return [name, {
      name,
      columns: info.map((c) => c.name),
      primaryKey: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      references: [...new Set(keys.map((k) => k.table).filter((t) => t !== name && names.includes(t)))],
    }];
  }));
  const ordered: SourceTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.size) {
    const ready = [...tables.values()].filter((t) => !placed.has(t.name) && t.references.every((r) => placed.has(r)));
    if (ready.length === 0) throw new Error(`tables reference each other in a cycle: ${[...tables.keys()].filter((n) => !placed.has(n)).join(', ')}`);
    for (const table of ready) {
      ordered.push(table);
      placed.add(table.name);
    }
  }
  return ordered;
}

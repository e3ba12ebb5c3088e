import { sql, type Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/**
 * Indexes that keep package lookups and search flat as a registry grows: packages by format and
 * name across owners (dependency links, alert matching), and a trigram index over names and
 * descriptions for substring search. On SQLite that is an FTS5 trigram table kept in step with
 * `packages` by triggers; on PostgreSQL, `pg_trgm` GIN indexes that serve the `LIKE` search
 * directly (skipped, leaving search a scan, where the extension cannot be created).
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.createIndex('packages_format_name').on('packages').columns(['format', 'name_lower']).execute();
  if (dialect.engine === 'sqlite') {
    await sql`create virtual table package_search using fts5(name_lower, description, content='packages', content_rowid='id', tokenize='trigram', detail='none')`.execute(db);
    await sql`create trigger package_search_insert after insert on packages begin
      insert into package_search(rowid, name_lower, description) values (new.id, new.name_lower, new.description);
    end`.execute(db);
    await sql`create trigger package_search_delete after delete on packages begin
      insert into package_search(package_search, rowid, name_lower, description) values ('delete', old.id, old.name_lower, old.description);
    end`.execute(db);
    await sql`create trigger package_search_update after update of name_lower, description on packages begin
      insert into package_search(package_search, rowid, name_lower, description) values ('delete', old.id, old.name_lower, old.description);
      insert into package_search(rowid, name_lower, description) values (new.id, new.name_lower, new.description);
    end`.execute(db);
    await sql`insert into package_search(package_search) values ('rebuild')`.execute(db);
    // The planner needs the new index's statistics to prefer the text index over a format's rows.
    await sql`analyze packages`.execute(db);
    return;
  }
  await sql`savepoint package_search_extension`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`release savepoint package_search_extension`.execute(db);
  } catch {
    await sql`rollback to savepoint package_search_extension`.execute(db);
    return;
  }
  await sql`create index packages_name_trigrams on packages using gin (name_lower gin_trgm_ops)`.execute(db);
  await sql`create index packages_description_trigrams on packages using gin (lower(description) gin_trgm_ops)`.execute(db);
}

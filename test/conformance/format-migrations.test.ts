import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest, sqliteMigrationDialect, type FormatMigrations } from '../../src/db/migrate.js';
import { formats } from '../../src/formats/registry.js';

interface SchemaObject { type: string; name: string; tbl_name: string; sql: string | null }

/** A fresh SQLite database and the raw connection to read its schema. */
function openDatabase() {
  const sqlite = new BetterSqlite3(':memory:');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const schema = (): SchemaObject[] => sqlite.prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%' and name not like 'kysely_%' order by name").all() as SchemaObject[];
  return { db, schema };
}

/**
 * What a format's migrations did to the schema that they must not: objects they created outside
 * `<id>_`, and objects of core (or of formats before it) they changed or dropped.
 */
async function trespasses(format: FormatMigrations, before: readonly FormatMigrations[] = []): Promise<string[]> {
  const { db, schema } = openDatabase();
  try {
    await migrateToLatest(db, sqliteMigrationDialect, before);
    const existing = schema();
    await migrateToLatest(db, sqliteMigrationDialect, [...before, format]);
    const after = schema();
    const problems: string[] = [];
    for (const object of after) {
      const old = existing.find((o) => o.name === object.name);
      if (old && old.sql !== object.sql) problems.push(`changed ${object.type} ${object.name}`);
      if (!old && !(object.name.startsWith(`${format.formatId}_`) && object.tbl_name.startsWith(`${format.formatId}_`))) {
        problems.push(`created ${object.type} ${object.name} on ${object.tbl_name}`);
      }
    }
    for (const object of existing) if (!after.some((o) => o.name === object.name)) problems.push(`dropped ${object.type} ${object.name}`);
    return problems;
  } finally {
    await db.destroy();
  }
}

describe('format migrations', () => {
  for (const format of formats) {
    it(`${format.id}: creates only tables and indexes named ${format.id}_… and leaves core's schema alone`, async () => {
      assert.deepEqual(await trespasses({ formatId: format.id, migrations: format.migrations ?? {} }), []);
    });
  }

  it('the check catches a migration that creates or alters a table outside its prefix', async () => {
    const rogue: FormatMigrations = {
      formatId: 'rogue',
      migrations: {
        '0001-bad': {
          async up(db) {
            await db.schema.createTable('rogue_ok').addColumn('id', 'integer').execute();
            await db.schema.createTable('stolen').addColumn('id', 'integer').execute();
            await db.schema.alterTable('packages').addColumn('rogue_flag', 'integer').execute();
          },
        },
      },
    };
    assert.deepEqual((await trespasses(rogue)).sort(), ['changed table packages', 'created table stolen on stolen']);
  });

  it('runs a migration added after later-ordered ones already ran (each owner keeps its own order)', async () => {
    const { db, schema } = openDatabase();
    try {
      const late: FormatMigrations = { formatId: 'late', migrations: { '0001-a': { async up(d) { await d.schema.createTable('late_a').addColumn('id', 'integer').execute(); } } } };
      await migrateToLatest(db, sqliteMigrationDialect, [late]);
      const more: FormatMigrations = { formatId: 'late', migrations: { ...late.migrations, '0002-b': { async up(d) { await d.schema.createTable('late_b').addColumn('id', 'integer').execute(); } } } };
      await migrateToLatest(db, sqliteMigrationDialect, [more]);
      assert.ok(schema().some((o) => o.name === 'late_b'));
    } finally {
      await db.destroy();
    }
  });
});

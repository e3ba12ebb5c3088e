import { Migrator, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as registry from './migrations/0002-registry.js';

/** The only dialect differences migrations may use: how an auto-generated integer key is declared. */
export interface MigrationDialect {
  idColumn: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export const sqliteMigrationDialect: MigrationDialect = {
  idColumn: (c) => c.primaryKey().autoIncrement(),
};

export const postgresMigrationDialect: MigrationDialect = {
  idColumn: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
};

type Step = { up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> };
const steps: Record<string, Step> = { '0001-initial': initial, '0002-registry': registry };

/**
 * Brings the schema to the newest version. Safe to run from several processes: each migration
 * runs once, inside Kysely's migration lock.
 * @throws Error naming the failed migration.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(steps)) {
        migrations[name] = { up: (d) => step.up(d, dialect) };
      }
      return migrations;
    },
  };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

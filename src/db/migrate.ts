import { Migrator, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as registry from './migrations/0002-registry.js';
import * as advisories from './migrations/0003-advisories.js';
import * as dependencyAlerts from './migrations/0004-dependency-alerts.js';
import * as webSessions from './migrations/0005-web-sessions.js';
import * as webhooks from './migrations/0006-webhooks.js';
import * as auditScope from './migrations/0007-audit-scope.js';
import * as suspendedUsers from './migrations/0008-suspended-users.js';
import * as accessInheritance from './migrations/0009-package-access-inheritance.js';
import * as packageSearch from './migrations/0010-package-search.js';

/**
 * The dialect differences migrations may use: how an auto-generated integer key is declared, and
 * which engine runs them (for what only one engine has, such as its text search indexes).
 */
export interface MigrationDialect {
  engine: 'sqlite' | 'postgres';
  idColumn: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export const sqliteMigrationDialect: MigrationDialect = {
  engine: 'sqlite',
  idColumn: (c) => c.primaryKey().autoIncrement(),
};

export const postgresMigrationDialect: MigrationDialect = {
  engine: 'postgres',
  idColumn: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
};

type Step = { up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> };

/** Core's migrations: the tables only core queries. */
const coreSteps: Record<string, Step> = { '0001-initial': initial, '0002-registry': registry, '0003-advisories': advisories, '0004-dependency-alerts': dependencyAlerts, '0005-web-sessions': webSessions, '0006-webhooks': webhooks, '0007-audit-scope': auditScope, '0008-suspended-users': suspendedUsers, '0009-package-access-inheritance': accessInheritance, '0010-package-search': packageSearch };

/** A format's own migrations, by name; they run after core's, under `<formatId>/<name>`. */
export interface FormatMigrations {
  formatId: string;
  migrations: Readonly<Record<string, Step>>;
}

/**
 * Every migration in the order it runs: core's by name, then each format's by name, formats in
 * the order given.
 */
export function orderedMigrations(formats: readonly FormatMigrations[]): Array<[string, Step]> {
  const byName = (a: [string, Step], b: [string, Step]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return [
    ...Object.entries(coreSteps).sort(byName),
    ...formats.flatMap((f) => Object.entries(f.migrations).sort(byName).map(([name, step]): [string, Step] => [`${f.formatId}/${name}`, step])),
  ];
}

/**
 * Brings the schema to the newest version: core's tables, then every format's. Safe to run from
 * several processes: each migration runs once, inside Kysely's migration lock. A migration added
 * to core after a format's already ran still runs (the order is by owner, not a single list).
 * @throws Error naming the failed migration.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: MigrationDialect, formats: readonly FormatMigrations[] = []): Promise<void> {
  const ordered = orderedMigrations(formats);
  const position = new Map(ordered.map(([name], i) => [name, i]));
  const provider: MigrationProvider = {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of ordered) migrations[name] = { up: (d) => step.up(d, dialect) };
      return migrations;
    },
  };
  const migrator = new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
    nameComparator: (a, b) => (position.get(a) ?? Number.MAX_SAFE_INTEGER) - (position.get(b) ?? Number.MAX_SAFE_INTEGER),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { BlobStore } from '../core/blobs/blob-store.js';
import type { FormatMigrations } from '../db/migrate.js';
import { openPostgresDatabase } from '../drivers/db/postgres.js';
import { openSqliteDatabase } from '../drivers/db/sqlite.js';
import { copyBlobs, type BlobCopyReport, type BlobEntry, type BlobProgress } from './copy-blobs.js';
import { copyDatabase, type DatabaseCopyReport, type RowProgress } from './copy-database.js';

/** What to move where: the single-node install's SQLite file and blob store, and their new homes. */
export interface MigrationPlan {
  sourceDatabaseFile: string;
  sourceBlobs: BlobStore;
  /** PostgreSQL URL the rows move to; null leaves them in SQLite. */
  targetDatabaseUrl: string | null;
  /** Store the blobs move to; null leaves them where they are. */
  targetBlobs: BlobStore | null;
  /** Core's and every format's migrations, run on both databases first. */
  migrations: readonly FormatMigrations[];
}

export interface MigrationReport {
  blobs: BlobCopyReport | null;
  database: DatabaseCopyReport | null;
}

interface FirstOwner { id: number; login: string; created_at: string }

/**
 * Refuses a target that holds another installation: it must be empty, or start with the same
 * first account as the source (an earlier run of this migration filled it).
 */
async function checkTargetIsEmptyOrOurs(sqlite: BetterSqlite3.Database, target: Kysely<unknown>): Promise<void> {
  const ours = sqlite.prepare('select id, login, created_at from owners order by id limit 1').get() as FirstOwner | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const theirs = await (target as Kysely<any>).selectFrom('owners').select(['id', 'login', 'created_at']).orderBy('id').limit(1).executeTakeFirst() as FirstOwner | undefined;
  if (theirs && !(ours && ours.id === theirs.id && ours.login === theirs.login && ours.created_at === theirs.created_at)) {
    throw new Error(`the target database holds another installation (its first account is ${theirs.login}): migrate into an empty database, or one an earlier migrate of this install filled`);
  }
}

/**
 * Copies a single-node install into its new database and blob store: blobs first (each verified
 * by its SHA-256 on the way), then every table from one snapshot. Rerunning it after an
 * interruption, or after the old install took more writes, resumes and converges; the old
 * install is only read.
 */
export async function migrateInstall(plan: MigrationPlan, progress: { blobs?: BlobProgress; rows?: RowProgress } = {}): Promise<MigrationReport> {
  await (await openSqliteDatabase(plan.sourceDatabaseFile, plan.migrations)).destroy();
  const sqlite = new BetterSqlite3(plan.sourceDatabaseFile, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 10000');
  let target: Kysely<unknown> | null = null;
  try {
    if (plan.targetDatabaseUrl) {
      target = await openPostgresDatabase(plan.targetDatabaseUrl, plan.migrations, { poolSize: 4 }) as unknown as Kysely<unknown>;
      await checkTargetIsEmptyOrOurs(sqlite, target);
    }
    let blobs: BlobCopyReport | null = null;
    if (plan.targetBlobs) {
      const entries = sqlite.prepare('select sha256, size from blobs order by sha256').all() as BlobEntry[];
      blobs = await copyBlobs(entries, plan.sourceBlobs, plan.targetBlobs, progress.blobs);
    }
    const database = target ? await copyDatabase(sqlite, target, progress.rows) : null;
    return { blobs, database };
  } finally {
    sqlite.close();
    await target?.destroy();
  }
}

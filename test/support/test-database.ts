import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the suite runs on, when it runs on one: scripts/run-tests.js starts a
 * throwaway server and migrates the template database `kura_template` in it.
 */
const serverUrl = process.env['KURA_TEST_POSTGRES_URL'];

/** The template every test database is copied from (already migrated, so tests start fast). */
export const templateDatabase = 'kura_template';

/** A database of its own for one test Kura, and how to drop it afterwards. */
export interface TestDatabase {
  /** `KURA_DATABASE_URL` for the Kura under test. */
  url: string;
  drop(): Promise<void>;
}

async function administer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** True when the suite runs on PostgreSQL instead of SQLite. */
export const onPostgres = Boolean(serverUrl);

/**
 * A new database copied from the template, or null when the suite runs on SQLite.
 */
export async function createTestDatabase(): Promise<TestDatabase | null> {
  if (!serverUrl) return null;
  const name = `kura_test_${randomBytes(6).toString('hex')}`;
  await administer(`create database ${name} template ${templateDatabase}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => administer(`drop database if exists ${name} with (force)`),
  };
}

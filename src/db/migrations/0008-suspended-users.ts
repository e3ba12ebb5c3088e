import type { Kysely } from 'kysely';

/** When a site admin suspended a user (null: not suspended). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('owners').addColumn('suspended_at', 'text').execute();
}

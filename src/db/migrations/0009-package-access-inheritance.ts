import { sql, type Kysely } from 'kysely';

/**
 * Whether a linked package takes its visibility and permissions from its repository (1, the
 * default) or keeps its own (0), as GitHub's "Inherit access from source repository".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('packages').addColumn('inherit_access', 'integer', (c) => c.notNull().defaultTo(sql`1`)).execute();
}

import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/**
 * Server settings (signing secrets shared by every process). Data directories created before
 * formats owned their tables got the container registry's tables here too; the container
 * format's own first migration takes them over.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../../contract.js';

/** One row per pushed gem file: what the full and compact indexes are written from. */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('rubygems_gems')
    .addColumn('id', 'integer', (c) => dialect.idColumn(c))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('prerelease', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('info', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rubygems_gems_file').on('rubygems_gems').columns(['owner_id', 'file_name']).unique().execute();
  await db.schema.createIndex('rubygems_gems_version').on('rubygems_gems').columns(['package_id', 'version', 'platform']).unique().execute();
}

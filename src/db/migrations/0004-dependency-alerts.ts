import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/**
 * The dependency index (what each version declares, looked up by the dependency's name), the
 * alerts raised on repositories whose packages depend on affected versions, and the review mark
 * a site admin sets on an advisory.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('version_dependencies')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('range', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('version_dependencies_name').on('version_dependencies').columns(['ecosystem', 'name_lower']).execute();
  await db.schema.createIndex('version_dependencies_version').on('version_dependencies').column('version_id').execute();

  await db.schema.createTable('alerts')
    .addColumn('id', 'integer', dialect.idColumn)
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('advisory_id', 'integer', (c) => c.notNull().references('advisories.id'))
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('dependency_lower', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('declared_range', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('dismissed_reason', 'text')
    .addColumn('dismissed_comment', 'text')
    .addColumn('dismissed_by', 'integer', (c) => c.references('owners.id'))
    .addColumn('dismissed_at', 'text')
    .addColumn('fixed_at', 'text')
    .addColumn('auto_dismissed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_number').on('alerts').columns(['repo_id', 'number']).unique().execute();
  await db.schema.createIndex('alerts_subject').on('alerts').columns(['advisory_id', 'package_id', 'dependency_lower', 'repo_id']).unique().execute();
  await db.schema.createIndex('alerts_package').on('alerts').column('package_id').execute();

  await db.schema.alterTable('advisories').addColumn('reviewed_at', 'text').execute();
  await db.schema.alterTable('advisories').addColumn('reviewed_by', 'integer', (c) => c.references('owners.id')).execute();
}

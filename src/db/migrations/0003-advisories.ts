import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/**
 * Security advisories of repositories (and ones imported from OSV files, which belong to no
 * repository), and the index from an affected package to its
 * advisories (what `npm audit` and alerts look up by package name).
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('advisories')
    .addColumn('id', 'integer', dialect.idColumn)
    .addColumn('ghsa_id', 'text', (c) => c.notNull().unique())
    .addColumn('repo_id', 'integer', (c) => c.references('repositories.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('cvss_vector', 'text')
    .addColumn('cve_id', 'text')
    .addColumn('cwe_ids', 'text', (c) => c.notNull())
    .addColumn('credits', 'text', (c) => c.notNull())
    .addColumn('vulnerabilities', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('owners.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('advisories_repo').on('advisories').column('repo_id').execute();

  await db.schema.createTable('advisory_packages')
    .addColumn('advisory_id', 'integer', (c) => c.notNull().references('advisories.id'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('vulnerable_range', 'text', (c) => c.notNull())
    .addColumn('patched_versions', 'text')
    .execute();
  await db.schema.createIndex('advisory_packages_name').on('advisory_packages').columns(['ecosystem', 'name_lower']).execute();
}

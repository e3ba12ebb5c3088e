import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../../contract.js';

/** The tables data directories written before formats owned their tables have, under their old names. */
const legacyNames = {
  container_uploads: 'oci_uploads',
  container_blob_links: 'oci_blob_links',
  container_manifests: 'oci_manifests',
  container_cleanup_policies: 'oci_cleanup_policies',
} as const;
const legacyIndexes = ['oci_uploads_updated', 'oci_blob_links_digest', 'oci_blob_links_blob', 'oci_manifests_digest', 'oci_manifests_subject'];

/**
 * The registry's tables: upload sessions, blob links per image, the manifest index behind tags,
 * referrers and cleanup, and cleanup policies. A data directory that already has them under
 * their former `oci_` names keeps its rows: the tables are renamed and their indexes rebuilt.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  const existing = new Set((await db.introspection.getTables()).map((t) => t.name));
  const renamed = Object.entries(legacyNames).filter(([, legacy]) => existing.has(legacy));
  for (const [name, legacy] of renamed) await db.schema.alterTable(legacy).renameTo(name).execute();
  for (const index of legacyIndexes) await db.schema.dropIndex(index).ifExists().execute();
  const ifNew = <T extends { ifNotExists(): T }>(builder: T) => builder.ifNotExists();

  await ifNew(db.schema.createTable('container_uploads'))
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('owners.id'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('container_uploads_updated').on('container_uploads').column('updated_at').execute();

  await ifNew(db.schema.createTable('container_blob_links'))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('container_blob_links_pk', ['owner_id', 'image', 'digest'])
    .execute();
  await db.schema.createIndex('container_blob_links_digest').on('container_blob_links').column('digest').execute();
  await db.schema.createIndex('container_blob_links_blob').on('container_blob_links').column('blob_sha256').execute();

  await ifNew(db.schema.createTable('container_manifests'))
    .addColumn('version_id', 'integer', (c) => c.primaryKey().references('versions.id'))
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('artifact_type', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('subject_digest', 'text')
    .addColumn('annotations', 'text')
    .addColumn('children', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('container_manifests_digest').on('container_manifests').columns(['package_id', 'digest']).execute();
  await db.schema.createIndex('container_manifests_subject').on('container_manifests').columns(['package_id', 'subject_digest']).execute();

  await ifNew(db.schema.createTable('container_cleanup_policies'))
    .addColumn('package_id', 'integer', (c) => c.primaryKey().references('packages.id'))
    .addColumn('untagged_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

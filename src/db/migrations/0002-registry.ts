import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/**
 * Server settings (the registry token secret) and the container registry's own tables: upload
 * sessions, blob links per image, and the manifest index behind tags, referrers and GC.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('oci_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('owners.id'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oci_uploads_updated').on('oci_uploads').column('updated_at').execute();

  await db.schema.createTable('oci_blob_links')
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oci_blob_links_pk', ['owner_id', 'image', 'digest'])
    .execute();
  await db.schema.createIndex('oci_blob_links_digest').on('oci_blob_links').column('digest').execute();
  await db.schema.createIndex('oci_blob_links_blob').on('oci_blob_links').column('blob_sha256').execute();

  await db.schema.createTable('oci_manifests')
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
  await db.schema.createIndex('oci_manifests_digest').on('oci_manifests').columns(['package_id', 'digest']).execute();
  await db.schema.createIndex('oci_manifests_subject').on('oci_manifests').columns(['package_id', 'subject_digest']).execute();

  await db.schema.createTable('oci_cleanup_policies')
    .addColumn('package_id', 'integer', (c) => c.primaryKey().references('packages.id'))
    .addColumn('untagged_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/** Owners, repositories, tokens, packages, versions, files, blobs, tags, downloads, audit, leases. */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const id = dialect.idColumn;
  await db.schema.createTable('owners')
    .addColumn('id', 'integer', id)
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('login_lower', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('public_packages_by_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('org_members')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_members_pk', ['org_id', 'user_id'])
    .execute();

  await db.schema.createTable('repositories')
    .addColumn('id', 'integer', id)
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('repositories_owner_name', ['owner_id', 'name_lower'])
    .execute();

  await db.schema.createTable('repo_collaborators')
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('repo_collaborators_pk', ['repo_id', 'user_id'])
    .execute();

  await db.schema.createTable('tokens')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'integer', (c) => c.references('repositories.id'))
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();

  await db.schema.createTable('packages')
    .addColumn('id', 'integer', id)
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'integer', (c) => c.references('repositories.id'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('rev', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addUniqueConstraint('packages_owner_format_name', ['owner_id', 'format', 'name_lower'])
    .execute();
  await db.schema.createIndex('packages_repo').on('packages').column('repo_id').execute();

  await db.schema.createTable('package_members')
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('owners.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('package_members_pk', ['package_id', 'user_id'])
    .execute();

  await db.schema.createTable('versions')
    .addColumn('id', 'integer', id)
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('readme', 'text')
    .addColumn('description', 'text')
    .addColumn('license', 'text')
    .addColumn('deprecated', 'text')
    .addColumn('publisher_id', 'integer', (c) => c.references('owners.id'))
    .addColumn('download_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('purged_at', 'text')
    .addUniqueConstraint('versions_package_version', ['package_id', 'version'])
    .execute();

  await db.schema.createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha512', 'text')
    .addColumn('sha1', 'text')
    .addColumn('md5', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('touched_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('files')
    .addColumn('id', 'integer', id)
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('files_version_name', ['version_id', 'name'])
    .execute();
  await db.schema.createIndex('files_blob').on('files').column('blob_sha256').execute();

  await db.schema.createTable('tags')
    .addColumn('package_id', 'integer', (c) => c.notNull().references('packages.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['package_id', 'name'])
    .execute();

  await db.schema.createTable('download_counts')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('versions.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('download_counts_pk', ['version_id', 'day'])
    .execute();

  await db.schema.createTable('audit_log')
    .addColumn('id', 'integer', id)
    .addColumn('actor_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('meta', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('job_leases')
    .addColumn('job', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

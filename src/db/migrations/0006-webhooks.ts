import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

/**
 * Webhooks of repositories, organizations and the site; the deliveries queued for them (each
 * with its rendered payload, so a queued delivery survives a restart), and every attempt to
 * send one, with the request and the response.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('webhooks')
    .addColumn('id', 'integer', dialect.idColumn)
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.references('owners.id'))
    .addColumn('repo_id', 'integer', (c) => c.references('repositories.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('insecure_ssl', 'integer', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('owners.id'))
    .addColumn('last_status_code', 'integer')
    .addColumn('last_status', 'text')
    .addColumn('last_message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_repo').on('webhooks').column('repo_id').execute();
  await db.schema.createIndex('webhooks_owner').on('webhooks').column('owner_id').execute();

  await db.schema.createTable('webhook_deliveries')
    .addColumn('id', 'integer', dialect.idColumn)
    .addColumn('hook_id', 'integer', (c) => c.notNull().references('webhooks.id'))
    .addColumn('guid', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('repo_id', 'integer')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('redelivery', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('first_attempt_at', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('claim', 'text')
    .addColumn('status_code', 'integer')
    .addColumn('status', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_hook').on('webhook_deliveries').columns(['hook_id', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_claim').on('webhook_deliveries').column('claim').execute();

  await db.schema.createTable('webhook_attempts')
    .addColumn('id', 'integer', dialect.idColumn)
    .addColumn('delivery_id', 'integer', (c) => c.notNull().references('webhook_deliveries.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('redirects', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('request_headers', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_headers', 'text')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').column('delivery_id').execute();
}

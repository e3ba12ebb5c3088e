import type { Selectable } from 'kysely';
import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import { principalUserId, type Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import type { WebhooksTable } from '../../db/schema.js';
import type { AllowedHosts } from './address-rules.js';
import { deleteDeliveriesOf, queueDeliveries, toAttempt, toDelivery, type Delivery, type DeliveryDetail } from './delivery.js';
import { parseActive, parseHookConfig, parseHookEvents, redactedUrl, scopeLabel, scopeTarget, type HookConfig, type HookScope, type Webhook, type WebhookInput } from './webhook.js';
import { pingPayload } from './webhook-payloads.js';

/** What the webhook service is configured with. */
export interface WebhookOptions {
  /** Hosts webhooks may reach although their addresses are refused (`KURA_WEBHOOK_ALLOWED_HOSTS`). */
  allowedHosts: AllowedHosts;
  /** The public base URL links in payloads use. */
  baseUrl: () => string;
  /** Webhooks one repository, organization or the site may have. */
  maxPerScope?: number;
}

type HookRow = Selectable<WebhooksTable>;

export function toWebhook(row: HookRow): Webhook {
  return {
    id: row.id,
    scope: row.scope,
    ownerId: row.owner_id,
    repoId: row.repo_id,
    url: row.url,
    contentType: row.content_type,
    hasSecret: row.secret !== null,
    insecureSsl: row.insecure_ssl === 1,
    events: JSON.parse(row.events) as string[],
    active: row.active === 1,
    lastResponse: row.last_status === null
      ? { code: null, status: 'unused', message: null }
      : { code: row.last_status_code, status: row.last_status === 'active' ? 'active' : 'failed', message: row.last_message },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Webhooks of repositories (their admins), organizations (their owners) and the site (site
 * admins), managed in GitHub's hooks shape; every change is audited in its transaction. Also the
 * delivery log of each webhook, redelivery and pings. Queuing the events themselves is
 * {@link WebhookEvents}'.
 */
export class WebhookService {
  private readonly queuedListeners: Array<() => void> = [];

  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
    private readonly options: WebhookOptions,
  ) {}

  /** Calls `listener` after deliveries were queued (a sender wakes up). */
  onQueued(listener: () => void): void {
    this.queuedListeners.push(listener);
  }

  /** Tells the listeners that deliveries wait; never throws. */
  queued(): void {
    for (const listener of this.queuedListeners) {
      try {
        listener();
      } catch {
        // a sender that cannot wake picks the deliveries up on its next round
      }
    }
  }

  /**
   * Allows administering the webhooks of `scope`: a repository's admins, an organization's
   * owners, site admins, each with a password or an `admin`-scoped token.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
   */
  async authorize(principal: Principal, scope: HookScope): Promise<void> {
    if (scope.kind === 'repository') await this.access.authorize(principal, 'administer', { kind: 'repository', owner: ownerTarget(scope.owner), repo: scope.repo });
    else if (scope.kind === 'organization') await this.access.authorize(principal, 'administer', { kind: 'organization', org: ownerTarget(scope.org) });
    else this.access.authorizeSiteAdministration(principal, 'manage the site’s webhooks');
  }

  /** The webhooks of `scope`, oldest first. @throws KuraError access errors */
  async list(principal: Principal, scope: HookScope): Promise<Webhook[]> {
    await this.authorize(principal, scope);
    return (await this.scoped(scope).orderBy('id').execute()).map(toWebhook);
  }

  /** One webhook of `scope`. @throws KuraError access errors, NOT_FOUND */
  async find(principal: Principal, scope: HookScope, id: number): Promise<Webhook> {
    await this.authorize(principal, scope);
    return toWebhook(await this.row(scope, id));
  }

  /**
   * Creates a webhook (and queues a `ping` to it when active). 201-worthy.
   * @throws KuraError access errors, BAD_REQUEST naming the field, ALREADY_EXISTS (same URL in the scope)
   */
  async create(principal: Principal, scope: HookScope, input: WebhookInput): Promise<Webhook> {
    await this.authorize(principal, scope);
    if (input.name !== undefined && input.name !== 'web') throw new KuraError('BAD_REQUEST', '"name" must be "web" (or left out)');
    const config = parseHookConfig(input.config, null, this.options.allowedHosts);
    const events = parseHookEvents(input, null);
    const active = parseActive(input.active, true);
    const now = this.deps.now();
    const at = now.toISOString();
    const hook = await this.deps.db.transaction().execute(async (trx) => {
      const existing = await this.scoped(scope, trx).select('url').execute();
      if (existing.length >= (this.options.maxPerScope ?? 20)) throw new KuraError('BAD_REQUEST', `${scopeLabel(scope)} has ${existing.length} webhooks, the most it may have`);
      if (existing.some((e) => e.url === config.url)) throw new KuraError('ALREADY_EXISTS', `${scopeLabel(scope)} already has a webhook for ${redactedUrl(config.url)}`);
      const row = await trx.insertInto('webhooks').values({
        scope: scope.kind,
        owner_id: scope.kind === 'organization' ? scope.org.id : null,
        repo_id: scope.kind === 'repository' ? scope.repo.id : null,
        url: config.url,
        content_type: config.contentType,
        secret: config.secret ?? null,
        insecure_ssl: config.insecureSsl ? 1 : 0,
        events: JSON.stringify(events),
        active: active ? 1 : 0,
        created_by: principalUserId(principal),
        last_status_code: null,
        last_status: null,
        last_message: null,
        created_at: at,
        updated_at: at,
      }).returningAll().executeTakeFirstOrThrow();
      const created = toWebhook(row);
      await recordAudit(trx, { actorId: principalUserId(principal), action: 'webhook.create', target: scopeTarget(scope), meta: { hook: created.id, url: redactedUrl(created.url), events, active } }, now);
      if (active) await this.queuePing(trx, created, scope, principal, now);
      return created;
    });
    if (active) this.queued();
    return hook;
  }

  /**
   * Changes a webhook: `config` (fields left out keep their values), `events`, `add_events`,
   * `remove_events`, `active`.
   * @throws KuraError access errors, NOT_FOUND, BAD_REQUEST naming the field, ALREADY_EXISTS
   */
  async update(principal: Principal, scope: HookScope, id: number, input: WebhookInput): Promise<Webhook> {
    await this.authorize(principal, scope);
    const row = await this.row(scope, id);
    const current = toWebhook(row);
    const currentConfig: HookConfig = { url: row.url, contentType: row.content_type, secret: row.secret, insecureSsl: row.insecure_ssl === 1 };
    const config = parseHookConfig(input.config, currentConfig, this.options.allowedHosts);
    const events = parseHookEvents(input, current.events);
    const active = parseActive(input.active, current.active);
    const now = this.deps.now();
    return this.deps.db.transaction().execute(async (trx) => {
      if (config.url !== row.url) {
        const clash = await this.scoped(scope, trx).select('id').where('url', '=', config.url).where('id', '!=', id).executeTakeFirst();
        if (clash) throw new KuraError('ALREADY_EXISTS', `${scopeLabel(scope)} already has a webhook for ${redactedUrl(config.url)}`);
      }
      const updated = await trx.updateTable('webhooks').set({
        url: config.url,
        secret: config.secret === undefined ? row.secret : config.secret,
        insecure_ssl: config.insecureSsl ? 1 : 0,
        events: JSON.stringify(events),
        active: active ? 1 : 0,
        updated_at: now.toISOString(),
      }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      const changes: Record<string, unknown> = {};
      if (config.url !== row.url) changes['url'] = redactedUrl(config.url);
      if (config.secret !== undefined) changes['secret'] = config.secret === null ? 'removed' : 'changed';
      if (config.insecureSsl !== currentConfig.insecureSsl) changes['insecure_ssl'] = config.insecureSsl;
      if (JSON.stringify(events) !== JSON.stringify(current.events)) changes['events'] = events;
      if (active !== current.active) changes['active'] = active;
      await recordAudit(trx, { actorId: principalUserId(principal), action: 'webhook.update', target: scopeTarget(scope), meta: { hook: id, ...changes } }, now);
      return toWebhook(updated);
    });
  }

  /** Deletes a webhook with its delivery log. @throws KuraError access errors, NOT_FOUND */
  async remove(principal: Principal, scope: HookScope, id: number): Promise<void> {
    await this.authorize(principal, scope);
    const row = await this.row(scope, id);
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await deleteDeliveriesOf(trx, [id]);
      await trx.deleteFrom('webhooks').where('id', '=', id).execute();
      await recordAudit(trx, { actorId: principalUserId(principal), action: 'webhook.delete', target: scopeTarget(scope), meta: { hook: id, url: redactedUrl(row.url) } }, now);
    });
  }

  /** Queues a `ping` delivery to a webhook. @throws KuraError access errors, NOT_FOUND */
  async ping(principal: Principal, scope: HookScope, id: number): Promise<void> {
    await this.authorize(principal, scope);
    const hook = toWebhook(await this.row(scope, id));
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await this.queuePing(trx, hook, scope, principal, now);
      await recordAudit(trx, { actorId: principalUserId(principal), action: 'webhook.ping', target: scopeTarget(scope), meta: { hook: id } }, now);
    });
    this.queued();
  }

  /**
   * A webhook's deliveries, newest first; `limit` of them after `offset`.
   * @throws KuraError access errors, NOT_FOUND
   */
  async deliveries(principal: Principal, scope: HookScope, id: number, page: { limit: number; offset: number }): Promise<Delivery[]> {
    await this.authorize(principal, scope);
    await this.row(scope, id);
    const rows = await this.deps.db.selectFrom('webhook_deliveries').selectAll().where('hook_id', '=', id)
      .orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
    return rows.map(toDelivery);
  }

  /** One delivery of a webhook with its body and every attempt. @throws KuraError access errors, NOT_FOUND */
  async delivery(principal: Principal, scope: HookScope, id: number, deliveryId: number): Promise<DeliveryDetail> {
    await this.authorize(principal, scope);
    await this.row(scope, id);
    const row = Number.isSafeInteger(deliveryId) ? await this.deps.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).where('hook_id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw new KuraError('NOT_FOUND', `webhook ${id} has no delivery ${deliveryId}`);
    const attempts = await this.deps.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('number').execute();
    return { ...toDelivery(row), payload: row.payload, attemptLog: attempts.map(toAttempt) };
  }

  /**
   * Queues a delivery again, with the same body and guid (GitHub's redelivery): a new delivery
   * marked `redelivery`, due at once. Returns it.
   * @throws KuraError access errors, NOT_FOUND
   */
  async redeliver(principal: Principal, scope: HookScope, id: number, deliveryId: number): Promise<Delivery> {
    const original = await this.delivery(principal, scope, id, deliveryId);
    const now = this.deps.now();
    const created = await this.deps.db.transaction().execute(async (trx) => {
      await queueDeliveries(trx, [{ hookId: id, event: original.event, action: original.action, repoId: original.repoId, payload: original.payload, guid: original.guid }], now);
      const row = await trx.selectFrom('webhook_deliveries').selectAll().where('hook_id', '=', id).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      await recordAudit(trx, { actorId: principalUserId(principal), action: 'webhook.redeliver', target: scopeTarget(scope), meta: { hook: id, delivery: deliveryId, guid: original.guid } }, now);
      return toDelivery(row);
    });
    this.queued();
    return created;
  }

  private async queuePing(trx: Parameters<typeof queueDeliveries>[0], hook: Webhook, scope: HookScope, principal: Principal, now: Date): Promise<void> {
    const sender = principal.kind === 'user' ? principal.user : null;
    const payload = JSON.stringify(pingPayload(hook, scope, this.options.baseUrl(), sender));
    await queueDeliveries(trx, [{ hookId: hook.id, event: 'ping', action: null, repoId: scope.kind === 'repository' ? scope.repo.id : null, payload }], now);
  }

  /** The webhooks of `scope`. */
  private scoped(scope: HookScope, db: CoreDeps['db'] | Parameters<typeof queueDeliveries>[0] = this.deps.db) {
    let query = db.selectFrom('webhooks').where('scope', '=', scope.kind);
    if (scope.kind === 'repository') query = query.where('repo_id', '=', scope.repo.id);
    if (scope.kind === 'organization') query = query.where('owner_id', '=', scope.org.id);
    return query.selectAll();
  }

  /** @throws KuraError NOT_FOUND unless `id` is a webhook of `scope` */
  private async row(scope: HookScope, id: number): Promise<HookRow> {
    const row = Number.isSafeInteger(id) ? await this.scoped(scope).where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw new KuraError('NOT_FOUND', `${scopeLabel(scope)} has no webhook ${id}`);
    return row;
  }
}

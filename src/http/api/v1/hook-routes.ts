import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/access/principal.js';
import type { Delivery, DeliveryDetail } from '../../../core/webhooks/delivery.js';
import type { HookScope, WebhookInput } from '../../../core/webhooks/webhook.js';
import { hookPath, presentHook } from '../../../core/webhooks/webhook-payloads.js';
import { pathId, type ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { pageQuery } from './pagination.js';
import { repoParams } from './repository-routes.js';
import { ListOf, NoContent, Nullable, PathParams, Ref, StringEnum } from './schemas.js';

/** A delivery in the shape of GitHub's webhook delivery list, plus its state and next attempt. */
function presentDelivery(delivery: Delivery) {
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.finishedAt ?? delivery.createdAt,
    redelivery: delivery.redelivery,
    duration: delivery.durationMs === null ? null : delivery.durationMs / 1000,
    status: delivery.status ?? 'pending',
    status_code: delivery.statusCode ?? 0,
    event: delivery.event,
    action: delivery.action,
    installation_id: null,
    repository_id: delivery.repoId,
    throttled_at: null,
    state: delivery.state,
    attempts: delivery.attempts,
    next_attempt_at: delivery.nextAttemptAt,
    created_at: delivery.createdAt,
  };
}

/** One delivery as GitHub shows it (`request`, `response` of the latest attempt), plus every attempt. */
function presentDeliveryDetail(delivery: DeliveryDetail, url: string) {
  const payload = JSON.parse(delivery.payload) as unknown;
  const last = delivery.attemptLog.at(-1);
  return {
    ...presentDelivery(delivery),
    url,
    request: { headers: last?.requestHeaders ?? null, payload },
    response: { headers: last?.responseHeaders ?? null, payload: last?.responseBody ?? null },
    attempt_log: delivery.attemptLog.map((a) => ({
      number: a.number,
      started_at: a.startedAt,
      duration: a.durationMs / 1000,
      url: a.url,
      redirects: a.redirects,
      request: { headers: a.requestHeaders },
      response: { status_code: a.statusCode, headers: a.responseHeaders, payload: a.responseBody },
      error: a.error,
    })),
  };
}

/** An id from the path; anything but a positive integer names nothing (core answers NOT_FOUND once access is decided). */
function idParam(value: string | undefined): number {
  return pathId(value) ?? 0;
}

const configInput = Type.Object({
  url: Type.Optional(Type.String({ description: 'an http or https URL; required to create one' })),
  content_type: Type.Optional(StringEnum(['json'] as const)),
  secret: Type.Optional(Nullable(Type.String({ maxLength: 1024, description: 'signs deliveries (`X-Kura-Signature-256` and GitHub’s `X-Hub-Signature-256`); null or empty removes it' }))),
  insecure_ssl: Type.Optional(Type.Unsafe<'0' | '1' | 0 | 1>({ type: ['string', 'integer'], enum: ['0', '1', 0, 1], description: '`1` skips certificate checks' })),
}, { description: 'fields left out keep their values' });
const eventNames = (description: string) => Type.Optional(Type.Array(Type.String(), { minItems: 1, description }));
const hookInput = Type.Object({
  name: Type.Optional(StringEnum(['web'] as const)),
  config: Type.Optional(configInput),
  events: eventNames('the events it hears (`*`: every one, the default)'),
  add_events: eventNames('changes only: events to add'),
  remove_events: eventNames('changes only: events to remove'),
  active: Type.Optional(Type.Boolean()),
});

/** The operation ids of one level of webhooks, by what they do. */
interface HookOperations {
  create: string; list: string; get: string; update: string; remove: string; getConfig: string;
  updateConfig: string; ping: string; deliveries: string; delivery: string; redeliver: string;
}

/** GitHub's operation ids for repository and organization hooks (`repos/…`, `orgs/…`). */
const githubHookOperations = (prefix: 'repos' | 'orgs'): HookOperations => ({
  create: `${prefix}/create-webhook`,
  list: `${prefix}/list-webhooks`,
  get: `${prefix}/get-webhook`,
  update: `${prefix}/update-webhook`,
  remove: `${prefix}/delete-webhook`,
  getConfig: `${prefix}/get-webhook-config-for-${prefix === 'repos' ? 'repo' : 'org'}`,
  updateConfig: `${prefix}/update-webhook-config-for-${prefix === 'repos' ? 'repo' : 'org'}`,
  ping: `${prefix}/ping-webhook`,
  deliveries: `${prefix}/list-webhook-deliveries`,
  delivery: `${prefix}/get-webhook-delivery`,
  redeliver: `${prefix}/redeliver-webhook-delivery`,
});

/** GitHub Enterprise's global webhooks are the site's. */
const siteHookOperations: HookOperations = {
  create: 'enterprise-admin/create-global-webhook',
  list: 'enterprise-admin/list-global-webhooks',
  get: 'enterprise-admin/get-global-webhook',
  update: 'enterprise-admin/update-global-webhook',
  remove: 'enterprise-admin/delete-global-webhook',
  getConfig: 'enterprise-admin/get-global-webhook-config',
  updateConfig: 'enterprise-admin/update-global-webhook-config',
  ping: 'enterprise-admin/ping-global-webhook',
  deliveries: 'enterprise-admin/list-global-webhook-deliveries',
  delivery: 'enterprise-admin/get-global-webhook-delivery',
  redeliver: 'enterprise-admin/redeliver-global-webhook-delivery',
};

/**
 * Webhooks, shaped like GitHub's hooks API, at three levels: `/repos/OWNER/REPO/hooks` (the
 * repository's admins), `/orgs/ORG/hooks` (the organization's owners) and `/hooks` (site admins):
 * `POST` (201) and `GET` the list, `GET`/`PATCH`/`DELETE` `…/hooks/ID`, `GET`/`PATCH`
 * `…/hooks/ID/config`, `POST …/hooks/ID/pings` (204), `GET …/hooks/ID/deliveries[?per_page&page]`,
 * `GET …/deliveries/DID` and `POST …/deliveries/DID/attempts` (202, redelivery). Every route
 * needs a password or an `admin`-scoped token.
 */
export function registerHookRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, urls } = ac.deps;
  const prefixes: Array<{ path: string; whose: string; params: TProperties; operations: HookOperations; scope: (request: FastifyRequest, principal: Principal) => Promise<HookScope> }> = [
    {
      path: '/repos/:owner/:repo/hooks',
      whose: 'a repository’s',
      params: repoParams.properties,
      operations: githubHookOperations('repos'),
      async scope(request, principal) {
        const { owner, repo } = request.params as { owner: string; repo: string };
        const repository = await ac.repository(principal, owner, repo);
        return { kind: 'repository', repo: repository, owner: (await core.owners.findById(repository.ownerId))! };
      },
    },
    {
      path: '/orgs/:org/hooks',
      whose: 'an organization’s',
      params: PathParams({ org: 'the organization' }).properties,
      operations: githubHookOperations('orgs'),
      async scope(request, principal) {
        return { kind: 'organization', org: await ac.owner('orgs', (request.params as { org: string }).org, principal) };
      },
    },
    { path: '/hooks', whose: 'the site’s', params: {}, operations: siteHookOperations, scope: async () => ({ kind: 'site' }) },
  ];

  for (const prefix of prefixes) {
    /** The caller, the scope the path names, and the hook and delivery ids in it. */
    const target = async (request: FastifyRequest) => {
      const principal = await ac.principal(request);
      const scope = await prefix.scope(request, principal);
      const params = request.params as { id?: string; delivery?: string };
      return { principal, scope, params };
    };
    const hookId = (params: { id?: string }) => idParam(params.id);
    const body = (request: FastifyRequest) => request.body as Static<typeof hookInput> as WebhookInput;
    const base = (request: FastifyRequest) => urls.base(request);
    const ops = prefix.operations;
    const common = { tags: ['webhooks' as const], security: access.administrator() };
    const listParams = Object.keys(prefix.params).length > 0 ? { params: Type.Object(prefix.params) } : {};
    const hookParams = Type.Object({ ...prefix.params, id: Type.String({ description: 'the webhook’s id' }) });
    const deliveryParams = Type.Object({ ...hookParams.properties, delivery: Type.String({ description: 'the delivery’s id' }) });

    api.post(prefix.path, operation({
      ...common,
      operationId: ops.create,
      summary: `Create a webhook of ${prefix.whose}`,
      description: 'Answers 201 with a `Location` and pings it. A URL on an internal address is refused unless `KURA_WEBHOOK_ALLOWED_HOSTS` lists its host.',
      ...listParams,
      body: hookInput,
      response: { 201: Ref('Hook', { description: 'The new webhook.' }) },
      errors: [409],
    }), async (request, reply) => {
      const { principal, scope } = await target(request);
      const hook = await core.webhooks.create(principal, scope, body(request));
      const presented = presentHook(hook, scope, base(request));
      return reply.status(201).header('location', presented.url).send(presented);
    });

    api.get(prefix.path, operation({
      ...common,
      operationId: ops.list,
      summary: `List ${prefix.whose} webhooks`,
      ...listParams,
      response: { 200: ListOf('Hook', 'The webhooks.') },
    }), async (request) => {
      const { principal, scope } = await target(request);
      return (await core.webhooks.list(principal, scope)).map((h) => presentHook(h, scope, base(request)));
    });

    api.get(`${prefix.path}/:id`, operation({
      ...common,
      operationId: ops.get,
      summary: `Get a webhook of ${prefix.whose}`,
      params: hookParams,
      response: { 200: Ref('Hook') },
    }), async (request) => {
      const { principal, scope, params } = await target(request);
      return presentHook(await core.webhooks.find(principal, scope, hookId(params)), scope, base(request));
    });

    api.patch(`${prefix.path}/:id`, operation({
      ...common,
      operationId: ops.update,
      summary: `Change a webhook of ${prefix.whose}`,
      description: 'Config fields left out keep their values (`"secret": ""` removes it); `events` replaces the list, `add_events` and `remove_events` adjust it.',
      params: hookParams,
      body: hookInput,
      response: { 200: Ref('Hook') },
      errors: [409],
    }), async (request) => {
      const { principal, scope, params } = await target(request);
      return presentHook(await core.webhooks.update(principal, scope, hookId(params), body(request)), scope, base(request));
    });

    api.delete(`${prefix.path}/:id`, operation({
      ...common,
      operationId: ops.remove,
      summary: `Delete a webhook of ${prefix.whose}`,
      description: 'Its deliveries go with it.',
      params: hookParams,
      response: { 204: NoContent('Deleted.') },
    }), async (request, reply) => {
      const { principal, scope, params } = await target(request);
      await core.webhooks.remove(principal, scope, hookId(params));
      return reply.status(204).send();
    });

    api.get(`${prefix.path}/:id/config`, operation({
      ...common,
      operationId: ops.getConfig,
      summary: `Get the configuration of a webhook of ${prefix.whose}`,
      params: hookParams,
      response: { 200: Ref('HookConfig') },
    }), async (request) => {
      const { principal, scope, params } = await target(request);
      return presentHook(await core.webhooks.find(principal, scope, hookId(params)), scope, base(request)).config;
    });

    api.patch(`${prefix.path}/:id/config`, operation({
      ...common,
      operationId: ops.updateConfig,
      summary: `Change the configuration of a webhook of ${prefix.whose}`,
      params: hookParams,
      body: configInput,
      response: { 200: Ref('HookConfig') },
      errors: [409],
    }), async (request) => {
      const { principal, scope, params } = await target(request);
      const hook = await core.webhooks.update(principal, scope, hookId(params), { config: request.body });
      return presentHook(hook, scope, base(request)).config;
    });

    api.post(`${prefix.path}/:id/pings`, operation({
      ...common,
      operationId: ops.ping,
      summary: `Ping a webhook of ${prefix.whose}`,
      description: 'Queues a `ping` delivery.',
      params: hookParams,
      response: { 204: NoContent('Queued.') },
    }), async (request, reply) => {
      const { principal, scope, params } = await target(request);
      await core.webhooks.ping(principal, scope, hookId(params));
      return reply.status(204).send();
    });

    api.get(`${prefix.path}/:id/deliveries`, operation({
      ...common,
      operationId: ops.deliveries,
      summary: `List the deliveries of a webhook of ${prefix.whose}`,
      description: 'Newest first; a `Link` header points at the next page.',
      params: hookParams,
      querystring: Type.Object(pageQuery),
      response: { 200: ListOf('HookDelivery', 'One page of deliveries.') },
    }), async (request, reply: FastifyReply) => {
      const { principal, scope, params } = await target(request);
      const query = request.query as { per_page?: number; page?: number };
      const perPage = query.per_page ?? 30;
      const page = query.page ?? 1;
      const id = hookId(params);
      const deliveries = await core.webhooks.deliveries(principal, scope, id, { limit: perPage + 1, offset: (page - 1) * perPage });
      if (deliveries.length > perPage) reply.header('link', `<${base(request)}${hookPath(scope, id)}/deliveries?per_page=${perPage}&page=${page + 1}>; rel="next"`);
      return deliveries.slice(0, perPage).map(presentDelivery);
    });

    api.get(`${prefix.path}/:id/deliveries/:delivery`, operation({
      ...common,
      operationId: ops.delivery,
      summary: `Get a delivery of a webhook of ${prefix.whose}`,
      description: 'With its request (headers, payload), its latest response and every attempt.',
      params: deliveryParams,
      response: { 200: Ref('HookDeliveryDetail') },
    }), async (request) => {
      const { principal, scope, params } = await target(request);
      const id = hookId(params);
      const delivery = await core.webhooks.delivery(principal, scope, id, idParam(params.delivery));
      const hook = await core.webhooks.find(principal, scope, id);
      return presentDeliveryDetail(delivery, hook.url);
    });

    api.post(`${prefix.path}/:id/deliveries/:delivery/attempts`, operation({
      ...common,
      operationId: ops.redeliver,
      summary: `Redeliver a delivery of a webhook of ${prefix.whose}`,
      description: 'Queues the same payload again, with the same `X-Kura-Delivery`.',
      params: deliveryParams,
      response: { 202: Ref('HookDelivery', { description: 'The new delivery, queued.' }) },
    }), async (request, reply) => {
      const { principal, scope, params } = await target(request);
      const delivery = await core.webhooks.redeliver(principal, scope, hookId(params), idParam(params.delivery));
      return reply.status(202).send(presentDelivery(delivery));
    });
  }
}

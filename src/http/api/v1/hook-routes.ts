import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/access/principal.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { Delivery, DeliveryDetail } from '../../../core/webhooks/delivery.js';
import type { HookScope, WebhookInput } from '../../../core/webhooks/webhook.js';
import { hookPath, presentHook } from '../../../core/webhooks/webhook-payloads.js';
import type { ApiContext } from './api-context.js';

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
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

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
  const prefixes: Array<{ path: string; scope: (request: FastifyRequest, principal: Principal) => Promise<HookScope> }> = [
    {
      path: '/repos/:owner/:repo/hooks',
      async scope(request, principal) {
        const { owner, repo } = request.params as { owner: string; repo: string };
        const repository = await ac.repository(principal, owner, repo);
        return { kind: 'repository', repo: repository, owner: (await core.owners.findById(repository.ownerId))! };
      },
    },
    {
      path: '/orgs/:org/hooks',
      async scope(request, principal) {
        return { kind: 'organization', org: await ac.owner('orgs', (request.params as { org: string }).org, principal) };
      },
    },
    { path: '/hooks', scope: async () => ({ kind: 'site' }) },
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
    const body = (request: FastifyRequest) => ac.objectBody(request) as WebhookInput;
    const base = (request: FastifyRequest) => urls.base(request);

    api.post(prefix.path, async (request, reply) => {
      const { principal, scope } = await target(request);
      const hook = await core.webhooks.create(principal, scope, body(request));
      const presented = presentHook(hook, scope, base(request));
      return reply.status(201).header('location', presented.url).send(presented);
    });

    api.get(prefix.path, async (request) => {
      const { principal, scope } = await target(request);
      return (await core.webhooks.list(principal, scope)).map((h) => presentHook(h, scope, base(request)));
    });

    api.get(`${prefix.path}/:id`, async (request) => {
      const { principal, scope, params } = await target(request);
      return presentHook(await core.webhooks.find(principal, scope, hookId(params)), scope, base(request));
    });

    api.patch(`${prefix.path}/:id`, async (request) => {
      const { principal, scope, params } = await target(request);
      return presentHook(await core.webhooks.update(principal, scope, hookId(params), body(request)), scope, base(request));
    });

    api.delete(`${prefix.path}/:id`, async (request, reply) => {
      const { principal, scope, params } = await target(request);
      await core.webhooks.remove(principal, scope, hookId(params));
      return reply.status(204).send();
    });

    api.get(`${prefix.path}/:id/config`, async (request) => {
      const { principal, scope, params } = await target(request);
      return presentHook(await core.webhooks.find(principal, scope, hookId(params)), scope, base(request)).config;
    });

    api.patch(`${prefix.path}/:id/config`, async (request) => {
      const { principal, scope, params } = await target(request);
      const hook = await core.webhooks.update(principal, scope, hookId(params), { config: body(request) });
      return presentHook(hook, scope, base(request)).config;
    });

    api.post(`${prefix.path}/:id/pings`, async (request, reply) => {
      const { principal, scope, params } = await target(request);
      await core.webhooks.ping(principal, scope, hookId(params));
      return reply.status(204).send();
    });

    api.get(`${prefix.path}/:id/deliveries`, async (request, reply: FastifyReply) => {
      const { principal, scope, params } = await target(request);
      const query = request.query as Record<string, unknown>;
      const perPage = query['per_page'] === undefined ? 30 : Number(query['per_page']);
      const page = query['page'] === undefined ? 1 : Number(query['page']);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new KuraError('BAD_REQUEST', '"per_page" must be 1 to 100');
      if (!Number.isInteger(page) || page < 1) throw new KuraError('BAD_REQUEST', '"page" must be 1 or more');
      const id = hookId(params);
      const deliveries = await core.webhooks.deliveries(principal, scope, id, { limit: perPage + 1, offset: (page - 1) * perPage });
      if (deliveries.length > perPage) reply.header('link', `<${base(request)}${hookPath(scope, id)}/deliveries?per_page=${perPage}&page=${page + 1}>; rel="next"`);
      return deliveries.slice(0, perPage).map(presentDelivery);
    });

    api.get(`${prefix.path}/:id/deliveries/:delivery`, async (request) => {
      const { principal, scope, params } = await target(request);
      const id = hookId(params);
      const delivery = await core.webhooks.delivery(principal, scope, id, idParam(params.delivery));
      const hook = await core.webhooks.find(principal, scope, id);
      return presentDeliveryDetail(delivery, hook.url);
    });

    api.post(`${prefix.path}/:id/deliveries/:delivery/attempts`, async (request, reply) => {
      const { principal, scope, params } = await target(request);
      const delivery = await core.webhooks.redeliver(principal, scope, hookId(params), idParam(params.delivery));
      return reply.status(202).send(presentDelivery(delivery));
    });
  }
}

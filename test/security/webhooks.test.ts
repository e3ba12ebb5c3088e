import { refusals, securitySuite, type SecuredRoute, type SuiteRoute } from './security-suite.js';

const bearer = /^Bearer realm="kura"/;

/**
 * Webhooks of alice's private repository and of her organization (whose hooks only its owners
 * see): every route needs admin standing and an `admin`-scoped token, so the read-only token is
 * refused even the lists. Site webhooks (site admins only) are checked for their body types here
 * and for access in test/protocol/webhooks.test.ts.
 */
securitySuite('webhooks through the REST API', async (k) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  await k.core.owners.createOrg('acme', 'alice');
  const alice = await k.token('alice', ['read:packages', 'write:packages', 'delete:packages', 'admin']);
  const ids: Record<string, { hook: number; delivery: number }> = {};
  for (const path of ['/api/v1/repos/alice/secret', '/api/v1/orgs/acme']) {
    const created = await k.inject({ method: 'POST', url: `${path}/hooks`, token: alice, payload: { config: { url: 'https://hooks.example.com/kura', secret: 's' }, active: false } });
    if (created.statusCode !== 201) throw new Error(`setup failed: ${created.body}`);
    const hook = (created.json() as { id: number }).id;
    const pinged = await k.inject({ method: 'POST', url: `${path}/hooks/${hook}/pings`, token: alice });
    if (pinged.statusCode !== 204) throw new Error(`setup ping failed: ${pinged.body}`);
    await k.core.webhookEvents.settled();
    await k.kura.webhookSender.settled();
    const delivery = await k.core.deps.db.selectFrom('webhook_deliveries').select('id').where('hook_id', '=', hook).executeTakeFirstOrThrow();
    ids[path] = { hook, delivery: delivery.id };
  }

  const routes: SecuredRoute[] = [];
  for (const [path, { hook, delivery }] of Object.entries(ids)) {
    const what = path.includes('/repos/') ? 'repository' : 'organization';
    const one = `${path}/hooks/${hook}`;
    routes.push(
      { name: `${what} webhooks`, method: 'GET', url: `${path}/hooks`, needs: 'write', challenge: bearer },
      { name: `create ${what} webhook`, method: 'POST', url: `${path}/hooks`, payload: { config: { url: 'https://hooks.example.com/other' } }, needs: 'write', challenge: bearer },
      { name: `${what} webhook`, method: 'GET', url: one, needs: 'write', challenge: bearer },
      { name: `change ${what} webhook`, method: 'PATCH', url: one, payload: { active: true }, needs: 'write', challenge: bearer },
      { name: `delete ${what} webhook`, method: 'DELETE', url: one, needs: 'delete', challenge: bearer },
      { name: `${what} webhook config`, method: 'GET', url: `${one}/config`, needs: 'write', challenge: bearer },
      { name: `change ${what} webhook config`, method: 'PATCH', url: `${one}/config`, payload: { url: 'https://hooks.example.com/moved' }, needs: 'write', challenge: bearer },
      { name: `ping ${what} webhook`, method: 'POST', url: `${one}/pings`, needs: 'write', challenge: bearer },
      { name: `${what} webhook deliveries`, method: 'GET', url: `${one}/deliveries`, needs: 'write', challenge: bearer },
      { name: `${what} webhook delivery`, method: 'GET', url: `${one}/deliveries/${delivery}`, needs: 'write', challenge: bearer },
      { name: `redeliver ${what} webhook delivery`, method: 'POST', url: `${one}/deliveries/${delivery}/attempts`, needs: 'write', challenge: bearer },
    );
  }
  const writes: SuiteRoute[] = [
    { name: 'create site webhook', method: 'POST', url: '/api/v1/hooks', payload: { config: { url: 'https://hooks.example.com/site' } } },
    { name: 'change site webhook', method: 'PATCH', url: '/api/v1/hooks/1', payload: { active: false } },
    { name: 'change site webhook config', method: 'PATCH', url: '/api/v1/hooks/1/config', payload: { url: 'https://hooks.example.com/site2' } },
    { name: 'delete site webhook', method: 'DELETE', url: '/api/v1/hooks/1' },
    { name: 'ping site webhook', method: 'POST', url: '/api/v1/hooks/1/pings' },
    { name: 'redeliver site webhook delivery', method: 'POST', url: '/api/v1/hooks/1/deliveries/1/attempts' },
  ];
  return { routes, writes, refusal: refusals.api };
});

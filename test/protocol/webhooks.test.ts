import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { TestClock, startTestKura, type TestKura } from '../support/harness.js';
import { createTestDatabase } from '../support/test-database.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { WebhookReceiver, verifySignature } from '../support/webhook-receiver.js';

const allScopes = ['read:packages', 'write:packages', 'delete:packages', 'admin'];

interface HookJson {
  id: number;
  type: string;
  name: string;
  active: boolean;
  events: string[];
  config: { url: string; content_type: string; insecure_ssl: string; secret?: string };
  url: string;
  last_response: { code: number | null; status: string; message: string | null };
}

interface DeliveryJson {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  status: string;
  status_code: number;
  state: string;
  attempts: number;
  redelivery: boolean;
  next_attempt_at: string | null;
  request: { headers: Record<string, string>; payload: Record<string, unknown> };
  response: { headers: Record<string, string> | null; payload: string | null };
  attempt_log: Array<{ number: number; url: string; redirects: string[]; request: { headers: Record<string, string> }; response: { status_code: number | null; payload: string | null }; error: string | null }>;
}

/** A payload's `change` without its time (checked to be one). */
function withoutTime(change: unknown): Record<string, unknown> {
  const { at, ...rest } = change as Record<string, unknown>;
  assert.match(String(at), /^\d{4}-\d\d-\d\dT/);
  return rest;
}

/** Waits for everything queued: alerts, webhook events, and the deliveries due now. */
async function settle(k: TestKura): Promise<void> {
  await k.core.alerts.settled();
  await k.core.webhookEvents.settled();
  await k.kura.webhookSender.settled();
}

async function publish(k: TestKura, token: string, name: string, version: string, manifest: Record<string, unknown> = {}) {
  const tarball = await buildTarball({ name, version, manifest });
  const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest }) });
  assert.equal(res.statusCode, 201, `${name}@${version}: ${res.body}`);
}

async function createHook(k: TestKura, token: string, path: string, payload: Record<string, unknown>): Promise<HookJson> {
  const res = await k.inject({ method: 'POST', url: `/api/v1${path}/hooks`, token, payload });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as HookJson;
}

async function deliveries(k: TestKura, token: string, hookUrl: string): Promise<DeliveryJson[]> {
  const res = await k.inject({ method: 'GET', url: `${new URL(hookUrl).pathname}/deliveries`, token });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as DeliveryJson[];
}

async function delivery(k: TestKura, token: string, hookUrl: string, id: number): Promise<DeliveryJson> {
  const res = await k.inject({ method: 'GET', url: `${new URL(hookUrl).pathname}/deliveries/${id}`, token });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as DeliveryJson;
}

describe('webhooks: managing them through the REST API', () => {
  let k: TestKura;
  let receiver: WebhookReceiver;
  let alice: string;
  let aliceNoAdmin: string;
  let bob: string;
  let carol: string;
  let root: string;

  before(async () => {
    receiver = await WebhookReceiver.start({ secret: 'sesame' });
    k = await startTestKura({ KURA_WEBHOOK_ALLOWED_HOSTS: receiver.hostPort });
    alice = (await k.user('alice', { scopes: allScopes })).token;
    aliceNoAdmin = await k.token('alice', ['read:packages', 'write:packages', 'delete:packages']);
    bob = (await k.user('bob', { scopes: allScopes })).token;
    carol = (await k.user('carol', { scopes: allScopes })).token;
    root = (await k.user('root', { scopes: allScopes, admin: true })).token;
    await k.core.repos.create({ fullName: 'alice/tools', visibility: 'private' });
    await k.core.repos.create({ fullName: 'alice/open', visibility: 'public' });
    await k.core.repos.setCollaborator('alice/open', 'carol', 'write');
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.setOrgMember('acme', 'carol', 'member');
  });
  after(async () => {
    await k.close();
    await receiver.stop();
  });

  it('creates a repository webhook in GitHub’s shape, hides its secret, and pings it signed', async () => {
    const hook = await createHook(k, alice, '/repos/alice/tools', { name: 'web', config: { url: receiver.url('/tools'), content_type: 'json', secret: 'sesame' }, events: ['package.published', 'package.deleted'] });
    assert.equal(hook.type, 'Repository');
    assert.equal(hook.name, 'web');
    assert.equal(hook.active, true);
    assert.deepEqual(hook.events, ['package.published', 'package.deleted']);
    assert.deepEqual(hook.config, { url: receiver.url('/tools'), content_type: 'json', insecure_ssl: '0', secret: '********' });
    assert.match(hook.url, new RegExp(`/api/v1/repos/alice/tools/hooks/${hook.id}$`));
    assert.deepEqual(hook.last_response, { code: null, status: 'unused', message: null });

    await settle(k);
    const [ping] = receiver.events('ping');
    assert.ok(ping, 'a ping arrived');
    assert.equal(ping.signatureValid, true);
    assert.equal(ping.headers['x-kura-hook-id'], String(hook.id));
    assert.equal(ping.headers['user-agent'], 'Kura-Hookshot/1');
    assert.equal(ping.headers['content-type'], 'application/json');
    assert.match(ping.guid, /^[0-9a-f-]{36}$/);
    assert.equal((ping.json!['hook'] as HookJson).id, hook.id);
    assert.equal(JSON.stringify(ping.json).includes('sesame'), false, 'the secret is never sent');

    const listed = await k.inject({ method: 'GET', url: '/api/v1/repos/alice/tools/hooks', token: alice });
    assert.equal(listed.statusCode, 200);
    const [one] = listed.json() as HookJson[];
    assert.equal(one!.id, hook.id);
    assert.equal(one!.config.secret, '********');
    assert.deepEqual(one!.last_response, { code: 200, status: 'active', message: 'OK' });
    const config = await k.inject({ method: 'GET', url: `/api/v1/repos/alice/tools/hooks/${hook.id}/config`, token: alice });
    assert.deepEqual(config.json(), { url: receiver.url('/tools'), content_type: 'json', insecure_ssl: '0', secret: '********' });
    const stored = await k.core.deps.db.selectFrom('webhooks').select('secret').where('id', '=', hook.id).executeTakeFirstOrThrow();
    assert.equal(stored.secret, 'sesame', 'kept to sign deliveries with');
  });

  it('changes events, activity and config, keeping the secret unless told otherwise, and audits each change', async () => {
    const hook = await createHook(k, alice, '/repos/alice/open', { config: { url: receiver.url('/open'), secret: 'one' } });
    assert.deepEqual(hook.events, ['*']);
    let res = await k.inject({ method: 'PATCH', url: `/api/v1/repos/alice/open/hooks/${hook.id}`, token: alice, payload: { events: ['package.updated'], add_events: ['package.restored'], active: false } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as HookJson).events, ['package.updated', 'package.restored']);
    assert.equal((res.json() as HookJson).active, false);
    res = await k.inject({ method: 'PATCH', url: `/api/v1/repos/alice/open/hooks/${hook.id}`, token: alice, payload: { remove_events: ['package.updated'], config: { url: receiver.url('/open2') } } });
    assert.deepEqual((res.json() as HookJson).events, ['package.restored']);
    assert.equal((res.json() as HookJson).config.url, receiver.url('/open2'));
    assert.equal((res.json() as HookJson).config.secret, '********');
    res = await k.inject({ method: 'PATCH', url: `/api/v1/repos/alice/open/hooks/${hook.id}/config`, token: alice, payload: { secret: '' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { url: receiver.url('/open2'), content_type: 'json', insecure_ssl: '0' });
    const audit = await k.core.deps.db.selectFrom('audit_log').select(['action', 'target', 'meta']).where('action', 'like', 'webhook.%').where('target', '=', 'repo:alice/open').orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['webhook.create', 'webhook.update', 'webhook.update', 'webhook.update']);
    assert.equal(audit.some((a) => a.meta?.includes('one')), false, 'no secret in the audit log');

    res = await k.inject({ method: 'DELETE', url: `/api/v1/repos/alice/open/hooks/${hook.id}`, token: alice });
    assert.equal(res.statusCode, 204);
    res = await k.inject({ method: 'GET', url: `/api/v1/repos/alice/open/hooks/${hook.id}`, token: alice });
    assert.equal(res.statusCode, 404);
    assert.equal(Number((await k.core.deps.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll().as('n')).where('hook_id', '=', hook.id).executeTakeFirstOrThrow()).n), 0, 'its deliveries went with it');
  });

  it('refuses bad configurations with a message naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp, number?]> = [
      [{}, /"config" must be an object/],
      [{ config: { url: 'ftp://example.com/x' } }, /http or https/],
      [{ config: { url: 'not a url' } }, /not a URL/],
      [{ config: { url: 'https://example.com/x', content_type: 'form' } }, /content_type/],
      [{ config: { url: 'https://example.com/x' }, events: ['push'] }, /unknown events \(push\)/],
      [{ config: { url: 'https://example.com/x' }, events: [] }, /may not be empty/],
      [{ config: { url: 'https://example.com/x' }, active: 'yes' }, /"active"/],
      [{ config: { url: 'https://example.com/x' }, name: 'email' }, /"name"/],
      [{ config: { url: 'http://10.0.0.1/hook' } }, /10\.0\.0\.1, a private address \(10\.0\.0\.0\/8\).*KURA_WEBHOOK_ALLOWED_HOSTS/],
      [{ config: { url: receiver.url('/tools') } }, /already has a webhook/, 409],
    ];
    for (const [payload, message, status = 400] of cases) {
      const res = await k.inject({ method: 'POST', url: '/api/v1/repos/alice/tools/hooks', token: alice, payload });
      assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
      assert.match((res.json() as { error: { message: string } }).error.message, message);
    }
  });

  it('lets only a repository’s admins, an organization’s owners and site admins manage webhooks, with an admin-scoped token', async () => {
    const ask = (method: 'GET' | 'POST', url: string, token?: string) => k.inject({ method, url, ...(token ? { token } : {}), ...(method === 'POST' ? { payload: { config: { url: receiver.url('/x') } } } : {}) });
    assert.equal((await ask('GET', '/api/v1/repos/alice/tools/hooks')).statusCode, 401);
    assert.match(String((await ask('GET', '/api/v1/repos/alice/tools/hooks')).headers['www-authenticate']), /^Bearer realm="kura"/);
    assert.equal((await ask('GET', '/api/v1/repos/alice/tools/hooks', bob)).statusCode, 404, 'a private repository stays hidden');
    assert.equal((await ask('GET', '/api/v1/repos/alice/open/hooks', bob)).statusCode, 403, 'a public one is readable, its hooks are not');
    assert.equal((await ask('POST', '/api/v1/repos/alice/open/hooks', carol)).statusCode, 403, 'write permission is not enough');
    const noScope = await ask('GET', '/api/v1/repos/alice/tools/hooks', aliceNoAdmin);
    assert.equal(noScope.statusCode, 403);
    assert.equal((noScope.json() as { error: { code: string } }).error.code, 'MISSING_SCOPE');

    assert.equal((await ask('GET', '/api/v1/orgs/acme/hooks', bob)).statusCode, 404, 'not a member');
    assert.equal((await ask('GET', '/api/v1/orgs/acme/hooks', carol)).statusCode, 403, 'a member, not an owner');
    const org = await ask('POST', '/api/v1/orgs/acme/hooks', alice);
    assert.equal(org.statusCode, 201, org.body);
    assert.equal((org.json() as HookJson).type, 'Organization');
    assert.equal((await ask('GET', '/api/v1/orgs/nobody/hooks', alice)).statusCode, 404);

    assert.equal((await ask('GET', '/api/v1/hooks')).statusCode, 401);
    assert.equal((await ask('GET', '/api/v1/hooks', alice)).statusCode, 403, 'site webhooks are for site admins');
    assert.equal((await ask('GET', '/api/v1/hooks', await k.token('root', ['read:packages']))).statusCode, 403, 'with an admin-scoped token');
    const site = await ask('POST', '/api/v1/hooks', root);
    assert.equal(site.statusCode, 201, site.body);
    assert.equal((site.json() as HookJson).type, 'Site');
    assert.equal((await ask('GET', `/api/v1/hooks/${(site.json() as HookJson).id}`, root)).statusCode, 200);
    assert.equal((await ask('GET', `/api/v1/repos/alice/tools/hooks/${(site.json() as HookJson).id}`, alice)).statusCode, 404, 'a hook is found only in its own scope');
    for (const id of [(org.json() as HookJson).id]) assert.equal((await k.inject({ method: 'DELETE', url: `/api/v1/orgs/acme/hooks/${id}`, token: alice })).statusCode, 204);
    assert.equal((await k.inject({ method: 'DELETE', url: `/api/v1/hooks/${(site.json() as HookJson).id}`, token: root })).statusCode, 204);
    await settle(k);
  });
});

describe('webhooks: events, signatures, retries and the delivery log', () => {
  let k: TestKura;
  let clock: TestClock;
  let receiver: WebhookReceiver;
  let other: WebhookReceiver;
  let alice: string;
  let root: string;
  let repoHook: HookJson;
  let orgHook: HookJson;
  let siteHook: HookJson;

  before(async () => {
    receiver = await WebhookReceiver.start({ secret: 'open sesame' });
    other = await WebhookReceiver.start({ secret: 'other' });
    clock = new TestClock();
    k = await startTestKura({ KURA_WEBHOOK_ALLOWED_HOSTS: `${receiver.hostPort},${other.hostPort}`, KURA_WEBHOOK_RETRY_BASE_MS: '1000' }, clock);
    alice = (await k.user('alice', { scopes: allScopes })).token;
    root = (await k.user('root', { scopes: allScopes, admin: true })).token;
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.repos.create({ fullName: 'acme/tools' });
    await k.core.repos.create({ fullName: 'acme/other' });
    repoHook = await createHook(k, alice, '/repos/acme/tools', { config: { url: receiver.url('/repo'), secret: 'open sesame' } });
    orgHook = await createHook(k, alice, '/orgs/acme', { config: { url: receiver.url('/org'), secret: 'open sesame' }, events: ['package.published', 'package.restored'] });
    siteHook = await createHook(k, root, '', { config: { url: receiver.url('/site'), secret: 'open sesame' } });
    await createHook(k, alice, '/repos/acme/other', { config: { url: other.url('/other'), secret: 'other' } });
    await settle(k);
    receiver.received.length = 0;
    other.received.length = 0;
  });
  after(async () => {
    await k.close();
    await receiver.stop();
    await other.stop();
  });
  afterEach(() => {
    receiver.answer = () => ({ status: 200, body: 'thanks' });
  });

  it('delivers publish → tag → delete → restore in order, signed, to the repository’s, organization’s and site’s webhooks', async () => {
    const name = '@acme/widget';
    await publish(k, alice, name, '1.0.0', { repository: 'acme/tools' });
    const tag = await k.inject({ method: 'PUT', url: `/npm/-/package/${npmUrlName(name)}/dist-tags/beta`, token: alice, payload: JSON.stringify('1.0.0'), headers: { 'content-type': 'application/json' } });
    assert.equal(tag.statusCode, 201, tag.body);
    const pkgUrl = `/api/v1/orgs/acme/packages/npm/${encodeURIComponent(name)}`;
    assert.equal((await k.inject({ method: 'DELETE', url: pkgUrl, token: alice })).statusCode, 204);
    assert.equal((await k.inject({ method: 'POST', url: `${pkgUrl}/restore`, token: alice })).statusCode, 204);
    await settle(k);

    const at = (path: string) => receiver.received.filter((r) => r.path === path && r.event === 'package');
    assert.deepEqual(at('/repo').map((r) => r.json!['action']), ['published', 'updated', 'deleted', 'restored']);
    assert.deepEqual(at('/site').map((r) => r.json!['action']), ['published', 'updated', 'deleted', 'restored']);
    assert.deepEqual(at('/org').map((r) => r.json!['action']), ['published', 'restored'], 'only the events it subscribed to');
    assert.equal(other.received.length, 0, 'another repository’s webhook hears nothing');
    for (const r of receiver.received) {
      assert.equal(r.signatureValid, true, `${r.path} ${r.json!['action']}: signature`);
      assert.equal(r.headers['x-kura-event'], 'package');
    }
    assert.equal(new Set(receiver.received.map((r) => r.guid)).size, receiver.received.length, 'a delivery id per delivery');

    const [published, tagged, deleted] = at('/repo').map((r) => r.json!);
    const pkg = published!['package'] as Record<string, unknown>;
    assert.equal(pkg['name'], name);
    assert.equal(pkg['package_type'], 'npm');
    assert.equal(pkg['namespace'], 'acme');
    const version = pkg['package_version'] as Record<string, unknown>;
    assert.equal(version['version'], '1.0.0');
    assert.equal((version['author'] as { login: string }).login, 'alice');
    assert.ok((version['tags'] as string[]).includes('latest'), 'the version’s tags as they are when the delivery is queued');
    assert.deepEqual((published!['change'] as { tags: string[] }).tags, ['latest'], 'the tags the publish set');
    assert.equal((version['package_files'] as Array<{ name: string }>).length, 1);
    assert.equal((published!['repository'] as { full_name: string }).full_name, 'acme/tools');
    assert.equal((published!['organization'] as { login: string }).login, 'acme');
    assert.equal((published!['sender'] as { login: string }).login, 'alice');
    assert.deepEqual(withoutTime(tagged!['change']), { action: 'tag.set', tag: 'beta', version: '1.0.0' });
    assert.deepEqual(((tagged!['package'] as Record<string, unknown>)['package_version'] as { tags: string[] }).tags, ['beta', 'latest']);
    assert.equal((deleted!['change'] as { action: string }).action, 'package.delete');
    assert.ok((deleted!['package'] as { deleted_at: string | null }).deleted_at, 'a deleted event shows the package deleted, even once it is restored');
    assert.equal((at('/repo')[3]!.json!['package'] as { deleted_at: string | null }).deleted_at, null);
  });

  it('never lets a slow receiver slow a publish', async () => {
    receiver.answer = () => ({ status: 200, delayMs: 1500 });
    const started = performance.now();
    await publish(k, alice, '@acme/quick', '1.0.0', { repository: 'acme/tools' });
    assert.ok(performance.now() - started < 1000, `the publish took ${Math.round(performance.now() - started)} ms`);
    await settle(k);
    assert.ok(receiver.received.some((r) => (r.json?.['package'] as { name?: string } | undefined)?.name === '@acme/quick'));
  });

  it('retries a failed delivery with backoff and logs each attempt with its request and response', async () => {
    receiver.received.length = 0;
    receiver.answer = (request) => (request.path === '/repo' && receiver.received.filter((r) => r.path === '/repo').length < 2
      ? { status: 500, body: 'database on fire', headers: { 'x-receiver': 'yes' } }
      : { status: 200, body: 'thanks' });
    await publish(k, alice, '@acme/flaky', '1.0.0', { repository: 'acme/tools' });
    await settle(k);
    let [latest] = await deliveries(k, alice, repoHook.url);
    assert.equal(latest!.state, 'pending');
    assert.equal(latest!.attempts, 1);
    assert.equal(latest!.status, 'Invalid HTTP Response: 500');
    assert.equal(latest!.status_code, 500);
    const firstWait = new Date(latest!.next_attempt_at!).getTime() - clock.now().getTime();
    assert.ok(firstWait > 0 && firstWait <= 1000, `first wait ${firstWait} ms`);

    clock.advance(1000);
    await settle(k);
    [latest] = await deliveries(k, alice, repoHook.url);
    assert.equal(latest!.attempts, 2);
    const secondWait = new Date(latest!.next_attempt_at!).getTime() - clock.now().getTime();
    assert.ok(secondWait > 1000 && secondWait <= 2000, `the wait doubles: ${secondWait} ms`);

    clock.advance(2000);
    await settle(k);
    const detail = await delivery(k, alice, repoHook.url, latest!.id);
    assert.equal(detail.state, 'delivered');
    assert.equal(detail.status, 'OK');
    assert.equal(detail.attempts, 3);
    assert.equal(detail.attempt_log.length, 3);
    assert.deepEqual(detail.attempt_log.map((a) => a.response.status_code), [500, 500, 200]);
    assert.equal(detail.attempt_log[0]!.response.payload, 'database on fire');
    assert.equal(detail.attempt_log[0]!.url, receiver.url('/repo'));
    const sent = detail.request.headers;
    assert.equal(sent['x-kura-event'], 'package');
    assert.equal(sent['x-kura-delivery'], detail.guid);
    assert.equal((detail.request.payload['package'] as { name: string }).name, '@acme/flaky');
    assert.equal(detail.response.payload, 'thanks');
    const arrivals = receiver.received.filter((r) => r.path === '/repo');
    assert.equal(arrivals.length, 3);
    assert.equal(new Set(arrivals.map((r) => r.guid)).size, 1, 'every attempt carries the same delivery id');
    assert.ok(verifySignature('open sesame', Buffer.from(JSON.stringify(detail.request.payload)), sent['x-kura-signature-256']), 'the logged signature matches the logged body');
    for (const arrival of arrivals) {
      // GitHub's header too, so receivers written for GitHub's webhooks check Kura's unchanged.
      const hub = arrival.headers['x-hub-signature-256'];
      assert.equal(typeof hub, 'string', 'X-Hub-Signature-256 is sent');
      assert.equal(hub, arrival.headers['x-kura-signature-256']);
      assert.ok(verifySignature('open sesame', arrival.body, hub as string), 'X-Hub-Signature-256 signs the exact body');
    }
    assert.equal(sent['x-hub-signature-256'], sent['x-kura-signature-256'], 'the log shows both');
  });

  it('gives a delivery up 24 hours after its first attempt', async () => {
    receiver.answer = (request) => (request.path === '/site' ? { status: 503 } : { status: 200 });
    await publish(k, alice, '@acme/doomed', '1.0.0', { repository: 'acme/tools' });
    await settle(k);
    const [first] = await deliveries(k, root, siteHook.url);
    assert.equal(first!.state, 'pending');
    let current = first!;
    for (let i = 0; i < 60 && current.state === 'pending'; i++) {
      clock.advance(new Date(current.next_attempt_at!).getTime() - clock.now().getTime());
      await settle(k);
      current = (await delivery(k, root, siteHook.url, first!.id));
    }
    assert.equal(current.state, 'failed');
    assert.equal(current.next_attempt_at, null);
    const log = (await delivery(k, root, siteHook.url, first!.id)).attempt_log;
    assert.ok(log.length > 10, `${log.length} attempts`);
    const span = Date.parse((await k.core.deps.db.selectFrom('webhook_attempts').select('started_at').where('delivery_id', '=', first!.id).orderBy('number', 'desc').executeTakeFirstOrThrow()).started_at)
      - Date.parse((await k.core.deps.db.selectFrom('webhook_attempts').select('started_at').where('delivery_id', '=', first!.id).orderBy('number').executeTakeFirstOrThrow()).started_at);
    assert.ok(span <= 24 * 3_600_000 && span > 20 * 3_600_000, `attempts span ${span / 3_600_000} h`);
    const hook = await k.inject({ method: 'GET', url: new URL(siteHook.url).pathname, token: root });
    assert.deepEqual((hook.json() as HookJson).last_response, { code: 503, status: 'failed', message: 'Invalid HTTP Response: 503' });
  });

  it('redelivers a delivery by id, with the same body and delivery id', async () => {
    const [failed] = (await deliveries(k, root, siteHook.url)).filter((d) => d.state === 'failed');
    receiver.received.length = 0;
    const res = await k.inject({ method: 'POST', url: `${new URL(siteHook.url).pathname}/deliveries/${failed!.id}/attempts`, token: root });
    assert.equal(res.statusCode, 202, res.body);
    const again = res.json() as DeliveryJson;
    assert.equal(again.redelivery, true);
    assert.equal(again.guid, failed!.guid);
    await settle(k);
    const [arrived] = receiver.received;
    assert.equal(arrived!.guid, failed!.guid);
    assert.equal(arrived!.signatureValid, true);
    assert.equal((await delivery(k, root, siteHook.url, again.id)).state, 'delivered');
    assert.equal((await k.inject({ method: 'POST', url: `${new URL(siteHook.url).pathname}/deliveries/999999/attempts`, token: root })).statusCode, 404);
    assert.equal((await k.inject({ method: 'POST', url: `${new URL(repoHook.url).pathname}/deliveries/${failed!.id}/attempts`, token: alice })).statusCode, 404, 'a delivery of another hook');
  });

  it('pings on request', async () => {
    receiver.received.length = 0;
    const res = await k.inject({ method: 'POST', url: `${new URL(orgHook.url).pathname}/pings`, token: alice });
    assert.equal(res.statusCode, 204, res.body);
    await settle(k);
    assert.deepEqual(receiver.received.map((r) => [r.path, r.event]), [['/org', 'ping']]);
    assert.equal((receiver.received[0]!.json!['organization'] as { login: string }).login, 'acme');
  });

  it('sends alert.created when an advisory raises an alert on the repository', async () => {
    await publish(k, alice, '@acme/lib', '1.0.0');
    await publish(k, alice, '@acme/app', '1.0.0', { repository: 'acme/tools', dependencies: { '@acme/lib': '^1.0.0' } });
    await settle(k);
    receiver.received.length = 0;
    const res = await k.inject({
      method: 'POST', url: '/api/v1/repos/acme/other/security-advisories', token: alice,
      payload: { summary: 'Flaw in lib', description: 'Upgrade.', severity: 'high', state: 'published', vulnerabilities: [{ package: { ecosystem: 'npm', name: '@acme/lib' }, vulnerable_version_range: '<1.0.1', patched_versions: '1.0.1' }] },
    });
    assert.equal(res.statusCode, 201, res.body);
    await settle(k);
    const alerts = receiver.events('alert');
    assert.deepEqual(alerts.map((a) => a.path).sort(), ['/repo', '/site'], 'the repository’s and the site’s (the organization’s is not subscribed)');
    const body = alerts[0]!.json!;
    assert.equal(body['action'], 'created');
    const alert = body['alert'] as { number: number; dependency: { package: { name: string } }; security_advisory: { severity: string } };
    assert.equal(alert.number, 1);
    assert.equal(alert.dependency.package.name, '@acme/lib');
    assert.equal(alert.security_advisory.severity, 'high');
    assert.equal((body['repository'] as { full_name: string }).full_name, 'acme/tools');
    assert.ok(alerts.every((a) => a.signatureValid));
  });

  it('pages the delivery log and shows it to admins only', async () => {
    const all = await deliveries(k, alice, repoHook.url);
    assert.ok(all.length > 4);
    assert.ok(all.every((d, i) => i === 0 || d.id < all[i - 1]!.id), 'newest first');
    const page = await k.inject({ method: 'GET', url: `${new URL(repoHook.url).pathname}/deliveries?per_page=2&page=2`, token: alice });
    assert.deepEqual((page.json() as DeliveryJson[]).map((d) => d.id), all.slice(2, 4).map((d) => d.id));
    assert.match(String(page.headers['link']), /page=3>; rel="next"/);
    const reader = await k.token('alice', ['read:packages']);
    assert.equal((await k.inject({ method: 'GET', url: `${new URL(repoHook.url).pathname}/deliveries`, token: reader })).statusCode, 403);
    assert.equal((await k.inject({ method: 'GET', url: `${new URL(repoHook.url).pathname}/deliveries/${all[0]!.id}`, token: reader })).statusCode, 403);
  });

  it('tells the linked packages’ webhooks when their repository’s visibility changes', async () => {
    receiver.received.length = 0;
    const res = await k.inject({ method: 'PATCH', url: '/api/v1/repos/acme/tools', token: alice, payload: { visibility: 'private' } });
    assert.equal(res.statusCode, 200, res.body);
    await settle(k);
    const linked = (await k.core.packages.queries.listByOwner((await k.core.owners.find('acme'))!.id, { repoId: (await k.core.repos.find('acme', 'tools'))!.id })).map((p) => p.name).sort();
    const updates = receiver.received.filter((r) => r.path === '/repo' && r.event === 'package');
    assert.deepEqual(updates.map((u) => (u.json!['package'] as { name: string }).name).sort(), linked);
    for (const update of updates) {
      assert.equal(update.json!['action'], 'updated');
      assert.deepEqual(withoutTime(update.json!['change']), { action: 'repository.visibility', repository: 'acme/tools', visibility: 'private' });
      assert.equal((update.json!['package'] as { visibility: string }).visibility, 'private');
    }
  });
});

describe('webhooks: a delivery in flight when the server stops', () => {
  it('is handed back unsent and delivered by the next server on the same database', async () => {
    const receiver = await WebhookReceiver.start({ secret: 'later' });
    const database = await createTestDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'kura-hooks-'));
    const env = { ...(database ? { KURA_DATABASE_URL: database.url, KURA_DATABASE_POOL_SIZE: '4' } : { KURA_DATABASE: join(dir, 'kura.db') }), KURA_WEBHOOK_ALLOWED_HOSTS: receiver.hostPort };
    try {
      receiver.answer = () => ({ status: 200, delayMs: 60_000 });
      const first = await startTestKura(env);
      const alice = (await first.user('alice', { scopes: allScopes })).token;
      await first.core.repos.create({ fullName: 'alice/tools' });
      const hook = await createHook(first, alice, '/repos/alice/tools', { config: { url: receiver.url('/later'), secret: 'later' } });
      await receiver.waitFor(1);
      await first.close();
      const row = await (async () => {
        const second = await startTestKura(env);
        try {
          const [queued] = await deliveries(second, alice, hook.url);
          assert.deepEqual([queued!.state, queued!.attempts], ['pending', 0], 'handed back without an attempt');
          receiver.answer = () => ({ status: 200, body: 'ok' });
          await second.kura.webhookSender.settled();
          return await delivery(second, alice, hook.url, queued!.id);
        } finally {
          await second.close();
        }
      })();
      assert.equal(row.state, 'delivered');
      assert.equal(row.attempts, 1);
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[0]!.guid, receiver.received[1]!.guid);
      assert.equal(receiver.received[1]!.signatureValid, true);
    } finally {
      await receiver.stop();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

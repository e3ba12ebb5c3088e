import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const allScopes = ['read:packages', 'write:packages', 'delete:packages', 'admin'];

interface AttemptJson { url: string; redirects: string[]; error: string | null; response: { status_code: number | null } }
interface DeliveryJson { id: number; event: string; state: string; attempts: number; status: string; attempt_log: AttemptJson[] }

async function settle(k: TestKura): Promise<void> {
  await k.core.webhookEvents.settled();
  await k.kura.webhookSender.settled();
}

/** The latest delivery of a hook, with its attempts. */
async function latestDelivery(k: TestKura, token: string, hookPath: string): Promise<DeliveryJson> {
  const list = await k.inject({ method: 'GET', url: `${hookPath}/deliveries`, token });
  assert.equal(list.statusCode, 200, list.body);
  const [latest] = list.json() as Array<{ id: number }>;
  assert.ok(latest, 'a delivery was queued');
  const res = await k.inject({ method: 'GET', url: `${hookPath}/deliveries/${latest.id}`, token });
  return res.json() as DeliveryJson;
}

/**
 * Server-side request forgery: webhooks may not reach loopback, private, link-local or other
 * non-public addresses unless KURA_WEBHOOK_ALLOWED_HOSTS lists them, neither by an IP literal
 * (refused when the hook is created, and again when it is delivered), nor by a name that
 * resolves to one, nor through a redirect from an allowed receiver.
 */
describe('webhooks: refused targets', () => {
  let k: TestKura;
  let alice: string;
  /** A receiver nothing may reach: every request it gets is a failure of the guard. */
  let victim: WebhookReceiver;
  /** The one allowed receiver, which answers with redirects. */
  let redirector: WebhookReceiver;

  before(async () => {
    victim = await WebhookReceiver.start();
    redirector = await WebhookReceiver.start();
    k = await startTestKura({ KURA_WEBHOOK_ALLOWED_HOSTS: redirector.hostPort });
    alice = (await k.user('alice', { scopes: allScopes })).token;
    await k.core.repos.create({ fullName: 'alice/tools' });
  });
  after(async () => {
    await k.close();
    await victim.stop();
    await redirector.stop();
  });

  it('refuses to create a webhook whose host is a loopback, private, link-local or unspecified address', async () => {
    const port = victim.listeningPort;
    const cases: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${port}/`, /127\.0\.0\.1, a loopback address \(127\.0\.0\.0\/8\)/],
      ['http://10.0.0.1/hook', /10\.0\.0\.1, a private address \(10\.0\.0\.0\/8\)/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a link-local address \(169\.254\.0\.0\/16\)/],
      [`http://[::1]:${port}/`, /::1, a loopback address \(::1\/128\)/],
      [`http://[::ffff:127.0.0.1]:${port}/`, /a loopback address \(127\.0\.0\.0\/8\)/],
      ['http://0.0.0.0/', /an? unspecified address/],
      ['https://192.168.0.10/', /a private address \(192\.168\.0\.0\/16\)/],
      ['https://172.20.1.1/', /a private address \(172\.16\.0\.0\/12\)/],
      ['https://100.64.1.1/', /shared \(CGNAT\) address \(100\.64\.0\.0\/10\)/],
      ['https://[fd00::1]/', /a private address \(fc00::\/7\)/],
      ['https://[fe80::1]/', /a link-local address \(fe80::\/10\)/],
      [`http://127.0.0.1:${redirector.listeningPort + 1}/`, /loopback/],
    ];
    for (const [url, message] of cases) {
      const res = await k.inject({ method: 'POST', url: '/api/v1/repos/alice/tools/hooks', token: alice, payload: { config: { url } } });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      const { error } = res.json() as { error: { code: string; message: string } };
      assert.equal(error.code, 'BAD_REQUEST');
      assert.match(error.message, message, url);
      assert.match(error.message, /KURA_WEBHOOK_ALLOWED_HOSTS/);
    }
    assert.equal((await k.core.deps.db.selectFrom('webhooks').selectAll().execute()).length, 0);
  });

  it('refuses at delivery a name that resolves to a loopback address, sending nothing', async () => {
    const created = await k.inject({ method: 'POST', url: '/api/v1/repos/alice/tools/hooks', token: alice, payload: { config: { url: `http://localhost:${victim.listeningPort}/stolen` } } });
    assert.equal(created.statusCode, 201, created.body);
    await settle(k);
    const hookPath = new URL((created.json() as { url: string }).url).pathname;
    const ping = await latestDelivery(k, alice, hookPath);
    assert.equal(ping.event, 'ping');
    assert.equal(ping.state, 'failed', 'a refusal is not retried');
    assert.equal(ping.attempts, 1);
    assert.match(ping.status, /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    assert.equal(ping.attempt_log[0]!.response.status_code, null);
    assert.match(ping.attempt_log[0]!.error!, /KURA_WEBHOOK_ALLOWED_HOSTS can allow localhost:\d+/);
    assert.equal(victim.received.length, 0);
    assert.equal((await k.inject({ method: 'DELETE', url: hookPath, token: alice })).statusCode, 204);
  });

  it('refuses a redirect from an allowed receiver to a refused address, sending nothing there', async () => {
    const targets = [
      `http://127.0.0.1:${victim.listeningPort}/stolen`,
      `http://[::1]:${victim.listeningPort}/stolen`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      `http://localhost:${victim.listeningPort}/stolen`,
    ];
    const created = await k.inject({ method: 'POST', url: '/api/v1/repos/alice/tools/hooks', token: alice, payload: { config: { url: redirector.url('/hop'), secret: 's' }, active: false } });
    assert.equal(created.statusCode, 201, created.body);
    const hookPath = new URL((created.json() as { url: string }).url).pathname;
    assert.equal((await k.inject({ method: 'PATCH', url: hookPath, token: alice, payload: { active: true } })).statusCode, 200);
    for (const [i, target] of targets.entries()) {
      redirector.answer = () => ({ status: i % 2 === 0 ? 307 : 302, headers: { location: target } });
      assert.equal((await k.inject({ method: 'POST', url: `${hookPath}/pings`, token: alice })).statusCode, 204);
      await settle(k);
      const ping = await latestDelivery(k, alice, hookPath);
      assert.equal(ping.state, 'failed', target);
      const [attempt] = ping.attempt_log;
      assert.deepEqual(attempt!.redirects, [new URL(target).toString()]);
      assert.match(attempt!.error!, /^redirect to .* refused: .*a (loopback|link-local) address/, target);
    }
    assert.equal(redirector.received.length, targets.length, 'the allowed receiver got each request');
    assert.equal(victim.received.length, 0, 'the refused address got none');
  });
});

describe('webhooks: an allowance withdrawn', () => {
  let victim: WebhookReceiver;
  let database: TestDatabase | null;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    victim = await WebhookReceiver.start();
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'kura-hooks-'));
    env = database ? { KURA_DATABASE_URL: database.url, KURA_DATABASE_POOL_SIZE: '4' } : { KURA_DATABASE: join(dir, 'kura.db') };
  });
  after(async () => {
    await victim.stop();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses at delivery a literal address that was allowed when the webhook was created', async () => {
    const port = victim.listeningPort;
    const urls = [`http://127.0.0.1:${port}/a`, `http://[::1]:${port}/b`, 'http://10.0.0.1/c', 'http://169.254.169.254/d'];
    const allowing = await startTestKura({ ...env, KURA_WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port},[::1]:${port},10.0.0.1,169.254.169.254` });
    const alice = (await allowing.user('alice', { scopes: allScopes })).token;
    await allowing.core.repos.create({ fullName: 'alice/tools' });
    const paths: string[] = [];
    for (const url of urls) {
      const res = await allowing.inject({ method: 'POST', url: '/api/v1/repos/alice/tools/hooks', token: alice, payload: { config: { url }, active: false } });
      assert.equal(res.statusCode, 201, res.body);
      paths.push(new URL((res.json() as { url: string }).url).pathname);
    }
    await allowing.close();

    const strict = await startTestKura(env);
    try {
      for (const path of paths) {
        assert.equal((await strict.inject({ method: 'PATCH', url: path, token: alice, payload: { active: true } })).statusCode, 200);
        assert.equal((await strict.inject({ method: 'POST', url: `${path}/pings`, token: alice })).statusCode, 204);
      }
      await settle(strict);
      const refusals: string[] = [];
      for (const path of paths) {
        const ping = await latestDelivery(strict, alice, path);
        assert.equal(ping.state, 'failed', path);
        refusals.push(ping.status);
      }
      assert.deepEqual(refusals.map((r) => /^refused: (\S+) is an? (\S+) address/.exec(r)?.slice(1)), [
        ['127.0.0.1', 'loopback'], ['::1', 'loopback'], ['10.0.0.1', 'private'], ['169.254.169.254', 'link-local'],
      ]);
      assert.equal(victim.received.length, 0);
    } finally {
      await strict.close();
    }
  });
});

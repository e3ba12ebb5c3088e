import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKuraProcess, type KuraProcess } from '../support/kura-process.js';
import { WebhookReceiver, type ReceivedDelivery } from '../support/webhook-receiver.js';
import { npm, npmClients, type RegistryAccess } from './support/clients.js';
import { pollUntil } from './support/poll.js';
import { expectSuccess } from './support/process.js';
import { greetingFor, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;
const secret = 'a shared secret for the receiver';

interface DeliveryJson { id: number; guid: string; event: string; action: string | null; state: string; attempts: number; status: string }
interface DeliveryDetailJson extends DeliveryJson { attempt_log: Array<{ error: string | null; response: { status_code: number | null } }> }

/** The package deliveries at `path`, as (action, Kura's change action) pairs. */
const actionsAt = (receiver: WebhookReceiver, path: string) => receiver.received
  .filter((r) => r.path === path && r.event === 'package')
  .map((r) => [r.json!['action'], (r.json!['change'] as { action: string }).action]);

describe('webhooks from kura serve, with the npm client publishing', { timeout: 300_000 }, () => {
  let server: KuraProcess;
  let receiver: WebhookReceiver;
  let flaky: WebhookReceiver;
  let workspace: Workspace;
  let alice: RegistryAccess;
  let adminToken: string;
  let project: string;
  let toolsHook: { id: number; url: string };

  /** Calls the REST API with alice's admin-scoped token. */
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) as unknown : null };
  }

  const npmOk = async (args: readonly string[]) => expectSuccess(await npm(workspace, project, args)).stdout;

  async function publish(name: string, version: string) {
    const dir = await workspace.dir('publish');
    await writeLibrary(dir, { name, version, description: 'a webhook fixture', greeting: greetingFor(name, version), repository: 'https://git.example.com/alice/tools' });
    await npmClient.configure(dir, alice);
    expectSuccess(await npmClient.publish(workspace, dir));
  }

  async function createHook(url: string, events: string[]) {
    const res = await api('POST', '/api/v1/repos/alice/tools/hooks', { config: { url, content_type: 'json', secret }, events });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json as { id: number; url: string };
  }

  async function deliveriesOf(hook: { url: string }): Promise<DeliveryJson[]> {
    const res = await api('GET', `${new URL(hook.url).pathname}/deliveries`);
    assert.equal(res.status, 200);
    return res.json as DeliveryJson[];
  }

  before(async () => {
    receiver = await WebhookReceiver.start({ secret });
    flaky = await WebhookReceiver.start({ secret });
    server = await startKuraProcess({ env: { KURA_WEBHOOK_ALLOWED_HOSTS: `${receiver.hostPort},${flaky.hostPort}`, KURA_WEBHOOK_RETRY_BASE_MS: '400' } });
    workspace = await Workspace.create();
    await server.cliOk(['user', 'create', 'alice']);
    await server.cliOk(['repo', 'create', 'alice/tools']);
    const token = await server.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages,write:packages,delete:packages']);
    adminToken = await server.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages,write:packages,delete:packages,admin']);
    alice = { registry: `${server.url}/npm/`, scope: 'alice', token };
    project = await workspace.dir('project');
    await npmClient.configure(project, alice);
    toolsHook = await createHook(receiver.url('/tools'), ['*']);
    await receiver.waitFor(1, (r) => r.event === 'ping');
  });

  after(async () => {
    await server?.stop();
    await receiver?.stop();
    await flaky?.stop();
    await workspace?.remove();
  });

  it('delivers npm publish, dist-tag add, unpublish and a restore through the API in that order, each signed', async () => {
    const name = '@alice/hooked';
    await publish(name, '1.0.0');
    await npmOk(['dist-tag', 'add', `${name}@1.0.0`, 'beta']);
    await npmOk(['unpublish', name, '--force']);
    const restored = await api('POST', `/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}/restore`);
    assert.equal(restored.status, 204, JSON.stringify(restored.json));

    const arrived = await receiver.waitFor(4, (r) => r.path === '/tools' && r.event === 'package');
    assert.deepEqual(actionsAt(receiver, '/tools'), [
      ['published', 'version.publish'],
      ['updated', 'tag.set'],
      ['deleted', 'package.delete'],
      ['restored', 'package.restore'],
    ]);
    for (const delivery of [...receiver.events('ping'), ...arrived]) {
      assert.equal(delivery.signatureValid, true, `${delivery.event} ${String(delivery.json?.['action'])}: the signature checks out`);
      assert.equal(delivery.headers['x-kura-hook-id'], String(toolsHook.id));
      assert.equal(delivery.headers['user-agent'], 'Kura-Hookshot/1');
    }
    const published = arrived[0]!.json!;
    const pkg = published['package'] as { name: string; html_url: string; package_version: { version: string; author: { login: string } } };
    assert.equal(pkg.name, name);
    assert.equal(pkg.package_version.version, '1.0.0');
    assert.equal(pkg.package_version.author.login, 'alice');
    assert.ok(pkg.html_url.startsWith(server.url), `links use the server's address: ${pkg.html_url}`);
    assert.equal((published['repository'] as { full_name: string }).full_name, 'alice/tools');
    assert.deepEqual((arrived[1]!.json!['change'] as { tag: string }).tag, 'beta');

    // The receiver has the bodies before Kura records its answers: wait for the last one.
    const log = await pollUntil(async () => {
      const found = await deliveriesOf(toolsHook);
      return found.slice(0, 4).every((d) => d.state !== 'pending') ? found : undefined;
    }, { what: 'the four deliveries recorded as answered', timeoutMs: 10_000 });
    assert.deepEqual(log.slice(0, 4).map((d) => [d.event, d.action, d.state]).reverse(), [
      ['package', 'published', 'delivered'], ['package', 'updated', 'delivered'], ['package', 'deleted', 'delivered'], ['package', 'restored', 'delivered'],
    ]);
  });

  it('retries a receiver that answers 500 until it takes the delivery', async () => {
    let failures = 0;
    flaky.answer = (request) => (request.event === 'package' && failures++ < 2 ? { status: 500, body: 'try again' } : { status: 200 });
    const hook = await createHook(flaky.url('/flaky'), ['package.published']);
    await publish('@alice/retried', '1.0.0');
    const attempts = await flaky.waitFor(3, (r) => r.event === 'package');
    assert.deepEqual(attempts.map((a) => a.status), [500, 500, 200]);
    assert.equal(new Set(attempts.map((a) => a.guid)).size, 1, 'the same delivery each time');
    assert.ok(attempts.every((a) => a.signatureValid));
    const latest = await pollUntil(async () => {
      const [found] = await deliveriesOf(hook);
      return found && found.state !== 'pending' ? found : undefined;
    }, { what: 'the third attempt recorded as answered', timeoutMs: 10_000 });
    assert.equal(latest.state, 'delivered');
    assert.equal(latest.attempts, 3);
  });

  it('keeps a delivery the receiver could not take across a server restart, and delivers it afterwards', async () => {
    await receiver.stop();
    await npmOk(['dist-tag', 'add', '@alice/hooked@1.0.0', 'next']);
    const pending = await pollUntil(async () => {
      const [latest] = await deliveriesOf(toolsHook);
      return latest && latest.action === 'updated' && latest.attempts >= 1 && latest.state === 'pending' ? latest : undefined;
    }, { what: 'a failed first attempt', timeoutMs: 20_000 });
    const detail = (await api('GET', `${new URL(toolsHook.url).pathname}/deliveries/${pending.id}`)).json as DeliveryDetailJson;
    assert.match(detail.attempt_log[0]!.error!, /ECONNREFUSED/);

    const before = receiver.received.length;
    await server.restart(() => receiver.restart());
    const [arrived] = await receiver.waitFor(1, (r: ReceivedDelivery) => receiver.received.indexOf(r) >= before && r.event === 'package', 30_000);
    assert.equal(arrived!.guid, pending.guid);
    assert.equal(arrived!.signatureValid, true);
    assert.deepEqual({ ...(arrived!.json!['change'] as object), at: undefined }, { action: 'tag.set', tag: 'next', version: '1.0.0', at: undefined });
    const delivered = await pollUntil(async () => {
      const found = (await deliveriesOf(toolsHook)).find((d) => d.id === pending.id);
      return found?.state === 'delivered' ? found : undefined;
    }, { what: 'the delivery to be recorded', timeoutMs: 10_000 });
    assert.ok(delivered.attempts >= 2);
  });
});

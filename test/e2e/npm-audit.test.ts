import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToken } from './support/accounts.js';
import { npm, npmClients } from './support/clients.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { describeResult, expectSuccess } from './support/process.js';
import { greetingFor, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;

describe('npm audit against kura serve', { timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let token = '';
  let consumer = '';

  /** A project whose default registry is Kura's (npm sends audits to the default registry). */
  async function auditedProject(dir: string): Promise<void> {
    await writeConsumer(dir);
    const nerf = `//${new URL(server.npmRegistry).host}/npm/`;
    await writeFile(join(dir, '.npmrc'), `registry=${server.npmRegistry}\n@alice:registry=${server.npmRegistry}\n${nerf}:_authToken=${token}\nfund=false\n`);
  }

  /** Publishes @alice/app, linked to alice/app, depending on @alice/lib with `range`. */
  async function publishApp(version: string, range: string): Promise<void> {
    const dir = await workspace.dir(`app-${version}`);
    await writeLibrary(dir, { name: '@alice/app', version, description: 'an app', greeting: 'app', repository: 'git+https://git.example.com/alice/app.git', dependencies: { '@alice/lib': range } });
    await npmClient.configure(dir, { registry: server.npmRegistry, scope: 'alice', token });
    expectSuccess(await npmClient.publish(workspace, dir));
  }

  /** The alerts of alice/app once `ready` holds for them (alerting follows a publish within moments). */
  async function appAlerts(ready: (alerts: Array<{ state: string; dependency: { path: string[] }; fix: { version: string; admitted_by_declared_range: boolean } }>) => boolean) {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${server.url}/api/v1/repos/alice/app/dependabot/alerts`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      const alerts = await response.json() as Parameters<typeof ready>[0];
      if (ready(alerts) || attempt === 50) return alerts;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['repo', 'create', 'alice/tools']);
    await server.kura(['repo', 'create', 'alice/app']);
    token = await createToken(server, 'alice', ['read:packages', 'write:packages']);
    for (const version of ['1.0.0', '1.1.0']) {
      const dir = await workspace.dir('lib');
      await writeLibrary(dir, { name: '@alice/lib', version, description: 'a library', greeting: greetingFor('@alice/lib', version), repository: 'git+https://git.example.com/alice/tools.git' });
      await npmClient.configure(dir, { registry: server.npmRegistry, scope: 'alice', token });
      expectSuccess(await npmClient.publish(workspace, dir));
    }
    await publishApp('1.0.0', '^1.0.0');
    consumer = await workspace.dir('consumer');
    await auditedProject(consumer);
    expectSuccess(await npm(workspace, consumer, ['install', '@alice/lib@1.0.0', '--save-exact', '--no-audit']));
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('reports nothing while no advisory is published', async () => {
    const audit = await npm(workspace, consumer, ['audit', '--json']);
    assert.equal(audit.code, 0, describeResult(audit));
    assert.equal((JSON.parse(audit.stdout) as { metadata: { vulnerabilities: { total: number } } }).metadata.vulnerabilities.total, 0);
  });

  it('names a published advisory, with its severity, range and fix; after the upgrade reports nothing', async () => {
    const response = await fetch(`${server.url}/api/v1/repos/alice/tools/security-advisories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        summary: 'Prototype pollution in @alice/lib', description: 'Upgrade to 1.1.0.', severity: 'high', cwe_ids: ['CWE-1321'], state: 'published',
        vulnerabilities: [{ package: { ecosystem: 'npm', name: '@alice/lib' }, vulnerable_version_range: '<1.1.0', patched_versions: '1.1.0' }],
      }),
    });
    assert.equal(response.status, 201, await response.text());

    const audit = await npm(workspace, consumer, ['audit', '--json']);
    assert.notEqual(audit.code, 0, 'npm audit fails on a vulnerable dependency');
    const report = JSON.parse(audit.stdout) as { vulnerabilities: Record<string, { severity: string; range: string; fixAvailable: unknown; via: Array<{ title: string; url: string; range: string; severity: string }> }> };
    const found = report.vulnerabilities['@alice/lib'];
    assert.ok(found, describeResult(audit));
    assert.equal(found.severity, 'high');
    assert.equal(found.range, '1.0.0', 'npm names the published versions the advisory covers');
    assert.equal(found.via[0]!.range, '<1.1.0');
    assert.equal(found.via[0]!.title, 'Prototype pollution in @alice/lib');
    assert.match(found.via[0]!.url, /\/alice\/tools\/security\/advisories\/KURA-/);
    const [alert] = await appAlerts((alerts) => alerts.length > 0);
    assert.equal(alert?.state, 'open', 'the repository of a package depending on the affected versions is alerted');
    assert.deepEqual(alert.dependency.path, ['@alice/app', '@alice/lib']);
    assert.deepEqual(alert.fix, { version: '1.1.0', admitted_by_declared_range: true });
    const fix = await npm(workspace, consumer, ['audit', 'fix', '--dry-run', '--force']);
    assert.match(`${fix.stdout}${fix.stderr}`, /@alice\/lib@1\.1\.0|1\.1\.0/, describeResult(fix));

    expectSuccess(await npm(workspace, consumer, ['install', '@alice/lib@1.1.0', '--save-exact', '--no-audit']));
    const clean = await npm(workspace, consumer, ['audit', '--json']);
    assert.equal(clean.code, 0, describeResult(clean));
    await publishApp('1.1.0', '^1.1.0');
    const [fixed] = await appAlerts((alerts) => alerts[0]?.state === 'fixed');
    assert.equal(fixed?.state, 'fixed', 'the alert closes once the latest version needs the patched one');
  });
});

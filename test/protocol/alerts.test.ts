import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexEarlierVersions } from '../../src/core/packages/dependency-index.js';
import { formats } from '../../src/formats/registry.js';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

interface AlertJson {
  number: number;
  state: string;
  dependency: { package: { ecosystem: string; name: string }; relationship: string; path: string[]; declared_range: string; manifest_path: string; scope: string };
  security_advisory: { ghsa_id: string };
  security_vulnerability: { first_patched_version: { identifier: string } | null; vulnerable_version_range: string };
  fix: { version: string | null; admitted_by_declared_range: boolean | null };
  dismissed_reason: string | null;
  dismissed_by: { login: string } | null;
}

async function publish(k: TestKura, token: string, name: string, version: string, manifest: Record<string, unknown>) {
  const tarball = await buildTarball({ name, version });
  const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest }) });
  assert.equal(res.statusCode, 201, `${name}@${version}: ${res.body}`);
  await k.core.alerts.settled();
}

async function advisory(k: TestKura, token: string, repo: string, name: string, range: string, patched: string | null) {
  const res = await k.inject({
    method: 'POST', url: `/api/v1/repos/${repo}/security-advisories`, token,
    payload: { summary: `Flaw in ${name}`, description: 'Upgrade.', severity: 'high', state: 'published', vulnerabilities: [{ package: { ecosystem: 'npm', name }, vulnerable_version_range: range, patched_versions: patched }] },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().ghsa_id as string;
}

const alertsOf = async (k: TestKura, repo: string, token?: string, query = '') => {
  const res = await k.inject({ method: 'GET', url: `/api/v1/repos/${repo}/dependabot/alerts${query}`, ...(token ? { token } : {}) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as AlertJson[];
};

describe('alerts on repositories whose packages depend on affected versions', () => {
  let k: TestKura;
  let alice: string;
  let dave: string;
  let bob: string;
  let ghsa: string;

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    dave = (await k.user('dave')).token;
    bob = (await k.user('bob')).token;
    for (const repo of ['alice/lib', 'alice/app', 'dave/site']) await k.core.repos.create({ fullName: repo });
    await publish(k, alice, '@alice/lib', '1.0.0', { repository: 'alice/lib' });
    await publish(k, alice, '@alice/app', '1.0.0', { repository: 'alice/app', dependencies: { '@alice/lib': '^1.0.0', 'left-pad': '^1.1.0' }, devDependencies: { 'is-odd': '3.0.0' } });
    await publish(k, dave, '@dave/mid', '2.0.0', { dependencies: { '@alice/lib': '~1.0.0' } });
    await publish(k, dave, '@dave/site', '1.0.0', { repository: 'dave/site', dependencies: { '@dave/mid': '^2.0.0' } });
  });
  after(() => k.close());

  it('indexes what each published version declares', async () => {
    const rows = await k.core.deps.db.selectFrom('version_dependencies').select(['name_lower', 'range', 'scope']).orderBy('name_lower').execute();
    assert.deepEqual(rows.filter((r) => r.name_lower !== '@dave/mid' && r.range !== '~1.0.0'), [
      { name_lower: '@alice/lib', range: '^1.0.0', scope: 'runtime' },
      { name_lower: 'is-odd', range: '3.0.0', scope: 'development' },
      { name_lower: 'left-pad', range: '^1.1.0', scope: 'runtime' },
    ]);
    const db = k.core.deps.db;
    const before = await db.selectFrom('version_dependencies').selectAll().orderBy('version_id').orderBy('name_lower').execute();
    await db.deleteFrom('version_dependencies').execute();
    await db.deleteFrom('settings').where('key', '=', 'dependency-index.complete').execute();
    const read = (format: string, metadata: Record<string, unknown>, version: string) => formats.find((f) => f.id === format)?.dependencies?.(metadata, version) ?? [];
    assert.equal(await indexEarlierVersions(db, read, new Date()), 4, 'a data directory from before the index is indexed from stored metadata');
    assert.deepEqual(await db.selectFrom('version_dependencies').selectAll().orderBy('version_id').orderBy('name_lower').execute(), before);
    assert.equal(await indexEarlierVersions(db, read, new Date()), 0, 'once');
  });

  it('raises an alert on every dependent repository when an advisory is published, directly and through hosted packages', async () => {
    ghsa = await advisory(k, alice, 'alice/lib', '@alice/lib', '>=1.0.0 <1.0.1', '1.0.1');
    const [direct] = await alertsOf(k, 'alice/app');
    assert.equal(direct?.number, 1);
    assert.equal(direct.state, 'open');
    assert.equal(direct.security_advisory.ghsa_id, ghsa);
    assert.deepEqual(direct.dependency.path, ['@alice/app', '@alice/lib']);
    assert.equal(direct.dependency.relationship, 'direct');
    assert.equal(direct.dependency.manifest_path, '@alice/app@1.0.0');
    assert.equal(direct.security_vulnerability.first_patched_version?.identifier, '1.0.1');
    assert.deepEqual(direct.fix, { version: '1.0.1', admitted_by_declared_range: true });

    const [transitive] = await alertsOf(k, 'dave/site', dave);
    assert.deepEqual(transitive?.dependency.path, ['@dave/site', '@dave/mid', '@alice/lib']);
    assert.equal(transitive.dependency.relationship, 'transitive');
    assert.equal(transitive.dependency.declared_range, '^2.0.0');
    assert.equal(transitive.fix.admitted_by_declared_range, null);
    assert.deepEqual(await alertsOf(k, 'alice/lib'), [], 'the affected package itself depends on nothing');
    for (const url of ['/dave/site', '/dave/-/packages/npm/@dave/site']) {
      const page = await k.inject({ method: 'GET', url });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /Security alerts/, url);
      assert.match(page.body, /@dave\/site → @dave\/mid → @alice\/lib/, url);
      assert.match(page.body, new RegExp(`/alice/lib/security/advisories/${ghsa}`), url);
    }
    assert.doesNotMatch((await k.inject({ method: 'GET', url: '/alice/lib' })).body, /Security alerts/);
  });

  it('lets writers dismiss with a reason and reopen; readers only read', async () => {
    const url = '/api/v1/repos/alice/app/dependabot/alerts/1';
    assert.equal((await k.inject({ method: 'PATCH', url, payload: { state: 'dismissed', dismissed_reason: 'tolerable_risk' } })).statusCode, 401);
    assert.equal((await k.inject({ method: 'PATCH', url, token: bob, payload: { state: 'dismissed', dismissed_reason: 'tolerable_risk' } })).statusCode, 403);
    const bad = await k.inject({ method: 'PATCH', url, token: alice, payload: { state: 'dismissed', dismissed_reason: 'bored' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /dismissed_reason/);
    const dismissed = await k.inject({ method: 'PATCH', url, token: alice, payload: { state: 'dismissed', dismissed_reason: 'fix_started', dismissed_comment: 'moving to 1.0.1' } });
    assert.equal(dismissed.statusCode, 200, dismissed.body);
    assert.equal(dismissed.json().state, 'dismissed');
    assert.equal(dismissed.json().dismissed_by.login, 'alice');
    assert.deepEqual(await alertsOf(k, 'alice/app', undefined, '?state=open'), []);
    const reopened = await k.inject({ method: 'PATCH', url, token: alice, payload: { state: 'open' } });
    assert.equal(reopened.json().state, 'open');
    assert.equal(reopened.json().dismissed_reason, null);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/app/dependabot/alerts/99' })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/app/dependabot/alerts?state=bogus' })).statusCode, 400);
    const audit = await k.core.deps.db.selectFrom('audit_log').select('action').where('action', 'like', 'alert.%').execute();
    assert.deepEqual(audit.map((a) => a.action), ['alert.dismiss', 'alert.reopen']);
  });

  it('closes alerts when no dependent version reaches an affected version any more', async () => {
    await publish(k, alice, '@alice/lib', '1.0.1', { repository: 'alice/lib' });
    assert.equal((await alertsOf(k, 'alice/app'))[0]?.state, 'open', '^1.0.0 still admits the affected 1.0.0');
    assert.equal((await alertsOf(k, 'dave/site', dave))[0]?.state, 'open', '@dave/mid’s ~1.0.0 too');
    await publish(k, dave, '@dave/mid', '2.0.1', { dependencies: { '@alice/lib': '^1.0.1' } });
    assert.equal((await alertsOf(k, 'dave/site', dave))[0]?.state, 'fixed', '@dave/site’s ^2.0.0 now resolves to a @dave/mid that needs the patched version');
    await publish(k, alice, '@alice/app', '1.1.0', { repository: 'alice/app', dependencies: { '@alice/lib': '^1.0.1' } });
    assert.equal((await alertsOf(k, 'alice/app'))[0]?.state, 'fixed');
  });

  it('checks a newly published version against published advisories, also imported OSV ones about packages hosted elsewhere', async () => {
    await k.core.advisories.importOsv([{
      id: 'GHSA-left-pad-0001', aliases: ['CVE-2026-0001'], summary: 'left-pad pads wrong', details: 'Upgrade.', severity: 'medium', cvssVector: null, cweIds: [],
      vulnerabilities: [{ package: { ecosystem: 'npm', name: 'left-pad' }, vulnerable_version_range: '<1.3.0', patched_versions: '1.3.0' }],
      published: '2026-11-01T00:00:00Z', modified: '2026-11-01T00:00:00Z',
    }], null);
    assert.deepEqual((await alertsOf(k, 'alice/app', undefined, '?state=open')).length, 0, 'the latest @alice/app no longer depends on left-pad');
    await publish(k, alice, '@alice/app', '1.2.0', { repository: 'alice/app', dependencies: { 'left-pad': '^1.2.0' } });
    const open = await alertsOf(k, 'alice/app', undefined, '?state=open');
    assert.equal(open.length, 1);
    assert.equal(open[0]!.dependency.package.name, 'left-pad');
    assert.equal(open[0]!.number, 2);
    assert.equal(open[0]!.fix.admitted_by_declared_range, true);
    assert.equal((await alertsOf(k, 'alice/app', undefined, '?ecosystem=maven')).length, 0);
    const paged = await k.inject({ method: 'GET', url: '/api/v1/repos/alice/app/dependabot/alerts?ecosystem=npm&per_page=1' });
    assert.equal(paged.json().length, 1);
    assert.match(String(paged.headers['link']), /alerts\?ecosystem=npm&per_page=1&page=2>; rel="next"/);
  });

  it('keeps a private repository’s alerts to those who may read it', async () => {
    await k.core.repos.setVisibility('dave/site', 'private');
    const url = '/api/v1/repos/dave/site/dependabot/alerts';
    assert.equal((await k.inject({ method: 'GET', url })).statusCode, 401);
    assert.equal((await k.inject({ method: 'GET', url, token: bob })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: `${url}/1`, token: bob })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url, token: dave })).statusCode, 200);
  });
});

describe('advisory review', () => {
  let k: TestKura;
  before(async () => {
    k = await startTestKura({ KURA_ADVISORY_REVIEW: 'required' });
  });
  after(() => k.close());

  it('alerts other owners’ repositories only after a site admin reviewed the advisory', async () => {
    const alice = (await k.user('alice')).token;
    const dave = (await k.user('dave')).token;
    const admin = (await k.user('root', { admin: true, scopes: ['admin'] })).token;
    for (const repo of ['alice/lib', 'alice/app', 'dave/site']) await k.core.repos.create({ fullName: repo });
    await publish(k, alice, '@alice/lib', '1.0.0', { repository: 'alice/lib' });
    await publish(k, alice, '@alice/app', '1.0.0', { repository: 'alice/app', dependencies: { '@alice/lib': '1.0.0' } });
    await publish(k, dave, '@dave/site', '1.0.0', { repository: 'dave/site', dependencies: { '@alice/lib': '^1.0.0' } });
    const ghsa = await advisory(k, alice, 'alice/lib', '@alice/lib', '<1.0.1', null);
    assert.equal((await alertsOf(k, 'alice/app')).length, 1, 'the owner’s own repositories are alerted at once');
    assert.equal((await alertsOf(k, 'dave/site')).length, 0);
    assert.equal((await k.inject({ method: 'POST', url: `/api/v1/advisories/${ghsa}/review`, token: alice })).statusCode, 403);
    const reviewed = await k.inject({ method: 'POST', url: `/api/v1/advisories/${ghsa}/review`, token: admin });
    assert.equal(reviewed.statusCode, 200, reviewed.body);
    assert.ok(reviewed.json().reviewed_at);
    const [alert] = await alertsOf(k, 'dave/site');
    assert.equal(alert?.state, 'open');
    assert.equal(alert.security_vulnerability.first_patched_version, null);

    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    const hidden = await advisory(k, alice, 'alice/secret', '@alice/lib', '<1.0.1', null);
    await k.inject({ method: 'POST', url: `/api/v1/advisories/${hidden}/review`, token: admin });
    const advisoryIds = async (repo: string, token: string) => (await alertsOf(k, repo, token)).map((a) => a.security_advisory.ghsa_id);
    assert.ok((await advisoryIds('alice/app', alice)).includes(hidden), 'an advisory of a private repository alerts its own owner');
    assert.ok(!(await advisoryIds('dave/site', dave)).includes(hidden), 'and never another owner, whom it would reveal itself to');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';

describe('security advisories through the REST API', () => {
  let k: TestKura;
  let alice: string;
  let carol: string;
  let bob: string;
  const base = '/api/v1/repos/alice/tools/security-advisories';
  const valid = {
    summary: 'Prototype pollution', description: 'Upgrade.', cvss_vector_string: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cve_id: 'CVE-2026-12345',
    cwe_ids: ['CWE-1321'], credits: [{ login: 'bob', type: 'finder' }],
    vulnerabilities: [{ package: { ecosystem: 'npm', name: '@alice/lib' }, vulnerable_version_range: '>=1.0.0 <1.1.0', patched_versions: '1.1.0' }],
  };
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token?: string, payload?: unknown) =>
    k.inject({ method, url, ...(token ? { token } : {}), ...(payload ? { payload: payload as Record<string, unknown> } : {}) });

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    carol = (await k.user('carol')).token;
    bob = (await k.user('bob')).token;
    await k.core.repos.create({ fullName: 'alice/tools' });
    await k.core.repos.setCollaborator('alice/tools', 'carol', 'write');
  });
  after(() => k.close());

  it('drafts an advisory for the repository’s admins only, then publishes it to everyone who may read the repository', async () => {
    const created = await call('POST', base, alice, valid);
    assert.equal(created.statusCode, 201, created.body);
    const advisory = created.json() as { ghsa_id: string; state: string; severity: string; cvss: { score: number }; identifiers: Array<{ type: string; value: string }> };
    assert.match(advisory.ghsa_id, /^KURA-[23456789cfghjmpqrvwx]{4}-[23456789cfghjmpqrvwx]{4}-[23456789cfghjmpqrvwx]{4}$/);
    assert.equal(advisory.state, 'draft');
    assert.equal(advisory.severity, 'critical', 'the severity follows the CVSS score when none is given');
    assert.equal(advisory.cvss.score, 9.8);
    assert.deepEqual(advisory.identifiers.map((i) => i.type), ['KURA', 'CVE']);

    assert.equal((await call('GET', `${base}/${advisory.ghsa_id}`)).statusCode, 401, 'a draft is not publicly readable, even in a public repository');
    assert.equal((await call('GET', `${base}/${advisory.ghsa_id}`, bob)).statusCode, 404, 'nor shown to a signed-in outsider');
    assert.equal((await call('GET', `${base}/${advisory.ghsa_id}`, carol)).statusCode, 404, 'a writer is not an admin');
    assert.deepEqual((await call('GET', base, bob)).json(), []);
    assert.equal((await call('PATCH', `${base}/${advisory.ghsa_id}`, carol, { state: 'published' })).statusCode, 404, 'the draft does not exist for a writer');

    const published = await call('PATCH', `${base}/${advisory.ghsa_id}`, alice, { state: 'published', summary: 'Prototype pollution in @alice/lib' });
    assert.equal(published.statusCode, 200, published.body);
    assert.equal(published.json().state, 'published');
    assert.ok(published.json().published_at);
    assert.equal((await call('GET', `/api/v1/advisories/${advisory.ghsa_id.toLowerCase()}`)).json().summary, 'Prototype pollution in @alice/lib');
    assert.equal((await call('GET', base)).json().length, 1);
    assert.equal((await call('PATCH', `${base}/${advisory.ghsa_id}`, alice, { state: 'draft' })).statusCode, 400, 'published stays published');
    const audit = await k.core.deps.db.selectFrom('audit_log').select('action').where('target', '=', `advisory:${advisory.ghsa_id}`).execute();
    assert.deepEqual(audit.map((a) => a.action), ['advisory.create', 'advisory.publish']);
  });

  it('refuses malformed advisories, naming the field', async () => {
    const refuse = async (changes: Record<string, unknown>, message: RegExp) => {
      const res = await call('POST', base, alice, { ...valid, ...changes });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().error.message, message);
    };
    await refuse({ summary: '' }, /"summary"/);
    await refuse({ severity: 'severe', cvss_vector_string: undefined }, /"severity" must be one of/);
    await refuse({ cvss_vector_string: 'CVSS:2.0/AV:N' }, /cvss_vector_string/);
    await refuse({ cve_id: 'CVE-12' }, /cve_id/);
    await refuse({ cwe_ids: ['79'] }, /cwe_ids/);
    await refuse({ vulnerabilities: [] }, /vulnerabilities/);
    await refuse({ vulnerabilities: [{ package: { ecosystem: 'npm', name: '@alice/lib' }, vulnerable_version_range: 'not a range!' }] }, /not a valid npm version range/);
    await refuse({ vulnerabilities: [{ package: { ecosystem: 'cobol', name: 'x' }, vulnerable_version_range: '<1' }] }, /not a valid cobol version range/);
    assert.equal((await call('POST', base, undefined, valid)).statusCode, 401);
    assert.equal((await call('POST', base, bob, valid)).statusCode, 403, 'bob may read the public repository but not manage it');
  });

  it('takes each ecosystem’s own range syntax', async () => {
    const withRange = (ecosystem: string, name: string, range: string) => ({
      ...valid, vulnerabilities: [{ package: { ecosystem, name }, vulnerable_version_range: range, patched_versions: null }],
    });
    for (const [ecosystem, name, range] of [['maven', 'com.example:lib', '[1.0,1.2),[1.5,)'], ['rubygems', 'widget', '>= 1.0, < 1.2'], ['nuget', 'Acme.Widget', '[1.0.0, 1.2.0)'], ['npm', '@alice/lib', '^1.0.0 || >=2.0.0 <2.1.0']]) {
      const res = await call('POST', base, alice, withRange(ecosystem!, name!, range!));
      assert.equal(res.statusCode, 201, `${ecosystem} ${range}: ${res.body}`);
    }
    for (const [ecosystem, name, range] of [['maven', 'com.example:lib', '>= 1.0'], ['rubygems', 'widget', '[1.0,2.0)'], ['nuget', 'Acme.Widget', '~> 1.0']]) {
      const res = await call('POST', base, alice, withRange(ecosystem!, name!, range!));
      assert.equal(res.statusCode, 400, `${ecosystem} ${range}`);
    }
  });

  it('serves published advisories as OSV, and imported OSV advisories reach npm audit (public, marked as imported)', async () => {
    const created = (await call('POST', base, alice, { ...valid, state: 'published' })).json() as { ghsa_id: string };
    const osv = await call('GET', `/api/v1/advisories/${created.ghsa_id}?format=osv`);
    assert.equal(osv.statusCode, 200, osv.body);
    assert.equal(osv.json().schema_version, '1.6.0');
    assert.deepEqual(osv.json().aliases, ['CVE-2026-12345']);
    const feed = (await call('GET', '/api/v1/advisories?format=osv')).json() as Array<{ id: string }>;
    assert.ok(feed.some((a) => a.id === created.ghsa_id));
    assert.equal((await call('GET', '/api/v1/advisories?format=xml')).statusCode, 400);

    const imported = await k.core.advisories.importOsv([{
      id: 'GHSA-xxxx-yyyy-zzzz', aliases: [], summary: 'Imported flaw', details: '', severity: 'low', cvssVector: null, cweIds: [],
      vulnerabilities: [{ package: { ecosystem: 'npm', name: 'left-pad' }, vulnerable_version_range: '<1.3.1', patched_versions: '1.3.1' }],
      published: '2026-10-01T00:00:00Z', modified: '2026-10-02T00:00:00Z',
    }], null);
    assert.equal(imported, 1);
    const shown = (await call('GET', '/api/v1/advisories/GHSA-xxxx-yyyy-zzzz')).json() as { source: string; summary: string };
    assert.deepEqual([shown.source, shown.summary], ['osv', 'Imported flaw']);
    const audit = await k.inject({ method: 'POST', url: '/npm/-/npm/v1/security/advisories/bulk', payload: { 'left-pad': ['1.3.0', '1.3.1'] } });
    assert.equal(audit.statusCode, 200, audit.body);
    assert.deepEqual((audit.json() as Record<string, Array<{ title: string; severity: string }>>)['left-pad']!.map((a) => [a.title, a.severity]), [['Imported flaw', 'low']]);
    assert.deepEqual((await k.inject({ method: 'POST', url: '/npm/-/npm/v1/security/advisories/bulk', payload: { 'left-pad': ['1.3.1'] } })).json(), {});
  });

  it('shows a published advisory on its page (where npm audit links), and hides drafts', async () => {
    const published = (await call('POST', base, alice, { ...valid, state: 'published', description: 'Use **1.1.0**. <script>alert(1)</script>' })).json() as { ghsa_id: string; html_url: string };
    const page = await k.inject({ method: 'GET', url: new URL(published.html_url).pathname });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /Prototype pollution/);
    assert.match(page.body, /CVE-2026-12345/);
    assert.match(page.body, />=1\.0\.0 &lt;1\.1\.0/);
    assert.match(page.body, /<strong>1\.1\.0<\/strong>/, 'the description is Markdown');
    assert.ok(!page.body.includes('<script>alert(1)'), 'raw HTML is escaped');
    const draft = (await call('POST', base, alice, valid)).json() as { html_url: string };
    assert.equal((await k.inject({ method: 'GET', url: new URL(draft.html_url).pathname })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: new URL(draft.html_url).pathname, headers: { authorization: `Bearer ${alice}` } })).statusCode, 200);
    assert.equal((await k.inject({ method: 'GET', url: `/alice/other/security/advisories/${published.ghsa_id}` })).statusCode, 404);
  });
});

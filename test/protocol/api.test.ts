import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('REST API /api/v1', () => {
  let k: TestKura;
  let alice: string;
  let bob: string;

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice', { password: 'correct horse battery' })).token;
    bob = (await k.user('bob')).token;
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.repos.create({ fullName: 'acme/public' });
    await k.core.repos.create({ fullName: 'acme/private', visibility: 'private' });
    for (const [name, repo] of [['@acme/open', 'acme/public'], ['@acme/closed', 'acme/private']] as const) {
      const tarball = await buildTarball({ name, version: '1.0.0', manifest: { repository: repo } });
      const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: alice, payload: publishBody(name, '1.0.0', tarball, { manifest: { repository: repo } }) });
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(() => k.close());

  it('tells the caller who they are, and 401s anonymous callers with a challenge and the error shape', async () => {
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: alice })).json().login, 'alice');
    const anonymous = await k.inject({ method: 'GET', url: '/api/v1/user' });
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /Bearer realm="kura"/);
    assert.deepEqual(Object.keys(anonymous.json().error).sort(), ['code', 'message']);
  });

  it('lists an organization’s packages as each caller may see them', async () => {
    const names = async (token?: string) => (await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages?package_type=npm', token })).json().map((p: { name: string }) => p.name).sort();
    assert.deepEqual(await names(alice), ['@acme/closed', '@acme/open']);
    assert.deepEqual(await names(bob), ['@acme/open']);
    assert.deepEqual(await names(), ['@acme/open']);
    const open = (await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages?package_type=npm&visibility=public', token: alice })).json();
    assert.equal(open.length, 1);
    assert.equal(open[0].owner.type, 'Organization');
    assert.equal(open[0].repository.full_name, 'acme/public');
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages?package_type=cobol', token: alice })).statusCode, 400);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/users/acme/packages', token: alice })).statusCode, 404, 'acme is an organization, not a user');
  });

  it('gets one package by its encoded name or its bare name, with versions and download counts', async () => {
    const byFull = await k.inject({ method: 'GET', url: `/api/v1/orgs/acme/packages/npm/${encodeURIComponent('@acme/open')}` });
    assert.equal(byFull.statusCode, 200, byFull.body);
    assert.equal(byFull.json().version_count, 1);
    const byBare = await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages/npm/open' });
    assert.equal(byBare.json().id, byFull.json().id);
    await k.inject({ method: 'GET', url: '/npm/@acme/open/-/open-1.0.0.tgz' });
    await k.core.downloads.flush();
    const versions = (await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages/npm/open/versions' })).json();
    assert.equal(versions[0].name, '1.0.0');
    assert.equal(versions[0].download_count, 1);
    assert.deepEqual(versions[0].metadata.tags, ['latest']);
    const detail = (await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages/npm/open' })).json();
    assert.equal(detail.download_count, 1);
    assert.equal(detail.latest_version.name, '1.0.0');
    assert.ok(detail.latest_version.install.some((s: { client: string; code: string }) => s.client === 'npm' && s.code === 'npm install @acme/open'));
    assert.deepEqual(detail.latest_version.metadata.npm.distTags, ['latest']);
  });

  it('lists deleted versions only for those who may delete, and restores them', async () => {
    const base = '/api/v1/orgs/acme/packages/npm/closed';
    const [version] = (await k.inject({ method: 'GET', url: `${base}/versions`, token: alice })).json();
    assert.equal((await k.inject({ method: 'DELETE', url: `${base}/versions/${version.id}`, token: alice })).statusCode, 204);
    const deleted = (await k.inject({ method: 'GET', url: `${base}/versions?state=deleted`, token: alice })).json();
    assert.equal(deleted.length, 1);
    assert.ok(deleted[0].deleted_at);
    assert.equal((await k.inject({ method: 'GET', url: `/npm/@acme%2fclosed/1.0.0`, token: alice })).statusCode, 404);
    assert.equal((await k.inject({ method: 'POST', url: `${base}/versions/${version.id}/restore`, token: alice })).statusCode, 204);
    assert.equal((await k.inject({ method: 'GET', url: `/npm/@acme%2fclosed/1.0.0`, token: alice })).statusCode, 200);
  });

  it('creates, lists and revokes the caller’s tokens', async () => {
    const basic = `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`;
    const created = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic }, payload: { name: 'deploy', scopes: ['read:packages'], expires_in: '7d', repository: 'acme/public' } });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    assert.ok(body.expires_at);
    assert.ok(body.repository_id);
    const listed = (await k.inject({ method: 'GET', url: '/api/v1/user/tokens', token: body.token })).json();
    assert.ok(listed.some((t: { id: number; prefix: string }) => t.id === body.id && body.token.startsWith(t.prefix)));
    assert.ok(!JSON.stringify(listed).includes(body.token), 'listings never include a token');
    const refused = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', token: alice, payload: { scopes: ['admin'] } });
    assert.equal(refused.statusCode, 403, 'a token without admin scope cannot mint tokens');
    assert.equal((await k.inject({ method: 'DELETE', url: `/api/v1/user/tokens/${body.id}`, token: bob })).statusCode, 404, 'no one revokes another user’s token');
    assert.equal((await k.inject({ method: 'DELETE', url: `/api/v1/user/tokens/${body.id}`, token: alice })).statusCode, 204);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: body.token })).statusCode, 401);
  });

  it('never lets a token restricted to one repository mint a token that reaches further', async () => {
    await k.core.repos.create({ fullName: 'acme/elsewhere', visibility: 'private' });
    const restricted = await k.token('alice', ['admin'], { repo: 'acme/public' });
    const tokens = async () => (await k.core.tokens.list((await k.core.owners.requireUser('alice')).id)).length;
    const before = await tokens();
    const unrestricted = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', token: restricted, payload: { scopes: ['admin'] } });
    assert.equal(unrestricted.statusCode, 403, unrestricted.body);
    assert.equal(unrestricted.json().error.code, 'FORBIDDEN');
    assert.match(unrestricted.json().error.message, /restricted to one repository/);
    const other = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', token: restricted, payload: { scopes: ['read:packages'], repository: 'acme/elsewhere' } });
    assert.equal(other.statusCode, 404, 'other repositories do not exist for the restricted token');
    assert.equal(other.json().error.message, 'repository acme/elsewhere not found');
    await k.core.repos.create({ fullName: 'acme/open-elsewhere' });
    const otherPublic = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', token: restricted, payload: { scopes: ['write:packages'], repository: 'acme/open-elsewhere' } });
    assert.equal(otherPublic.statusCode, 404, 'nor does a public one');
    assert.equal(await tokens(), before, 'no token was created');
    const same = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', token: restricted, payload: { scopes: ['read:packages'], repository: 'acme/public' } });
    assert.equal(same.statusCode, 201, 'a token for the same repository may be made');
    assert.equal(same.json().repository_id, (await k.core.repos.require('acme/public')).id);
  });

  it('changes the caller’s own settings only with a password or an unrestricted admin-scoped token', async () => {
    const change = (headers: Record<string, string>, visibility: string) => k.inject({ method: 'PATCH', url: '/api/v1/user', headers, payload: { default_package_visibility: visibility } });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const setting = async () => (await k.core.owners.requireUser('alice')).publicPackagesByDefault;
    const readOnly = await change(bearer(await k.token('alice', ['read:packages'])), 'public');
    assert.equal(readOnly.statusCode, 403, readOnly.body);
    assert.equal(readOnly.json().error.code, 'MISSING_SCOPE');
    const publisher = await change(bearer(alice), 'public');
    assert.equal(publisher.statusCode, 403, 'write:packages is not enough either');
    const restricted = await change(bearer(await k.token('alice', ['admin'], { repo: 'acme/public' })), 'public');
    assert.equal(restricted.statusCode, 403, restricted.body);
    assert.equal(await setting(), false, 'nothing changed');
    const admin = await change(bearer(await k.token('alice', ['admin'])), 'public');
    assert.equal(admin.statusCode, 200, admin.body);
    const password = await change({ authorization: `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}` }, 'private');
    assert.equal(password.statusCode, 200, password.body);
    assert.equal(await setting(), false);
  });

  it('refuses a token lifetime too long to be a date with 400', async () => {
    const basic = `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`;
    for (const expires of ['99999999999999999999d', '9999999999w']) {
      const res = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic }, payload: { scopes: ['read:packages'], expires_in: expires } });
      assert.equal(res.statusCode, 400, `${expires}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, /expir/);
    }
  });

  it('reads ids in paths as decimal digits only: 0x1, 1e0, 01 or +1 name nothing, and revoke nothing', async () => {
    const admin = await k.token('alice', ['admin']);
    const { token: victim, record } = await k.core.tokens.create({ userId: (await k.core.owners.requireUser('alice')).id, scopes: ['read:packages'] });
    const victimId = record.id;
    const hook = await k.inject({ method: 'POST', url: '/api/v1/orgs/acme/hooks', token: admin, payload: { config: { url: 'https://ci.example.com/hook' } } });
    assert.equal(hook.statusCode, 201, hook.body);
    const hookId = hook.json().id as number;
    const [version] = (await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages/npm/open/versions', token: alice })).json();
    for (const disguise of [(n: number) => `0x${n.toString(16)}`, (n: number) => `${n}e0`, (n: number) => `0${n}`, (n: number) => `%2B${n}`, (n: number) => `%20${n}`, (n: number) => `${n}.0`]) {
      const revoke = await k.inject({ method: 'DELETE', url: `/api/v1/user/tokens/${disguise(victimId)}`, token: admin });
      assert.equal(revoke.statusCode, 404, `token ${disguise(victimId)}: ${revoke.body}`);
      const hookGet = await k.inject({ method: 'GET', url: `/api/v1/orgs/acme/hooks/${disguise(hookId)}`, token: admin });
      assert.equal(hookGet.statusCode, 404, `hook ${disguise(hookId)}`);
      const versionGet = await k.inject({ method: 'GET', url: `/api/v1/orgs/acme/packages/npm/open/versions/${disguise(version.id)}`, token: alice });
      assert.equal(versionGet.statusCode, 404, `version ${disguise(version.id)}`);
    }
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: victim })).statusCode, 200, 'the token still works');
    assert.equal((await k.inject({ method: 'GET', url: `/api/v1/orgs/acme/hooks/${hookId}`, token: admin })).statusCode, 200);
    assert.equal((await k.inject({ method: 'DELETE', url: `/api/v1/user/tokens/${victimId}`, token: admin })).statusCode, 204);
  });

  it('refuses a field a body does not declare with 400 naming it, and changes nothing; GitHub’s own fields are accepted and ignored', async () => {
    const admin = await k.token('alice', ['admin']);
    const refusals: Array<[string, string, unknown, string]> = [
      ['PATCH', '/api/v1/repos/acme/private', { visibilty: 'public' }, '"visibilty"'],
      ['PATCH', '/api/v1/orgs/acme/packages/npm/closed', { visiblity: 'public' }, '"visiblity"'],
      ['POST', '/api/v1/orgs/acme/hooks', { config: { url: 'https://ci.example.com/x', secert: 's' } }, '"config.secert"'],
      ['POST', '/api/v1/user/tokens', { scopes: ['read:packages'], expires: '1d' }, '"expires"'],
      ['PUT', '/api/v1/repos/acme/private/collaborators/bob', { role: 'admin' }, '"role"'],
    ];
    for (const [method, url, payload, field] of refusals) {
      const res = await k.inject({ method: method as 'PATCH', url, token: admin, payload: payload as object });
      assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.ok(res.json().error.message.startsWith(`${field} is not a field`), res.json().error.message);
    }
    assert.equal((await k.core.repos.require('acme/private')).visibility, 'private');
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages/npm/closed' })).statusCode, 401, 'still private');
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/acme/private/collaborators/bob', token: admin })).statusCode, 404, 'bob got no role');
    const github = await k.inject({ method: 'PATCH', url: '/api/v1/repos/acme/public', token: admin, payload: { description: 'tools', has_issues: false, homepage: 'https://example.com' } });
    assert.equal(github.statusCode, 200, github.body);
  });

  it('answers a private package or repository the caller may not see exactly as a missing one, however its name is spelt', async () => {
    const same = async (template: string, hidden: string, missing: string, token?: string) => {
      const a = await k.inject({ method: 'GET', url: template.replace('{}', encodeURIComponent(hidden)), token });
      const b = await k.inject({ method: 'GET', url: template.replace('{}', encodeURIComponent(missing)), token });
      assert.equal(a.statusCode, b.statusCode, `${template}: ${hidden} / ${missing}`);
      assert.equal(a.headers['www-authenticate'], b.headers['www-authenticate']);
      // The bodies differ only by the name asked for.
      assert.equal(a.body.replaceAll(hidden, 'NAME'), b.body.replaceAll(missing, 'NAME'), `${a.body} / ${b.body}`);
    };
    for (const token of [bob, undefined]) {
      for (const [hidden, missing] of [['closed', 'nothing'], ['CLOSED', 'NOTHING'], ['@acme/closed', '@acme/nothing'], ['@ACME/Closed', '@ACME/Nothing']]) {
        await same('/api/v1/orgs/acme/packages/npm/{}', hidden!, missing!, token);
        await same('/api/v1/orgs/acme/packages/npm/{}/versions', hidden!, missing!, token);
      }
      for (const [hidden, missing] of [['private', 'nothing'], ['PRIVATE', 'NOTHING']]) {
        await same('/api/v1/repos/acme/{}', hidden!, missing!, token);
        await same('/api/v1/repos/acme/{}/packages', hidden!, missing!, token);
      }
    }
  });

  it('refuses a deeply nested or huge value of the wrong type with a short 400, before authenticating, and keeps serving', async () => {
    const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const bodies = [
      `{"description":${deep(100_000)}}`,
      `{"config":{"url":${deep(100_000)}}}`,
      JSON.stringify({ description: ['x'.repeat(500_000)] }),
      JSON.stringify({ default_package_visibility: 'p'.repeat(500_000) }),
    ];
    const urls = ['/api/v1/repos/acme/public', '/api/v1/orgs/acme/hooks', '/api/v1/repos/acme/public', '/api/v1/user'];
    for (const [i, payload] of bodies.entries()) {
      for (const token of [undefined, alice]) {
        const res = await k.inject({ method: urls[i]!.endsWith('hooks') ? 'POST' : 'PATCH', url: urls[i]!, token, headers: { 'content-type': 'application/json' }, payload });
        assert.equal(res.statusCode, 400, `${urls[i]}: ${res.body.slice(0, 300)}`);
        assert.equal(res.json().error.code, 'BAD_REQUEST');
        assert.ok(res.body.length < 1000, `the answer does not echo the value (${res.body.length} bytes)`);
      }
    }
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: alice })).statusCode, 200, 'still serving');
  });

  it('refuses a NUL character in body text with 400 naming the field, storing nothing (PostgreSQL cannot store one)', async () => {
    const admin = await k.token('alice', ['admin']);
    const cases: Array<[string, string, string, string]> = [
      ['PATCH', '/api/v1/repos/acme/public', '{"description":"tools\\u0000"}', '"description"'],
      ['POST', '/api/v1/user/tokens', '{"name":"ci\\u0000","scopes":["read:packages"]}', '"name"'],
      ['POST', '/api/v1/orgs/acme/hooks', '{"config":{"url":"https://ci.example.com/x","secret":"a\\u0000b"}}', '"config.secret"'],
      ['POST', '/api/v1/repos/acme/public/security-advisories', '{"summary":"s","description":"d","vulnerabilities":[{"package":{"ecosystem":"npm","name":"@acme/open\\u0000"},"vulnerable_version_range":"<1.0.0"}]}', '"vulnerabilities.0.package.name"'],
      ['PATCH', '/api/v1/repos/acme/public', '{"description\\u0000":"x"}', 'a field name'],
    ];
    for (const [method, url, payload, field] of cases) {
      const res = await k.inject({ method: method as 'PATCH', url, token: admin, headers: { 'content-type': 'application/json' }, payload });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.ok(res.json().error.message.includes(field), res.json().error.message);
    }
    assert.equal((await k.core.repos.require('acme/public')).description?.includes('\u0000') ?? false, false);
  });

  it('refuses a token name longer than the tokens page allows (100 characters) with 400', async () => {
    const basic = `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`;
    const long = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic }, payload: { name: 'n'.repeat(101), scopes: ['read:packages'] } });
    assert.equal(long.statusCode, 400, long.body);
    assert.match(long.json().error.message, /name is longer than 100 characters/);
    const fits = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic }, payload: { name: 'ü'.repeat(100), scopes: ['read:packages'] } });
    assert.equal(fits.statusCode, 201, fits.body);
  });

  it('names a refused repository or login without repeating a huge one whole', async () => {
    const admin = await k.token('alice', ['admin']);
    for (const [url, payload] of [['/api/v1/user/repos', { name: 'a'.repeat(500_000) }], ['/api/v1/user/tokens', { scopes: ['read:packages'], repository: `acme/${'b'.repeat(500_000)}` }]] as const) {
      const res = await k.inject({ method: 'POST', url, token: admin, payload });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, 'INVALID_NAME');
      assert.ok(res.body.length < 1000, `${url}: ${res.body.length} bytes`);
    }
    const short = await k.inject({ method: 'POST', url: '/api/v1/user/repos', token: admin, payload: { name: 'no spaces' } });
    assert.equal(short.json().error.message, 'invalid repository name "no spaces": use 1-100 letters, digits, ".", "_" or "-"');
  });

  it('takes JSON or no body on writes: a form or text/plain with cached Basic credentials gets 415 unread, and bodiless restores work', async () => {
    const basic = `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`;
    const tokens = async () => (await k.inject({ method: 'GET', url: '/api/v1/user/tokens', headers: { authorization: basic } })).json().length as number;
    const before = await tokens();
    const bodies: Array<[string, string]> = [
      ['application/x-www-form-urlencoded', 'scopes=write%3Apackages'],
      ['text/plain', JSON.stringify({ scopes: ['write:packages'] })],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="scopes"\r\n\r\nwrite:packages\r\n--b--\r\n'],
      ['text/plain', 'x'.repeat(2 * 1024 * 1024)],
    ];
    for (const [type, payload] of bodies) {
      const res = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic, 'content-type': type }, payload });
      assert.equal(res.statusCode, 415, `${type} (${payload.length} bytes): ${res.body}`);
      assert.equal(res.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    }
    const untyped = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic }, payload: Buffer.from('{"scopes":["write:packages"]}') });
    assert.equal(untyped.statusCode, 415, 'bytes without a Content-Type, as fetch() sends them');
    assert.equal(await tokens(), before, 'no token was created');

    const base = '/api/v1/orgs/acme/packages/npm/open';
    const [version] = (await k.inject({ method: 'GET', url: `${base}/versions`, token: alice })).json();
    for (const headers of [{}, { 'content-type': 'application/json' }]) {
      assert.equal((await k.inject({ method: 'DELETE', url: `${base}/versions/${version.id}`, token: alice, headers })).statusCode, 204);
      assert.equal((await k.inject({ method: 'POST', url: `${base}/versions/${version.id}/restore`, token: alice, headers })).statusCode, 204);
    }
  });

  it('refuses malformed JSON and invalid scopes with 400', async () => {
    const basic = `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`;
    const malformed = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic, 'content-type': 'application/json' }, payload: '{"scopes": [' });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');
    const scope = await k.inject({ method: 'POST', url: '/api/v1/user/tokens', headers: { authorization: basic }, payload: { scopes: ['everything'] } });
    assert.equal(scope.statusCode, 400);
    assert.match(scope.json().error.message, /unknown scope/);
  });
});

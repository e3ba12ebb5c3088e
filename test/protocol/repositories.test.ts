import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operator } from '../../src/core/access/principal.js';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('repositories and collaborators through the REST API', () => {
  let k: TestKura;
  let alice: string;
  let aliceAdmin: string;
  let bobAdmin: string;
  let carolAdmin: string;
  const password = { authorization: `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}` };

  const audit = async (action: string) => (await k.core.deps.db.selectFrom('audit_log').select(['target', 'meta']).where('action', '=', action).orderBy('id').execute())
    .map((row) => ({ target: row.target, meta: row.meta ? JSON.parse(row.meta) : null }));

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice', { password: 'correct horse battery' })).token;
    aliceAdmin = await k.token('alice', ['admin']);
    await k.user('bob');
    bobAdmin = await k.token('bob', ['admin']);
    await k.user('carol');
    carolAdmin = await k.token('carol', ['admin']);
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.setOrgMember('acme', 'bob', 'member');
  });
  after(() => k.close());

  it('creates a repository of the caller’s own in GitHub’s shape, with a password or an admin-scoped token', async () => {
    const res = await k.inject({ method: 'POST', url: '/api/v1/user/repos', headers: password, payload: { name: 'tools', description: 'Build tools' } });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.deepEqual(
      { ...body, id: typeof body.id, created_at: typeof body.created_at },
      {
        id: 'number', name: 'tools', full_name: 'alice/tools', private: false, visibility: 'public', description: 'Build tools',
        owner: { login: 'alice', id: body.owner.id, type: 'User' }, html_url: 'http://localhost:80/alice/tools',
        url: 'http://localhost:80/api/v1/repos/alice/tools', created_at: 'string',
      },
    );
    const secret = await k.inject({ method: 'POST', url: '/api/v1/user/repos', token: aliceAdmin, payload: { name: 'secret', private: true } });
    assert.equal(secret.statusCode, 201, secret.body);
    assert.equal(secret.json().visibility, 'private');
    assert.deepEqual((await audit('repo.create')).map((a) => [a.target, a.meta.visibility]), [['repo:alice/tools', 'public'], ['repo:alice/secret', 'private']]);
  });

  it('refuses to create without the admin scope, anonymously, twice, or with bad fields', async () => {
    const scoped = await k.inject({ method: 'POST', url: '/api/v1/user/repos', token: alice, payload: { name: 'other' } });
    assert.equal(scoped.statusCode, 403);
    assert.equal(scoped.json().error.code, 'MISSING_SCOPE');
    const anonymous = await k.inject({ method: 'POST', url: '/api/v1/user/repos', payload: { name: 'other' } });
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /Bearer realm="kura"/);
    const twice = await k.inject({ method: 'POST', url: '/api/v1/user/repos', token: aliceAdmin, payload: { name: 'TOOLS' } });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, 'ALREADY_EXISTS');
    for (const [payload, code] of [
      [{}, 'BAD_REQUEST'], [{ name: 'a/b' }, 'INVALID_NAME'], [{ name: '..' }, 'INVALID_NAME'], [{ name: 'x', visibility: 'internal' }, 'BAD_REQUEST'],
      [{ name: 'x', private: true, visibility: 'public' }, 'BAD_REQUEST'], [{ name: 'x', private: 'yes' }, 'BAD_REQUEST'],
      [{ name: 'x', description: 42 }, 'BAD_REQUEST'], [{ name: 'x', description: 'd'.repeat(1001) }, 'BAD_REQUEST'],
    ] as const) {
      const res = await k.inject({ method: 'POST', url: '/api/v1/user/repos', token: aliceAdmin, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.code, code, JSON.stringify(payload));
    }
    const array = await k.inject({ method: 'POST', url: '/api/v1/user/repos', token: aliceAdmin, payload: '[]', headers: { 'content-type': 'application/json' } });
    assert.equal(array.statusCode, 400);
    assert.equal(await k.core.repos.find('alice', 'x'), null, 'nothing was created');
  });

  it('lets organization members create its repositories, and makes a member who is not an owner their admin', async () => {
    const byMember = await k.inject({ method: 'POST', url: '/api/v1/orgs/acme/repos', token: bobAdmin, payload: { name: 'site', visibility: 'private' } });
    assert.equal(byMember.statusCode, 201, byMember.body);
    assert.deepEqual(byMember.json().owner.type, 'Organization');
    const site = (await k.core.repos.find('acme', 'site'))!;
    assert.deepEqual(
      (await k.core.repos.collaborators(site, operator, 'direct')).map((c) => [c.user.login, c.collaboratorRole]),
      [['bob', 'admin']],
    );
    const byOwner = await k.inject({ method: 'POST', url: '/api/v1/orgs/acme/repos', token: aliceAdmin, payload: { name: 'docs' } });
    assert.equal(byOwner.statusCode, 201);
    assert.deepEqual(await k.core.repos.collaborators((await k.core.repos.find('acme', 'docs'))!, operator, 'direct'), [], 'owners are admin already');
    const outsider = await k.inject({ method: 'POST', url: '/api/v1/orgs/acme/repos', token: carolAdmin, payload: { name: 'mine' } });
    assert.equal(outsider.statusCode, 403);
    assert.match(outsider.json().error.message, /member of organization acme/);
    assert.equal((await k.inject({ method: 'POST', url: '/api/v1/orgs/nobody/repos', token: carolAdmin, payload: { name: 'x' } })).statusCode, 404);
    assert.equal((await k.inject({ method: 'POST', url: '/api/v1/orgs/alice/repos', token: aliceAdmin, payload: { name: 'x' } })).statusCode, 404, 'alice is a user');
  });

  it('reads a repository, hiding a private one: 404 signed in, 401 anonymous', async () => {
    const got = await k.inject({ method: 'GET', url: '/api/v1/repos/ALICE/Secret', token: alice });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().full_name, 'alice/secret');
    assert.equal(got.json().private, true);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/secret', token: bobAdmin })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/secret' })).statusCode, 401);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/tools' })).json().name, 'tools');
  });

  it('lists the repositories of a user or an organization that the caller may see', async () => {
    const names = async (url: string, token?: string) => (await k.inject({ method: 'GET', url, token })).json().map((r: { name: string }) => r.name);
    assert.deepEqual(await names('/api/v1/users/alice/repos', alice), ['secret', 'tools']);
    assert.deepEqual(await names('/api/v1/users/alice/repos', bobAdmin), ['tools']);
    assert.deepEqual(await names('/api/v1/users/alice/repos'), ['tools']);
    assert.deepEqual(await names('/api/v1/orgs/acme/repos', bobAdmin), ['docs', 'site'], 'members read every org repository');
    assert.deepEqual(await names('/api/v1/orgs/acme/repos', carolAdmin), ['docs']);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/users/acme/repos', token: carolAdmin })).statusCode, 404, 'acme is an organization');
  });

  it('changes description and visibility for admins; linked packages follow and their caches turn over', async () => {
    const tarball = await buildTarball({ name: '@alice/kit', version: '1.0.0', manifest: { repository: 'alice/tools' } });
    assert.equal((await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@alice/kit')}`, token: alice, payload: publishBody('@alice/kit', '1.0.0', tarball, { manifest: { repository: 'alice/tools' } }) })).statusCode, 201);
    const rev = (await k.core.packages.queries.find('npm', 'alice', '@alice/kit'))!.rev;
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fkit' })).statusCode, 200);

    const res = await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/tools', token: aliceAdmin, payload: { private: true, description: 'Internal tools', has_wiki: false } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().visibility, 'private');
    assert.equal(res.json().description, 'Internal tools');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fkit' })).statusCode, 401, 'the package follows its repository');
    assert.equal((await k.core.packages.queries.find('npm', 'alice', '@alice/kit'))!.rev, rev + 1);
    const changed = (await audit('repo.update')).at(-1)!;
    assert.deepEqual(changed, { target: 'repo:alice/tools', meta: { visibility: 'private', previous: 'public', description: 'Internal tools' } });

    const back = await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/tools', headers: password, payload: { visibility: 'public', description: null } });
    assert.equal(back.json().description, null);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fkit' })).statusCode, 200);
    const unchanged = (await audit('repo.update')).length;
    assert.equal((await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/tools', token: aliceAdmin, payload: { visibility: 'public' } })).statusCode, 200);
    assert.equal((await audit('repo.update')).length, unchanged, 'no change, no audit row');
  });

  it('refuses bad changes with 400, non-admins with 403, and a token without the admin scope', async () => {
    for (const payload of [{ visibility: 'internal' }, { private: false, visibility: 'private' }, { name: 'renamed' }, { description: ['x'] }]) {
      const res = await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/tools', token: aliceAdmin, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
    await k.core.repos.setCollaborator('alice/tools', 'carol', 'write');
    const writer = await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/tools', token: carolAdmin, payload: { description: 'mine' } });
    assert.equal(writer.statusCode, 403);
    assert.match(writer.json().error.message, /admin permission on repository alice\/tools/);
    const scoped = await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/tools', token: alice, payload: { description: 'x' } });
    assert.equal(scoped.statusCode, 403);
    assert.equal(scoped.json().error.code, 'MISSING_SCOPE');
    assert.equal((await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/secret', token: bobAdmin, payload: { private: false } })).statusCode, 404);
  });

  it('gives, changes and takes collaborator roles, accepting GitHub’s permission names', async () => {
    const url = '/api/v1/repos/alice/secret/collaborators';
    const added = await k.inject({ method: 'PUT', url: `${url}/bob`, token: aliceAdmin, payload: { permission: 'push' } });
    assert.equal(added.statusCode, 201, added.body);
    assert.deepEqual(added.json().permissions, { admin: false, maintain: false, push: true, triage: true, pull: true });
    assert.equal(added.json().role_name, 'write');
    const changed = await k.inject({ method: 'PUT', url: `${url}/bob`, token: aliceAdmin, payload: { permission: 'pull' } });
    assert.equal(changed.statusCode, 200);
    assert.equal(changed.json().role_name, 'read');
    const byDefault = await k.inject({ method: 'PUT', url: `${url}/carol`, token: aliceAdmin });
    assert.equal(byDefault.statusCode, 201);
    assert.equal(byDefault.json().role_name, 'write', 'no permission means push, as on GitHub');
    assert.deepEqual((await audit('repo.collaborator.set')).filter((a) => a.target === 'repo:alice/secret').map((a) => a.meta), [
      { user: 'bob', role: 'write', previous: null }, { user: 'bob', role: 'read', previous: 'write' }, { user: 'carol', role: 'write', previous: null },
    ]);

    const listed = (await k.inject({ method: 'GET', url, token: alice })).json();
    assert.deepEqual(listed.map((c: { login: string; role_name: string }) => [c.login, c.role_name]), [['alice', 'admin'], ['bob', 'read'], ['carol', 'write']]);
    const direct = (await k.inject({ method: 'GET', url: `${url}?affiliation=direct`, token: alice })).json();
    assert.deepEqual(direct.map((c: { login: string }) => c.login), ['bob', 'carol']);
    assert.equal((await k.inject({ method: 'GET', url: `${url}?affiliation=everyone`, token: alice })).statusCode, 400);

    assert.equal((await k.inject({ method: 'GET', url: `${url}/carol`, token: alice })).statusCode, 204);
    assert.equal((await k.inject({ method: 'GET', url: `${url}/bob/permission`, token: carolAdmin })).json().permission, 'read', 'writers see permissions');
    const none = (await k.inject({ method: 'GET', url: '/api/v1/repos/alice/tools/collaborators/bob/permission', token: alice })).json();
    assert.deepEqual([none.permission, none.user.login], ['none', 'bob']);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/tools/collaborators/bob', token: alice })).statusCode, 404);

    assert.equal((await k.inject({ method: 'DELETE', url: `${url}/bob`, token: aliceAdmin })).statusCode, 204);
    assert.deepEqual((await audit('repo.collaborator.remove')).at(-1), { target: 'repo:alice/secret', meta: { user: 'bob', role: 'read' } });
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/secret', token: bobAdmin })).statusCode, 404, 'bob lost access');
    const again = await k.inject({ method: 'DELETE', url: `${url}/bob`, token: aliceAdmin });
    assert.equal(again.statusCode, 404);
    assert.match(again.json().error.message, /bob is not a collaborator on alice\/secret/);
  });

  it('lists an organization repository’s collaborators with the roles its members have through it', async () => {
    await k.core.repos.setCollaborator('acme/site', 'carol', 'read');
    const all = (await k.inject({ method: 'GET', url: '/api/v1/repos/acme/site/collaborators', token: aliceAdmin })).json();
    assert.deepEqual(all.map((c: { login: string; role_name: string }) => [c.login, c.role_name]), [['alice', 'admin'], ['bob', 'admin'], ['carol', 'read']]);
    const outside = (await k.inject({ method: 'GET', url: '/api/v1/repos/acme/site/collaborators?affiliation=outside', token: aliceAdmin })).json();
    assert.deepEqual(outside.map((c: { login: string }) => c.login), ['carol']);
    const reader = await k.inject({ method: 'GET', url: '/api/v1/repos/acme/site/collaborators', token: carolAdmin });
    assert.equal(reader.statusCode, 403, 'readers do not see who has access');
  });

  it('refuses collaborator changes that make no sense, and non-admins', async () => {
    const url = '/api/v1/repos/alice/secret/collaborators';
    const owner = await k.inject({ method: 'PUT', url: `${url}/alice`, token: aliceAdmin, payload: { permission: 'read' } });
    assert.equal(owner.statusCode, 400);
    assert.match(owner.json().error.message, /alice owns alice\/secret/);
    assert.equal((await k.inject({ method: 'PUT', url: `${url}/nobody`, token: aliceAdmin, payload: { permission: 'read' } })).statusCode, 404);
    assert.equal((await k.inject({ method: 'PUT', url: `${url}/acme`, token: aliceAdmin, payload: { permission: 'read' } })).statusCode, 404, 'an organization is no collaborator');
    for (const permission of ['maintain', 'owner', 'toString', 3]) {
      assert.equal((await k.inject({ method: 'PUT', url: `${url}/bob`, token: aliceAdmin, payload: { permission } })).statusCode, 400, String(permission));
    }
    assert.equal((await k.inject({ method: 'PUT', url: `${url}/bob`, token: carolAdmin, payload: { permission: 'admin' } })).statusCode, 403, 'a writer is no admin');
    assert.equal((await k.inject({ method: 'PUT', url: `${url}/bob`, token: alice, payload: { permission: 'admin' } })).statusCode, 403, 'the admin scope is needed');
  });

  it('lets a repository’s advisories reach other owners once it is public, and no longer once it is private again', async () => {
    const advisory = await k.inject({
      method: 'POST', url: '/api/v1/repos/alice/secret/security-advisories', token: alice,
      payload: { summary: 'Bad pad', description: 'Upgrade.', severity: 'high', state: 'published', vulnerabilities: [{ package: { ecosystem: 'npm', name: 'left-pad' }, vulnerable_version_range: '<1.3.0', patched_versions: '1.3.0' }] },
    });
    assert.equal(advisory.statusCode, 201, advisory.body);
    await k.core.repos.create({ fullName: 'bob/app' });
    const manifest = { repository: 'bob/app', dependencies: { 'left-pad': '^1.2.0' } };
    const tarball = await buildTarball({ name: '@bob/app', version: '1.0.0', manifest });
    assert.equal((await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@bob/app')}`, token: bobAdmin, payload: publishBody('@bob/app', '1.0.0', tarball, { manifest }) })).statusCode, 201);
    await k.core.alerts.settled();
    const open = async () => (await k.inject({ method: 'GET', url: '/api/v1/repos/bob/app/dependabot/alerts?state=open', token: bobAdmin })).json().length;
    assert.equal(await open(), 0, 'an advisory of a private repository alerts only its own owner');
    await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/secret', token: aliceAdmin, payload: { visibility: 'public' } });
    assert.equal(await open(), 1);
    await k.inject({ method: 'PATCH', url: '/api/v1/repos/alice/secret', token: aliceAdmin, payload: { visibility: 'private' } });
    assert.equal(await open(), 0);
  });
});

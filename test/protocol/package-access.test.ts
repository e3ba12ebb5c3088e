import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operator } from '../../src/core/access/principal.js';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('package links and roles through the REST API', () => {
  let k: TestKura;
  let alice: string;
  let aliceAdmin: string;
  let bob: string;
  let bobAdmin: string;
  let carolAdmin: string;
  const api = '/api/v1/users/alice/packages/npm/widget';

  const audit = async (action: string) => (await k.core.deps.db.selectFrom('audit_log').select(['target', 'meta']).where('action', '=', action).orderBy('id').execute())
    .map((row) => ({ target: row.target, meta: row.meta ? JSON.parse(row.meta) : null }));
  const rev = async () => (await k.core.packages.queries.find('npm', 'alice', '@alice/widget'))!.rev;

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    aliceAdmin = await k.token('alice', ['admin']);
    bob = (await k.user('bob')).token;
    bobAdmin = await k.token('bob', ['admin']);
    await k.user('carol');
    carolAdmin = await k.token('carol', ['admin']);
    await k.user('bobby');
    await k.core.repos.create({ fullName: 'alice/tools' });
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    await k.core.repos.create({ fullName: 'bobby/tools' });
    const tarball = await buildTarball({ name: '@alice/widget', version: '1.0.0' });
    const published = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@alice/widget')}`, token: alice, payload: publishBody('@alice/widget', '1.0.0', tarball) });
    assert.equal(published.statusCode, 201, published.body);
  });
  after(() => k.close());

  it('lists an unlinked package’s roles, its publisher first as admin', async () => {
    const res = await k.inject({ method: 'GET', url: `${api}/members`, token: alice });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().map((m: { login: string; role: string }) => [m.login, m.role]), [['alice', 'admin']]);
    assert.equal((await k.inject({ method: 'GET', url: `${api}/members`, token: bob })).statusCode, 404, 'the package is private');
    assert.equal((await k.inject({ method: 'GET', url: `${api}/members` })).statusCode, 401);
  });

  it('gives, changes and takes a user’s role, without turning the package’s caches over', async () => {
    const before = await rev();
    const added = await k.inject({ method: 'PUT', url: `${api}/members/bob`, token: aliceAdmin, payload: { role: 'read' } });
    assert.equal(added.statusCode, 201, added.body);
    assert.deepEqual([added.json().login, added.json().role], ['bob', 'read']);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget', token: bob })).statusCode, 200, 'bob may read now');
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/members/carol`, token: bobAdmin, payload: { role: 'admin' } })).statusCode, 403, 'a reader is no admin');
    const changed = await k.inject({ method: 'PUT', url: `${api}/members/bob`, token: aliceAdmin, payload: { role: 'admin' } });
    assert.equal(changed.statusCode, 200);
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/members/carol`, token: bobAdmin, payload: { role: 'write' } })).statusCode, 201, 'bob administers it now');
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/members/carol`, token: bobAdmin })).statusCode, 204);
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/members/bob`, token: aliceAdmin })).statusCode, 204);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget', token: bob })).statusCode, 404, 'bob lost access');
    assert.equal(await rev(), before, 'roles are in no cached view');
    assert.deepEqual((await audit('package.member.set')).map((a) => a.meta), [
      { user: 'bob', role: 'read', previous: null }, { user: 'bob', role: 'admin', previous: 'read' }, { user: 'carol', role: 'write', previous: null },
    ]);
    assert.deepEqual((await audit('package.member.remove')).map((a) => [a.target, a.meta.user]), [['npm:@alice/widget', 'carol'], ['npm:@alice/widget', 'bob']]);
  });

  it('refuses roles that make no sense, and callers who may not give them', async () => {
    for (const role of ['owner', 'push', undefined, 1]) {
      assert.equal((await k.inject({ method: 'PUT', url: `${api}/members/bob`, token: aliceAdmin, payload: { role } })).statusCode, 400, String(role));
    }
    const owner = await k.inject({ method: 'PUT', url: `${api}/members/alice`, token: aliceAdmin, payload: { role: 'read' } });
    assert.equal(owner.statusCode, 400);
    assert.match(owner.json().error.message, /alice owns npm package @alice\/widget/);
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/members/alice`, token: aliceAdmin })).statusCode, 400);
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/members/nobody`, token: aliceAdmin, payload: { role: 'read' } })).statusCode, 404);
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/members/carol`, token: aliceAdmin })).statusCode, 404, 'carol has no role');
    const scope = await k.inject({ method: 'PUT', url: `${api}/members/bob`, token: alice, payload: { role: 'read' } });
    assert.equal(scope.statusCode, 403);
    assert.equal(scope.json().error.code, 'MISSING_SCOPE');
  });

  it('links the package to a repository of its owner: it follows the repository and drops its own roles', async () => {
    await k.core.packages.setMember(operator, (await k.core.packages.queries.find('npm', 'alice', '@alice/widget'))!, 'carol', 'read');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget' })).statusCode, 401, 'private before');
    const before = await rev();
    const res = await k.inject({ method: 'PUT', url: `${api}/repository`, token: aliceAdmin, payload: { repository: 'alice/tools' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().repository.full_name, res.json().visibility], ['alice/tools', 'public']);
    assert.equal(await rev(), before + 1);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget' })).statusCode, 200, 'public like its repository');
    assert.deepEqual((await audit('package.link')).at(-1), { target: 'npm:@alice/widget', meta: { repository: 'alice/tools', previous: null, removedRoles: { alice: 'admin', carol: 'read' } } });
    const members = await k.inject({ method: 'GET', url: `${api}/members`, token: alice });
    assert.equal(members.statusCode, 400);
    assert.match(members.json().error.message, /linked to alice\/tools and follows its permissions/);
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/repository`, token: aliceAdmin, payload: { repository: 'alice/tools' } })).statusCode, 200, 'linking again changes nothing');
    assert.equal(await rev(), before + 1);
  });

  it('refuses links to another owner’s, a missing or an invisible repository, and to those who may not publish there', async () => {
    const other = await k.inject({ method: 'PUT', url: `${api}/repository`, token: aliceAdmin, payload: { repository: 'bobby/tools' } });
    assert.equal(other.statusCode, 400);
    assert.match(other.json().error.message, /only to a repository of alice/);
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/repository`, token: aliceAdmin, payload: { repository: 'alice/none' } })).statusCode, 404);
    for (const repository of [undefined, 'alice', 'alice/a/b', 7]) {
      assert.equal((await k.inject({ method: 'PUT', url: `${api}/repository`, token: aliceAdmin, payload: { repository } })).statusCode, 400, String(repository));
    }
    await k.core.repos.setCollaborator('alice/tools', 'bob', 'admin');
    const hidden = await k.inject({ method: 'PUT', url: `${api}/repository`, token: bobAdmin, payload: { repository: 'alice/secret' } });
    assert.equal(hidden.statusCode, 404, 'bob cannot see alice/secret');
    await k.core.repos.setCollaborator('alice/secret', 'bob', 'read');
    const reader = await k.inject({ method: 'PUT', url: `${api}/repository`, token: bobAdmin, payload: { repository: 'alice/secret' } });
    assert.equal(reader.statusCode, 403);
    assert.match(reader.json().error.message, /write permission on repository alice\/secret/);
    await k.core.repos.setCollaborator('alice/tools', 'carol', 'write');
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/repository`, token: carolAdmin, payload: { repository: 'alice/tools' } })).statusCode, 403, 'a writer is no package admin');
  });

  it('unlinks: the package keeps its visibility and the repository admin who unlinks becomes its admin', async () => {
    const before = await rev();
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/repository`, token: carolAdmin })).statusCode, 403);
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/repository`, token: bobAdmin })).statusCode, 204);
    assert.equal(await rev(), before + 1);
    const pkg = (await k.inject({ method: 'GET', url: api, token: bob })).json();
    assert.deepEqual([pkg.repository, pkg.visibility], [null, 'public']);
    assert.deepEqual((await k.inject({ method: 'GET', url: `${api}/members`, token: bob })).json().map((m: { login: string; role: string }) => [m.login, m.role]), [['bob', 'admin']]);
    assert.deepEqual((await audit('package.unlink')).at(-1)!.meta, { repository: 'alice/tools', visibility: 'public', admin: 'bob' });
    const again = await k.inject({ method: 'DELETE', url: `${api}/repository`, token: aliceAdmin });
    assert.equal(again.statusCode, 404);
    assert.match(again.json().error.message, /not linked/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operator } from '../../src/core/access/principal.js';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('organization members through the REST API', () => {
  let k: TestKura;
  let alice: string;
  let aliceAdmin: string;
  let bob: string;
  let bobAdmin: string;
  let carolAdmin: string;
  const url = '/api/v1/orgs/acme';

  const audit = async (action: string) => (await k.core.deps.db.selectFrom('audit_log').select('meta').where('action', '=', action).where('target', '=', 'org:acme').orderBy('id').execute())
    .map((row) => JSON.parse(row.meta!));

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    aliceAdmin = await k.token('alice', ['admin']);
    bob = (await k.user('bob')).token;
    bobAdmin = await k.token('bob', ['admin']);
    await k.user('carol');
    carolAdmin = await k.token('carol', ['admin']);
    await k.user('dave');
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.setOrgMember('acme', 'bob', 'member');
  });
  after(() => k.close());

  it('lists the members to members only, with GitHub’s role names', async () => {
    const listed = await k.inject({ method: 'GET', url: `${url}/members`, token: bob });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(listed.json().map((m: { login: string; role: string; type: string }) => [m.login, m.role, m.type]), [['alice', 'admin', 'User'], ['bob', 'member', 'User']]);
    assert.deepEqual((await k.inject({ method: 'GET', url: `${url}/members?role=admin`, token: bob })).json().map((m: { login: string }) => m.login), ['alice']);
    assert.equal((await k.inject({ method: 'GET', url: `${url}/members?role=owner`, token: bob })).statusCode, 400);
    const outsider = await k.inject({ method: 'GET', url: `${url}/members`, token: carolAdmin });
    assert.equal(outsider.statusCode, 404);
    assert.match(outsider.json().error.message, /visible to its members only/);
    const anonymous = await k.inject({ method: 'GET', url: `${url}/members` });
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /Bearer realm="kura"/);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/orgs/alice/members', token: alice })).statusCode, 404, 'alice is a user');
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/orgs/nothing/members' })).statusCode, 401);
  });

  it('reads one membership in GitHub’s shape', async () => {
    const res = await k.inject({ method: 'GET', url: `${url}/memberships/bob`, token: alice });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual([body.state, body.role, body.organization.login, body.organization.type, body.user.login], ['active', 'member', 'acme', 'Organization', 'bob']);
    assert.equal(body.url, 'http://localhost:80/api/v1/orgs/acme/memberships/bob');
    const notMember = await k.inject({ method: 'GET', url: `${url}/memberships/carol`, token: alice });
    assert.equal(notMember.statusCode, 404);
    assert.match(notMember.json().error.message, /carol is not a member of acme/);
    assert.equal((await k.inject({ method: 'GET', url: `${url}/memberships/bob`, token: carolAdmin })).statusCode, 404);
  });

  it('lets owners add members and change roles; members, outsiders and narrow tokens may not', async () => {
    const added = await k.inject({ method: 'PUT', url: `${url}/memberships/carol`, token: aliceAdmin, payload: {} });
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(added.json().role, 'member', 'member is the default role');
    const promoted = await k.inject({ method: 'PUT', url: `${url}/memberships/carol`, token: aliceAdmin, payload: { role: 'admin' } });
    assert.equal(promoted.json().role, 'admin');
    assert.equal((await k.core.owners.orgMembership('acme', 'carol', operator)).role, 'owner');
    assert.deepEqual((await audit('org.member.set')).slice(-2), [{ user: 'carol', role: 'member', previous: null }, { user: 'carol', role: 'owner', previous: 'member' }]);
    await k.inject({ method: 'PUT', url: `${url}/memberships/carol`, token: aliceAdmin, payload: { role: 'member' } });

    const member = await k.inject({ method: 'PUT', url: `${url}/memberships/dave`, token: bobAdmin, payload: { role: 'member' } });
    assert.equal(member.statusCode, 403);
    assert.match(member.json().error.message, /owner role in organization acme/);
    const scope = await k.inject({ method: 'PUT', url: `${url}/memberships/dave`, token: alice, payload: { role: 'member' } });
    assert.equal(scope.statusCode, 403);
    assert.equal(scope.json().error.code, 'MISSING_SCOPE');
    assert.equal((await k.inject({ method: 'PUT', url: `${url}/memberships/dave`, token: await k.token('dave', ['admin']), payload: { role: 'admin' } })).statusCode, 404, 'an outsider cannot even see the members');
    for (const role of ['owners', 'maintainer', 'constructor', 7]) {
      assert.equal((await k.inject({ method: 'PUT', url: `${url}/memberships/dave`, token: aliceAdmin, payload: { role } })).statusCode, 400, String(role));
    }
    assert.equal((await k.inject({ method: 'PUT', url: `${url}/memberships/nobody`, token: aliceAdmin, payload: { role: 'member' } })).statusCode, 404);
    assert.equal((await k.core.owners.orgMembers('acme', operator)).some((m) => m.user.login === 'dave'), false);
  });

  it('never leaves the organization without an owner', async () => {
    const demote = await k.inject({ method: 'PUT', url: `${url}/memberships/alice`, token: aliceAdmin, payload: { role: 'member' } });
    assert.equal(demote.statusCode, 409);
    assert.equal(demote.json().error.code, 'LAST_OWNER');
    assert.match(demote.json().error.message, /alice is the last owner of acme/);
    const remove = await k.inject({ method: 'DELETE', url: `${url}/memberships/alice`, token: aliceAdmin });
    assert.equal(remove.statusCode, 409);
    await assert.rejects(k.core.owners.setOrgMember('acme', 'alice', 'member'), { code: 'LAST_OWNER' }, 'the kura command too');
    assert.equal((await k.core.owners.orgMembership('acme', 'alice', operator)).role, 'owner');

    await k.core.owners.setOrgMember('acme', 'bob', 'owner');
    const [first, second] = await Promise.allSettled([
      k.core.owners.setOrgMember('acme', 'alice', 'member', operator),
      k.core.owners.setOrgMember('acme', 'bob', 'member', operator),
    ]);
    assert.deepEqual([first.status, second.status].sort(), ['fulfilled', 'rejected'], 'two owners demoting at once leave one owner');
    const owners = await k.core.owners.orgMembers('acme', operator, 'owner');
    assert.equal(owners.length, 1);
    await k.core.owners.setOrgMember('acme', 'alice', 'owner');
    await k.core.owners.setOrgMember('acme', 'bob', 'member');
  });

  it('removes a member, with the roles they had on the organization’s repositories and packages', async () => {
    await k.core.repos.create({ fullName: 'acme/site', visibility: 'private' });
    await k.core.repos.create({ fullName: 'alice/own', visibility: 'private' });
    await k.core.repos.setCollaborator('acme/site', 'carol', 'write');
    await k.core.repos.setCollaborator('alice/own', 'carol', 'write');
    const tarball = await buildTarball({ name: '@acme/lib', version: '1.0.0' });
    assert.equal((await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@acme/lib')}`, token: bob, payload: publishBody('@acme/lib', '1.0.0', tarball) })).statusCode, 201);
    const pkg = (await k.core.packages.queries.find('npm', 'acme', '@acme/lib'))!;
    await k.core.packages.setMember(operator, pkg, 'carol', 'read');

    assert.equal((await k.inject({ method: 'DELETE', url: `${url}/memberships/carol`, token: aliceAdmin })).statusCode, 204);
    assert.deepEqual((await audit('org.member.remove')).at(-1), { user: 'carol', role: 'member', repositories: 1, packages: 1 });
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/acme/site', token: carolAdmin })).statusCode, 404, 'no role on the org repository is left');
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/orgs/acme/packages/npm/lib', token: carolAdmin })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/repos/alice/own', token: carolAdmin })).statusCode, 200, 'roles elsewhere stay');

    const again = await k.inject({ method: 'DELETE', url: `${url}/memberships/carol`, token: aliceAdmin });
    assert.equal(again.statusCode, 404);
    assert.equal((await k.inject({ method: 'DELETE', url: `${url}/memberships/bob`, token: bobAdmin })).statusCode, 403, 'members do not remove members');
  });

  it('changes only existing members’ roles with setOrgRole', async () => {
    await assert.rejects(k.core.owners.setOrgRole('acme', 'dave', 'member', operator), { code: 'NOT_FOUND', message: 'dave is not a member of acme' });
    assert.equal((await k.core.owners.setOrgRole('acme', 'bob', 'owner', operator)).role, 'owner');
    await k.core.owners.setOrgRole('acme', 'bob', 'member', operator);
  });
});

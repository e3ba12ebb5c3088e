import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { WebVisitor } from '../support/web-visitor.js';

const password = 'correct horse battery staple';
const basic = (login: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${login}:${secret}`).toString('base64')}` });

describe('site administration and owner settings through the REST API', () => {
  let k: TestKura;
  let admin: string;
  let alice: string;
  let bob: string;

  before(async () => {
    k = await startTestKura();
    admin = (await k.user('root', { admin: true, scopes: ['admin'] })).token;
    alice = (await k.user('alice', { password, scopes: ['read:packages', 'write:packages', 'admin'] })).token;
    bob = (await k.user('bob', { password })).token;
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.setOrgMember('acme', 'bob', 'member');
  });
  after(() => k.close());

  const audited = async (action: string) => {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from audit_log where action = ${action}`.execute(k.core.deps.db);
    return Number(rows[0]!.n);
  };

  it('lets a site admin create a user, and no one else', async () => {
    const created = await k.inject({ method: 'POST', url: '/api/v1/admin/users', token: admin, payload: { login: 'carol', email: 'carol@example.com', password } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((created.json() as { login: string }).login, 'carol');
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', headers: basic('carol', password) })).statusCode, 200);
    assert.equal((await k.inject({ method: 'POST', url: '/api/v1/admin/users', token: alice, payload: { login: 'dave' } })).statusCode, 403);
    assert.equal((await k.inject({ method: 'POST', url: '/api/v1/admin/users', payload: { login: 'dave' } })).statusCode, 401);
    assert.equal((await k.inject({ method: 'POST', url: '/api/v1/admin/users', token: admin, payload: { login: 'carol' } })).statusCode, 409);
    assert.equal((await k.inject({ method: 'POST', url: '/api/v1/admin/users', token: admin, payload: { login: '-bad-' } })).statusCode, 400);
    assert.equal(await k.core.owners.find('dave'), null);
  });

  it('suspends a user: tokens, password and browser session stop at once; reinstating restores the tokens', async () => {
    const browser = await WebVisitor.signedIn(k, 'bob', password);
    assert.equal((await browser.get('/settings/tokens')).statusCode, 200);
    assert.equal((await k.inject({ method: 'PUT', url: '/api/v1/users/bob/suspended', token: alice })).statusCode, 403, 'not a site admin');
    const suspended = await k.inject({ method: 'PUT', url: '/api/v1/users/bob/suspended', token: admin });
    assert.equal(suspended.statusCode, 204, suspended.body);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: bob })).statusCode, 401);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/-/whoami', token: bob })).statusCode, 401);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', headers: basic('bob', password) })).statusCode, 401);
    assert.equal((await browser.get('/settings/tokens')).statusCode, 303, 'the browser session still works');
    const relogin = new WebVisitor(k);
    await relogin.get('/login');
    assert.equal((await relogin.postForm('/login', { login: 'bob', password })).statusCode, 401);
    assert.match(String((await k.inject({ method: 'GET', url: '/api/v1/users/bob', token: admin })).json<{ suspended_at: string | null }>().suspended_at), /^\d{4}-/);

    assert.equal((await k.inject({ method: 'DELETE', url: '/api/v1/users/bob/suspended', token: admin })).statusCode, 204);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: bob })).statusCode, 200);
    assert.equal(await audited('user.suspend'), 1);
    assert.equal(await audited('user.unsuspend'), 1);
  });

  it('never suspends a site admin', async () => {
    const res = await k.inject({ method: 'PUT', url: '/api/v1/users/root/suspended', token: admin });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/user', token: admin })).statusCode, 200);
  });

  it('lets an organization\'s owners set the visibility its new unlinked packages start with; members are refused', async () => {
    assert.equal((await k.inject({ method: 'GET', url: '/api/v1/orgs/acme' })).json<{ default_package_visibility: string }>().default_package_visibility, 'private');
    assert.equal((await k.inject({ method: 'PATCH', url: '/api/v1/orgs/acme', token: bob, payload: { default_package_visibility: 'public' } })).statusCode, 403);
    assert.equal((await k.inject({ method: 'PATCH', url: '/api/v1/orgs/acme', payload: { default_package_visibility: 'public' } })).statusCode, 401);
    assert.equal((await k.inject({ method: 'PATCH', url: '/api/v1/orgs/acme', token: alice, payload: { default_package_visibility: 'open' } })).statusCode, 400);
    const changed = await k.inject({ method: 'PATCH', url: '/api/v1/orgs/acme', token: alice, payload: { default_package_visibility: 'public' } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json<{ default_package_visibility: string }>().default_package_visibility, 'public');

    const tarball = await buildTarball({ name: '@acme/tool', version: '1.0.0' });
    const published = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@acme/tool')}`, token: bob, payload: publishBody('@acme/tool', '1.0.0', tarball) });
    assert.equal(published.statusCode, 201, published.body);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@acme%2ftool' })).statusCode, 200, 'the new package is public');
  });

  it('lets a user set their own default and no one else\'s', async () => {
    const res = await k.inject({ method: 'PATCH', url: '/api/v1/user', token: alice, payload: { default_package_visibility: 'public' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await k.core.owners.find('alice'))!.publicPackagesByDefault, true);
    await assert.rejects(k.core.owners.setPublicPackagesByDefault('alice', false, { kind: 'user', user: (await k.core.owners.find('bob'))!, scopes: new Set(['admin']), repoId: null, tokenId: null }), /site admins/);
  });
});

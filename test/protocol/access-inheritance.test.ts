import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('a linked package inherits its repository\'s access, or keeps its own', () => {
  let k: TestKura;
  let alice: string;
  let carol: string;
  const name = '@alice/linked';
  const api = `/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`;
  const packument = `/npm/${npmUrlName(name)}`;

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice', { scopes: ['read:packages', 'write:packages', 'delete:packages', 'admin'] })).token;
    carol = (await k.user('carol')).token;
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    await k.core.repos.setCollaborator('alice/secret', 'carol', 'read');
    const manifest = { repository: 'alice/secret' };
    const tarball = await buildTarball({ name, version: '1.0.0', manifest });
    assert.equal((await k.inject({ method: 'PUT', url: packument, token: alice, payload: publishBody(name, '1.0.0', tarball, { manifest }) })).statusCode, 201);
  });
  after(() => k.close());

  const status = async (token?: string) => (await k.inject({ method: 'GET', url: packument, token })).statusCode;

  it('follows the repository while it inherits: its collaborators read it, its own visibility cannot be set', async () => {
    assert.equal((await k.inject({ method: 'GET', url: api, token: alice })).json<{ inherit_access: boolean }>().inherit_access, true);
    assert.equal(await status(carol), 200);
    assert.equal(await status(), 401);
    assert.equal((await k.inject({ method: 'PATCH', url: api, token: alice, payload: { visibility: 'public' } })).statusCode, 400);
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/members/carol`, token: alice, payload: { role: 'read' } })).statusCode, 400);
  });

  it('only its admins turn inheriting off; then the repository\'s collaborators lose it, and its own roles and visibility apply', async () => {
    assert.equal((await k.inject({ method: 'PATCH', url: api, token: carol, payload: { inherit_access: false } })).statusCode, 403);
    const off = await k.inject({ method: 'PATCH', url: api, token: alice, payload: { inherit_access: false } });
    assert.equal(off.statusCode, 200, off.body);
    assert.deepEqual([off.json<{ inherit_access: boolean }>().inherit_access, off.json<{ visibility: string }>().visibility], [false, 'private']);
    assert.equal(await status(carol), 404, 'a collaborator of the repository still reads it');
    assert.equal(await status(alice), 200);
    assert.equal((await k.inject({ method: 'PUT', url: `${api}/members/carol`, token: alice, payload: { role: 'read' } })).statusCode, 201);
    assert.equal(await status(carol), 200);
    assert.equal((await k.inject({ method: 'PATCH', url: api, token: alice, payload: { visibility: 'public' } })).statusCode, 200);
    assert.equal(await status(), 200, 'public while its repository stays private');
    assert.equal((await k.core.repos.find('alice', 'secret'))!.visibility, 'private');
  });

  it('turned on again, follows the repository and drops its own roles', async () => {
    const on = await k.inject({ method: 'PATCH', url: api, token: alice, payload: { inherit_access: true } });
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json<{ visibility: string }>().visibility, 'private');
    assert.equal(await status(), 401);
    assert.equal(await status(carol), 200, 'carol reads it as a collaborator of the repository');
    await k.core.repos.removeCollaborator((await k.core.repos.find('alice', 'secret'))!, 'carol', { kind: 'operator' });
    assert.equal(await status(carol), 404, 'the package role carol had was kept');
  });

  it('refuses inheriting for an unlinked package', async () => {
    const tarball = await buildTarball({ name: '@alice/loose', version: '1.0.0' });
    assert.equal((await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@alice/loose')}`, token: alice, payload: publishBody('@alice/loose', '1.0.0', tarball) })).statusCode, 201);
    const res = await k.inject({ method: 'PATCH', url: `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/loose')}`, token: alice, payload: { inherit_access: false } });
    assert.equal(res.statusCode, 400, res.body);
  });
});

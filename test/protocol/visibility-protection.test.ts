import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('a much-downloaded public package stays public', () => {
  let k: TestKura;
  let alice: string;
  let admin: string;
  const url = `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/popular')}`;

  before(async () => {
    k = await startTestKura({ KURA_DELETE_PROTECTION_DOWNLOADS: '2' });
    alice = (await k.user('alice', { scopes: ['read:packages', 'write:packages', 'delete:packages', 'admin'] })).token;
    admin = (await k.user('root', { admin: true, scopes: ['admin'] })).token;
    const tarball = await buildTarball({ name: '@alice/popular', version: '1.0.0' });
    assert.equal((await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@alice/popular')}`, token: alice, payload: publishBody('@alice/popular', '1.0.0', tarball) })).statusCode, 201);
    assert.equal((await k.inject({ method: 'PATCH', url, token: alice, payload: { visibility: 'public' } })).statusCode, 200);
  });
  after(() => k.close());

  it('lets its admin make it private while it is downloaded no more than the threshold', async () => {
    assert.equal((await k.inject({ method: 'PATCH', url, token: alice, payload: { visibility: 'private' } })).statusCode, 200);
    assert.equal((await k.inject({ method: 'PATCH', url, token: alice, payload: { visibility: 'public' } })).statusCode, 200);
  });

  it('refuses its admin once a version is downloaded more often, and lets a site admin do it', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice/popular/-/popular-1.0.0.tgz' })).statusCode, 200);
    await k.core.downloads.flush();
    const refused = await k.inject({ method: 'PATCH', url, token: alice, payload: { visibility: 'private' } });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'VISIBILITY_PROTECTED');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fpopular' })).statusCode, 200, 'still public');
    assert.equal((await k.inject({ method: 'PATCH', url, token: admin, payload: { visibility: 'private' } })).statusCode, 200);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fpopular' })).statusCode, 401, 'private now');
  });
});

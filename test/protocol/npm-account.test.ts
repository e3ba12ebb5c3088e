import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, publishBody } from '../support/npm-fixtures.js';

describe('npm accounts, URLs and small endpoints', () => {
  let k: TestKura;

  before(async () => {
    k = await startTestKura({ KURA_BASE_URL: 'https://kura.example/' });
    await k.user('alice', { password: 'correct horse battery' });
    await k.core.repos.create({ fullName: 'alice/tools' });
  });
  after(() => k.close());

  it('logs in with the legacy couchdb flow and returns a working token', async () => {
    const res = await k.inject({ method: 'PUT', url: '/npm/-/user/org.couchdb.user:alice', payload: { name: 'alice', password: 'correct horse battery', type: 'user' } });
    assert.equal(res.statusCode, 201, res.body);
    const { token } = res.json();
    assert.match(token, /^kura_/);
    const whoami = await k.inject({ method: 'GET', url: '/npm/-/whoami', token });
    assert.deepEqual(whoami.json(), { username: 'alice' });
    const logout = await k.inject({ method: 'DELETE', url: `/npm/-/user/token/${token}`, token });
    assert.equal(logout.statusCode, 200);
    assert.equal((await k.inject({ method: 'GET', url: '/npm/-/whoami', token })).statusCode, 401);
  });

  it('refuses a wrong password and unknown users with 401, and never creates accounts', async () => {
    const wrong = await k.inject({ method: 'PUT', url: '/npm/-/user/org.couchdb.user:alice', payload: { name: 'alice', password: 'nope nope nope' } });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.json().error, /incorrect username or password/);
    const stranger = await k.inject({ method: 'PUT', url: '/npm/-/user/org.couchdb.user:mallory', payload: { name: 'mallory', password: 'whatever123' } });
    assert.equal(stranger.statusCode, 401);
    assert.equal(await k.core.owners.find('mallory'), null);
  });

  it('answers whoami 401 for anonymous callers and ping with {}', async () => {
    assert.equal((await k.inject({ method: 'GET', url: '/npm/-/whoami' })).statusCode, 401);
    assert.deepEqual((await k.inject({ method: 'GET', url: '/npm/-/ping' })).json(), {});
  });

  it('builds tarball URLs from the configured base URL', async () => {
    const token = await k.token('alice', ['write:packages']);
    const tarball = await buildTarball({ name: '@alice/urls', version: '1.0.0', manifest: { repository: 'alice/tools' } });
    const put = await k.inject({ method: 'PUT', url: '/npm/@alice%2furls', token, payload: publishBody('@alice/urls', '1.0.0', tarball, { manifest: { repository: 'alice/tools' } }) });
    assert.equal(put.statusCode, 201, put.body);
    const doc = (await k.inject({ method: 'GET', url: '/npm/@alice%2furls', headers: { host: 'internal:9999' } })).json();
    assert.equal(doc.versions['1.0.0'].dist.tarball, 'https://kura.example/npm/@alice/urls/-/urls-1.0.0.tgz');
  });

  it('serves one version by number or tag, and 404s an unknown one', async () => {
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2furls/1.0.0' })).json().version, '1.0.0');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2furls/latest' })).json().version, '1.0.0');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2furls/9.9.9' })).statusCode, 404);
  });
});

describe('npm tarball URLs without a configured base URL', () => {
  it('follow the request’s forwarded proto and host', async () => {
    const k = await startTestKura();
    try {
      const { token } = await k.user('alice');
      await k.core.owners.setPublicPackagesByDefault('alice', true);
      const tarball = await buildTarball({ name: '@alice/fwd', version: '1.0.0' });
      assert.equal((await k.inject({ method: 'PUT', url: '/npm/@alice%2ffwd', token, payload: publishBody('@alice/fwd', '1.0.0', tarball) })).statusCode, 201);
      const doc = (await k.inject({ method: 'GET', url: '/npm/@alice%2ffwd', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'registry.example' } })).json();
      assert.equal(doc.versions['1.0.0'].dist.tarball, 'https://registry.example/npm/@alice/fwd/-/fwd-1.0.0.tgz');
      const direct = (await k.inject({ method: 'GET', url: '/npm/@alice%2ffwd', headers: { host: '10.1.2.3:8080' } })).json();
      assert.equal(direct.versions['1.0.0'].dist.tarball, 'http://10.1.2.3:8080/npm/@alice/fwd/-/fwd-1.0.0.tgz');
    } finally {
      await k.close();
    }
  });
});

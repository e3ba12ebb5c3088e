import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestKura } from '../support/harness.js';
import { buildTarball, publishBody } from '../support/npm-fixtures.js';
import { imageFixture, pushImage } from '../support/oci-fixtures.js';

describe('format modes set by the site admin', () => {
  it('answers 404 naming the setting when a format is disabled', async () => {
    const k = await startTestKura({ KURA_FORMATS: 'npm=disabled' });
    try {
      const res = await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'FORMAT_DISABLED');
      assert.match(res.json().error, /KURA_FORMATS npm=disabled/);
    } finally {
      await k.close();
    }
  });

  it('serves downloads but refuses uploads when a format is read-only', async () => {
    const k = await startTestKura({ KURA_FORMATS: 'npm=read-only' });
    try {
      const { token } = await k.user('alice');
      const tarball = await buildTarball({ name: '@alice/ro', version: '1.0.0' });
      const put = await k.inject({ method: 'PUT', url: '/npm/@alice%2fro', token, payload: publishBody('@alice/ro', '1.0.0', tarball) });
      assert.equal(put.statusCode, 403);
      assert.equal(put.json().code, 'READ_ONLY');
      assert.equal((await k.inject({ method: 'GET', url: '/npm/-/ping' })).statusCode, 200);
    } finally {
      await k.close();
    }
  });
});

describe('format modes apply to the REST API and the web pages', () => {
  let dir: string;
  let token: string;
  let versionId: number;

  /** A Kura on a data directory that outlives it, so a second one can start with other modes. */
  const start = (modes: string) => startTestKura({ KURA_DATA_DIR: dir, KURA_DATABASE: 'DATA/kura.db', KURA_BLOB_DRIVER: 'fs', KURA_FORMATS: modes });
  const api = '/api/v1/users/alice/packages';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kura-modes-'));
    const k = await start('');
    try {
      token = (await k.user('alice')).token;
      await k.core.repos.create({ fullName: 'alice/tools' });
      const manifest = { repository: 'alice/tools' };
      for (const name of ['@alice/kept', '@alice/gone']) {
        const tarball = await buildTarball({ name, version: '1.0.0', manifest });
        const put = await k.inject({ method: 'PUT', url: `/npm/${name.replace('/', '%2f')}`, token, payload: publishBody(name, '1.0.0', tarball, { manifest }) });
        assert.equal(put.statusCode, 201, put.body);
      }
      const linked = imageFixture({ annotations: { 'org.opencontainers.image.source': 'https://kura.example/alice/tools' } });
      const pushed = await pushImage(k, token, 'alice/web', linked, 'v1');
      assert.equal(pushed.statusCode, 201, pushed.body);
      const versions = await k.inject({ method: 'GET', url: `${api}/npm/kept/versions`, token });
      versionId = (versions.json() as Array<{ id: number }>)[0]!.id;
      assert.equal((await k.inject({ method: 'DELETE', url: `${api}/npm/gone`, token })).statusCode, 204);
    } finally {
      await k.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hides a disabled format’s packages: 404 naming the setting on the API, absent from lists and pages', async () => {
    const k = await start('npm=disabled');
    try {
      const one = await k.inject({ method: 'GET', url: `${api}/npm/kept`, token });
      assert.equal(one.statusCode, 404, one.body);
      assert.equal(one.json().error.code, 'FORMAT_DISABLED');
      assert.match(one.json().error.message, /KURA_FORMATS npm=disabled/);
      assert.equal((await k.inject({ method: 'GET', url: `${api}/npm/kept/versions`, token })).statusCode, 404);
      assert.equal((await k.inject({ method: 'DELETE', url: `${api}/npm/kept`, token })).statusCode, 404);
      assert.equal((await k.inject({ method: 'POST', url: `${api}/npm/gone/restore`, token })).statusCode, 404);
      const list = (await k.inject({ method: 'GET', url: api, token })).json() as Array<{ package_type: string }>;
      assert.deepEqual(list.map((p) => p.package_type), ['container']);
      assert.equal((await k.inject({ method: 'GET', url: '/repos/alice/tools/packages' })).statusCode, 404);
      const repoList = (await k.inject({ method: 'GET', url: '/api/v1/repos/alice/tools/packages', token })).json() as Array<{ package_type: string }>;
      assert.deepEqual(repoList.map((p) => p.package_type), ['container']);
      assert.equal((await k.inject({ method: 'GET', url: '/alice/-/packages/npm/%40alice%2Fkept', token })).statusCode, 404);
      for (const page of ['/', '/?q=kept', '/alice', '/alice/tools']) {
        const res = await k.inject({ method: 'GET', url: page, token });
        assert.equal(res.statusCode, 200, page);
        assert.ok(!res.body.includes('@alice/kept'), `${page} lists a package of a disabled format`);
      }
      assert.equal((await k.inject({ method: 'GET', url: '/alice/-/packages/container/web', token })).statusCode, 200);
    } finally {
      await k.close();
    }
  });

  it('refuses deletes, restores and setting changes of a read-only format’s packages, and still serves reads', async () => {
    const k = await start('npm=read-only,container=read-only');
    try {
      const refused = async (method: 'DELETE' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) => {
        const res = await k.inject({ method, url, token, ...(payload ? { payload } : {}) });
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'READ_ONLY');
      };
      await refused('DELETE', `${api}/npm/kept`);
      await refused('DELETE', `${api}/npm/kept/versions/${versionId}`);
      await refused('POST', `${api}/npm/kept/versions/${versionId}/restore`);
      await refused('POST', `${api}/npm/gone/restore`);
      await refused('PATCH', `${api}/npm/kept`, { visibility: 'private' });
      await refused('PATCH', `${api}/container/web/settings`, { untagged_retention_days: 3 });
      assert.equal((await k.inject({ method: 'GET', url: `${api}/npm/kept`, token })).statusCode, 200);
      assert.deepEqual((await k.inject({ method: 'GET', url: `${api}/container/web/settings`, token })).json(), { untagged_retention_days: null });
      assert.equal((await k.inject({ method: 'GET', url: '/alice/-/packages/npm/%40alice%2Fkept' })).statusCode, 200);
      assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fkept' })).statusCode, 200);
    } finally {
      await k.close();
    }
  });
});

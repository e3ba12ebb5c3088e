import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestKura } from '../support/harness.js';
import { buildTarball, publishBody } from '../support/npm-fixtures.js';

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

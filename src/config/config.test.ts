import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses defaults: SQLite and blobs under ./data, 127.0.0.1:8080, 256 MB bodies', () => {
    const config = loadConfig({}, {});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.match(config.databaseFile, /data\/kura\.db$/);
    assert.equal(config.maxBodyBytes, 256 * 1024 * 1024);
    assert.equal(config.baseUrl, null);
    assert.equal(config.maxBlobBytes, 10 * 1024 ** 3);
    assert.deepEqual(config.trustedProxies, ['loopback', 'linklocal', 'uniquelocal']);
  });

  it('reads trusted proxies as addresses, CIDR ranges and named ranges', () => {
    assert.deepEqual(loadConfig({}, { KURA_TRUSTED_PROXIES: ' 203.0.113.7, 198.51.100.0/24,2001:db8::/32 ,loopback' }).trustedProxies, ['203.0.113.7', '198.51.100.0/24', '2001:db8::/32', 'loopback']);
    for (const bad of ['true', 'proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '*']) {
      assert.throws(() => loadConfig({}, { KURA_TRUSTED_PROXIES: bad }), /invalid KURA_TRUSTED_PROXIES entry/, bad);
    }
  });

  it('lets flags beat KURA_* variables, which beat defaults', () => {
    const config = loadConfig({ port: '9000' }, { KURA_PORT: '8500', KURA_HOST: '0.0.0.0', KURA_BASE_URL: 'https://kura.example/', KURA_FORMATS: 'npm=read-only' });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.baseUrl, 'https://kura.example');
    assert.deepEqual(config.formatModes, { npm: 'read-only' });
  });

  it('fails with one line naming the bad setting', () => {
    assert.throws(() => loadConfig({ port: 'eighty' }, {}), /invalid port "eighty"/);
    assert.throws(() => loadConfig({}, { KURA_MAX_BODY_SIZE: 'huge' }), /invalid size "huge"/);
    assert.throws(() => loadConfig({}, { KURA_FORMATS: 'npm=off' }), /invalid format mode/);
    assert.throws(() => loadConfig({}, { KURA_BASE_URL: 'kura.example' }), /invalid base URL/);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createKura, createLogger } from '../../src/main.js';

describe('logging', () => {
  it('never writes a token, in headers or URLs, and logs requests', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const config = loadConfig({}, { KURA_DATABASE: ':memory:', KURA_BLOB_DRIVER: 'memory', KURA_DATA_DIR: '/nonexistent-kura-test-dir' });
    const kura = await createKura(config, { logger: createLogger('info', sink) });
    try {
      const user = await kura.core.owners.createUser({ login: 'alice' });
      const { token } = await kura.core.tokens.create({ userId: user.id, scopes: ['read:packages'] });
      await kura.app.inject({ method: 'GET', url: '/npm/-/whoami', headers: { authorization: `Bearer ${token}` } });
      const logout = await kura.app.inject({ method: 'DELETE', url: `/npm/-/user/token/${token}`, headers: { authorization: `Bearer ${token}` } });
      assert.equal(logout.statusCode, 200, logout.body);
      await kura.app.inject({ method: 'GET', url: `/npm/@alice%2fx?token=${token}` });
      const log = lines.join('');
      assert.match(log, /\/npm\/-\/whoami/, 'requests are logged');
      const whoami = lines.filter((line) => line.includes('/npm/-/whoami')).map((line) => JSON.parse(line) as { msg: string; req: { method: string; host?: string }; res: { statusCode: number }; responseTime: number });
      assert.equal(whoami.length, 1, 'one line per request');
      assert.equal(whoami[0]!.msg, 'request completed');
      assert.equal(whoami[0]!.req.method, 'GET');
      assert.equal(whoami[0]!.res.statusCode, 200);
      assert.equal(typeof whoami[0]!.responseTime, 'number');
      assert.ok(!log.includes(token), 'the token never appears in the log');
      assert.ok(!log.includes(token.slice(5)), 'not even without its prefix');
      assert.match(log, /\/-\/user\/token\/\[redacted\]/, 'the logout URL is logged, masked');
    } finally {
      await kura.close();
    }
  });
  it('masks credentials of any shape in query strings, also on the debug level\'s arrival lines', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const config = loadConfig({}, { KURA_DATABASE: ':memory:', KURA_BLOB_DRIVER: 'memory', KURA_DATA_DIR: '/nonexistent-kura-test-dir' });
    const kura = await createKura(config, { logger: createLogger('debug', sink) });
    try {
      // Passwords and other services' tokens pasted into a query string: not shaped like a Kura token.
      const secret = 'PlainPasswordInAUrl';
      await kura.app.inject({ method: 'GET', url: `/api/v1/user?password=${secret}&access_token=${secret}1&Token=${secret}2&api_key=${secret}3&client_secret=${secret}4&per_page=7` });
      await kura.app.inject({ method: 'GET', url: `/api/v1/user?%74oken=${secret}5&passwd=${secret}6` });
      await kura.app.inject({ method: 'GET', url: `/npm/@alice%2fx?_authToken=${secret}7` });
      const log = lines.join('');
      assert.match(log, /"msg":"incoming request"/, 'arrivals are logged at debug');
      assert.ok(!log.includes(secret), `secrets in query strings are masked: ${log}`);
      const urls = lines.map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url).filter(Boolean);
      assert.ok(urls.includes('/api/v1/user?password=[redacted]&access_token=[redacted]&Token=[redacted]&api_key=[redacted]&client_secret=[redacted]&per_page=7'), `other parameters stay readable: ${urls.join(' ')}`);
    } finally {
      await kura.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { WebVisitor } from '../support/web-visitor.js';

const password = 'correct horse battery staple';

/**
 * 21 sign-ins with a wrong password by one browser from `remoteAddress`, each to another account
 * (`PREFIX0`…) and with X-Forwarded-For naming another client; their statuses.
 */
async function signInsFrom(k: TestKura, prefix: string, remoteAddress: string): Promise<number[]> {
  const visitor = new WebVisitor(k);
  await visitor.get('/login');
  const statuses: number[] = [];
  for (let n = 0; n < 21; n++) {
    const body = new URLSearchParams({ csrf: visitor.csrf, login: `${prefix}${n}`, password: 'wrong password' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `198.51.100.${n}` };
    statuses.push((await visitor.send({ method: 'POST', url: '/login', payload: body, remoteAddress, headers })).statusCode);
  }
  return statuses;
}

describe('signing in through the web UI', () => {
  let k: TestKura;

  before(async () => {
    k = await startTestKura({ KURA_BASE_URL: 'https://kura.example' });
    await k.user('alice', { password });
  });
  after(() => k.close());

  it('sets a Secure, HttpOnly, SameSite=Lax session cookie when the base URL is https, and clears it on sign-out', async () => {
    const visitor = new WebVisitor(k);
    await visitor.get('/login');
    const res = await visitor.postForm('/login', { login: 'alice', password, next: '/alice' }, { origin: 'https://kura.example' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/alice');
    const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('kura_session='));
    assert.ok(cookie, 'no session cookie');
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; SameSite=Lax/);
    await visitor.get('/');
    const out = await visitor.postForm('/logout', {});
    assert.equal(out.statusCode, 303);
    assert.match(String([out.headers['set-cookie']].flat().find((c) => c?.startsWith('kura_session='))), /kura_session=;/);
    assert.equal((await visitor.get('/settings/tokens')).statusCode, 303, 'still signed in');
  });

  it('goes back only to a path of this site after signing in: never to another site, however the path is disguised', async () => {
    // Browsers drop tabs and newlines from a Location, so "/\t/evil.example" would be "//evil.example".
    const hostile = ['//evil.example', '/\\evil.example', 'https://evil.example/', '/\t/evil.example', '/\t\\evil.example', '/\r\n/evil.example', '/\u0000/evil.example', '/\u007f/x', '\t//evil.example'];
    for (const next of hostile) {
      const visitor = new WebVisitor(k);
      const page = await visitor.get(`/login?next=${encodeURIComponent(next)}`);
      assert.equal(page.statusCode, 200, `${JSON.stringify(next)}: ${page.body.slice(0, 200)}`);
      if (next.includes('\u0000')) {
        // A form may not carry a NUL at all.
        assert.equal((await visitor.postForm('/login', { login: 'alice', password, next }, { origin: 'https://kura.example' })).statusCode, 400);
        continue;
      }
      const res = await visitor.postForm('/login', { login: 'alice', password, next }, { origin: 'https://kura.example' });
      assert.equal(res.statusCode, 303, `${JSON.stringify(next)}: ${res.body.slice(0, 200)}`);
      assert.equal(res.headers.location, '/', JSON.stringify(next));
      const again = await visitor.get(`/login?next=${encodeURIComponent(next)}`);
      assert.equal(again.headers.location, '/', `signed in already: ${JSON.stringify(next)}`);
    }
  });

  it('answers 429 with Retry-After once an account has failed five times, even for the right password', async () => {
    const visitor = new WebVisitor(k);
    await visitor.get('/login');
    for (let i = 0; i < 5; i++) assert.equal((await visitor.postForm('/login', { login: 'alice', password: 'wrong password' })).statusCode, 401);
    const locked = await visitor.postForm('/login', { login: 'alice', password });
    assert.equal(locked.statusCode, 429, locked.body);
    assert.match(String(locked.headers['retry-after']), /^\d+$/);
    assert.match(locked.body, /<p class="error" role="alert">/);
    assert.ok(!locked.headers['set-cookie']?.toString().includes('kura_session='), 'a locked account got a session');
  });
  it('counts failed sign-ins by the connecting address: X-Forwarded-For is believed only from a proxy on a loopback or private address', async () => {
    for (let i = 0; i < 22; i++) await k.user(`sprayed${i}`, { password });
    const spoofed = await signInsFrom(k, 'sprayed', '203.0.113.7');
    assert.equal(spoofed.at(-1), 429, `a client on a public address cannot pass as others: ${spoofed.join(',')}`);
    const behindProxy = await signInsFrom(k, 'sprayed', '10.0.0.2');
    assert.ok(behindProxy.every((code) => code === 401), `clients behind a private proxy are told apart: ${behindProxy.join(',')}`);
  });
});

describe('sign-in behind a proxy named in KURA_TRUSTED_PROXIES', () => {
  let k: TestKura;
  before(async () => {
    k = await startTestKura({ KURA_BASE_URL: 'https://kura.example', KURA_TRUSTED_PROXIES: '203.0.113.7' });
  });
  after(() => k.close());

  it('believes X-Forwarded-For from that proxy only, on whatever address it runs', async () => {
    for (let i = 0; i < 22; i++) await k.user(`spread${i}`, { password });
    const behindProxy = await signInsFrom(k, 'spread', '203.0.113.7');
    assert.ok(behindProxy.every((code) => code === 401), `clients behind the configured proxy are told apart: ${behindProxy.join(',')}`);
    const spoofed = await signInsFrom(k, 'spread', '10.0.0.2');
    assert.equal(spoofed.at(-1), 429, `a peer not named is not believed, private or not: ${spoofed.join(',')}`);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KuraError } from '../../src/core/errors/catalogue.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';

const client = { address: '203.0.113.7', userAgent: 'test' };
const minute = 60_000;

async function refusal(promise: Promise<unknown>): Promise<KuraError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KuraError) return error;
    throw error;
  }
  throw new Error('expected a KuraError');
}

describe('browser sessions, sign-in throttling and CSRF tokens', () => {
  let k: TestKura;
  const clock = new TestClock();

  before(async () => {
    k = await startTestKura({ KURA_SESSION_IDLE_MINUTES: '30', KURA_SESSION_MAX_DAYS: '1' }, clock);
    for (const login of ['alice', 'bob', 'carol', 'dave']) await k.user(login, { password: 'correct horse battery' });
  });
  after(() => k.close());

  it('starts a session with the right password, stores only a hash of the cookie, and ends it on sign-out', async () => {
    const { cookie, identity } = await k.core.sessions.signIn('Alice', 'correct horse battery', client);
    assert.equal(identity.user.login, 'alice');
    assert.match(cookie, /^[A-Za-z0-9_-]{43}$/);
    const row = await k.core.deps.db.selectFrom('web_sessions').selectAll().where('id', '=', identity.session.id).executeTakeFirstOrThrow();
    assert.notEqual(row.session_hash, cookie);
    assert.equal((await k.core.sessions.resume(cookie))?.user.login, 'alice');
    await k.core.sessions.end(cookie);
    assert.equal(await k.core.sessions.resume(cookie), null);
    assert.equal(await k.core.sessions.resume('x'.repeat(43)), null);
  });

  it('refuses a wrong password and an unknown user with the same message', async () => {
    const wrong = await refusal(k.core.sessions.signIn('bob', 'nope', client));
    const unknown = await refusal(k.core.sessions.signIn('nobody', 'nope', { address: '203.0.113.8', userAgent: null }));
    assert.deepEqual([wrong.code, wrong.message], ['UNAUTHENTICATED', 'Incorrect username or password.']);
    assert.deepEqual([unknown.code, unknown.message], [wrong.code, wrong.message]);
  });

  it('ends a session unused for the idle time, and a busy one at its maximum age', async () => {
    const idle = await k.core.sessions.signIn('carol', 'correct horse battery', { address: null, userAgent: null });
    clock.advance(29 * minute);
    assert.ok(await k.core.sessions.resume(idle.cookie), 'used within the idle time');
    clock.advance(29 * minute);
    assert.ok(await k.core.sessions.resume(idle.cookie), 'each use restarts the idle time');
    clock.advance(31 * minute);
    assert.equal(await k.core.sessions.resume(idle.cookie), null, 'idle for 31 minutes');

    const busy = await k.core.sessions.signIn('carol', 'correct horse battery', { address: null, userAgent: null });
    for (let hour = 0; hour < 23; hour++) {
      clock.advance(25 * minute);
      assert.ok(await k.core.sessions.resume(busy.cookie));
    }
    clock.advance(25 * minute * 12);
    assert.equal(await k.core.sessions.resume(busy.cookie), null, 'older than a day');
  });

  it('revokes one of the user\'s sessions at once, and hides other users\' sessions', async () => {
    const { cookie, identity } = await k.core.sessions.signIn('dave', 'correct horse battery', client);
    assert.deepEqual((await k.core.sessions.list(identity.user.id)).map((s) => s.id), [identity.session.id]);
    const other = await k.core.owners.requireUser('alice');
    assert.equal((await refusal(k.core.sessions.revoke(other.id, identity.session.id))).code, 'NOT_FOUND');
    await k.core.sessions.revoke(identity.user.id, identity.session.id);
    assert.equal(await k.core.sessions.resume(cookie), null);
    assert.deepEqual(await k.core.sessions.list(identity.user.id), []);
  });

  it('locks an account after five failures in 15 minutes, even for the right password, and frees it after the window', async () => {
    await k.user('erin', { password: 'correct horse battery' });
    for (let i = 0; i < 5; i++) await refusal(k.core.sessions.signIn('erin', `guess ${i}`, { address: `198.51.100.${i}`, userAgent: null }));
    const locked = await refusal(k.core.sessions.signIn('erin', 'correct horse battery', { address: '198.51.100.99', userAgent: null }));
    assert.equal(locked.code, 'TOO_MANY_REQUESTS');
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.detail?.['retryAfterSeconds']) > 0);
    clock.advance(16 * minute);
    assert.equal((await k.core.sessions.signIn('erin', 'correct horse battery', client)).identity.user.login, 'erin');
  });

  it('locks an address after twenty failures across accounts', async () => {
    const address = { address: '192.0.2.1', userAgent: null };
    for (let i = 0; i < 20; i++) await refusal(k.core.sessions.signIn(`someone${i}`, 'guess', address));
    assert.equal((await refusal(k.core.sessions.signIn('alice', 'correct horse battery', address))).code, 'TOO_MANY_REQUESTS');
    assert.ok(await k.core.sessions.signIn('alice', 'correct horse battery', { address: '192.0.2.2', userAgent: null }));
  });

  it('issues CSRF tokens bound to one visitor, checked in constant time', async () => {
    const token = await k.core.csrf.issue('session:abc');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await k.core.csrf.verify('session:abc', token), true);
    assert.equal(await k.core.csrf.verify('session:abd', token), false);
    assert.equal(await k.core.csrf.verify('session:abc', `${token}x`), false);
    assert.equal(await k.core.csrf.verify('session:abc', ''), false);
    assert.equal(await k.core.csrf.verify('session:abc', undefined), false);
    assert.equal(await k.core.csrf.verify('', await k.core.csrf.issue('')), false);
  });
});

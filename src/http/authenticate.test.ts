import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCredentials } from './authenticate.js';

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

describe('readCredentials', () => {
  it('reads Bearer, token and bare tokens', () => {
    assert.deepEqual(readCredentials('Bearer kura_x'), { kind: 'token', username: null, secret: 'kura_x' });
    assert.deepEqual(readCredentials('token kura_x'), { kind: 'token', username: null, secret: 'kura_x' });
    assert.deepEqual(readCredentials('kura_x'), { kind: 'token', username: null, secret: 'kura_x' });
  });

  it('tells a token from a password in Basic credentials', () => {
    assert.deepEqual(readCredentials(basic('alice', 'kura_abc')), { kind: 'token', username: 'alice', secret: 'kura_abc' });
    assert.deepEqual(readCredentials(basic('alice', 'p:ss')), { kind: 'password', username: 'alice', secret: 'p:ss' });
  });

  it('returns null without a header', () => {
    assert.equal(readCredentials(undefined), null);
  });
});

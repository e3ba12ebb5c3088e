import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateToken, hashToken, isWellFormedToken, tokenPrefix } from './token-format.js';
import { parseScopes, scopeAllows } from './scopes.js';

describe('token format', () => {
  it('generates unique, prefixed tokens whose checksum verifies', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateToken));
    assert.equal(tokens.size, 200);
    for (const token of tokens) {
      assert.ok(token.startsWith(tokenPrefix));
      assert.equal(token.length, 41);
      assert.ok(isWellFormedToken(token), token);
    }
  });

  it('rejects a token with one character changed (checksum) or the wrong shape', () => {
    const token = generateToken();
    const flipped = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    assert.equal(isWellFormedToken(flipped), false);
    assert.equal(isWellFormedToken(token.slice(0, -1)), false);
    assert.equal(isWellFormedToken(`ghp_${token.slice(5)}`), false);
    assert.equal(isWellFormedToken(''), false);
  });

  it('stores a SHA-256 hex digest, never the token', () => {
    const token = generateToken();
    assert.match(hashToken(token), /^[0-9a-f]{64}$/);
    assert.ok(!hashToken(token).includes(token));
  });
});

describe('scopes', () => {
  it('parses lists and refuses unknown or empty ones', () => {
    assert.deepEqual(parseScopes('read:packages, write:packages'), ['read:packages', 'write:packages']);
    assert.throws(() => parseScopes('read:packages,push'), /unknown scope "push"/);
    assert.throws(() => parseScopes(''), /at least one scope/);
  });

  it('lets write and delete imply read, and admin imply everything', () => {
    assert.ok(scopeAllows(new Set(['write:packages']), 'read:packages'));
    assert.ok(scopeAllows(new Set(['delete:packages']), 'read:packages'));
    assert.ok(!scopeAllows(new Set(['read:packages']), 'write:packages'));
    assert.ok(!scopeAllows(new Set(['write:packages']), 'delete:packages'));
    assert.ok(scopeAllows(new Set(['admin']), 'delete:packages'));
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('package search', () => {
  let k: TestKura;

  before(async () => {
    k = await startTestKura();
    const { token } = await k.user('alice');
    await k.core.repos.create({ fullName: 'alice/tools' });
    for (const [name, description] of [
      ['@alice/snake_case', 'Converts to 100% snake case'],
      ['@alice/snakexcase', 'Converts to 100x snake case'],
    ] as const) {
      const manifest = { repository: 'alice/tools', description };
      const tarball = await buildTarball({ name, version: '1.0.0', manifest });
      const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, '1.0.0', tarball, { manifest }) });
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(() => k.close());

  const npmSearch = async (text: string) => {
    const res = await k.inject({ method: 'GET', url: `/npm/-/v1/search?text=${encodeURIComponent(text)}` });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { objects: Array<{ package: { name: string } }> }).objects.map((o) => o.package.name);
  };

  it('finds a name with `_` literally: `_` is not a wildcard', async () => {
    assert.deepEqual(await npmSearch('snake_case'), ['@alice/snake_case']);
    assert.deepEqual(await npmSearch('@alice/snake_'), ['@alice/snake_case']);
  });

  it('finds a description with `%` literally: `%` is not a wildcard', async () => {
    assert.deepEqual(await npmSearch('100%'), ['@alice/snake_case']);
    assert.deepEqual(await npmSearch('100x'), ['@alice/snakexcase']);
  });

  it('reads a repeated or odd query parameter as its first value, never as a server error', async () => {
    const repeated = await k.inject({ method: 'GET', url: '/npm/-/v1/search?text=snake_case&text=100x&size=1&size=2&from=0&from=1' });
    assert.equal(repeated.statusCode, 200, repeated.body);
    assert.deepEqual((repeated.json() as { objects: Array<{ package: { name: string } }> }).objects.map((o) => o.package.name), ['@alice/snake_case']);
    for (const query of ['text[a]=b', 'text=&size=abc&from=-3', 'size=1e9']) {
      const res = await k.inject({ method: 'GET', url: `/npm/-/v1/search?${query}` });
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    }
  });

  it('finds the same on the web home page', async () => {
    const res = await k.inject({ method: 'GET', url: '/?q=snake_case' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /@alice\/snake_case/);
    assert.ok(!res.body.includes('@alice/snakexcase'));
  });
});

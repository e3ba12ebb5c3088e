import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

// Kura reuses token and package lookups while the database is unchanged. Two servers on one
// SQLite file stand for two processes (a server and a `kura` command, or two servers).
describe('lookups reused between requests', () => {
  let dir: string;
  let a: TestKura;
  let b: TestKura;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kura-reused-reads-'));
    const env = { KURA_DATA_DIR: dir, KURA_DATABASE: join(dir, 'kura.db') };
    a = await startTestKura(env);
    b = await startTestKura(env);
  });

  after(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const whoami = (k: TestKura, token: string) => k.inject({ method: 'GET', url: '/npm/-/whoami', token });

  it('refuses a token revoked in the same process on the next request', async () => {
    const { owner, token } = await a.user('ann');
    assert.equal((await whoami(a, token)).statusCode, 200);
    assert.equal((await whoami(a, token)).statusCode, 200);
    const [record] = await a.core.tokens.list(owner.id);
    await a.core.tokens.revoke(record!.id);
    assert.equal((await whoami(a, token)).statusCode, 401);
  });

  it('refuses a token revoked by another process on the next request', async () => {
    const { owner, token } = await a.user('ben');
    assert.equal((await whoami(a, token)).statusCode, 200);
    assert.equal((await whoami(a, token)).statusCode, 200);
    const [record] = await b.core.tokens.list(owner.id);
    await b.core.tokens.revoke(record!.id);
    assert.equal((await whoami(a, token)).statusCode, 401);
  });

  it('refuses the tokens of a user suspended by another process on the next request', async () => {
    const { token } = await a.user('cyd');
    assert.equal((await whoami(a, token)).statusCode, 200);
    await b.core.owners.setSuspended('cyd', true, { kind: 'operator' });
    assert.equal((await whoami(a, token)).statusCode, 401);
  });

  it('accepts a token created by another process at once', async () => {
    await a.user('dot');
    const token = await b.token('dot', ['read:packages']);
    assert.equal((await whoami(a, token)).statusCode, 200);
  });

  it('serves a version published by another process on the next request', async () => {
    const { token } = await a.user('eve');
    const name = '@eve/widget';
    const publish = async (k: TestKura, version: string) => {
      const tarball = await buildTarball({ name, version });
      const response = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball) });
      assert.equal(response.statusCode, 201, response.body);
    };
    const versions = async () => Object.keys((await a.inject({ method: 'GET', url: `/npm/${npmUrlName(name)}`, token })).json<{ versions: Record<string, unknown> }>().versions);
    await publish(a, '1.0.0');
    assert.deepEqual(await versions(), ['1.0.0']);
    assert.deepEqual(await versions(), ['1.0.0']);
    await publish(b, '1.0.1');
    assert.deepEqual(await versions(), ['1.0.0', '1.0.1']);
  });
});

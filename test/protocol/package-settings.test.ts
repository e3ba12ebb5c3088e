import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContainerTables } from '../../src/formats/oci/tables.js';
import { startTestKura, type TestKura } from '../support/harness.js';
import { imageFixture, pushImage } from '../support/oci-fixtures.js';

describe('package settings through the REST API', () => {
  let k: TestKura;
  let alice: string;
  let bob: string;
  const settings = `/api/v1/users/alice/packages/container/${encodeURIComponent('web')}/settings`;

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    bob = (await k.user('bob')).token;
    const pushed = await pushImage(k, alice, 'alice/web', imageFixture(), 'v1');
    assert.equal(pushed.statusCode, 201, pushed.body);
  });
  after(() => k.close());

  it('reads and sets a container image’s untagged-manifest retention', async () => {
    assert.deepEqual((await k.inject({ method: 'GET', url: settings, token: alice })).json(), { untagged_retention_days: null });
    const set = await k.inject({ method: 'PATCH', url: settings, token: alice, payload: { untagged_retention_days: 7 } });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { untagged_retention_days: 7 });
    assert.deepEqual((await k.inject({ method: 'GET', url: settings, token: alice })).json(), { untagged_retention_days: 7 });
    const row = await k.formatContext<ContainerTables>('container').db.selectFrom('container_cleanup_policies').selectAll().executeTakeFirst();
    assert.equal(row?.untagged_days, 7);
    assert.equal((await k.inject({ method: 'PATCH', url: settings, token: alice, payload: { untagged_retention_days: null } })).json().untagged_retention_days, null);
    assert.equal(await k.formatContext<ContainerTables>('container').db.selectFrom('container_cleanup_policies').selectAll().executeTakeFirst(), undefined);
  });

  it('refuses bad values and unknown settings with 400', async () => {
    for (const payload of [{ untagged_retention_days: -1 }, { untagged_retention_days: 'soon' }, { keep_everything: true }]) {
      const res = await k.inject({ method: 'PATCH', url: settings, token: alice, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
  });

  it('lets only the package’s admins change settings, and hides private packages', async () => {
    const readOnly = await k.token('alice', ['read:packages']);
    assert.equal((await k.inject({ method: 'PATCH', url: settings, token: readOnly, payload: { untagged_retention_days: 1 } })).statusCode, 403);
    assert.equal((await k.inject({ method: 'PATCH', url: settings, token: bob, payload: { untagged_retention_days: 1 } })).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: settings })).statusCode, 401);
  });

  it('answers 404 for formats without settings', async () => {
    await k.core.owners.setPublicPackagesByDefault('alice', true);
    const res = await k.inject({ method: 'GET', url: '/api/v1/users/alice/packages/npm/nothing/settings', token: alice });
    assert.equal(res.statusCode, 404);
  });
});

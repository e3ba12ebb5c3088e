import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { collectGarbage } from '../../src/jobs/collect-garbage.js';
import { purgeDeleted } from '../../src/jobs/purge-deleted.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('npm rules that must hold', () => {
  let k: TestKura;
  const clock = new TestClock();
  let alice: string;
  let bob: string;

  before(async () => {
    k = await startTestKura({ KURA_DELETE_PROTECTION_DOWNLOADS: '2' }, clock);
    alice = (await k.user('alice')).token;
    bob = (await k.user('bob')).token;
    await k.core.repos.create({ fullName: 'alice/tools' });
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  });
  after(() => k.close());

  const publish = async (name: string, version: string, token: string, manifest: Record<string, unknown> = {}) => {
    const tarball = await buildTarball({ name, version, manifest });
    return k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, { manifest }) });
  };
  const packument = (name: string, token?: string) => k.inject({ method: 'GET', url: `/npm/${npmUrlName(name)}`, token });

  it('answers 409 with a clear message to a re-publish, also of a deleted version', async () => {
    assert.equal((await publish('@alice/again', '1.0.0', alice, { repository: 'alice/tools' })).statusCode, 201);
    assert.equal((await publish('@alice/again', '1.0.1', alice)).statusCode, 201);
    const dup = await publish('@alice/again', '1.0.0', alice);
    assert.equal(dup.statusCode, 409);
    assert.match(dup.json().error, /@alice\/again@1\.0\.0 already exists/);
    const pkg = (await k.core.packages.queries.find('npm', 'alice', '@alice/again'))!;
    const v = (await k.core.packages.queries.version(pkg.id, '1.0.1'))!;
    const del = await k.inject({ method: 'DELETE', url: `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/again')}/versions/${v.id}`, token: alice });
    assert.equal(del.statusCode, 204, del.body);
    const again = await publish('@alice/again', '1.0.1', alice);
    assert.equal(again.statusCode, 409);
    assert.match(again.json().error, /even after deletion/);
  });

  it('gives one 201 and one 409 to two racing publishes of the same version', async () => {
    const [a, b] = await Promise.all([publish('@alice/race', '1.0.0', alice), publish('@alice/race', '1.0.0', alice)]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409]);
  });

  it('refuses a publish into another owner’s scope without write permission', async () => {
    const res = await publish('@alice/intruder', '1.0.0', bob);
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().error, /write permission/);
    const linked = await publish('@alice/intruder', '1.0.0', bob, { repository: 'https://x.test/alice/tools' });
    assert.equal(linked.statusCode, 403, linked.body);
  });

  it('lets a write collaborator of the linked repository publish into the owner’s scope', async () => {
    await k.core.repos.setCollaborator('alice/tools', 'bob', 'write');
    const res = await publish('@alice/by-bob', '1.0.0', bob, { repository: 'git+https://x.test/alice/tools.git' });
    assert.equal(res.statusCode, 201, res.body);
    const pkg = await k.core.packages.queries.find('npm', 'alice', '@alice/by-bob');
    assert.equal(pkg?.repo?.fullName, 'alice/tools');
    await k.core.repos.setCollaborator('alice/tools', 'bob', 'read');
    assert.equal((await publish('@alice/by-bob', '1.0.1', bob)).statusCode, 403);
  });

  it('refuses a publish with a read-only token (403 naming the scope)', async () => {
    const readOnly = await k.token('alice', ['read:packages']);
    const res = await publish('@alice/readonly', '1.0.0', readOnly);
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().error, /write:packages/);
  });

  it('lets members of an organization publish into its scope', async () => {
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.setOrgMember('acme', 'bob', 'member');
    assert.equal((await publish('@acme/tool', '1.0.0', bob)).statusCode, 201);
    const carol = (await k.user('carol')).token;
    assert.equal((await publish('@acme/tool', '1.0.1', carol)).statusCode, 404, 'a private unlinked package is invisible to outsiders');
  });

  it('keeps unlinked packages private until made public, and private repositories private', async () => {
    assert.equal((await publish('@alice/unlinked', '1.0.0', alice)).statusCode, 201);
    assert.equal((await packument('@alice/unlinked')).statusCode, 401);
    assert.equal((await packument('@alice/unlinked', bob)).statusCode, 404);
    const patch = await k.inject({ method: 'PATCH', url: `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/unlinked')}`, token: alice, payload: { visibility: 'public' } });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.equal((await packument('@alice/unlinked')).statusCode, 200);

    assert.equal((await publish('@alice/private', '1.0.0', alice, { repository: 'alice/secret' })).statusCode, 201);
    const anonymous = await packument('@alice/private');
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /Bearer/);
    assert.equal((await packument('@alice/private', bob)).statusCode, 404);
    const missing = await packument('@alice/does-not-exist', bob);
    assert.equal(missing.statusCode, 404, 'a missing package looks the same as a private one');
    const reader = await k.token('alice', ['read:packages']);
    const doc = await packument('@alice/private', reader);
    assert.equal(doc.statusCode, 200);
    const tarball = await k.inject({ method: 'GET', url: '/npm/@alice/private/-/private-1.0.0.tgz', token: reader });
    assert.equal(tarball.statusCode, 200);
    await k.core.repos.setCollaborator('alice/secret', 'bob', 'read');
    assert.equal((await packument('@alice/private', bob)).statusCode, 200);
  });

  it('refuses an expired token and a revoked token at once', async () => {
    const owner = await k.core.owners.requireUser('alice');
    const { token } = await k.core.tokens.create({ userId: owner.id, scopes: ['read:packages'], expiresAt: new Date(clock.now().getTime() + 60_000) });
    const whoami = () => k.inject({ method: 'GET', url: '/npm/-/whoami', token });
    assert.equal((await whoami()).statusCode, 200);
    clock.advance(120_000);
    const expired = await whoami();
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().error, /invalid, expired or revoked/);
    const fresh = await k.core.tokens.create({ userId: owner.id, scopes: ['read:packages'] });
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice%2fagain', token: fresh.token })).statusCode, 200);
    await k.core.tokens.revoke(fresh.record.id);
    const revoked = await k.inject({ method: 'GET', url: '/npm/@alice%2fagain', token: fresh.token });
    assert.equal(revoked.statusCode, 401, 'a revoked token is refused even on public packages');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/-/whoami', token: 'kura_notarealtoken' })).statusCode, 401);
  });

  it('lets only a site admin delete a public version downloaded more than the threshold', async () => {
    assert.equal((await publish('@alice/popular', '1.0.0', alice, { repository: 'alice/tools' })).statusCode, 201);
    for (let i = 0; i < 3; i++) assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice/popular/-/popular-1.0.0.tgz' })).statusCode, 200);
    await k.core.downloads.flush();
    const api = `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/popular')}`;
    const versions = (await k.inject({ method: 'GET', url: `${api}/versions` })).json();
    assert.equal(versions[0].download_count, 3);
    const refused = await k.inject({ method: 'DELETE', url: `${api}/versions/${versions[0].id}`, token: alice });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'DELETE_PROTECTED');
    const admin = await k.user('root', { admin: true });
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/versions/${versions[0].id}`, token: admin.token })).statusCode, 204);
  });

  it('restores within the window, then purges: the number stays taken and the bytes are collected', async () => {
    assert.equal((await publish('@alice/ephemeral', '1.0.0', alice, { repository: 'alice/tools' })).statusCode, 201);
    const api = `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/ephemeral')}`;
    assert.equal((await k.inject({ method: 'DELETE', url: api, token: alice })).statusCode, 204);
    assert.equal((await packument('@alice/ephemeral', alice)).statusCode, 404);
    assert.equal((await k.inject({ method: 'POST', url: `${api}/restore`, token: alice })).statusCode, 204);
    assert.equal((await packument('@alice/ephemeral')).statusCode, 200);

    const pkg = (await k.core.packages.queries.find('npm', 'alice', '@alice/ephemeral'))!;
    const [version] = await k.core.packages.queries.versions(pkg.id);
    const blob = (await k.core.packages.queries.liveFiles(pkg.id))[0]!.sha256;
    assert.equal((await k.inject({ method: 'DELETE', url: `${api}/versions/${version!.id}`, token: alice })).statusCode, 204);
    clock.advance(31 * 86_400_000);
    const late = await k.inject({ method: 'POST', url: `${api}/versions/${version!.id}/restore`, token: alice });
    assert.equal(late.statusCode, 410, late.body);
    assert.ok((await purgeDeleted(k.core.deps, 30)) >= 1);
    assert.equal((await publish('@alice/ephemeral', '1.0.0', alice)).statusCode, 409);
    assert.ok(await k.core.deps.blobs.stat(blob), 'bytes survive until garbage collection');
    clock.advance(25 * 3_600_000);
    await collectGarbage(k.core.deps, 24);
    assert.equal(await k.core.deps.blobs.stat(blob), null);
    assert.equal(await k.core.deps.db.selectFrom('blobs').select('sha256').where('sha256', '=', blob).executeTakeFirst(), undefined);
  });
});

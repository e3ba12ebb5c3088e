import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Owner } from '../owners/owner.js';
import type { Scope } from '../tokens/scopes.js';
import { AccessPolicy, type AccessFacts, type PackageTarget } from './access-policy.js';
import { anonymous, type Principal } from './principal.js';

const user = (id: number, login: string, isAdmin = false): Owner => ({ id, login, kind: 'user', email: null, isAdmin, publicPackagesByDefault: false, createdAt: '' });
const as = (owner: Owner, scopes: Scope[] = ['read:packages', 'write:packages', 'delete:packages'], repoId: number | null = null): Principal =>
  ({ kind: 'user', user: owner, scopes: new Set(scopes), repoId, tokenId: 1 });

const alice = user(1, 'alice');
const bob = user(2, 'bob');
const carol = user(3, 'carol');
const root = user(9, 'root', true);
const acme = { id: 10, login: 'acme', kind: 'org' as const };

const facts: AccessFacts = {
  orgRole: async (orgId, userId) => (orgId === acme.id && userId === alice.id ? 'owner' : orgId === acme.id && userId === bob.id ? 'member' : null),
  collaboratorRole: async (repoId, userId) => (repoId === 100 && userId === carol.id ? 'write' : null),
  packageMemberRole: async () => null,
};
const policy = new AccessPolicy(facts);

const linked = (visibility: 'public' | 'private'): PackageTarget => ({
  id: 1, label: 'npm package @alice/x', owner: { id: alice.id, login: 'alice', kind: 'user' },
  repo: { id: 100, fullName: 'alice/tools', visibility }, visibility: 'private',
});
const orgPackage: PackageTarget = { id: 2, label: 'npm package @acme/y', owner: acme, repo: null, visibility: 'private' };

const code = async (promise: Promise<void>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('AccessPolicy', () => {
  it('lets anyone read a public package, with or without a token', async () => {
    assert.equal(await code(policy.authorizePackage(anonymous, 'read', linked('public'))), 'ok');
    assert.equal(await code(policy.authorizePackage(as(bob, ['write:packages']), 'read', linked('public'))), 'ok');
  });

  it('hides private packages: 401 for anonymous, 404 for outsiders, never 403', async () => {
    assert.equal(await code(policy.authorizePackage(anonymous, 'read', linked('private'))), 'UNAUTHENTICATED');
    for (const action of ['read', 'write', 'delete'] as const) {
      assert.equal(await code(policy.authorizePackage(as(bob), action, linked('private'))), 'NOT_FOUND', action);
    }
  });

  it('names the missing permission or scope to callers who may read', async () => {
    assert.equal(await code(policy.authorizePackage(as(bob), 'write', linked('public'))), 'FORBIDDEN');
    assert.equal(await code(policy.authorizePackage(as(alice, ['read:packages']), 'write', linked('private'))), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorizePackage(as(carol), 'delete', linked('private'))), 'FORBIDDEN');
    assert.equal(await code(policy.authorizePackage(as(carol), 'write', linked('private'))), 'ok');
    assert.equal(await code(policy.authorizePackage(anonymous, 'write', linked('public'))), 'UNAUTHENTICATED');
  });

  it('gives org owners admin, members write on unlinked org packages, and site admins everything', async () => {
    assert.equal(await code(policy.authorizePackage(as(alice), 'delete', orgPackage)), 'ok');
    assert.equal(await code(policy.authorizePackage(as(bob), 'write', orgPackage)), 'ok');
    assert.equal(await code(policy.authorizePackage(as(bob), 'delete', orgPackage)), 'FORBIDDEN');
    assert.equal(await code(policy.authorizePackage(as(carol), 'read', orgPackage)), 'NOT_FOUND');
    assert.equal(await code(policy.authorizePackage(as(root), 'delete', orgPackage)), 'ok');
  });

  it('confines a repository-restricted token to that repository', async () => {
    const otherRepo: PackageTarget = { ...linked('private'), repo: { id: 200, fullName: 'alice/other', visibility: 'private' } };
    assert.equal(await code(policy.authorizePackage(as(alice, undefined, 100), 'write', linked('private'))), 'ok');
    assert.equal(await code(policy.authorizePackage(as(alice, undefined, 100), 'read', otherRepo)), 'NOT_FOUND');
    assert.equal(await code(policy.authorizeNewPackage(as(alice, undefined, 100), { id: alice.id, login: 'alice', kind: 'user' }, null, 'x')), 'FORBIDDEN');
  });

  it('decides new packages by the repository to link, or by the owner', async () => {
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    assert.equal(await code(policy.authorizeNewPackage(as(carol), aliceOwner, { id: 100, fullName: 'alice/tools', visibility: 'public' }, 'x')), 'ok');
    assert.equal(await code(policy.authorizeNewPackage(as(carol), aliceOwner, null, 'x')), 'FORBIDDEN');
    assert.equal(await code(policy.authorizeNewPackage(as(bob), acme, null, 'x')), 'ok');
    assert.equal(await code(policy.authorizeNewPackage(as(alice, ['read:packages']), aliceOwner, null, 'x')), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorizeNewPackage(anonymous, aliceOwner, null, 'x')), 'UNAUTHENTICATED');
  });
});

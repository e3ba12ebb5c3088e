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
    assert.equal(await code(policy.authorize(anonymous, 'read', { kind: 'package', package: linked('public') })), 'ok');
    assert.equal(await code(policy.authorize(as(bob, ['write:packages']), 'read', { kind: 'package', package: linked('public') })), 'ok');
  });

  it('hides private packages: 401 for anonymous, 404 for outsiders, never 403', async () => {
    assert.equal(await code(policy.authorize(anonymous, 'read', { kind: 'package', package: linked('private') })), 'UNAUTHENTICATED');
    for (const action of ['read', 'write', 'delete'] as const) {
      assert.equal(await code(policy.authorize(as(bob), action, { kind: 'package', package: linked('private') })), 'NOT_FOUND', action);
    }
  });

  it('names the missing permission or scope to callers who may read', async () => {
    assert.equal(await code(policy.authorize(as(bob), 'write', { kind: 'package', package: linked('public') })), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(alice, ['read:packages']), 'write', { kind: 'package', package: linked('private') })), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(as(carol), 'delete', { kind: 'package', package: linked('private') })), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(carol), 'write', { kind: 'package', package: linked('private') })), 'ok');
    assert.equal(await code(policy.authorize(anonymous, 'write', { kind: 'package', package: linked('public') })), 'UNAUTHENTICATED');
  });

  it('gives org owners admin, members write on unlinked org packages, and site admins everything', async () => {
    assert.equal(await code(policy.authorize(as(alice), 'delete', { kind: 'package', package: orgPackage })), 'ok');
    assert.equal(await code(policy.authorize(as(bob), 'write', { kind: 'package', package: orgPackage })), 'ok');
    assert.equal(await code(policy.authorize(as(bob), 'delete', { kind: 'package', package: orgPackage })), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(carol), 'read', { kind: 'package', package: orgPackage })), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(as(root), 'delete', { kind: 'package', package: orgPackage })), 'ok');
  });

  it('confines a repository-restricted token to that repository', async () => {
    const otherRepo: PackageTarget = { ...linked('private'), repo: { id: 200, fullName: 'alice/other', visibility: 'private' } };
    assert.equal(await code(policy.authorize(as(alice, undefined, 100), 'write', { kind: 'package', package: linked('private') })), 'ok');
    assert.equal(await code(policy.authorize(as(alice, undefined, 100), 'read', { kind: 'package', package: otherRepo })), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(as(alice, undefined, 100), 'write', { kind: 'new-package', owner: { id: alice.id, login: 'alice', kind: 'user' }, repo: null, label: 'x' })), 'FORBIDDEN');
  });

  it('decides new packages by the repository to link, or by the owner', async () => {
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    assert.equal(await code(policy.authorize(as(carol), 'write', { kind: 'new-package', owner: aliceOwner, repo: { id: 100, fullName: 'alice/tools', visibility: 'public' }, label: 'x' })), 'ok');
    assert.equal(await code(policy.authorize(as(carol), 'write', { kind: 'new-package', owner: aliceOwner, repo: null, label: 'x' })), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(bob), 'write', { kind: 'new-package', owner: acme, repo: null, label: 'x' })), 'ok');
    assert.equal(await code(policy.authorize(as(alice, ['read:packages']), 'write', { kind: 'new-package', owner: aliceOwner, repo: null, label: 'x' })), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(anonymous, 'write', { kind: 'new-package', owner: aliceOwner, repo: null, label: 'x' })), 'UNAUTHENTICATED');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Owner } from '../owners/owner.js';
import type { Scope } from '../tokens/scopes.js';
import { AccessPolicy, packageVisibility, repositoryRole, type AccessFacts, type OwnerTarget, type PackageTarget, type ReadablePackages } from './access-policy.js';
import { anonymous, operator, type Principal } from './principal.js';

const user = (id: number, login: string, isAdmin = false): Owner => ({ id, login, kind: 'user', email: null, isAdmin, publicPackagesByDefault: false, createdAt: '', suspendedAt: null });
const as = (owner: Owner, scopes: Scope[] = ['read:packages', 'write:packages', 'delete:packages'], repoId: number | null = null): Principal =>
  ({ kind: 'user', user: owner, scopes: new Set(scopes), repoId, tokenId: 1 });

const alice = user(1, 'alice');
const bob = user(2, 'bob');
const carol = user(3, 'carol');
const dave = user(4, 'dave');
const root = user(9, 'root', true);
const acme = { id: 10, login: 'acme', kind: 'org' as const };

const facts: AccessFacts = {
  orgRole: async (orgId, userId) => (orgId === acme.id && userId === alice.id ? 'owner' : orgId === acme.id && userId === bob.id ? 'member' : null),
  collaboratorRole: async (repoId, userId) => (repoId === 100 && userId === carol.id ? 'write' : null),
  packageMemberRole: async (packageId, userId) => (packageId === 3 && userId === dave.id ? 'read' : null),
  collaboratorRepositories: async (ownerId, userId) => (ownerId === alice.id && userId === carol.id ? [100] : []),
  memberPackages: async (ownerId, userId) => (ownerId === alice.id && userId === dave.id ? [3] : []),
};
const policy = new AccessPolicy(facts);

const linked = (visibility: 'public' | 'private'): PackageTarget => ({
  id: 1, label: 'npm package @alice/x', owner: { id: alice.id, login: 'alice', kind: 'user' },
  repo: { id: 100, fullName: 'alice/tools', visibility }, inheritsAccess: true, visibility: 'private',
});
const orgPackage: PackageTarget = { id: 2, label: 'npm package @acme/y', owner: acme, repo: null, inheritsAccess: true, visibility: 'private' };

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

  it('answers for missing things like private ones: 401 anonymous, 404 signed in, 404 for all inside a public repository', async () => {
    const missing = { kind: 'missing', label: 'npm package @alice/nothing' } as const;
    assert.equal(await code(policy.authorize(anonymous, 'read', missing)), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(bob), 'write', missing)), 'NOT_FOUND');
    const inPublic = { ...missing, within: { id: 100, fullName: 'alice/tools', visibility: 'public' as const } };
    assert.equal(await code(policy.authorize(anonymous, 'read', inPublic)), 'NOT_FOUND');
    assert.equal(await policy.permits(as(alice), 'read', missing), false);
  });

  it('shows a deleted package only to those who may restore it', async () => {
    const deleted = { ...linked('public'), deleted: true };
    assert.equal(await code(policy.authorize(anonymous, 'read', { kind: 'package', package: deleted })), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(carol), 'read', { kind: 'package', package: deleted })), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(as(alice, ['read:packages']), 'delete', { kind: 'package', package: deleted })), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(as(alice), 'delete', { kind: 'package', package: deleted })), 'ok');
    assert.equal(await code(policy.authorize(as(carol), 'write', { kind: 'package', package: deleted })), 'ok', 'a writer may publish again');
  });

  it('decides repositories: public ones are readable by anyone, private ones hidden, writes need the role and scope', async () => {
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    const repo = (visibility: 'public' | 'private') => ({ kind: 'repository', owner: aliceOwner, repo: { id: 100, fullName: 'alice/tools', visibility } } as const);
    assert.equal(await code(policy.authorize(anonymous, 'read', repo('public'))), 'ok');
    assert.equal(await code(policy.authorize(anonymous, 'read', repo('private'))), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(bob), 'read', repo('private'))), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(as(bob), 'write', repo('public'))), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(carol, ['read:packages']), 'write', repo('private'))), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(as(carol), 'write', repo('private'))), 'ok');
  });

  it('lets whoever may create packages under an owner use its namespace, and hides it from the rest', async () => {
    const namespace = { kind: 'namespace', owner: acme, label: 'container package y' } as const;
    assert.equal(await code(policy.authorize(as(bob), 'read', namespace)), 'ok');
    assert.equal(await code(policy.authorize(as(bob, ['write:packages']), 'delete', namespace)), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(as(carol), 'read', namespace)), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(as(carol), 'write', namespace)), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(anonymous, 'read', namespace)), 'UNAUTHENTICATED');
  });

  it('checks only what is known before a new package names its repository', async () => {
    const pending = { kind: 'new-package', owner: { id: alice.id, login: 'alice', kind: 'user' as const }, repo: 'pending', label: 'x' } as const;
    assert.equal(await code(policy.authorize(as(carol), 'write', pending)), 'ok');
    assert.equal(await code(policy.authorize(as(carol, ['read:packages']), 'write', pending)), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(anonymous, 'write', pending)), 'UNAUTHENTICATED');
  });

  it('allows creating tokens with a password or an admin-scoped token, restricted to a readable repository', async () => {
    const password: Principal = { kind: 'user', user: carol, scopes: new Set(['admin']), repoId: null, tokenId: null };
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    const privateRepo = { owner: aliceOwner, repo: { id: 100, fullName: 'alice/tools', visibility: 'private' as const } };
    assert.equal(await code(policy.authorizeTokenCreation(password, null)), 'ok');
    assert.equal(await code(policy.authorizeTokenCreation(as(carol), null)), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorizeTokenCreation(as(carol, ['admin']), privateRepo)), 'ok');
    assert.equal(await code(policy.authorizeTokenCreation(as(bob, ['admin']), privateRepo)), 'NOT_FOUND');
    assert.equal(await code(policy.authorizeTokenCreation(anonymous, null)), 'UNAUTHENTICATED');
    const restricted: Principal = { kind: 'user', user: carol, scopes: new Set(['admin']), repoId: 100, tokenId: 7 };
    const publicRepo = { owner: aliceOwner, repo: { id: 101, fullName: 'alice/open', visibility: 'public' as const } };
    assert.equal(await code(policy.authorizeTokenCreation(restricted, 'pending')), 'ok');
    assert.equal(await code(policy.authorizeTokenCreation(restricted, null)), 'FORBIDDEN');
    assert.equal(await code(policy.authorizeTokenCreation(restricted, publicRepo)), 'NOT_FOUND');
    assert.equal(await code(policy.authorizeTokenCreation(restricted, privateRepo)), 'ok');
  });

  it('hides a repository’s admins-only items (draft advisories) from everyone else, and lets admins manage them', async () => {
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    const draft = { kind: 'repository', owner: aliceOwner, repo: { id: 100, fullName: 'alice/tools', visibility: 'public' as const }, adminsOnly: true } as const;
    assert.equal(await code(policy.authorize(anonymous, 'read', draft)), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(carol), 'read', draft)), 'NOT_FOUND', 'a writer is not an admin');
    assert.equal(await code(policy.authorize(as(alice, ['read:packages']), 'read', draft)), 'NOT_FOUND', 'an admin whose token cannot manage');
    assert.equal(await code(policy.authorize(as(alice), 'read', draft)), 'ok');
    assert.equal(await code(policy.authorize(as(alice), 'manage', { ...draft, adminsOnly: false })), 'ok');
    assert.equal(await code(policy.authorize(as(carol), 'manage', { ...draft, adminsOnly: false })), 'FORBIDDEN');
  });

  it('lets repository admins administer with a password or an admin-scoped token, and writers see who has access', async () => {
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    const repo = { kind: 'repository', owner: aliceOwner, repo: { id: 100, fullName: 'alice/tools', visibility: 'private' } } as const;
    const orgRepo = { kind: 'repository', owner: acme, repo: { id: 300, fullName: 'acme/site', visibility: 'private' } } as const;
    assert.equal(await code(policy.authorize(as(alice, ['admin']), 'administer', repo)), 'ok');
    assert.equal(await code(policy.authorize(as(alice), 'administer', repo)), 'MISSING_SCOPE', 'read, write and delete scopes do not administer');
    assert.equal(await code(policy.authorize(as(carol, ['admin']), 'administer', repo)), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(bob, ['admin']), 'administer', repo)), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(anonymous, 'administer', repo)), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(carol, ['read:packages']), 'members', repo)), 'ok');
    assert.equal(await code(policy.authorize(as(bob), 'members', orgRepo)), 'FORBIDDEN', 'an org member reads but does not write');
    assert.equal(await code(policy.authorize(as(alice, ['admin']), 'administer', orgRepo)), 'ok', 'org owners administer every org repository');
    assert.equal(await code(policy.authorize(as(alice, ['admin'], 200), 'administer', repo)), 'NOT_FOUND', 'a token restricted to another repository');
  });

  it('shows an organization’s members to its members, and lets only owners change them', async () => {
    const org = { kind: 'organization', org: acme } as const;
    assert.equal(await code(policy.authorize(as(bob, ['read:packages']), 'members', org)), 'ok');
    assert.equal(await code(policy.authorize(as(carol), 'members', org)), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(anonymous, 'members', org)), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(carol), 'read', org)), 'ok', 'the organization itself is public');
    assert.equal(await code(policy.authorize(as(alice, ['admin']), 'administer', org)), 'ok');
    assert.equal(await code(policy.authorize(as(alice), 'administer', org)), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(as(bob, ['admin']), 'administer', org)), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(root, ['admin']), 'administer', org)), 'ok');
    assert.equal(await code(policy.authorize(as(alice, ['admin'], 100), 'administer', org)), 'NOT_FOUND', 'a repository-restricted token');
  });

  it('lets users create repositories under their own login and organizations they belong to', async () => {
    const under = (owner: { id: number; login: string; kind: 'user' | 'org' }) => ({ kind: 'new-repository', owner, label: `repository ${owner.login}/x` } as const);
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    assert.equal(await code(policy.authorize(as(alice, ['admin']), 'administer', under(aliceOwner))), 'ok');
    assert.equal(await code(policy.authorize(as(bob, ['admin']), 'administer', under(acme))), 'ok', 'org members create repositories');
    assert.equal(await code(policy.authorize(as(carol, ['admin']), 'administer', under(acme))), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(bob, ['admin']), 'administer', under(aliceOwner))), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(alice), 'administer', under(aliceOwner))), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(as(alice, ['admin'], 100), 'administer', under(aliceOwner))), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(anonymous, 'administer', under(aliceOwner))), 'UNAUTHENTICATED');
  });

  it('lets package admins administer an unlinked package, and its writers see its roles', async () => {
    const subject = { kind: 'package', package: orgPackage } as const;
    assert.equal(await code(policy.authorize(as(alice, ['admin']), 'administer', subject)), 'ok');
    assert.equal(await code(policy.authorize(as(bob, ['admin']), 'administer', subject)), 'FORBIDDEN');
    assert.equal(await code(policy.authorize(as(bob, ['read:packages']), 'members', subject)), 'ok');
    assert.equal(await code(policy.authorize(as(carol, ['admin']), 'members', subject)), 'NOT_FOUND');
    const deleted = { kind: 'package', package: { ...orgPackage, deleted: true } } as const;
    assert.equal(await code(policy.authorize(as(alice, ['delete:packages']), 'administer', deleted)), 'MISSING_SCOPE', 'restoring rights do not administer');
  });

  it('allows the kura command everything, and still reports missing things', async () => {
    assert.equal(await code(policy.authorize(operator, 'administer', { kind: 'organization', org: acme })), 'ok');
    assert.equal(await code(policy.authorize(operator, 'administer', { kind: 'package', package: linked('private') })), 'ok');
    assert.equal(await code(policy.authorize(operator, 'read', { kind: 'missing', label: 'repository alice/none' })), 'NOT_FOUND');
  });

  it('describes the packages of an owner each caller may read as the same set permits allows, one package at a time', async () => {
    const aliceOwner: OwnerTarget = { id: alice.id, login: 'alice', kind: 'user' };
    const tools = (visibility: 'public' | 'private') => ({ id: 100, fullName: 'alice/tools', visibility });
    const world: PackageTarget[] = [
      { id: 1, label: 'a', owner: aliceOwner, repo: tools('private'), inheritsAccess: true, visibility: 'private' },
      { id: 2, label: 'b', owner: aliceOwner, repo: { id: 200, fullName: 'alice/other', visibility: 'private' }, inheritsAccess: true, visibility: 'private' },
      { id: 3, label: 'c', owner: aliceOwner, repo: null, inheritsAccess: true, visibility: 'private' },
      { id: 4, label: 'd', owner: aliceOwner, repo: null, inheritsAccess: true, visibility: 'public' },
      { id: 5, label: 'e', owner: aliceOwner, repo: { id: 200, fullName: 'alice/other', visibility: 'public' }, inheritsAccess: true, visibility: 'private' },
      { id: 3, label: 'c linked without inheriting', owner: aliceOwner, repo: tools('private'), inheritsAccess: false, visibility: 'private' },
      { id: 9, label: 'i linked without inheriting', owner: aliceOwner, repo: tools('public'), inheritsAccess: false, visibility: 'private' },
      { id: 10, label: 'j linked without inheriting', owner: aliceOwner, repo: tools('private'), inheritsAccess: false, visibility: 'public' },
      { id: 6, label: 'f', owner: acme, repo: null, inheritsAccess: true, visibility: 'private' },
      { id: 7, label: 'g', owner: acme, repo: { id: 300, fullName: 'acme/site', visibility: 'private' }, inheritsAccess: true, visibility: 'private' },
      { id: 8, label: 'h', owner: acme, repo: null, inheritsAccess: true, visibility: 'public' },
      { id: 11, label: 'k linked without inheriting', owner: acme, repo: { id: 300, fullName: 'acme/site', visibility: 'public' }, inheritsAccess: false, visibility: 'private' },
    ];
    const applies = (set: ReadablePackages, p: PackageTarget) => set.all || packageVisibility(p) === 'public'
      || (p.repo && p.inheritsAccess ? set.repoIds.includes(p.repo.id) : set.packageIds.includes(p.id));
    const callers: Array<[string, Principal | typeof operator]> = [
      ['anonymous', anonymous], ['alice', as(alice)], ['alice write-only', as(alice, ['write:packages'])], ['alice admin', as(alice, ['admin'])],
      ['alice restricted to alice/tools', as(alice, undefined, 100)], ['bob', as(bob)], ['bob restricted', as(bob, undefined, 300)],
      ['carol', as(carol)], ['carol without read', as(carol, [])], ['dave', as(dave)], ['root', as(root)], ['operator', operator],
    ];
    for (const [name, caller] of callers) {
      for (const owner of [aliceOwner, acme]) {
        const set = await policy.readablePackages(caller, owner);
        for (const p of world.filter((w) => w.owner.id === owner.id)) {
          assert.equal(applies(set, p), await policy.permits(caller, 'read', { kind: 'package', package: p }), `${name} reading ${owner.login}'s package ${p.label}`);
        }
      }
    }
  });

  it('shows an organization’s audit log to its owners with a password or an admin-scoped token, and hides it from others', async () => {
    const org = { kind: 'organization', org: acme } as const;
    assert.equal(await code(policy.authorize(as(alice, ['admin']), 'audit', org)), 'ok');
    assert.equal(await code(policy.authorize(as(alice, ['read:packages']), 'audit', org)), 'MISSING_SCOPE');
    assert.equal(await code(policy.authorize(as(bob, ['admin']), 'audit', org)), 'FORBIDDEN', 'a member who is not an owner');
    assert.equal(await code(policy.authorize(as(carol, ['admin']), 'audit', org)), 'NOT_FOUND');
    assert.equal(await code(policy.authorize(anonymous, 'audit', org)), 'UNAUTHENTICATED');
    assert.equal(await code(policy.authorize(as(root, ['admin']), 'audit', org)), 'ok');
  });

  it('reports a user’s role on a repository by the one rule: owner, organization role, collaborator role', async () => {
    const aliceOwner = { id: alice.id, login: 'alice', kind: 'user' as const };
    const tools = { id: 100, fullName: 'alice/tools', visibility: 'public' as const };
    const site = { id: 300, fullName: 'acme/site', visibility: 'private' as const };
    assert.equal(await policy.repositoryRoleOf(alice, aliceOwner, tools), 'admin');
    assert.equal(await policy.repositoryRoleOf(carol, aliceOwner, tools), 'write');
    assert.equal(await policy.repositoryRoleOf(bob, aliceOwner, tools), 'none', 'public visibility is not a role');
    assert.equal(await policy.repositoryRoleOf(bob, acme, site), 'read');
    assert.equal(await policy.repositoryRoleOf(alice, acme, site), 'admin');
    assert.equal(await policy.repositoryRoleOf(root, aliceOwner, tools), 'admin');
    assert.equal(repositoryRole({ siteAdmin: false, owner: false, orgRole: 'member', collaboratorRole: 'write' }), 'write');
    assert.equal(repositoryRole({ siteAdmin: false, owner: false, orgRole: null, collaboratorRole: null }), 'none');
  });
});

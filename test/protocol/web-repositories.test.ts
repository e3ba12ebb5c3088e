import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { WebVisitor } from '../support/web-visitor.js';

const password = 'correct horse battery';

/** The text a page shows for `text` once rendered (what the escaping of quotes and apostrophes makes of it). */
const shown = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;');

describe('web: new repositories, repository settings and organization members', () => {
  let k: TestKura;
  let aliceToken: string;
  let alice: WebVisitor;
  let bob: WebVisitor;
  let carol: WebVisitor;

  const signIn = (login: string) => WebVisitor.signedIn(k, login, password);
  const get = (who: WebVisitor | null, url: string) => (who ?? new WebVisitor(k)).get(url);
  const post = (who: WebVisitor, url: string, fields: Record<string, string>) => who.postForm(url, fields);

  const api = async (url: string) => {
    const res = await k.inject({ method: 'GET', url: `/api/v1${url}`, token: aliceToken });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) as Record<string, unknown> : null };
  };

  const audits = async (action: string) => (await k.core.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute())
    .map((row) => ({ actor: row.actor_id, target: row.target, meta: row.meta ? JSON.parse(row.meta) as Record<string, unknown> : null }));

  const userId = async (login: string) => (await k.core.owners.requireUser(login)).id;

  before(async () => {
    k = await startTestKura();
    aliceToken = (await k.user('alice', { password })).token;
    await k.user('bob', { password });
    await k.user('carol', { password });
    await k.core.owners.createOrg('acme', 'alice');
    await k.core.owners.createOrg('globex', 'carol');
    alice = await signIn('alice');
    bob = await signIn('bob');
    carol = await signIn('carol');
  });
  after(() => k.close());

  it('sends visitors without a session from /new to sign in, and coming back to /new', async () => {
    const res = await get(null, '/new');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/login?next=%2Fnew');
    const settings = await get(null, '/alice/anything/settings');
    assert.equal(settings.statusCode, 303);
    assert.equal(settings.headers.location, '/login?next=%2Falice%2Fanything%2Fsettings');
    assert.equal((await get(null, '/acme/-/members')).headers.location, '/login?next=%2Facme%2F-%2Fmembers');
  });

  it('/new offers the user and their organizations as owners, preselecting ?owner=, and the header links to it', async () => {
    const res = await get(alice, '/new?owner=ACME');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<form method="post" action="\/new"/);
    assert.match(res.body, /<option value="alice">alice<\/option><option value="acme" selected>acme<\/option>/);
    assert.ok(!res.body.includes('globex'), 'an organization alice is not in is offered');
    for (const label of ['Owner', 'Name', 'Description']) assert.match(res.body, new RegExp(`<label for="[^"]+">${label}</label>`));
    assert.match(res.body, /<legend>Visibility<\/legend>/);
    assert.match(res.body, /type="radio" name="visibility" value="public" checked/);
    assert.match(res.body, /<a href="\/new">New repository<\/a>/);
  });

  it('creates a private repository through /new, as the signed-in user, with an audit row', async () => {
    const res = await post(alice, '/new', { owner: 'alice', name: 'tools', description: 'Build tools', visibility: 'private' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/alice/tools');
    const repo = await api('/repos/alice/tools');
    assert.equal(repo.status, 200);
    assert.equal(repo.body?.['private'], true);
    assert.equal(repo.body?.['description'], 'Build tools');
    assert.deepEqual(await audits('repo.create'), [{ actor: await userId('alice'), target: 'repo:alice/tools', meta: { visibility: 'private' } }]);
    assert.equal((await get(alice, '/alice/tools')).statusCode, 200);
    assert.equal((await get(bob, '/alice/tools')).statusCode, 404);
  });

  it('creates a repository of an organization the user belongs to', async () => {
    const res = await post(alice, '/new', { owner: 'acme', name: 'site', description: '', visibility: 'public' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/acme/site');
    const repo = await api('/repos/acme/site');
    assert.equal(repo.body?.['private'], false);
    assert.equal(repo.body?.['description'], null);
  });

  it('shows core\'s refusals on the /new form with its values kept: bad names, taken names, owners the user may not create under', async () => {
    const bad = await post(alice, '/new', { owner: 'alice', name: 'no spaces', description: 'kept description', visibility: 'private' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /role="alert">invalid repository name/);
    assert.match(bad.body, /value="no spaces"/);
    assert.match(bad.body, />kept description<\/textarea>/);
    assert.match(bad.body, /value="private" checked/);

    const taken = await post(alice, '/new', { owner: 'alice', name: 'TOOLS', description: '', visibility: 'public' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /role="alert">the repository alice\/TOOLS already exists/);

    const foreign = await post(alice, '/new', { owner: 'globex', name: 'x', description: '', visibility: 'public' });
    assert.equal(foreign.statusCode, 403);
    assert.match(foreign.body, /role="alert">you need to be a member of organization globex/);

    const nobody = await post(alice, '/new', { owner: 'nobody', name: 'x', description: '', visibility: 'public' });
    assert.equal(nobody.statusCode, 400);
    assert.match(nobody.body, new RegExp(shown('no user or organization named "nobody"')));

    const noName = await post(alice, '/new', { owner: 'alice', name: ' ', description: '', visibility: 'public' });
    assert.equal(noName.statusCode, 400);
    assert.match(noName.body, /Give the repository a name/);

    const visibility = await post(alice, '/new', { owner: 'alice', name: 'x', description: '', visibility: 'internal' });
    assert.equal(visibility.statusCode, 400);
    assert.match(visibility.body, new RegExp(shown('visibility must be "public" or "private"')));

    assert.equal((await audits('repo.create')).length, 2, 'a refused repository was created');
  });

  it('shows the settings to the repository\'s admins only, a 404 page to everyone else', async () => {
    const res = await get(alice, '/alice/tools/settings');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<form method="post" action="\/alice\/tools\/settings" aria-labelledby="general-heading">/);
    assert.match(res.body, /<form method="post" action="\/alice\/tools\/settings\/collaborators" aria-labelledby="add-collaborator-heading">/);
    assert.match(res.body, />Build tools<\/textarea>/);
    assert.match(res.body, /value="private" checked/);
    assert.match(res.body, /No collaborators yet/);
    assert.match((await get(alice, '/alice/tools')).body, /<a href="\/alice\/tools\/settings">Settings<\/a>/);

    for (const url of ['/alice/tools/settings', '/acme/site/settings', '/alice/missing/settings']) {
      const other = await get(bob, url);
      assert.equal(other.statusCode, 404, `${url} for bob`);
      assert.match(other.body, /Not found/);
    }
  });

  it('changes the description and visibility through the General form, with a notice and an audit row', async () => {
    const res = await post(alice, '/alice/tools/settings', { description: 'Tools for building', visibility: 'public' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/alice/tools/settings?done=saved');
    assert.match((await get(alice, res.headers.location)).body, /role="status">Settings saved\./);
    const repo = await api('/repos/alice/tools');
    assert.deepEqual([repo.body?.['private'], repo.body?.['description']], [false, 'Tools for building']);
    assert.equal((await get(bob, '/alice/tools')).statusCode, 200, 'the repository is public now');

    assert.equal((await post(alice, '/alice/tools/settings', { description: '', visibility: 'private' })).statusCode, 303);
    const back = await api('/repos/alice/tools');
    assert.deepEqual([back.body?.['private'], back.body?.['description']], [true, null]);
    const rows = await audits('repo.update');
    assert.deepEqual(rows.map((r) => [r.actor, r.target, r.meta]), [
      [await userId('alice'), 'repo:alice/tools', { visibility: 'public', previous: 'private', description: 'Tools for building' }],
      [await userId('alice'), 'repo:alice/tools', { visibility: 'private', previous: 'public', description: null }],
    ]);

    const refused = await post(alice, '/alice/tools/settings', { description: 'x'.repeat(1001), visibility: 'private' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /role="alert">the description is longer than 1000 characters/);
    assert.equal((await audits('repo.update')).length, 2);
  });

  it('adds a collaborator, changes their role and removes them, each through core with an audit row', async () => {
    const added = await post(alice, '/alice/tools/settings/collaborators', { login: 'bob', role: 'read' });
    assert.equal(added.statusCode, 303, added.body);
    assert.equal(added.headers.location, '/alice/tools/settings?done=added&user=bob&role=read');
    const page = await get(alice, added.headers.location);
    assert.match(page.body, /role="status">bob is now a collaborator with the read role\./);
    assert.match(page.body, /<form class="row" method="post" action="\/alice\/tools\/settings\/collaborators\/bob">/);
    assert.match(page.body, /<select name="role" aria-label="Role of bob"><option value="read" selected>read<\/option>/);
    assert.match(page.body, /action="\/alice\/tools\/settings\/collaborators\/bob\/remove"/);
    assert.equal((await api('/repos/alice/tools/collaborators/bob/permission')).body?.['permission'], 'read');
    assert.equal((await get(bob, '/alice/tools')).statusCode, 200, 'bob reads the private repository');

    const changed = await post(alice, '/alice/tools/settings/collaborators/bob', { role: 'write' });
    assert.equal(changed.statusCode, 303, changed.body);
    assert.equal(changed.headers.location, '/alice/tools/settings?done=changed&user=bob&role=write');
    assert.match((await get(alice, changed.headers.location)).body, /role="status">bob now has the write role\./);
    assert.equal((await api('/repos/alice/tools/collaborators/bob/permission')).body?.['permission'], 'write');

    const removed = await post(alice, '/alice/tools/settings/collaborators/bob/remove', {});
    assert.equal(removed.statusCode, 303, removed.body);
    assert.equal(removed.headers.location, '/alice/tools/settings?done=removed&user=bob');
    assert.match((await get(alice, removed.headers.location)).body, /role="status">bob is no longer a collaborator\./);
    assert.equal((await api('/repos/alice/tools/collaborators/bob')).status, 404);
    assert.equal((await get(bob, '/alice/tools')).statusCode, 404);

    const aliceId = await userId('alice');
    assert.deepEqual((await audits('repo.collaborator.set')).map((r) => [r.actor, r.target, r.meta]), [
      [aliceId, 'repo:alice/tools', { user: 'bob', role: 'read', previous: null }],
      [aliceId, 'repo:alice/tools', { user: 'bob', role: 'write', previous: 'read' }],
    ]);
    assert.deepEqual((await audits('repo.collaborator.remove')).map((r) => [r.actor, r.target, r.meta]), [[aliceId, 'repo:alice/tools', { user: 'bob', role: 'write' }]]);
  });

  it('shows refusals of collaborator changes on the settings page: unknown users, the owner, bad roles, non-collaborators', async () => {
    const unknown = await post(alice, '/alice/tools/settings/collaborators', { login: 'nobody', role: 'read' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, new RegExp(`role="alert">${shown('no user named "nobody"')}`));
    assert.match(unknown.body, /id="collaborator-login" name="login" required maxLength="39" autocomplete="off" value="nobody"/i);

    const owner = await post(alice, '/alice/tools/settings/collaborators', { login: 'alice', role: 'read' });
    assert.equal(owner.statusCode, 400);
    assert.match(owner.body, /alice owns alice\/tools and is always its admin/);

    const role = await post(alice, '/alice/tools/settings/collaborators', { login: 'bob', role: 'owner' });
    assert.equal(role.statusCode, 400);
    assert.match(role.body, /role must be one of read, write, admin/);

    const notCollaborator = await post(alice, '/alice/tools/settings/collaborators/carol/remove', {});
    assert.equal(notCollaborator.statusCode, 400);
    assert.match(notCollaborator.body, /carol is not a collaborator on alice\/tools/);

    assert.equal((await audits('repo.collaborator.set')).length, 2);
  });

  it('answers a 404 page to every settings form of someone who does not administer the repository, and changes nothing', async () => {
    await k.core.repos.setCollaborator('alice/tools', 'bob', 'write');
    const before = await Promise.all([api('/repos/alice/tools'), api('/repos/alice/tools/collaborators')]);
    const forms: Array<[string, Record<string, string>]> = [
      ['/alice/tools/settings', { description: 'taken over', visibility: 'public' }],
      ['/alice/tools/settings/collaborators', { login: 'carol', role: 'admin' }],
      ['/alice/tools/settings/collaborators/bob', { role: 'admin' }],
      ['/alice/tools/settings/collaborators/bob/remove', {}],
    ];
    for (const [login, who] of [['bob', bob], ['carol', carol]] as const) {
      assert.equal((await get(who, '/alice/tools/settings')).statusCode, 404);
      for (const [url, fields] of forms) {
        const res = await post(who, url, fields);
        assert.equal(res.statusCode, 404, `${login} posting to ${url}`);
        assert.match(res.body, /Not found/);
      }
    }
    assert.deepEqual(await Promise.all([api('/repos/alice/tools'), api('/repos/alice/tools/collaborators')]), before);
    await k.core.repos.removeCollaborator(await k.core.repos.require('alice/tools'), 'bob', { kind: 'operator' });
  });

  it('refuses forms without their token (403) and bodies that are not forms (415), changing nothing', async () => {
    const count = async () => (await k.core.deps.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const before = Number(await count());
    const forms: Array<[string, Record<string, string>]> = [
      ['/new', { owner: 'alice', name: 'forged', visibility: 'public' }],
      ['/alice/tools/settings', { description: 'forged', visibility: 'public' }],
      ['/alice/tools/settings/collaborators', { login: 'bob', role: 'admin' }],
      ['/alice/tools/settings/collaborators/bob', { role: 'admin' }],
      ['/alice/tools/settings/collaborators/bob/remove', {}],
      ['/acme/-/members', { login: 'bob', role: 'owner' }],
      ['/acme/-/members/alice', { role: 'member' }],
      ['/acme/-/members/alice/remove', {}],
    ];
    for (const [url, fields] of forms) {
      const missing = await post(alice, url, { ...fields, csrf: '' });
      assert.equal(missing.statusCode, 403, `${url} without a token`);
      const wrong = await post(alice, url, { ...fields, csrf: bob.csrf });
      assert.equal(wrong.statusCode, 403, `${url} with another session's token`);
      const json = await alice.send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...fields, csrf: alice.csrf }) });
      assert.equal(json.statusCode, 415, `${url} with a JSON body`);
      const signedOut = await new WebVisitor(k).postForm(url, fields);
      assert.equal(signedOut.statusCode, 401, `${url} signed out`);
    }
    assert.equal(Number(await count()), before, 'a refused form wrote something');
    assert.equal((await api('/repos/alice/forged')).status, 404);
    assert.equal((await api('/repos/alice/tools')).body?.['description'], null);
  });

  it('shows an organization\'s members to its members only; its owners add members, change roles and remove them', async () => {
    const page = await get(alice, '/acme/-/members');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<a href="\/alice">alice<\/a> <span class="badge">you<\/span>/);
    assert.match(page.body, /<form method="post" action="\/acme\/-\/members" aria-labelledby="add-member-heading">/);
    assert.equal((await get(bob, '/acme/-/members')).statusCode, 404);
    assert.equal((await get(bob, '/globex/-/members')).statusCode, 404);
    assert.equal((await get(alice, '/bob/-/members')).statusCode, 404, 'a user has no members page');

    const added = await post(alice, '/acme/-/members', { login: 'bob', role: 'member' });
    assert.equal(added.statusCode, 303, added.body);
    assert.equal(added.headers.location, '/acme/-/members?done=added&user=bob&role=member');
    assert.match((await get(alice, added.headers.location)).body, /role="status">bob is now a member with the member role\./);
    assert.equal((await api('/orgs/acme/memberships/bob')).body?.['role'], 'member');

    const asMember = await get(bob, '/acme/-/members');
    assert.equal(asMember.statusCode, 200, 'a member sees the members');
    assert.ok(!asMember.body.includes('/remove'), 'a member who is not an owner is offered Remove');
    assert.ok(!asMember.body.includes('add-member-heading'), 'a member who is not an owner is offered Add member');
    const refused = await post(bob, '/acme/-/members/alice/remove', {});
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /role="alert">you need the owner role in organization acme/);
    assert.equal((await post(carol, '/acme/-/members/alice/remove', {})).statusCode, 404, 'a non-member gets the 404 page');
    assert.equal((await post(carol, '/acme/-/members', { login: 'carol', role: 'owner' })).statusCode, 404);
    assert.equal((await post(carol, '/acme/-/members/bob', { role: 'owner' })).statusCode, 404);

    const promoted = await post(alice, '/acme/-/members/bob', { role: 'owner' });
    assert.equal(promoted.statusCode, 303, promoted.body);
    assert.equal(promoted.headers.location, '/acme/-/members?done=changed&user=bob&role=owner');
    assert.equal((await api('/orgs/acme/memberships/bob')).body?.['role'], 'admin');
    assert.equal((await post(alice, '/acme/-/members/bob', { role: 'member' })).statusCode, 303);

    const removed = await post(alice, '/acme/-/members/bob/remove', {});
    assert.equal(removed.statusCode, 303, removed.body);
    assert.equal(removed.headers.location, '/acme/-/members?done=removed&user=bob');
    assert.match((await get(alice, removed.headers.location)).body, /role="status">bob is no longer a member\./);
    assert.equal((await api('/orgs/acme/memberships/bob')).status, 404);
    assert.equal((await get(bob, '/acme/-/members')).statusCode, 404);

    const aliceId = await userId('alice');
    assert.deepEqual((await audits('org.member.set')).map((r) => [r.actor, r.target, r.meta]), [
      [aliceId, 'org:acme', { user: 'bob', role: 'member', previous: null }],
      [aliceId, 'org:acme', { user: 'bob', role: 'owner', previous: 'member' }],
      [aliceId, 'org:acme', { user: 'bob', role: 'member', previous: 'owner' }],
    ]);
    assert.deepEqual((await audits('org.member.remove')).map((r) => [r.actor, r.target, r.meta]), [
      [aliceId, 'org:acme', { user: 'bob', role: 'member', repositories: 0, packages: 0 }],
    ]);
  });

  it('refuses to remove or demote the last owner, with a clear error, and shows other refusals on the members page', async () => {
    const remove = await post(alice, '/acme/-/members/alice/remove', {});
    assert.equal(remove.statusCode, 409);
    assert.match(remove.body, /role="alert">alice is the last owner of acme: make another member an owner before you remove them/);
    const demote = await post(alice, '/acme/-/members/alice', { role: 'member' });
    assert.equal(demote.statusCode, 409);
    assert.match(demote.body, /before you demote them/);
    assert.equal((await api('/orgs/acme/memberships/alice')).body?.['role'], 'admin');

    const unknown = await post(alice, '/acme/-/members', { login: 'nobody', role: 'member' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /value="nobody"/);
    const notMember = await post(alice, '/acme/-/members/carol', { role: 'owner' });
    assert.equal(notMember.statusCode, 400);
    assert.match(notMember.body, /carol is not a member of acme/);
    assert.equal((await api('/orgs/acme/memberships/carol')).status, 404, 'changing a role added a member');
    const role = await post(alice, '/acme/-/members', { login: 'carol', role: 'admin' });
    assert.equal(role.statusCode, 400);
    assert.match(role.body, /role must be one of owner, member/);
  });

  it('an owner who removes themselves goes back to the organization\'s page', async () => {
    await k.core.owners.setOrgMember('acme', 'bob', 'owner');
    const bobNow = await signIn('bob');
    const res = await post(bobNow, '/acme/-/members/bob/remove', {});
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/acme');
  });

  it('links owner pages to a new repository for the user and their organizations, and organizations to their members', async () => {
    assert.match((await get(alice, '/alice')).body, /<a href="\/new\?owner=alice">New repository<\/a>/);
    const org = await get(alice, '/acme');
    assert.match(org.body, /<a href="\/new\?owner=acme">New repository<\/a>/);
    assert.match(org.body, /<a href="\/acme\/-\/members">Members<\/a>/);
    assert.ok(!(await get(bob, '/alice')).body.includes('/new?owner=alice'), 'another user is offered a repository under alice');
    assert.ok(!(await get(null, '/acme')).body.includes('/new'), 'an anonymous visitor is offered a new repository');
  });
});

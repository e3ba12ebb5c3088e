import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { imageFixture, pushImage } from '../support/oci-fixtures.js';
import { WebVisitor } from '../support/web-visitor.js';
import { cleanupPolicySettings } from '../../src/formats/oci/cleanup-policy.js';
import type { ContainerTables } from '../../src/formats/oci/tables.js';

const password = 'correct horse battery staple';
const day = 86_400_000;
const formType = 'application/x-www-form-urlencoded';

/** Signs in through the sign-in form. */
const signIn = (k: TestKura, login: string) => WebVisitor.signedIn(k, login, password);

describe('package settings in the web UI', () => {
  let k: TestKura;
  const clock = new TestClock();
  let aliceToken: string;
  let alice: WebVisitor;
  let bob: WebVisitor;

  const widget = '/alice/-/packages/npm/%40alice%2Fwidget';
  const settings = `${widget}/settings`;
  const linked = '/alice/-/packages/npm/%40alice%2Flinked';

  async function publish(name: string, version: string, repository?: string) {
    const manifest = repository ? { repository } : {};
    const tarball = await buildTarball({ name, version, manifest });
    const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: aliceToken, payload: publishBody(name, version, tarball, { manifest }) });
    assert.equal(res.statusCode, 201, res.body);
  }

  const widgetPackage = async () => (await k.core.packages.queries.find('npm', 'alice', '@alice/widget', true))!;
  const versionOf = async (version: string) => (await k.core.packages.queries.version((await widgetPackage()).id, version))!;
  /** The audit rows of `action`, newest last. */
  const audits = (action: string) => k.core.deps.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  const lastAudit = async (action: string) => (await audits(action)).at(-1);

  before(async () => {
    k = await startTestKura({}, clock);
    aliceToken = (await k.user('alice', { password })).token;
    for (const login of ['bob', 'carol']) await k.user(login, { password });
    await k.core.repos.create({ fullName: 'alice/tools' });
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    for (const version of ['0.9.0', '1.0.0', '1.1.0']) await publish('@alice/widget', version);
    await publish('@alice/linked', '1.0.0', 'alice/tools');
    alice = await signIn(k, 'alice');
    bob = await signIn(k, 'bob');
  });
  after(() => k.close());

  it('shows the settings page to the package\'s admins only: a 404 page for others and for anonymous visitors', async () => {
    const page = await alice.get(settings);
    assert.equal(page.statusCode, 200, page.body);
    for (const heading of ['Visibility', 'Repository link', 'Access', 'Danger zone']) assert.match(page.body, new RegExp(`<h2[^>]*>${heading}</h2>`));
    assert.match(page.body, /<input type="radio" name="visibility" value="private" checked/);
    assert.match(page.body, /action="\/alice\/-\/packages\/npm\/%40alice%2Fwidget\/settings\/delete"/);
    assert.match(page.body, /<option value="tools">alice\/tools \(public\)<\/option>/);
    assert.match(page.body, /<option value="secret">alice\/secret \(private\)<\/option>/);
    assert.ok(!page.body.includes('npm settings'), 'npm packages have no format settings');
    assert.match((await alice.get(widget)).body, /href="\/alice\/-\/packages\/npm\/%40alice%2Fwidget\/settings">Package settings/);

    assert.equal((await bob.get(settings)).statusCode, 404);
    assert.equal((await k.inject({ method: 'GET', url: settings })).statusCode, 404);
    assert.equal((await bob.get(`${widget}/versions/1.0.0/delete`)).statusCode, 404);
    assert.equal((await alice.get(`${widget}/versions/9.9.9/delete`)).statusCode, 404);
  });

  it('makes an unlinked package public and private; a linked one follows its repository', async () => {
    const res = await alice.postForm(`${settings}/visibility`, { visibility: 'public' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `${settings}?done=visibility`);
    assert.equal((await widgetPackage()).visibility, 'public');
    assert.match((await alice.get(String(res.headers.location))).body, /<p class="notice" role="status">Visibility saved\.<\/p>/);
    assert.equal(JSON.parse((await lastAudit('package.visibility'))!.meta!).visibility, 'public');
    assert.equal((await k.inject({ method: 'GET', url: widget })).statusCode, 200, 'public: anyone sees it');

    const linkedPage = await alice.get(`${linked}/settings`);
    assert.equal(linkedPage.statusCode, 200);
    assert.ok(!linkedPage.body.includes('name="visibility"'), 'a linked package offers a visibility choice');
    assert.match(linkedPage.body, /follows its visibility/);
    assert.match(linkedPage.body, /Unlink from alice\/tools/);
    const refused = await alice.postForm(`${linked}/settings/visibility`, { visibility: 'private' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /<p class="error" role="alert">[^<]*linked to alice\/tools and follows its visibility/);
  });

  it('stops a linked package inheriting its repository\'s access, so its own visibility applies, and turns it back on', async () => {
    const page = await alice.get(`${linked}/settings`);
    assert.match(page.body, /<input type="radio" name="inherit" value="yes" checked/);
    const off = await alice.postForm(`${linked}/settings/inherit-access`, { inherit: 'no' });
    assert.equal(off.statusCode, 303, off.body);
    assert.equal(off.headers.location, `${linked}/settings?done=own-access`);
    const own = (await k.core.packages.queries.find('npm', 'alice', '@alice/linked'))!;
    assert.deepEqual([own.inheritsAccess, own.repo?.fullName, own.visibility], [false, 'alice/tools', 'public']);
    const ownPage = await alice.get(`${linked}/settings`);
    assert.match(ownPage.body, /name="visibility"/, 'no visibility choice without inheritance');
    assert.equal((await alice.postForm(`${linked}/settings/visibility`, { visibility: 'private' })).statusCode, 303);
    assert.equal((await k.inject({ method: 'GET', url: linked })).statusCode, 404, 'private although alice/tools is public');
    assert.equal((await alice.postForm(`${linked}/settings/inherit-access`, { inherit: 'maybe' })).statusCode, 400);
    const on = await alice.postForm(`${linked}/settings/inherit-access`, { inherit: 'yes' });
    assert.equal(on.statusCode, 303, on.body);
    assert.equal((await k.inject({ method: 'GET', url: linked })).statusCode, 200, 'public again with alice/tools');
    assert.equal((await audits('package.access.own')).length, 1);
    assert.equal((await audits('package.access.inherit')).length, 1);
  });

  it('answers 404 to every form of a package for a signed-in user who is not its admin, even a public package they can read, and changes nothing', async () => {
    assert.equal((await bob.get(widget)).statusCode, 200, 'bob reads the public package');
    const before = await audits('package.visibility');
    for (const [action, fields] of [
      ['visibility', { visibility: 'private' }], ['link', { repository: 'tools' }], ['unlink', {}], ['inherit-access', { inherit: 'no' }], ['member', { user: 'bob', role: 'admin' }],
      ['remove-member', { user: 'alice' }], ['format-settings', {}], ['delete', { confirm: '@alice/widget' }], ['restore', {}],
    ] as const) {
      const res = await bob.postForm(`${settings}/${action}`, fields);
      assert.equal(res.statusCode, 404, `${action}: ${res.statusCode}`);
      assert.match(res.body, /Not found/);
    }
    assert.equal((await bob.postForm(`${widget}/versions/1.0.0/delete`, { confirm: '1.0.0' })).statusCode, 404);
    assert.equal((await bob.postForm(`${widget}/versions/1.0.0/restore`, {})).statusCode, 404);
    const pkg = await widgetPackage();
    assert.deepEqual([pkg.visibility, pkg.repo, pkg.deletedAt], ['public', null, null]);
    assert.equal((await versionOf('1.0.0')).deletedAt, null);
    assert.equal((await audits('package.visibility')).length, before.length);
    assert.deepEqual((await k.core.packages.members({ kind: 'operator' }, pkg)).map((m) => m.user.login), ['alice']);
    const anonymous = await k.inject({ method: 'POST', url: `${settings}/visibility`, headers: { 'content-type': formType }, payload: 'visibility=private' });
    assert.equal(anonymous.statusCode, 401);
  });

  it('refuses a form without its CSRF token (403) and a body that is not a form (415), changing nothing', async () => {
    const noToken = await alice.postForm(`${settings}/visibility`, { visibility: 'private', csrf: '' });
    assert.equal(noToken.statusCode, 403);
    const json = await alice.send({ method: 'POST', url: `${settings}/visibility`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ visibility: 'private' }) });
    assert.equal(json.statusCode, 415);
    const noTokenDelete = await alice.postForm(`${settings}/delete`, { confirm: '@alice/widget', csrf: '' });
    assert.equal(noTokenDelete.statusCode, 403);
    const pkg = await widgetPackage();
    assert.deepEqual([pkg.visibility, pkg.deletedAt], ['public', null]);
  });

  it('links the package to a repository of its owner and unlinks it', async () => {
    const res = await alice.postForm(`${settings}/link`, { repository: 'tools' });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal((await widgetPackage()).repo?.fullName, 'alice/tools');
    assert.equal(JSON.parse((await lastAudit('package.link'))!.meta!).repository, 'alice/tools');
    const page = await alice.get(String(res.headers.location));
    assert.match(page.body, /Linked to the repository/);
    assert.match(page.body, /Unlink from alice\/tools/);

    const unlinked = await alice.postForm(`${settings}/unlink`, {});
    assert.equal(unlinked.statusCode, 303, unlinked.body);
    assert.equal((await widgetPackage()).repo, null);
    assert.equal(JSON.parse((await lastAudit('package.unlink'))!.meta!).repository, 'alice/tools');

    const missing = await alice.postForm(`${settings}/link`, { repository: 'nothing' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /alice has no repository nothing that you can publish to/);
    assert.equal((await widgetPackage()).repo, null);
  });

  it('gives a user a role, changes it and takes it away; with read, they see the private package; only admins reach the settings', async () => {
    assert.equal((await alice.postForm(`${settings}/visibility`, { visibility: 'private' })).statusCode, 303);
    assert.equal((await bob.get(widget)).statusCode, 404);

    const added = await alice.postForm(`${settings}/member`, { user: 'bob', role: 'read' });
    assert.equal(added.statusCode, 303, added.body);
    assert.equal(added.headers.location, `${settings}?done=member&name=bob`);
    const roles = async () => (await k.core.packages.members({ kind: 'operator' }, await widgetPackage())).map((m) => `${m.user.login}:${m.role}`);
    assert.deepEqual(await roles(), ['bob:read'], 'linking dropped the publisher\'s own role; as owner she is admin anyway');
    assert.equal((await bob.get(widget)).statusCode, 200, 'bob reads the private package');
    assert.equal((await bob.get(settings)).statusCode, 404, 'read is not admin');
    const page = await alice.get(String(added.headers.location));
    assert.match(page.body, /<p class="notice" role="status">bob(&#39;|')s role is saved\.<\/p>/);
    assert.match(page.body, /<label class="sr-only" for="member-role-0">Role of bob<\/label>/);

    assert.equal((await alice.postForm(`${settings}/member`, { user: 'bob', role: 'admin' })).statusCode, 303);
    assert.deepEqual(await roles(), ['bob:admin']);
    assert.equal((await bob.get(settings)).statusCode, 200, 'an admin reaches the settings');
    assert.deepEqual(JSON.parse((await lastAudit('package.member.set'))!.meta!), { user: 'bob', role: 'admin', previous: 'read' });

    const unknown = await alice.postForm(`${settings}/member`, { user: 'nobody', role: 'read' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /<p class="error" role="alert">/);
    assert.match(unknown.body, /value="nobody"/, 'the typed username is shown again');
    const badRole = await alice.postForm(`${settings}/member`, { user: 'carol', role: 'owner' });
    assert.equal(badRole.statusCode, 400);

    const removed = await alice.postForm(`${settings}/remove-member`, { user: 'bob' });
    assert.equal(removed.statusCode, 303, removed.body);
    assert.deepEqual(await roles(), []);
    assert.deepEqual(JSON.parse((await lastAudit('package.member.remove'))!.meta!), { user: 'bob', role: 'admin' });
    assert.equal((await bob.get(widget)).statusCode, 404);
    assert.equal((await bob.postForm(`${settings}/member`, { user: 'bob', role: 'admin' })).statusCode, 404, 'bob gives himself nothing back');
    assert.equal((await alice.postForm(`${settings}/remove-member`, { user: 'bob' })).statusCode, 400, 'bob has no role left to remove');
  });

  it('deletes a version once its number is typed exactly, lists it deleted to admins only, and restores it', async () => {
    const confirm = await alice.get(`${widget}/versions/1.0.0/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<label for="version-confirm">Type the version number, <code>1\.0\.0<\/code>, to confirm<\/label>/);

    const wrong = await alice.postForm(`${widget}/versions/1.0.0/delete`, { confirm: '1.0' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /the version was not deleted/);
    assert.equal((await versionOf('1.0.0')).deletedAt, null);

    const deleted = await alice.postForm(`${widget}/versions/1.0.0/delete`, { confirm: '1.0.0' });
    assert.equal(deleted.statusCode, 303, deleted.body);
    assert.equal(deleted.headers.location, `${widget}/versions?done=version-deleted&name=1.0.0`);
    assert.ok((await versionOf('1.0.0')).deletedAt);
    assert.equal(JSON.parse((await lastAudit('version.delete'))!.meta!).version, '1.0.0');
    assert.equal((await k.inject({ method: 'GET', url: '/npm/@alice/widget/-/widget-1.0.0.tgz', token: aliceToken })).statusCode, 404);

    const list = await alice.get(String(deleted.headers.location));
    assert.match(list.body, /Version 1\.0\.0 deleted\./);
    assert.match(list.body, /<span class="badge">deleted<\/span>/);
    assert.match(list.body, /action="\/alice\/-\/packages\/npm\/%40alice%2Fwidget\/versions\/1\.0\.0\/restore"/);
    assert.match(list.body, /href="\/alice\/-\/packages\/npm\/%40alice%2Fwidget\/versions\/1\.1\.0\/delete"/);
    assert.ok(!list.body.includes('/versions/1.0.0/delete"'), 'a deleted version offers Delete');
    assert.equal((await alice.get(`${widget}/versions/1.0.0/delete`)).statusCode, 404, 'a deleted version has no delete page');

    assert.equal((await alice.postForm(`${settings}/visibility`, { visibility: 'public' })).statusCode, 303);
    const forOthers = await bob.get(`${widget}/versions`);
    assert.equal(forOthers.statusCode, 200);
    assert.ok(!forOthers.body.includes('>1.0.0<') && !forOthers.body.includes('Actions'), 'a reader sees the deleted version or the actions');

    const restored = await alice.postForm(`${widget}/versions/1.0.0/restore`, {});
    assert.equal(restored.statusCode, 303, restored.body);
    assert.equal((await versionOf('1.0.0')).deletedAt, null);
    assert.equal(JSON.parse((await lastAudit('version.restore'))!.meta!).version, '1.0.0');
    assert.match((await alice.get(String(restored.headers.location))).body, /Version 1\.0\.0 restored\./);
    assert.equal((await alice.postForm(`${widget}/versions/1.0.0/restore`, {})).statusCode, 404, 'a live version is not restored');
  });

  it('deletes the package only when its name is typed exactly; its admins see it deleted and restore it, others get 404', async () => {
    const wrong = await alice.postForm(`${settings}/delete`, { confirm: '@alice/widge' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /the package was not deleted/);
    assert.equal((await widgetPackage()).deletedAt, null);
    assert.equal((await alice.postForm(`${settings}/delete`, { confirm: '@ALICE/WIDGET' })).statusCode, 400, 'the name must match exactly');
    assert.equal((await widgetPackage()).deletedAt, null);

    const deleted = await alice.postForm(`${settings}/delete`, { confirm: '@alice/widget' });
    assert.equal(deleted.statusCode, 303, deleted.body);
    assert.equal(deleted.headers.location, `${widget}?done=deleted`);
    assert.ok((await widgetPackage()).deletedAt);
    assert.ok(await lastAudit('package.delete'));

    const page = await alice.get(String(deleted.headers.location));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This package is deleted/);
    assert.match(page.body, /<button type="submit">Restore package<\/button>/);
    assert.equal((await alice.get(settings)).statusCode, 200);
    for (const url of [widget, settings, `${widget}/versions`]) {
      assert.equal((await bob.get(url)).statusCode, 404, url);
      assert.equal((await k.inject({ method: 'GET', url })).statusCode, 404, url);
    }
    assert.equal((await bob.postForm(`${settings}/restore`, {})).statusCode, 404);
    assert.equal((await alice.postForm(`${settings}/visibility`, { visibility: 'private' })).statusCode, 404, 'a deleted package is not changed');

    const restored = await alice.postForm(`${settings}/restore`, {});
    assert.equal(restored.statusCode, 303, restored.body);
    assert.equal((await widgetPackage()).deletedAt, null);
    assert.ok(await lastAudit('package.restore'));
    assert.match((await alice.get(String(restored.headers.location))).body, /Package restored\./);
    assert.equal((await bob.get(widget)).statusCode, 200);
    assert.equal((await alice.postForm(`${settings}/restore`, {})).statusCode, 404, 'a live package is not restored');
  });

  it('changes a container image\'s cleanup rule through its format\'s settings', async () => {
    const pushed = await pushImage(k, aliceToken, 'alice/web', imageFixture(), 'v1');
    assert.equal(pushed.statusCode, 201, pushed.body);
    const image = '/alice/-/packages/container/web/settings';
    const page = await alice.get(image);
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /<h2 id="format-settings-heading">Container settings<\/h2>/);
    assert.match(page.body, /<label for="setting-untagged_retention_days">Untagged retention days<\/label>/);
    const ctx = k.formatContext<ContainerTables>('container');
    const pkg = async () => (await k.core.packages.queries.find('container', 'alice', 'web'))!;
    const rule = async () => (await cleanupPolicySettings.read(ctx, await pkg()))['untagged_retention_days'];

    const saved = await alice.postForm(`${image}/format-settings`, { 'setting.untagged_retention_days': '7' });
    assert.equal(saved.statusCode, 303, saved.body);
    assert.equal(await rule(), 7);
    assert.deepEqual(JSON.parse((await lastAudit('package.settings'))!.meta!), { untagged_retention_days: 7 });
    assert.match((await alice.get(String(saved.headers.location))).body, /value="7"/);

    const bad = await alice.postForm(`${image}/format-settings`, { 'setting.untagged_retention_days': 'a week' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /untagged_retention_days must be null or a whole number/);
    assert.match(bad.body, /value="a week"/);
    assert.equal(await rule(), 7);

    const same = await alice.postForm(`${image}/format-settings`, { 'setting.untagged_retention_days': '7' });
    assert.equal(same.headers.location, `${image}?done=settings-unchanged`);
    assert.equal((await alice.postForm(`${image}/format-settings`, { 'setting.untagged_retention_days': '' })).statusCode, 303);
    assert.equal(await rule(), null);
    assert.equal((await bob.postForm(`${image}/format-settings`, { 'setting.untagged_retention_days': '1' })).statusCode, 404);
    assert.equal(await rule(), null);
  });

  it('shows why core refuses: a public version downloaded past the protection threshold stays, and stays public, for all but a site admin', async () => {
    await k.core.deps.db.updateTable('versions').set({ download_count: 1_000_000 }).where('id', '=', (await versionOf('1.1.0')).id).execute();
    assert.equal((await widgetPackage()).visibility, 'public');
    const refused = await alice.postForm(`${widget}/versions/1.1.0/delete`, { confirm: '1.1.0' });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /<p class="error" role="alert">[^<]*only a site admin can delete it<\/p>/);
    assert.match(refused.body, /<label for="version-confirm">/, 'the confirmation form is shown again');
    assert.equal((await versionOf('1.1.0')).deletedAt, null);
    const whole = await alice.postForm(`${settings}/delete`, { confirm: '@alice/widget' });
    assert.equal(whole.statusCode, 403);
    assert.match(whole.body, /only a site admin can delete it/);
    assert.equal((await widgetPackage()).deletedAt, null);
    const hidden = await alice.postForm(`${settings}/visibility`, { visibility: 'private' });
    assert.equal(hidden.statusCode, 403);
    assert.match(hidden.body, /<p class="error" role="alert">[^<]*site admin/);
    assert.equal((await widgetPackage()).visibility, 'public');
    await k.core.deps.db.updateTable('versions').set({ download_count: 0 }).where('id', '=', (await versionOf('1.1.0')).id).execute();
  });

  it('offers no Restore past the restore window and refuses it there', async () => {
    assert.equal((await alice.postForm(`${widget}/versions/0.9.0/delete`, { confirm: '0.9.0' })).statusCode, 303);
    clock.advance(31 * day);
    const late = await signIn(k, 'alice');
    const list = await late.get(`${widget}/versions`);
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes('/versions/0.9.0/restore'), 'Restore is offered past the window');
    assert.match(list.body, /Past the restore window/);
    const refused = await late.postForm(`${widget}/versions/0.9.0/restore`, {});
    assert.equal(refused.statusCode, 410);
    assert.match(refused.body, /can no longer be restored/);
    assert.ok((await versionOf('0.9.0')).deletedAt);
  });
});

describe('the versions list of a package\'s admin, with deleted versions and their buttons', () => {
  let k: TestKura;
  let alice: WebVisitor;
  const counts = { '@alice/few': 4, '@alice/many': 60 } as const;

  /** Database queries run so far, as /metrics counts them. */
  async function queriesSoFar(): Promise<number> {
    const res = await k.inject({ method: 'GET', url: '/metrics' });
    return res.body.split('\n').filter((l) => l.startsWith('kura_db_query_duration_seconds_count')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  }

  before(async () => {
    k = await startTestKura({ KURA_METRICS: 'on' });
    const { token } = await k.user('alice', { password });
    for (const [name, count] of Object.entries(counts)) {
      for (let i = 0; i < count; i++) {
        const version = `1.0.${i}`;
        const tarball = await buildTarball({ name, version });
        const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball) });
        assert.equal(res.statusCode, 201, res.body);
      }
      const pkg = (await k.core.packages.queries.find('npm', 'alice', name))!;
      // Every other version deleted, one of them past the restore window.
      const versions = await k.core.packages.queries.versions(pkg.id);
      const deleted = versions.filter((_, i) => i % 2 === 1).map((v) => v.id);
      await k.core.deps.db.updateTable('versions').set({ deleted_at: new Date().toISOString() }).where('id', 'in', deleted).execute();
      await k.core.deps.db.updateTable('versions').set({ deleted_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', deleted.at(-1)!).execute();
    }
    alice = await WebVisitor.signedIn(k, 'alice', password);
  });
  after(() => k.close());

  /** The queries one GET of `path` by alice runs, after a first GET has warmed every cache. */
  async function queriesOf(path: string): Promise<{ queries: number; body: string }> {
    assert.equal((await alice.get(path)).statusCode, 200, path);
    const before = await queriesSoFar();
    const res = await alice.get(path);
    assert.equal(res.statusCode, 200, path);
    return { queries: (await queriesSoFar()) - before, body: res.body };
  }

  it('costs the same queries for 60 versions as for 4: one for the page of versions, none per version', async () => {
    const path = (name: string) => `/alice/-/packages/npm/${encodeURIComponent(name)}/versions`;
    const few = await queriesOf(path('@alice/few'));
    const many = await queriesOf(path('@alice/many'));
    assert.match(many.body, /Restore<span class="sr-only"> version 1\.0\.57<\/span>/);
    assert.match(many.body, /Past the restore window/);
    assert.match(many.body, /Delete<span class="sr-only"> version 1\.0\.58<\/span>/);
    assert.ok(few.queries > 0, 'the metrics count no queries');
    assert.equal(many.queries, few.queries, `${counts['@alice/many']} versions cost ${many.queries} queries, ${counts['@alice/few']} cost ${few.queries}`);
  });
});

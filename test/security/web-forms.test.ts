import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { WebVisitor } from '../support/web-visitor.js';
import { storedState } from './security-suite.js';

const password = 'correct horse battery staple';

/** One form of the web UI, aimed at something of alice's, with fields that would be accepted. */
interface WebForm {
  name: string;
  url: string;
  fields: Record<string, string | string[]>;
  /** Signing in is the one form a visitor without a session posts. */
  anonymous?: boolean;
  /** Whether the form acts on something of alice's that bob may not see (bob gets 404, not 403). */
  private?: boolean;
}

/** The route paths of `POST` routes in a `printRoutes({ method: 'POST' })` tree (each line a segment under its parent). */
function postRoutes(tree: string): string[] {
  const stack: string[] = [];
  const found: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = path;
    if (match[3]?.split(',').map((m) => m.trim()).includes('POST')) found.push(path);
  }
  return found;
}

/** The forms of a package's settings page and versions list, aimed at package `name` (of alice's, private) at `path`. */
function packageForms(path: string, name: string): WebForm[] {
  const settings: Array<[string, Record<string, string>]> = [
    ['visibility', { visibility: 'public' }], ['link', { repository: 'secret' }], ['unlink', {}], ['inherit-access', { inherit: 'no' }], ['member', { user: 'bob', role: 'read' }],
    ['remove-member', { user: 'bob' }], ['format-settings', {}], ['delete', { confirm: name }], ['restore', {}],
  ];
  return [
    ...settings.map(([action, fields]) => ({ name: `package settings: ${action}`, url: `${path}/settings/${action}`, fields, private: true })),
    { name: 'delete a version', url: `${path}/versions/1.0.0/delete`, fields: { confirm: '1.0.0' }, private: true },
    { name: 'restore a version', url: `${path}/versions/1.0.0/restore`, fields: {}, private: true },
  ];
}

/** Paths that belong to the REST API or a format's mount, not to the web UI. */
const notWeb = /^\/(api|npm|maven|v2|rubygems|nuget)\//;

describe('security: the web UI\'s forms', () => {
  let k: TestKura;
  let alice: WebVisitor;
  let bob: WebVisitor;
  let aliceReadToken: string;
  let forms: WebForm[];

  before(async () => {
    k = await startTestKura();
    await k.user('alice', { password });
    await k.user('bob', { password });
    aliceReadToken = await k.token('alice', ['read:packages']);
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    await k.core.owners.createOrg('acme', 'alice');
    const name = '@alice/hidden';
    const manifest = { repository: 'alice/secret' };
    const tarball = await buildTarball({ name, version: '1.0.0', manifest });
    const published = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: await k.token('alice', ['write:packages']), payload: publishBody(name, '1.0.0', tarball, { manifest }) });
    assert.equal(published.statusCode, 201, published.body);
    const target = (await k.core.tokens.list((await k.core.owners.requireUser('alice')).id))[0]!;
    const otherSession = await WebVisitor.signedIn(k, 'alice', password);
    const sessions = await k.core.sessions.list((await k.core.owners.requireUser('alice')).id);
    alice = await WebVisitor.signedIn(k, 'alice', password);
    bob = await WebVisitor.signedIn(k, 'bob', password);
    assert.ok(otherSession);
    forms = [
      { name: 'sign in', url: '/login', fields: { login: 'alice', password }, anonymous: true },
      { name: 'sign out', url: '/logout', fields: {} },
      { name: 'create a token', url: '/settings/tokens', fields: { name: 'x', scopes: ['read:packages'], expires: '7', repository: '' } },
      { name: 'revoke a token', url: `/settings/tokens/${target.id}/revoke`, fields: {}, private: true },
      { name: 'end a session', url: `/settings/sessions/${sessions[0]!.id}/revoke`, fields: {}, private: true },
      { name: 'create a repository', url: '/new', fields: { owner: 'alice', name: 'made', description: '', visibility: 'public' } },
      { name: 'change a repository\'s settings', url: '/alice/secret/settings', fields: { description: 'changed', visibility: 'public' }, private: true },
      { name: 'add a collaborator', url: '/alice/secret/settings/collaborators', fields: { login: 'bob', role: 'admin' }, private: true },
      { name: 'change a collaborator\'s role', url: '/alice/secret/settings/collaborators/bob', fields: { role: 'admin' }, private: true },
      { name: 'remove a collaborator', url: '/alice/secret/settings/collaborators/bob/remove', fields: {}, private: true },
      { name: 'add an organization member', url: '/acme/-/members', fields: { login: 'bob', role: 'owner' }, private: true },
      { name: 'change a member\'s role', url: '/acme/-/members/alice', fields: { role: 'member' }, private: true },
      { name: 'remove a member', url: '/acme/-/members/alice/remove', fields: {}, private: true },
      ...packageForms(`/alice/-/packages/npm/${encodeURIComponent(name)}`, name),
    ];
  });
  after(() => k.close());

  /** The route template a form's URL belongs to: ids and names replaced by the parameters' names. */
  const templateOf = (url: string, templates: string[]) => templates.find((t) => new RegExp(`^${t.replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.+')}$`).test(url));

  it('covers every POST route of the web UI', () => {
    const templates = postRoutes(k.app.printRoutes({ method: 'POST' })).filter((p) => !notWeb.test(p));
    assert.ok(templates.includes('/login') && templates.includes('/settings/tokens/:id/revoke') && templates.includes('/:owner/-/packages/:format/*'), `the route listing was not read: ${templates.join(', ')}`);
    const covered = new Set(forms.map((f) => templateOf(f.url, templates)));
    assert.deepEqual(templates.filter((t) => !covered.has(t)), [], 'web forms the suite does not post');
  });

  it('refuses each form without a session (401), with a token instead of a session (401), without the CSRF token or with another visitor\'s (403), from another origin (403), and with a body that is not a form (415), changing nothing', async () => {
    const before = await storedState(k);
    const stranger = new WebVisitor(k);
    await stranger.get('/login');
    for (const form of forms) {
      if (!form.anonymous) {
        const res = await stranger.postForm(form.url, form.fields);
        assert.equal(res.statusCode, 401, `${form.name}, signed out: ${res.statusCode}`);
        const withToken = await stranger.postForm(form.url, form.fields, { authorization: `Bearer ${aliceReadToken}` });
        assert.equal(withToken.statusCode, 401, `${form.name}, with a token: ${withToken.statusCode}`);
      }
      const actor = form.anonymous ? stranger : alice;
      for (const [label, csrf] of [['no csrf', ''], ['a made-up csrf', 'x'.repeat(43)], ['another visitor\'s csrf', form.anonymous ? alice.csrf : stranger.csrf]] as const) {
        const res = await actor.postForm(form.url, { ...form.fields, csrf });
        assert.equal(res.statusCode, 403, `${form.name} with ${label}: ${res.statusCode}`);
      }
      for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Array<Record<string, string>>) {
        const res = await actor.postForm(form.url, form.fields, headers);
        assert.equal(res.statusCode, 403, `${form.name} with ${JSON.stringify(headers)}: ${res.statusCode}`);
      }
      for (const [type, payload] of [['text/plain', 'csrf=x'], ['application/json', '{}'], ['multipart/form-data; boundary=kura', '--kura--\r\n']] as const) {
        const res = await actor.send({ method: 'POST', url: form.url, payload, headers: { 'content-type': type } });
        assert.equal(res.statusCode, 415, `${form.name} with ${type}: ${res.statusCode}`);
      }
    }
    assert.deepEqual(await storedState(k), before, 'a refused form changed something');
  });

  it('refuses a form with a NUL character in any field (400), changing nothing', async () => {
    const before = await storedState(k);
    const stranger = new WebVisitor(k);
    await stranger.get('/login');
    for (const form of forms) {
      const actor = form.anonymous ? stranger : alice;
      await actor.get(form.anonymous ? '/login' : '/settings/tokens');
      const poisoned = Object.fromEntries(Object.entries(form.fields).map(([name, value]) => [name, [value].flat().map((v) => `${v}\u0000`)]));
      for (const fields of [...(Object.keys(poisoned).length > 0 ? [poisoned] : []), { ...form.fields, note: 'a\u0000b' }]) {
        const res = await actor.postForm(form.url, fields);
        assert.equal(res.statusCode, 400, `${form.name}: ${res.statusCode}`);
        assert.match(String(res.headers['content-type']), /^text\/html/);
      }
    }
    assert.deepEqual(await storedState(k), before, 'a refused form changed something');
  });

  it('answers another signed-in user 404 on forms aimed at alice\'s things, changing nothing', async () => {
    const before = await storedState(k);
    for (const form of forms.filter((f) => f.private)) {
      const res = await bob.postForm(form.url, form.fields);
      assert.equal(res.statusCode, 404, `${form.name} as bob: ${res.statusCode}`);
    }
    assert.deepEqual(await storedState(k), before, 'a refused form changed something');
  });

  it('answers private pages 404 to anonymous visitors and to other users, and 200 to alice', async () => {
    const pages = ['/alice/secret', `/alice/-/packages/npm/${encodeURIComponent('@alice/hidden')}`, `/alice/-/packages/npm/${encodeURIComponent('@alice/hidden')}/versions`, `/alice/-/packages/npm/${encodeURIComponent('@alice/hidden')}/versions/1.0.0`];
    for (const url of pages) {
      assert.equal((await new WebVisitor(k).get(url)).statusCode, 404, `${url} anonymous`);
      assert.equal((await bob.get(url)).statusCode, 404, `${url} as bob`);
      assert.equal((await alice.get(url)).statusCode, 200, `${url} as alice`);
    }
  });

  it('answers paths no route knows with the same HTML 404 page, and keeps JSON errors for the REST API', async () => {
    const known = await k.inject({ method: 'GET', url: '/nobody' });
    assert.equal(known.statusCode, 404);
    for (const url of ['/a/b/c/d', '/alice/-/packages/npm', '/alice/-/x/y/z', '/new/x/y', '/settings/tokens/1/x/y']) {
      for (const visitor of [alice, null]) {
        const res = visitor ? await visitor.get(url) : await k.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.match(String(res.headers['content-type']), /^text\/html/, url);
        assert.match(res.body, /There is nothing here, or you may not see it\./, url);
        assert.equal(res.headers['content-security-policy'], known.headers['content-security-policy'], url);
        assert.equal(res.headers['cache-control'], 'no-store', url);
      }
    }
    const signedIn = await alice.get('/a/b/c/d');
    assert.match(signedIn.body, /Sign out/, 'the visitor stays signed in on the 404 page');
    const badUrl = await k.inject({ method: 'GET', url: '/%zz/x' });
    assert.equal(badUrl.statusCode, 400);
    assert.match(String(badUrl.headers['content-security-policy']), /default-src 'none'/);
    for (const url of ['/api/v1/nothing', '/api/v1/user/x/y', '/api/v1/%zz']) {
      const res = await k.inject({ method: 'GET', url });
      assert.match(String(res.headers['content-type']), /^application\/json/, url);
      assert.deepEqual(Object.keys(res.json().error).sort(), ['code', 'message'], url);
    }
  });

  it('sends every page with a Content-Security-Policy that allows no inline script, and forbids framing', async () => {
    for (const url of ['/', '/login', '/alice', '/settings/tokens', '/nobody', '/a/b/c/d', '/alice/-/packages/npm', '/alice/-/nothing', '/new/x/y', '/%zz/x', '/-/static/none.css']) {
      const res = await alice.get(url);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/, url);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { basicAuth, pomXml } from '../e2e/fixtures/maven/artifacts.js';
import { assertAll2xx, MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';

const lib = { groupId: 'com.example', artifactId: 'lib', version: '1.0' };

describe('Maven access: challenge, tokens, permissions, owner-wide view (inject)', () => {
  let k: TestKura;
  let alice: { token: string };
  let bob: { token: string };
  const pom = '/maven/alice/secret/com/example/lib/1.0/lib-1.0.pom';

  before(async () => {
    k = await startTestKura();
    alice = await k.user('alice', { password: 'correct horse battery staple' });
    bob = await k.user('bob');
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    await k.core.repos.create({ fullName: 'alice/hidden', visibility: 'private' });
    await k.core.repos.create({ fullName: 'alice/open' });
    await k.core.repos.setCollaborator('alice/secret', 'bob', 'read');
    assertAll2xx(await new MavenInjectClient(k, '/maven/alice/secret', alice.token).deploy(lib));
    assertAll2xx(await new MavenInjectClient(k, '/maven/alice/hidden', alice.token).deploy({ ...lib, artifactId: 'hidden' }));
    assertAll2xx(await new MavenInjectClient(k, '/maven/alice/open', alice.token).deploy({ ...lib, artifactId: 'open' }));
  });
  after(() => k.close());

  const get = (url: string, headers: Record<string, string> = {}) => k.app.inject({ method: 'GET', url, headers });

  it('challenges an anonymous read of a private repository with Basic, then serves the retry with the token', async () => {
    const first = await get(pom);
    assert.equal(first.statusCode, 401);
    assert.equal(first.headers['www-authenticate'], 'Basic realm="kura"');
    assert.match(first.statusMessage, /authentication required/);
    assert.equal((await get(pom, basicAuth(alice.token))).statusCode, 200);
    assert.equal((await get(pom, { authorization: `Bearer ${alice.token}` })).statusCode, 200);
  });

  it('refuses a password in place of a token and an unknown token with 401', async () => {
    const password = await get(pom, { authorization: `Basic ${Buffer.from('alice:correct horse battery staple').toString('base64')}` });
    assert.equal(password.statusCode, 401);
    assert.match(password.body, /use a personal access token/);
    const unknown = await get(pom, basicAuth('kura_notarealtoken'));
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.headers['www-authenticate'], 'Basic realm="kura"');
  });

  it('lets anyone resolve from a public repository without credentials; absent files there are a plain 404', async () => {
    assert.equal((await get('/maven/alice/open/com/example/open/1.0/open-1.0.jar')).statusCode, 200);
    assert.equal((await get('/maven/alice/open/com/example/open/maven-metadata.xml')).statusCode, 200);
    assert.equal((await get('/maven/alice/open/com/example/absent/maven-metadata.xml')).statusCode, 404);
    const anonymousDeploy = await k.app.inject({ method: 'PUT', url: '/maven/alice/open/com/example/open/2.0/open-2.0.pom', payload: pomXml({ ...lib, artifactId: 'open', version: '2.0' }) });
    assert.equal(anonymousDeploy.statusCode, 401);
    assert.equal(anonymousDeploy.headers['www-authenticate'], 'Basic realm="kura"');
  });

  it('lets a read collaborator resolve but not deploy (403 naming the permission)', async () => {
    assert.equal((await get(pom, basicAuth(bob.token))).statusCode, 200);
    const deploy = await k.app.inject({ method: 'PUT', url: '/maven/alice/secret/com/example/lib/2.0/lib-2.0.pom', payload: pomXml({ ...lib, version: '2.0' }), headers: basicAuth(bob.token) });
    assert.equal(deploy.statusCode, 403);
    assert.match(deploy.body, /write permission on repository alice\/secret/);
  });

  it('answers 404 to a signed-in caller without access, and to a token restricted to another repository', async () => {
    assert.equal((await get('/maven/alice/hidden/com/example/hidden/1.0/hidden-1.0.pom', basicAuth(bob.token))).statusCode, 404);
    const restricted = await k.token('alice', ['read:packages', 'write:packages'], { repo: 'alice/open' });
    assert.equal((await get(pom, basicAuth(restricted))).statusCode, 404);
    assert.equal((await get('/maven/alice/open/com/example/open/1.0/open-1.0.pom', basicAuth(restricted))).statusCode, 200);
  });

  it('resolves across the repositories the caller may read in the owner-wide view, and only those', async () => {
    assert.equal((await get('/maven/alice/com/example/lib/1.0/lib-1.0.pom', basicAuth(bob.token))).statusCode, 200);
    assert.equal((await get('/maven/alice/com/example/open/1.0/open-1.0.pom')).statusCode, 200);
    assert.equal((await get('/maven/alice/com/example/hidden/1.0/hidden-1.0.pom', basicAuth(bob.token))).statusCode, 404);
    const anonymous = await get('/maven/alice/*/com/example/hidden/maven-metadata.xml');
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="kura"');
  });

  it('lets org members resolve org repositories and write collaborators deploy', async () => {
    await k.core.owners.createOrg('acme', 'alice');
    await k.user('carol');
    await k.core.owners.setOrgMember('acme', 'carol', 'member');
    await k.core.repos.create({ fullName: 'acme/platform', visibility: 'private' });
    assertAll2xx(await new MavenInjectClient(k, '/maven/acme/platform', alice.token).deploy({ ...lib, groupId: 'com.acme' }));
    const carol = await k.token('carol', ['read:packages', 'write:packages']);
    assert.equal((await get('/maven/acme/platform/com/acme/lib/1.0/lib-1.0.jar', basicAuth(carol))).statusCode, 200);
    const denied = await new MavenInjectClient(k, '/maven/acme/platform', carol).deploy({ ...lib, groupId: 'com.acme', version: '1.1' });
    assert.equal(denied[0]!.statusCode, 403);
    await k.core.repos.setCollaborator('acme/platform', 'carol', 'write');
    assertAll2xx(await new MavenInjectClient(k, '/maven/acme/platform', carol).deploy({ ...lib, groupId: 'com.acme', version: '1.1' }));
  });
});

describe('Maven when the format is read-only or disabled', () => {
  it('serves downloads but refuses deploys in read-only mode, in the Maven dialect', async () => {
    const k = await startTestKura({ KURA_FORMATS: 'maven=read-only' });
    try {
      const alice = await k.user('alice');
      await k.core.repos.create({ fullName: 'alice/tools' });
      const res = await new MavenInjectClient(k, '/maven/alice/tools', alice.token).put('/maven/alice/tools/com/example/lib/1.0/lib-1.0.pom', pomXml(lib));
      assert.equal(res.statusCode, 403);
      assert.match(String(res.headers['content-type']), /text\/plain/);
      assert.match(res.body, /read-only/);
      assert.equal((await k.app.inject({ method: 'GET', url: '/maven/alice/tools/com/example/lib/maven-metadata.xml' })).statusCode, 404);
    } finally {
      await k.close();
    }
  });

  it('answers 404 naming the setting when disabled', async () => {
    const k = await startTestKura({ KURA_FORMATS: 'maven=disabled' });
    try {
      const res = await k.app.inject({ method: 'GET', url: '/maven/alice/tools/com/example/lib/maven-metadata.xml' });
      assert.equal(res.statusCode, 404);
      assert.match(res.body, /maven=disabled/);
    } finally {
      await k.close();
    }
  });
});

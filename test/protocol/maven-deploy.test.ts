import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { digest, jarBytes, pomXml, zipBytes } from '../e2e/fixtures/maven/artifacts.js';
import { assertAll2xx, MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';

describe('Maven deploy and resolve (inject)', () => {
  let k: TestKura;
  let alice: { token: string };
  let mvn: MavenInjectClient;

  before(async () => {
    k = await startTestKura();
    alice = await k.user('alice');
    await k.core.repos.create({ fullName: 'alice/tools' });
    mvn = new MavenInjectClient(k, '/maven/alice/tools', alice.token);
  });
  after(() => k.close());

  const hello = {
    groupId: 'com.example',
    artifactId: 'hello',
    version: '1.0.0',
    description: 'Says hello',
    url: 'https://example.test/hello',
    licenses: [{ name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' }],
    scm: { url: 'https://example.test/alice/tools', connection: 'scm:git:https://example.test/alice/tools.git' },
    dependencies: [
      { groupId: 'org.slf4j', artifactId: 'slf4j-api', version: '2.0.9' },
      { groupId: 'junit', artifactId: 'junit', version: '4.13.2', scope: 'test' },
      { groupId: 'com.google.guava', artifactId: 'guava', version: '32.1.3-jre', scope: 'runtime', optional: true },
    ],
  };
  const helloJar = jarBytes('hello 1.0.0');
  const base = '/maven/alice/tools/com/example/hello';

  it('accepts the mvn deploy sequence of a release and serves every file back byte for byte', async () => {
    const pom = pomXml(hello);
    const v = `${base}/1.0.0/hello-1.0.0`;
    assertAll2xx([await mvn.put(`${v}.pom`, pom), await mvn.put(`${v}.pom.sha1`, digest(pom, 'sha1')), await mvn.put(`${v}.pom.md5`, digest(pom, 'md5'))]);
    assertAll2xx([await mvn.put(`${v}.jar`, helloJar), await mvn.put(`${v}.jar.sha1`, digest(helloJar, 'sha1')), await mvn.put(`${v}.jar.md5`, digest(helloJar, 'md5'))]);
    const metadata = '<?xml version="1.0" encoding="UTF-8"?><metadata><groupId>com.example</groupId><artifactId>hello</artifactId></metadata>';
    assertAll2xx(await mvn.putWithChecksums(`${base}/maven-metadata.xml`, metadata));

    const jar = await mvn.get(`${v}.jar`, null);
    assert.equal(jar.statusCode, 200);
    assert.deepEqual(jar.rawPayload, helloJar);
    assert.equal(jar.headers['content-type'], 'application/java-archive');
    assert.equal(jar.headers['x-checksum-sha1'], digest(helloJar, 'sha1'));
    assert.equal((await mvn.get(`${v}.pom`, null)).body, pom);
    for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
      const res = await mvn.get(`${v}.jar.${algorithm}`, null);
      assert.equal(res.statusCode, 200, algorithm);
      assert.equal(res.body, digest(helloJar, algorithm), algorithm);
      assert.equal((await mvn.get(`${v}.pom.${algorithm}`, null)).body, digest(pom, algorithm), algorithm);
    }
    const head = await mvn.get(`${v}.jar`, null, 'HEAD');
    assert.equal(head.statusCode, 200);
    assert.equal(Number(head.headers['content-length']), helloJar.length);
    assert.equal(head.rawPayload.length, 0);
    const again = await mvn.get(`${v}.jar`, null);
    assert.equal((await k.app.inject({ method: 'GET', url: `${v}.jar`, headers: { 'if-none-match': String(again.headers.etag) } })).statusCode, 304);
  });

  it('stores the POM facts (description, url, licenses, scm, dependencies with scopes) as the version metadata', async () => {
    const pkg = (await k.core.packages.queries.find('maven', 'alice', 'com.example:hello'))!;
    assert.equal(pkg.name, 'com.example:hello');
    assert.equal(pkg.repo?.fullName, 'alice/tools');
    const version = (await k.core.packages.queries.version(pkg.id, '1.0.0'))!;
    const metadata = JSON.parse(version.metadata);
    assert.equal(metadata.description, 'Says hello');
    assert.equal(metadata.url, 'https://example.test/hello');
    assert.deepEqual(metadata.licenses, [{ name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' }]);
    assert.equal(metadata.scm.connection, 'scm:git:https://example.test/alice/tools.git');
    assert.deepEqual(metadata.dependencies.map((d: { artifactId: string; scope: string; optional: boolean }) => [d.artifactId, d.scope, d.optional]), [
      ['slf4j-api', 'compile', false], ['junit', 'test', false], ['guava', 'runtime', true],
    ]);
    assert.equal(version.description, 'Says hello');
    assert.equal(version.license, 'Apache-2.0');
    const api = await k.inject({ method: 'GET', url: '/api/v1/users/alice/packages/maven/com.example:hello/versions', token: alice.token });
    assert.equal(api.statusCode, 200, api.body);
    assert.deepEqual(api.json()[0].metadata.tags.sort(), ['latest', 'release']);
  });

  it('generates maven-metadata.xml in Maven version order with latest and release, and serves its checksums', async () => {
    for (const version of ['1.10.0', '1.9.0', '1.2.0-RC1', '1.0.0-beta-2']) assertAll2xx(await mvn.deploy({ ...hello, version }));
    assertAll2xx(await mvn.deploy({ ...hello, version: '2.0.0-SNAPSHOT' }, { build: '20261124.034909-1' }));
    const res = await mvn.get(`${base}/maven-metadata.xml`, null);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /xml/);
    const versions = [...res.body.matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1]);
    assert.deepEqual(versions, ['1.0.0-beta-2', '1.0.0', '1.2.0-RC1', '1.9.0', '1.10.0', '2.0.0-SNAPSHOT']);
    assert.match(res.body, /<latest>2\.0\.0-SNAPSHOT<\/latest>/);
    assert.match(res.body, /<release>1\.10\.0<\/release>/);
    assert.match(res.body, /<lastUpdated>\d{14}<\/lastUpdated>/);
    for (const algorithm of ['sha1', 'md5', 'sha256', 'sha512'] as const) {
      assert.equal((await mvn.get(`${base}/maven-metadata.xml.${algorithm}`, null)).body, digest(res.rawPayload, algorithm), algorithm);
    }
    const tags = await k.core.packages.queries.tags((await k.core.packages.queries.find('maven', 'alice', 'com.example:hello'))!.id);
    assert.deepEqual(tags.map((t) => [t.name, t.version]), [['latest', '2.0.0-SNAPSHOT'], ['release', '1.10.0']]);
  });

  it('accepts the Gradle maven-publish PUT sequence (jar first, .module, sha256 and sha512)', async () => {
    const coordinates = { groupId: 'org.example.gradle', artifactId: 'greeter', version: '0.3.0' };
    const g = '/maven/alice/tools/org/example/gradle/greeter';
    const prefix = `${g}/0.3.0/greeter-0.3.0`;
    const all = ['sha1', 'md5', 'sha256', 'sha512'] as const;
    const jar = jarBytes('greeter');
    const pom = pomXml({ ...coordinates, description: 'Greets' });
    const module = JSON.stringify({ formatVersion: '1.1', component: { group: coordinates.groupId, module: 'greeter', version: '0.3.0' }, variants: [] });
    const responses = [
      ...(await mvn.putWithChecksums(`${prefix}.jar`, jar, all)),
      ...(await mvn.putWithChecksums(`${prefix}.pom`, pom, all)),
      ...(await mvn.putWithChecksums(`${prefix}.module`, module, all)),
    ];
    assertAll2xx(responses);
    const before = await mvn.get(`${g}/maven-metadata.xml`);
    assert.equal(before.statusCode, 200);
    const clientMetadata = '<?xml version="1.0" encoding="UTF-8"?>\n<metadata modelVersion="1.1.0"><groupId>org.example.gradle</groupId><artifactId>greeter</artifactId><versioning><latest>0.3.0</latest><release>0.3.0</release><versions><version>0.3.0</version></versions><lastUpdated>20261124034909</lastUpdated></versioning></metadata>';
    assertAll2xx(await mvn.putWithChecksums(`${g}/maven-metadata.xml`, clientMetadata, all));
    const generated = await mvn.get(`${g}/maven-metadata.xml`, null);
    assert.match(generated.body, /<release>0\.3\.0<\/release>/);
    assert.notEqual(generated.body, clientMetadata);
    assert.equal((await mvn.get(`${prefix}.module`, null)).body, module);
    assert.equal((await mvn.get(`${prefix}.module.sha512`, null)).body, digest(module, 'sha512'));
    const pkg = (await k.core.packages.queries.find('maven', 'alice', 'org.example.gradle:greeter'))!;
    assert.equal(JSON.parse((await k.core.packages.queries.version(pkg.id, '0.3.0'))!.metadata).description, 'Greets');
  });

  it('deploys sources and javadoc jars as classified files of the version', async () => {
    const prefix = `${base}/1.10.0/hello-1.10.0`;
    const sources = zipBytes({ 'hello/Hello.java': 'class Hello {}' });
    assertAll2xx(await mvn.putWithChecksums(`${prefix}-sources.jar`, sources));
    assertAll2xx(await mvn.putWithChecksums(`${prefix}-javadoc.jar`, zipBytes({ 'index.html': '<html></html>' })));
    assert.deepEqual((await mvn.get(`${prefix}-sources.jar`, null)).rawPayload, sources);
  });

  it('refuses a different file for a released version with 409 and says why; identical bytes are accepted', async () => {
    const v = `${base}/1.0.0/hello-1.0.0`;
    const same = await mvn.put(`${v}.jar`, helloJar);
    assert.equal(same.statusCode, 200, same.body);
    const different = await mvn.put(`${v}.jar`, jarBytes('tampered'));
    assert.equal(different.statusCode, 409);
    assert.match(different.body, /already has a different hello-1\.0\.0\.jar \(published versions are immutable\)/);
    assert.match(different.statusMessage, /immutable/);
    assert.deepEqual((await mvn.get(`${v}.jar`, null)).rawPayload, helloJar);
  });

  it('gives racing deploys of one release file one success and one 409', async () => {
    const path = `${base}/3.0.0/hello-3.0.0.jar`;
    const statuses = (await Promise.all([mvn.put(path, jarBytes('racer a')), mvn.put(path, jarBytes('racer b'))])).map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [201, 409]);
    const same = `${base}/3.0.1/hello-3.0.1.jar`;
    const retries = (await Promise.all([mvn.put(same, jarBytes('same')), mvn.put(same, jarBytes('same'))])).map((r) => r.statusCode).sort();
    assert.deepEqual(retries, [200, 201]);
  });

  it('verifies uploaded checksums against the stored file: a mismatch is 400', async () => {
    const v = `${base}/1.0.0/hello-1.0.0`;
    const wrong = await mvn.put(`${v}.jar.sha1`, '0000000000000000000000000000000000000000');
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /hello-1\.0\.0\.jar\.sha1 says 0{40} but the uploaded hello-1\.0\.0\.jar has sha1 /);
    assert.equal((await mvn.put(`${v}.jar.sha256`, `${digest(helloJar, 'sha256')}  hello-1.0.0.jar\n`)).statusCode, 200);
    assert.equal((await mvn.put(`${v}.jar.md5`, 'not a digest')).statusCode, 400);
    assert.equal((await mvn.get(`${v}.jar.sha1`, null)).body, digest(helloJar, 'sha1'));
  });

  it('computes a checksum the blob row lacks (bytes first stored by a format that did not ask for it)', async () => {
    await k.core.deps.db.updateTable('blobs').set({ md5: null, sha512: null }).where('sha256', '=', digest(helloJar, 'sha256')).execute();
    const v = `${base}/1.0.0/hello-1.0.0`;
    assert.equal((await mvn.get(`${v}.jar.md5`, null)).body, digest(helloJar, 'md5'));
    assert.equal((await mvn.get(`${v}.jar.sha512`, null)).body, digest(helloJar, 'sha512'));
    assert.equal((await mvn.put(`${v}.jar.md5`, digest(helloJar, 'md5'))).statusCode, 200);
    assert.equal((await mvn.put(`${v}.jar.md5`, digest('other', 'md5'))).statusCode, 400);
  });

  it('counts a download when the main artifact is fetched, not its POM or checksums', async () => {
    const pkg = (await k.core.packages.queries.find('maven', 'alice', 'com.example:hello'))!;
    const count = async () => {
      await k.core.downloads.flush();
      return (await k.core.packages.queries.version(pkg.id, '1.9.0'))!.downloadCount;
    };
    const before = await count();
    const v = `${base}/1.9.0/hello-1.9.0`;
    await mvn.get(`${v}.pom`, null);
    await mvn.get(`${v}.jar.sha1`, null);
    await mvn.get(`${v}.jar`, null, 'HEAD');
    assert.equal(await count(), before);
    await mvn.get(`${v}.jar`, null);
    assert.equal(await count(), before + 1);
  });

  it('serves byte ranges of stored and generated files', async () => {
    const v = `${base}/1.9.0/hello-1.9.0`;
    const jar = await mvn.get(`${v}.jar`, null);
    const part = await k.app.inject({ method: 'GET', url: `${v}.jar`, headers: { range: 'bytes=4-11' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 4-11/${jar.rawPayload.length}`);
    assert.ok(part.rawPayload.equals(jar.rawPayload.subarray(4, 12)));
    const metadata = await mvn.get(`${base}/maven-metadata.xml`, null);
    const start = await k.app.inject({ method: 'GET', url: `${base}/maven-metadata.xml`, headers: { range: 'bytes=0-4' } });
    assert.equal(start.statusCode, 206);
    assert.equal(start.body, metadata.body.slice(0, 5));
    const outside = await k.app.inject({ method: 'GET', url: `${v}.jar`, headers: { range: 'bytes=999999999-' } });
    assert.equal(outside.statusCode, 416);
  });

  it('resolves across every repository of the owner (group view), with or without *', async () => {
    await k.core.repos.create({ fullName: 'alice/other' });
    const other = new MavenInjectClient(k, '/maven/alice/other', alice.token);
    assertAll2xx(await other.deploy({ groupId: 'com.example', artifactId: 'other', version: '1.0' }));
    for (const path of ['/maven/alice/com/example/hello/1.0.0/hello-1.0.0.pom', '/maven/alice/*/com/example/other/1.0/other-1.0.pom', '/maven/alice/com/example/other/maven-metadata.xml']) {
      const res = await mvn.get(path, null);
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
    }
    const wrongRepo = await mvn.get('/maven/alice/tools/com/example/other/1.0/other-1.0.pom', null);
    assert.equal(wrongRepo.statusCode, 404, 'a repository view shows only its own packages');
    const elsewhere = await other.deploy({ ...hello, version: '9.9.9' });
    assert.equal(elsewhere[0]!.statusCode, 409);
    assert.match(elsewhere[0]!.body, /belongs to another repository/);
  });

  it('deletes a version through the REST API by GROUP:ARTIFACT; metadata drops it and redeploying it is 409', async () => {
    const pkg = (await k.core.packages.queries.find('maven', 'alice', 'com.example:hello'))!;
    const version = (await k.core.packages.queries.version(pkg.id, '1.9.0'))!;
    const api = `/api/v1/users/alice/packages/maven/${encodeURIComponent('com.example:hello')}/versions/${version.id}`;
    const deleted = await k.inject({ method: 'DELETE', url: api, token: alice.token });
    assert.equal(deleted.statusCode, 204, deleted.body);
    const metadata = await mvn.get(`${base}/maven-metadata.xml`, null);
    assert.doesNotMatch(metadata.body, /<version>1\.9\.0<\/version>/);
    assert.equal((await mvn.get(`${base}/1.9.0/hello-1.9.0.jar`, null)).statusCode, 404);
    const redeploy = await mvn.put(`${base}/1.9.0/hello-1.9.0.pom`, pomXml({ ...hello, version: '1.9.0' }));
    assert.equal(redeploy.statusCode, 409);
    assert.equal((await k.inject({ method: 'POST', url: `${api}/restore`, token: alice.token })).statusCode, 204);
    assert.match((await mvn.get(`${base}/maven-metadata.xml`, null)).body, /<version>1\.9\.0<\/version>/);
  });

  it('answers 404 for absent files and metadata, and 405 for methods Maven does not use', async () => {
    assert.equal((await mvn.get('/maven/alice/tools/com/example/nothing/maven-metadata.xml', null)).statusCode, 404);
    assert.equal((await mvn.get(`${base}/1.0.0/hello-1.0.0-tests.jar`, null)).statusCode, 404);
    assert.equal((await mvn.get(`${base}/1.0.0/maven-metadata.xml`, null)).statusCode, 404);
    const del = await k.app.inject({ method: 'DELETE', url: `${base}/1.0.0/hello-1.0.0.jar` });
    assert.equal(del.statusCode, 405);
  });
});

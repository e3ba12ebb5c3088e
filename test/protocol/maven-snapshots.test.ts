import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { digest, jarBytes } from '../e2e/fixtures/maven/artifacts.js';
import { assertAll2xx, MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';

const lib = { groupId: 'com.example', artifactId: 'lib', version: '1.1.0-SNAPSHOT' };
const base = '/maven/alice/tools/com/example/lib';

describe('Maven -SNAPSHOT versions (inject)', () => {
  let k: TestKura;
  let mvn: MavenInjectClient;

  before(async () => {
    k = await startTestKura();
    const alice = await k.user('alice');
    await k.core.repos.create({ fullName: 'alice/tools', visibility: 'private' });
    mvn = new MavenInjectClient(k, '/maven/alice/tools', alice.token);
  });
  after(() => k.close());

  it('accepts new timestamped builds and describes the newest in the version-level metadata', async () => {
    const first = await mvn.get(`${base}/1.1.0-SNAPSHOT/maven-metadata.xml`);
    assert.equal(first.statusCode, 404, 'mvn expects 404 before the first build');
    assertAll2xx(await mvn.deploy(lib, { build: '20261124.034909-1', jar: jarBytes('build 1') }));
    assertAll2xx(await mvn.deploy(lib, { build: '20261124.040000-2', jar: jarBytes('build 2') }));
    const sources = `${base}/1.1.0-SNAPSHOT/lib-1.1.0-20261124.040000-2-sources.jar`;
    assertAll2xx(await mvn.putWithChecksums(sources, jarBytes('sources 2')));

    const res = await mvn.get(`${base}/1.1.0-SNAPSHOT/maven-metadata.xml`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /<version>1\.1\.0-SNAPSHOT<\/version>/);
    assert.match(res.body, /<snapshot>\s*<timestamp>20261124\.040000<\/timestamp>\s*<buildNumber>2<\/buildNumber>\s*<\/snapshot>/);
    const entries = [...res.body.matchAll(/<snapshotVersion>([\s\S]*?)<\/snapshotVersion>/g)].map((m) => m[1]!.replace(/\s+/g, ''));
    assert.deepEqual(entries.map((e) => e.replace(/<updated>\d{14}<\/updated>/, '')), [
      '<extension>jar</extension><value>1.1.0-20261124.040000-2</value>',
      '<classifier>sources</classifier><extension>jar</extension><value>1.1.0-20261124.040000-2</value>',
      '<extension>pom</extension><value>1.1.0-20261124.040000-2</value>',
    ]);
    assert.equal((await mvn.get(`${base}/1.1.0-SNAPSHOT/maven-metadata.xml.sha1`)).body, digest(res.rawPayload, 'sha1'));
    const artifact = await mvn.get(`${base}/maven-metadata.xml`);
    assert.match(artifact.body, /<latest>1\.1\.0-SNAPSHOT<\/latest>/);
    assert.doesNotMatch(artifact.body, /<release>/);
    assert.deepEqual((await mvn.get(`${base}/1.1.0-SNAPSHOT/lib-1.1.0-20261124.034909-1.jar`)).rawPayload, jarBytes('build 1'));
  });

  it('serves the literal -SNAPSHOT file name as the newest build', async () => {
    const res = await mvn.get(`${base}/1.1.0-SNAPSHOT/lib-1.1.0-SNAPSHOT.jar`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.rawPayload, jarBytes('build 2'));
    assert.equal((await mvn.get(`${base}/1.1.0-SNAPSHOT/lib-1.1.0-SNAPSHOT.jar.sha1`)).body, digest(jarBytes('build 2'), 'sha1'));
  });

  it('lets a snapshot file be replaced, unlike a release file', async () => {
    const path = `${base}/1.1.0-SNAPSHOT/lib-1.1.0-20261124.040000-2.jar`;
    const res = await mvn.put(path, jarBytes('build 2, rebuilt'));
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((await mvn.get(path)).rawPayload, jarBytes('build 2, rebuilt'));
  });

  it('orders builds by build number, whatever order they arrive in', async () => {
    assertAll2xx(await mvn.deploy({ ...lib, version: '2.0-SNAPSHOT' }, { build: '20261124.050000-4' }));
    assertAll2xx(await mvn.deploy({ ...lib, version: '2.0-SNAPSHOT' }, { build: '20261124.045000-3' }));
    const res = await mvn.get(`${base}/2.0-SNAPSHOT/maven-metadata.xml`);
    assert.match(res.body, /<buildNumber>4<\/buildNumber>/);
    assert.match(res.body, /<value>2\.0-20261124\.050000-4<\/value>/);
  });
});

describe('Maven snapshot retention (KURA_MAVEN_SNAPSHOT_KEEP)', () => {
  let k: TestKura;
  let mvn: MavenInjectClient;

  before(async () => {
    k = await startTestKura({ KURA_MAVEN_SNAPSHOT_KEEP: '2' });
    const alice = await k.user('alice');
    await k.core.repos.create({ fullName: 'alice/tools' });
    mvn = new MavenInjectClient(k, '/maven/alice/tools', alice.token);
  });
  after(() => k.close());

  it('keeps only the newest builds of a -SNAPSHOT version', async () => {
    for (const build of ['20261124.010000-1', '20261124.020000-2', '20261124.030000-3']) assertAll2xx(await mvn.deploy(lib, { build }));
    const dir = `${base}/1.1.0-SNAPSHOT`;
    assert.equal((await mvn.get(`${dir}/lib-1.1.0-20261124.010000-1.jar`)).statusCode, 404);
    assert.equal((await mvn.get(`${dir}/lib-1.1.0-20261124.010000-1.pom`)).statusCode, 404);
    assert.equal((await mvn.get(`${dir}/lib-1.1.0-20261124.020000-2.jar`)).statusCode, 200);
    assert.equal((await mvn.get(`${dir}/lib-1.1.0-20261124.030000-3.jar`)).statusCode, 200);
    const pkg = (await k.core.packages.queries.find('maven', 'alice', 'com.example:lib'))!;
    const files = await k.core.packages.queries.liveFiles(pkg.id);
    assert.deepEqual(files.map((f) => f.name).sort(), [
      'lib-1.1.0-20261124.020000-2.jar', 'lib-1.1.0-20261124.020000-2.pom', 'lib-1.1.0-20261124.030000-3.jar', 'lib-1.1.0-20261124.030000-3.pom',
    ]);
  });
});

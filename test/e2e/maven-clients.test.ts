import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToken } from './support/accounts.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { describeResult, expectFailure, expectSuccess } from './support/process.js';
import { Workspace } from './support/workspace.js';
import { gradle, mvn, mvnDeploy, runApp } from './fixtures/maven/clients.js';
import { libraryCoordinates, writeGradleConsumer, writeLibrary, writeMavenConsumer } from './fixtures/maven/projects.js';

const artifactPath = `${libraryCoordinates.groupId.replace(/\./g, '/')}/${libraryCoordinates.artifactId}`;
const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('hex');

describe('Maven and Gradle against kura serve', { timeout: 900_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  const tokens = { alice: '', bob: '' };
  const privateRepo = () => `${server.url}/maven/alice/tools`;
  const publicRepo = () => `${server.url}/maven/bob/open`;

  /** GETs a repository path with Basic credentials (token as password) or anonymously. */
  async function fetchRepo(url: string, token?: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const headers: Record<string, string> = token ? { authorization: `Basic ${Buffer.from(`deployer:${token}`).toString('base64')}` } : {};
    const response = await fetch(url, { headers });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    for (const login of ['alice', 'bob']) await server.kura(['user', 'create', login]);
    await server.kura(['repo', 'create', 'alice/tools', '--private']);
    await server.kura(['repo', 'create', 'bob/open']);
    tokens.alice = await createToken(server, 'alice', ['read:packages', 'write:packages'], 'maven');
    tokens.bob = await createToken(server, 'bob', ['read:packages', 'write:packages'], 'maven');
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('mvn deploys a release with its POM, sources and javadoc jars to a private repository', async () => {
    const dir = await workspace.dir('library');
    await writeLibrary(dir, { version: '1.0.0', greeting: 'Hello' });
    const result = expectSuccess(await mvnDeploy(workspace, dir, tokens.alice, privateRepo()));
    assert.match(result.stdout, /Uploaded to kura: .*greeting-1\.0\.0-javadoc\.jar/);

    const base = `${privateRepo()}/${artifactPath}/1.0.0/greeting-1.0.0`;
    for (const suffix of ['.pom', '.jar', '-sources.jar', '-javadoc.jar']) {
      const local = await readFile(suffix === '.pom' ? join(dir, 'pom.xml') : join(dir, 'target', `greeting-1.0.0${suffix}`));
      const served = await fetchRepo(`${base}${suffix}`, tokens.alice);
      assert.equal(served.status, 200, suffix);
      assert.equal(sha1(served.bytes), sha1(local), `${suffix} is served byte for byte`);
      assert.equal((await fetchRepo(`${base}${suffix}.sha1`, tokens.alice)).bytes.toString(), sha1(local));
    }
    const anonymous = await fetchRepo(`${base}.jar`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="kura"');

    const metadata = (await fetchRepo(`${privateRepo()}/${artifactPath}/maven-metadata.xml`, tokens.alice)).bytes.toString();
    assert.match(metadata, /<release>1\.0\.0<\/release>/);
    const versions = await server.getJson(`/api/v1/users/alice/packages/maven/${encodeURIComponent('com.example.kura:greeting')}/versions`, tokens.alice);
    assert.equal(versions.status, 200);
    const [version] = versions.body as Array<{ name: string; description: string; license: string }>;
    assert.deepEqual([version?.name, version?.description, version?.license], ['1.0.0', 'Greets people, deployed to Kura by mvn', 'MIT']);
  });

  it('mvn cannot change a released version: the redeploy fails and says the version is immutable', async () => {
    const dir = await workspace.dir('library-changed');
    await writeLibrary(dir, { version: '1.0.0', greeting: 'Bonjour' });
    const before = await fetchRepo(`${privateRepo()}/${artifactPath}/1.0.0/greeting-1.0.0.jar`, tokens.alice);
    const output = expectFailure(await mvnDeploy(workspace, dir, tokens.alice, privateRepo()));
    assert.match(output, /409/);
    assert.match(output, /already has a different greeting-1\.0\.0\.jar \(published versions are immutable\)/);
    const afterwards = await fetchRepo(`${privateRepo()}/${artifactPath}/1.0.0/greeting-1.0.0.jar`, tokens.alice);
    assert.equal(sha1(afterwards.bytes), sha1(before.bytes));
  });

  it('mvn deploys a SNAPSHOT twice and a consumer project compiles against the newest build', async () => {
    for (const [label, extraMethod, greeting] of [['snapshot-1', undefined, 'Hi'], ['snapshot-2', 'wave', 'Hey']] as const) {
      const dir = await workspace.dir(label);
      await writeLibrary(dir, { version: '1.1.0-SNAPSHOT', greeting, ...(extraMethod ? { extraMethod } : {}) });
      expectSuccess(await mvnDeploy(workspace, dir, tokens.alice, privateRepo()));
    }
    const snapshotMetadata = (await fetchRepo(`${privateRepo()}/${artifactPath}/1.1.0-SNAPSHOT/maven-metadata.xml`, tokens.alice)).bytes.toString();
    assert.match(snapshotMetadata, /<buildNumber>2<\/buildNumber>/);
    const artifactMetadata = (await fetchRepo(`${privateRepo()}/${artifactPath}/maven-metadata.xml`, tokens.alice)).bytes.toString();
    assert.match(artifactMetadata, /<latest>1\.1\.0-SNAPSHOT<\/latest>/);
    assert.match(artifactMetadata, /<release>1\.0\.0<\/release>/);

    const consumer = await workspace.dir('consumer');
    await writeMavenConsumer(consumer, privateRepo(), '1.1.0-SNAPSHOT', 'Greeting.greet("Kura") + " " + Greeting.wave()');
    const compiled = await mvn(workspace, consumer, tokens.alice, ['compile']);
    expectSuccess(compiled);
    assert.match(compiled.stdout, /Downloaded from kura: .*greeting-1\.1\.0-\d{8}\.\d{6}-2\.jar/, describeResult(compiled));
    const jar = join(compiled.localRepository, artifactPath, '1.1.0-SNAPSHOT', 'greeting-1.1.0-SNAPSHOT.jar');
    assert.equal(await runApp(consumer, join(consumer, 'target', 'classes'), jar), 'Hey, Kura wave');
  });

  it('Gradle resolves from the private repository with credentials, and gets the 401 without them', async () => {
    const withCredentials = await workspace.dir('gradle-private');
    await writeGradleConsumer(withCredentials, privateRepo(), '1.0.0', tokens.alice, 'Greeting.greet("Gradle")');
    expectSuccess(await gradle(workspace, withCredentials, ['compileJava']));
    assert.ok(existsSync(join(withCredentials, 'build', 'classes', 'java', 'main', 'com', 'example', 'app', 'App.class')));

    const withoutCredentials = await workspace.dir('gradle-private-anonymous');
    await writeGradleConsumer(withoutCredentials, privateRepo(), '1.0.0', null, 'Greeting.greet("Gradle")');
    const refused = expectFailure(await gradle(workspace, withoutCredentials, ['compileJava']));
    assert.match(refused, /Received status code 401 from server: authentication required/);
  });

  it('Gradle resolves anonymously from a public repository', async () => {
    const library = await workspace.dir('library-public');
    await writeLibrary(library, { version: '2.0.0', greeting: 'Hallo' });
    expectSuccess(await mvnDeploy(workspace, library, tokens.bob, publicRepo()));
    const dir = await workspace.dir('gradle-public');
    await writeGradleConsumer(dir, publicRepo(), '2.0.0', null, 'Greeting.greet("Gradle")');
    expectSuccess(await gradle(workspace, dir, ['compileJava']));
    assert.ok(existsSync(join(dir, 'build', 'classes', 'java', 'main', 'com', 'example', 'app', 'App.class')));
  });
});

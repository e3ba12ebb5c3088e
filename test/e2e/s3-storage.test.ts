import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestBucket, s3Available, type TestBucket } from '../support/test-bucket.js';
import { createToken } from './support/accounts.js';
import { npmClients } from './support/clients.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { expectSuccess } from './support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npm = npmClients.find((c) => c.id === 'npm')!;

interface Packument {
  versions: Record<string, { dist: { tarball: string; integrity: string } }>;
}

describe('kura serve on an S3 bucket with presigned download redirects, driven by npm', { skip: !s3Available, timeout: 180_000 }, () => {
  let bucket: TestBucket;
  let server: KuraServer;
  let workspace: Workspace;
  let token: string;

  /** Publishes `name` with a 1 MiB incompressible file, so its tarball is too large to be served from memory. */
  async function publish(name: string, repository?: string): Promise<void> {
    const dir = await workspace.dir('publish');
    await writeLibrary(dir, { name, version: '1.0.0', description: 'stored in a bucket', greeting: greetingFor(name, '1.0.0'), repository });
    await writeFile(join(dir, 'noise.bin'), randomBytes(1024 * 1024));
    await npm.configure(dir, { registry: server.npmRegistry, scope: 'alice', token });
    expectSuccess(await npm.publish(workspace, dir));
  }

  async function tarballOf(name: string): Promise<{ url: string; integrity: string }> {
    const response = await fetch(`${server.npmRegistry}${name.replace('/', '%2f')}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const dist = ((await response.json()) as Packument).versions['1.0.0']!.dist;
    return { url: dist.tarball, integrity: dist.integrity };
  }

  before(async () => {
    bucket = await createTestBucket();
    server = await startKuraServer({ ...bucket.env, KURA_S3_REDIRECT: 'true' });
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['repo', 'create', 'alice/tools']);
    token = await createToken(server, 'alice', ['read:packages', 'write:packages']);
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
    await bucket?.drop();
  });

  it('publishes into the bucket, nothing into the data directory', async () => {
    await publish('@alice/bucketed', 'git+https://git.example.com/alice/tools.git');
    const { url } = await tarballOf('@alice/bucketed');
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const keys = await bucket.keys('blobs/sha256/');
    assert.ok(keys.length >= 1, 'the tarball is an object of the bucket');
    assert.deepEqual(await bucket.keys('uploads/'), [], 'no upload is left behind');
    assert.equal(existsSync(join(server.dataDir, 'blobs')), false, 'the data directory holds no blobs');
  });

  it('answers a tarball download with a 307 to a presigned URL that serves the exact bytes', async () => {
    const { url, integrity } = await tarballOf('@alice/bucketed');
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 307);
    const location = response.headers.get('location')!;
    assert.ok(location.startsWith(process.env['KURA_TEST_S3_ENDPOINT']!), location);
    assert.match(location, /X-Amz-Signature=/);
    const bytes = Buffer.from(await (await fetch(location)).arrayBuffer());
    assert.equal(`sha512-${createHash('sha512').update(bytes).digest('base64')}`, integrity);
    const ranged = await fetch(url, { headers: { range: 'bytes=0-9' } });
    assert.equal(ranged.status, 206, 'a range follows the redirect');
    assert.equal(Buffer.from(await ranged.arrayBuffer()).length, 10);
  });

  it('npm installs through the redirect and the installed code runs', async () => {
    const dir = await workspace.dir('consumer');
    await writeConsumer(dir);
    await npm.configure(dir, { registry: server.npmRegistry, scope: 'alice' });
    expectSuccess(await npm.add(workspace, dir, ['@alice/bucketed']));
    assert.equal(await greetingOf(dir, '@alice/bucketed'), greetingFor('@alice/bucketed', '1.0.0'));
  });

  it('refuses to start on a bucket that does not exist, saying so', async () => {
    const refused = await startKuraServer({ ...bucket.env, KURA_S3_BUCKET: 'kura-no-such-bucket' }).then(
      async (s) => { await s.stop(); return null; },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    assert.ok(refused, 'kura serve did not start');
    assert.match(refused, /the S3 bucket kura-no-such-bucket cannot be used: NoSuchBucket/);
  });

  it('gives no presigned URL of a private package to an anonymous caller', async () => {
    await publish('@alice/secret');
    const { url } = await tarballOf('@alice/secret');
    const anonymous = await fetch(url, { redirect: 'manual' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('location'), null);
    const signedIn = await fetch(url, { redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    assert.equal(signedIn.status, 307);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runKura, startKuraProcess, type KuraProcess } from '../support/kura-process.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { createTestBucket, s3Available, type TestBucket } from '../support/test-bucket.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/test-database.js';
import { npmClients } from './support/clients.js';
import { pollUntil } from './support/poll.js';
import { expectSuccess } from './support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npm = npmClients.find((c) => c.id === 'npm')!;
const root = new URL('../..', import.meta.url).pathname;

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dist: { integrity: string } }>;
}

/**
 * `kura migrate` moves a single-node install (SQLite and DATA/blobs) into PostgreSQL and a bucket
 * while it keeps serving, an interrupted run resumes, a second run catches up, and a node on the
 * new database and bucket serves everything the old one did.
 */
describe('kura migrate from SQLite and the data directory to PostgreSQL and S3', {
  skip: onPostgres && s3Available ? false : 'needs the PostgreSQL and S3 servers scripts/run-tests.js starts',
  timeout: 300_000,
}, () => {
  let old: KuraProcess;
  let database: TestDatabase;
  let bucket: TestBucket;
  let workspace: Workspace;
  let token: string;
  const sqliteAndDisk = { KURA_DATABASE_URL: '', KURA_BLOB_DRIVER: 'fs' };
  const auth = () => ({ authorization: `Bearer ${token}` });
  const migrate = (env: Record<string, string> = bucket.env, to = database.url) => runKura(['migrate', '--data', old.dataDir, '--to-database', to, '--to-blob', 's3'], { env, timeoutMs: 120_000 });

  async function publish(url: string, name: string, version: string, noise = 0): Promise<void> {
    const tarball = await buildTarball({ name, version, files: { 'index.js': `module.exports = ${JSON.stringify(version)};\n`, 'noise.txt': randomBytes(noise).toString('base64') } });
    const response = await fetch(`${url}/npm/${npmUrlName(name)}`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(publishBody(name, version, tarball)) });
    assert.equal(response.status, 201, await response.text());
  }

  async function packument(url: string, name: string): Promise<Packument> {
    const response = await fetch(`${url}/npm/${npmUrlName(name)}`, { headers: auth() });
    assert.equal(response.status, 200);
    return (await response.json()) as Packument;
  }

  before(async () => {
    database = (await createTestDatabase())!;
    bucket = await createTestBucket();
    workspace = await Workspace.create();
    old = await startKuraProcess({ env: sqliteAndDisk });
    await old.cliOk(['user', 'create', 'alice']);
    token = await old.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages,write:packages,delete:packages']);
    const lib = await workspace.dir('lib');
    await writeLibrary(lib, { name: '@alice/moved', version: '1.0.0', description: 'moves house', greeting: greetingFor('@alice/moved', '1.0.0') });
    await npm.configure(lib, { registry: `${old.url}/npm/`, scope: 'alice', token });
    expectSuccess(await npm.publish(workspace, lib));
    for (let i = 0; i < 16; i++) await publish(old.url, '@alice/bulky', `1.0.${i}`, 768 * 1024);
    const tarball = await fetch(`${old.url}/npm/@alice/bulky/-/bulky-1.0.0.tgz`, { headers: auth() });
    assert.equal(tarball.status, 200);
    await tarball.arrayBuffer();
  });
  after(async () => {
    await old?.stop();
    await workspace?.remove();
    await bucket?.drop();
    await database?.drop();
  });

  it('copies while the old server runs, and an interrupted run resumes', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'kura.js'), 'migrate', '--data', old.dataDir, '--to-database', database.url, '--to-blob', 's3'], {
      env: { ...process.env, ...bucket.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let progress = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr.on('data', (d: Buffer) => {
      progress += d.toString();
      // Killed once some blobs are in the bucket, as a crash or a Ctrl-C would.
      if (/blobs \[#{3,}/.test(progress)) child.kill('SIGKILL');
    });
    await exited;
    const resumed = await migrate();
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /blobs: copied \d+ \(.+\), \d+ already in the bucket, 0 failed/);
    assert.match(resumed.stdout, /verified: each table has as many rows as in the source/);
    assert.ok((await bucket.keys('blobs/sha256/')).length >= 17, 'every tarball is in the bucket');
  });

  it('catches up with what changed since, and refuses a database holding another install', async () => {
    await publish(old.url, '@alice/moved', '1.1.0');
    const tagged = await fetch(`${old.url}/npm/-/package/${npmUrlName('@alice/moved')}/dist-tags/stable`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify('1.0.0') });
    assert.ok(tagged.ok);
    const deleted = await fetch(`${old.url}/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/bulky')}/versions`, { headers: auth() });
    const doomed = ((await deleted.json()) as Array<{ id: number; name: string }>).find((v) => v.name === '1.0.15')!;
    assert.equal((await fetch(`${old.url}/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/bulky')}/versions/${doomed.id}`, { method: 'DELETE', headers: auth() })).status, 204);
    await pollUntil(async () => {
      const response = await fetch(`${old.url}/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/bulky')}/versions?per_page=100`, { headers: auth() });
      const versions = (await response.json()) as Array<{ name: string; download_count: number }>;
      return versions.find((v) => v.name === '1.0.0')?.download_count === 1 ? true : undefined;
    }, { what: 'the old server to flush its download count', timeoutMs: 10_000 });
    // Stopped for the cut-over; its data directory stays.
    await old.kill();
    const again = await migrate();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /blobs: copied 1 /, 'only the new tarball is copied');

    const other = (await createTestDatabase())!;
    try {
      const elsewhere = await startKuraProcess({ env: { KURA_DATABASE_URL: other.url, ...bucket.env } });
      await elsewhere.cliOk(['user', 'create', 'zed']);
      await elsewhere.stop();
      const refused = await migrate(bucket.env, other.url);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /holds another installation/);
    } finally {
      await other.drop();
    }
  });

  it('serves everything from the new database and bucket: packuments, tags, downloads, tokens, installs and new publishes', async () => {
    const node = await startKuraProcess({ env: { KURA_DATABASE_URL: database.url, ...bucket.env } });
    try {
      const moved = await packument(node.url, '@alice/moved');
      assert.deepEqual(Object.keys(moved.versions).sort(), ['1.0.0', '1.1.0']);
      assert.equal(moved['dist-tags']['stable'], '1.0.0');
      assert.equal(moved['dist-tags']['latest'], '1.1.0');
      const bulky = await packument(node.url, '@alice/bulky');
      assert.equal(Object.keys(bulky.versions).length, 15, 'the version deleted before the second run stays deleted');
      const versions = await fetch(`${node.url}/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/bulky')}/versions?per_page=100`, { headers: auth() });
      assert.equal(((await versions.json()) as Array<{ name: string; download_count: number }>).find((v) => v.name === '1.0.0')?.download_count, 1);
      const consumer = await workspace.dir('consumer');
      await writeConsumer(consumer);
      await npm.configure(consumer, { registry: `${node.url}/npm/`, scope: 'alice', token });
      expectSuccess(await npm.add(workspace, consumer, ['@alice/moved@1.0.0', '@alice/bulky@1.0.3']));
      assert.equal(await greetingOf(consumer, '@alice/moved'), greetingFor('@alice/moved', '1.0.0'));
      await publish(node.url, '@alice/fresh', '1.0.0');
      await publish(node.url, '@alice/moved', '1.2.0');
      assert.ok((await packument(node.url, '@alice/fresh')).versions['1.0.0'], 'new rows get new ids after the copied ones');
      const token2 = await node.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages']);
      assert.equal((await fetch(`${node.url}/api/v1/user`, { headers: { authorization: `Bearer ${token2}` } })).status, 200);
    } finally {
      await node.stop();
    }
  });
});

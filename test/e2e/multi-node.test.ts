import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKuraProcess, type KuraProcess } from '../support/kura-process.js';
import { buildTarball, integrityOf, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { hasCommand, runToolOk, writeOciLayout } from '../support/oci-tools.js';
import { createTestBucket, s3Available, type TestBucket } from '../support/test-bucket.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/test-database.js';
import { npmClients } from './support/clients.js';
import { pollUntil } from './support/poll.js';
import { expectSuccess } from './support/process.js';
import { greetingFor, greetingOf, writeConsumer, writeLibrary } from './support/projects.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy.js';
import { Workspace } from './support/workspace.js';

const npm = npmClients.find((c) => c.id === 'npm')!;
const skopeoMissing = !(await hasCommand('skopeo'));
const apiPath = (name: string) => `/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`;

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dist: { tarball: string; integrity: string } }>;
}

/**
 * Two stateless `kura serve` processes on one PostgreSQL database and one S3 bucket, behind a
 * round-robin proxy: the client flows spread over both, and the races a cluster must win.
 */
describe('two kura serve nodes on one PostgreSQL database and one bucket', {
  skip: onPostgres && s3Available ? false : 'needs the PostgreSQL and S3 servers scripts/run-tests.js starts',
  timeout: 300_000,
}, () => {
  let database: TestDatabase;
  let bucket: TestBucket;
  let nodes: KuraProcess[];
  let proxy: RoundRobinProxy;
  let workspace: Workspace;
  let token: string;
  const nodeEnv = () => ({ KURA_DATABASE_URL: database.url, ...bucket.env, KURA_DOWNLOAD_FLUSH_MS: '200' });
  const auth = (t = token) => ({ authorization: `Bearer ${t}` });

  before(async () => {
    database = (await createTestDatabase())!;
    bucket = await createTestBucket();
    nodes = await Promise.all([startKuraProcess({ env: nodeEnv() }), startKuraProcess({ env: nodeEnv() })]);
    proxy = await startRoundRobinProxy(nodes.map((n) => n.url));
    workspace = await Workspace.create();
    await nodes[0]!.cliOk(['user', 'create', 'alice']);
    // `admin` lets the token manage alice's tokens through the API.
    token = await nodes[1]!.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages,write:packages,delete:packages,admin']);
  });
  after(async () => {
    await proxy?.close();
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await workspace?.remove();
    await bucket?.drop();
    await database?.drop();
  });

  /** PUTs a publish of `name@version` straight to `node`, as `npm publish` does. */
  async function publishTo(node: KuraProcess, name: string, version: string, tarball?: Buffer): Promise<Response> {
    const body = publishBody(name, version, tarball ?? await buildTarball({ name, version }));
    return fetch(`${node.url}/npm/${npmUrlName(name)}`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function packumentFrom(node: KuraProcess, name: string): Promise<Packument> {
    const response = await fetch(`${node.url}/npm/${npmUrlName(name)}`, { headers: auth() });
    assert.equal(response.status, 200, `${name} on ${node.url}: ${await response.clone().text()}`);
    return (await response.json()) as Packument;
  }

  it('npm publishes and installs through the proxy, and both nodes count the downloads', async () => {
    const name = '@alice/clustered';
    const lib = await workspace.dir('publish');
    await writeLibrary(lib, { name, version: '1.0.0', description: 'served by two nodes', greeting: greetingFor(name, '1.0.0') });
    await npm.configure(lib, { registry: `${proxy.url}/npm/`, scope: 'alice', token });
    expectSuccess(await npm.publish(workspace, lib));
    for (const label of ['consumer-1', 'consumer-2']) {
      const dir = await workspace.dir(label);
      await writeConsumer(dir);
      await npm.configure(dir, { registry: `${proxy.url}/npm/`, scope: 'alice', token });
      expectSuccess(await npm.add(workspace, dir, [name]));
      assert.equal(await greetingOf(dir, name), greetingFor(name, '1.0.0'));
    }
    assert.ok(proxy.served.every((n) => n > 0), `both nodes answered: ${proxy.served.join(' / ')}`);
    const counted = await pollUntil(async () => {
      const response = await fetch(`${nodes[0]!.url}${apiPath(name)}/versions`, { headers: auth() });
      const count = ((await response.json()) as Array<{ name: string; download_count: number }>).find((v) => v.name === '1.0.0')?.download_count ?? 0;
      return count >= 2 ? count : undefined;
    }, { what: 'the downloads of both installs to be counted', timeoutMs: 10_000 });
    assert.equal(counted, 2);
  });

  it('skopeo pushes an image through the proxy and pulls it back byte for byte', { skip: skopeoMissing && 'skopeo is not installed' }, async () => {
    const work = await mkdtemp(join(tmpdir(), 'kura-multi-node-'));
    try {
      const layout = join(work, 'layout');
      const digests = await writeOciLayout(layout, { v1: { content: randomBytes(3 * 1024 * 1024 + 5) } });
      const creds = `alice:${token}`;
      await runToolOk('skopeo', ['copy', `oci:${layout}:v1`, `docker://${proxy.host}/alice/clustered:v1`, '--dest-tls-verify=false', '--dest-creds', creds], { timeoutMs: 90_000 });
      const out = join(work, 'pulled');
      await runToolOk('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${proxy.host}/alice/clustered:v1`, `oci:${out}:v1`], { timeoutMs: 90_000 });
      const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
      assert.equal(index.manifests[0]!.digest, digests['v1']);
      const manifest = JSON.parse(await readFile(join(out, 'blobs', 'sha256', digests['v1']!.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
      const layer = manifest.layers[0]!.digest.slice(7);
      assert.ok((await readFile(join(out, 'blobs', 'sha256', layer))).equals(await readFile(join(layout, 'blobs', 'sha256', layer))));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('gives exactly one 2xx to the same npm version published on both nodes at once, the other a 409', async () => {
    const name = '@alice/raced';
    for (let round = 0; round < 6; round++) {
      const version = `1.0.${round}`;
      const [one, two] = await Promise.all([buildTarball({ name, version }), buildTarball({ name, version, files: { 'index.js': `module.exports = ${round};\n` } })]);
      const responses = await Promise.all([publishTo(nodes[0]!, name, version, one), publishTo(nodes[1]!, name, version, two)]);
      const statuses = responses.map((r) => r.status);
      assert.deepEqual([...statuses].sort(), [201, 409], `round ${round}: ${statuses.join(', ')}`);
      const winner = statuses[0] === 201 ? one : two;
      for (const node of nodes) {
        const dist = (await packumentFrom(node, name)).versions[version]!.dist;
        assert.equal(dist.integrity, integrityOf(winner).integrity, 'every node serves the tarball of the publish that won');
      }
    }
  });

  it('shows a dist-tag moved on one node on the other at once', async () => {
    const name = '@alice/tagged';
    for (const version of ['1.0.0', '1.1.0']) assert.equal((await publishTo(nodes[0]!, name, version)).status, 201);
    for (let round = 0; round < 10; round++) {
      const version = round % 2 === 0 ? '1.0.0' : '1.1.0';
      const [writer, reader] = round % 3 === 0 ? [nodes[1]!, nodes[0]!] : [nodes[0]!, nodes[1]!];
      const moved = await fetch(`${writer.url}/npm/-/package/${npmUrlName(name)}/dist-tags/beta`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(version) });
      assert.ok(moved.ok, `tag moved: ${moved.status}`);
      assert.equal((await packumentFrom(reader, name))['dist-tags']['beta'], version, `round ${round}: the other node reads the new tag`);
      const tags = await fetch(`${reader.url}/npm/-/package/${npmUrlName(name)}/dist-tags`, { headers: auth() });
      assert.equal(((await tags.json()) as Record<string, string>)['beta'], version);
    }
  });

  it('refuses on one node a token revoked on the other, on its next request', async () => {
    const created = await fetch(`${nodes[0]!.url}/api/v1/user/tokens`, {
      method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'short-lived', scopes: ['read:packages'] }),
    });
    assert.equal(created.status, 201);
    const { id, token: doomed } = (await created.json()) as { id: number; token: string };
    assert.equal((await fetch(`${nodes[1]!.url}/api/v1/user`, { headers: auth(doomed) })).status, 200);
    assert.equal((await fetch(`${nodes[1]!.url}/npm/${npmUrlName('@alice/raced')}`, { headers: auth(doomed) })).status, 200);
    assert.equal((await fetch(`${nodes[0]!.url}/api/v1/user/tokens/${id}`, { method: 'DELETE', headers: auth() })).status, 204);
    assert.equal((await fetch(`${nodes[1]!.url}/api/v1/user`, { headers: auth(doomed) })).status, 401);
    assert.equal((await fetch(`${nodes[1]!.url}/npm/${npmUrlName('@alice/raced')}`, { headers: auth(doomed) })).status, 401);
  });

  it('finishes on one node a chunked OCI upload started on the other', async () => {
    const chunks = [randomBytes(9 * 1024 * 1024 + 3), randomBytes(2 * 1024 * 1024 + 11), randomBytes(1234)];
    const whole = Buffer.concat(chunks);
    const digest = `sha256:${createHash('sha256').update(whole).digest('hex')}`;
    const started = await fetch(`${nodes[0]!.url}/v2/alice/chunked/blobs/uploads/`, { method: 'POST', headers: auth() });
    assert.equal(started.status, 202);
    let location = started.headers.get('location')!;
    let offset = 0;
    for (const [i, chunk] of chunks.entries()) {
      const node = nodes[i % 2]!;
      const patched = await fetch(new URL(location, node.url), {
        method: 'PATCH', body: chunk,
        headers: { ...auth(), 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      });
      assert.equal(patched.status, 202, `chunk ${i} on node ${i % 2}: ${await patched.text()}`);
      offset += chunk.length;
      assert.equal(patched.headers.get('range'), `0-${offset - 1}`);
      location = patched.headers.get('location')!;
    }
    const status = await fetch(new URL(location, nodes[0]!.url), { headers: auth() });
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${whole.length - 1}`);
    const url = new URL(location, nodes[1]!.url);
    url.searchParams.set('digest', digest);
    const finished = await fetch(url, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/octet-stream' } });
    assert.equal(finished.status, 201, await finished.text());
    const pulled = await fetch(`${nodes[0]!.url}/v2/alice/chunked/blobs/${digest}`, { headers: auth() });
    assert.equal(pulled.status, 200);
    assert.ok(Buffer.from(await pulled.arrayBuffer()).equals(whole));
  });

  it('loses no acknowledged publish and leaves no half-published version when a node is killed mid-publish', async () => {
    const doomed = await startKuraProcess({ env: nodeEnv() });
    const name = '@alice/crashed';
    const tarballs = await Promise.all(Array.from({ length: 12 }, (_, i) => buildTarball({ name, version: `2.0.${i}`, files: { 'noise.txt': randomBytes(1536 * 1024).toString('base64') } })));
    let killed: Promise<void> | null = null;
    const outcomes = await Promise.all(tarballs.map(async (tarball, i) => {
      try {
        const response = await publishTo(doomed, name, `2.0.${i}`, tarball);
        if (response.status === 201) killed ??= doomed.kill();
        return response.status;
      } catch {
        return 'connection lost';
      }
    }));
    await killed;
    await doomed.stop();
    const acknowledged = outcomes.flatMap((o, i) => (o === 201 ? [`2.0.${i}`] : []));
    assert.ok(acknowledged.length > 0, `some publish was acknowledged before the kill: ${outcomes.join(', ')}`);
    assert.ok(outcomes.every((o) => o === 201 || o === 'connection lost'), `no publish was refused: ${outcomes.join(', ')}`);
    const packument = await packumentFrom(nodes[0]!, name);
    for (const version of acknowledged) assert.ok(packument.versions[version], `acknowledged ${version} is published`);
    for (const [version, { dist }] of Object.entries(packument.versions)) {
      const i = Number(version.split('.')[2]);
      assert.equal(dist.integrity, integrityOf(tarballs[i]!).integrity);
      const tarball = await fetch(new URL(new URL(dist.tarball).pathname, nodes[1]!.url), { headers: auth() });
      assert.equal(tarball.status, 200, `${version} has its tarball`);
      assert.ok(Buffer.from(await tarball.arrayBuffer()).equals(tarballs[i]!), `${version} serves what was published`);
    }
    const listed = await fetch(`${nodes[1]!.url}${apiPath(name)}/versions`, { headers: auth() });
    assert.deepEqual(((await listed.json()) as Array<{ name: string }>).map((v) => v.name).sort(), Object.keys(packument.versions).sort(), 'the API and the packument agree on what was published');
  });
});

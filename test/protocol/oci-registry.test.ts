import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ContainerTables } from '../../src/formats/oci/tables.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';
import { blob, imageFixture, indexFixture, ociIndexType, ociManifestType, pushBlob, pushImage, pushManifest, sha256Digest } from '../support/oci-fixtures.js';

const basic = (user: string, token: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` });

describe('container registry: blobs and uploads', () => {
  let k: TestKura;
  let token: string;
  before(async () => {
    k = await startTestKura();
    token = (await k.user('alice')).token;
  });
  after(() => k.close());

  it('takes a monolithic POST ?digest= and serves the blob with HEAD, GET and ranges', async () => {
    const b = blob('0123456789abcdef');
    const res = await pushBlob(k, token, 'alice/app', b);
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['location'], `/v2/alice/app/blobs/${b.digest}`);
    assert.equal(res.headers['docker-content-digest'], b.digest);
    const head = await k.inject({ method: 'HEAD', url: `/v2/alice/app/blobs/${b.digest}`, token });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], '16');
    assert.equal(head.headers['docker-content-digest'], b.digest);
    const get = await k.inject({ method: 'GET', url: `/v2/alice/app/blobs/${b.digest}`, token });
    assert.equal(get.body, '0123456789abcdef');
    for (const [range, body, contentRange] of [['bytes=2-5', '2345', 'bytes 2-5/16'], ['bytes=10-', 'abcdef', 'bytes 10-15/16'], ['bytes=-3', 'def', 'bytes 13-15/16'], ['bytes=14-99', 'ef', 'bytes 14-15/16']]) {
      const part = await k.inject({ method: 'GET', url: `/v2/alice/app/blobs/${b.digest}`, token, headers: { range: range! } });
      assert.equal(part.statusCode, 206, range);
      assert.equal(part.body, body);
      assert.equal(part.headers['content-range'], contentRange);
    }
  });

  it('takes POST then PUT with the whole body', async () => {
    const b = blob('post then put');
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    assert.equal(start.statusCode, 202);
    assert.match(String(start.headers['location']), /^\/v2\/alice\/app\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.equal(start.headers['docker-upload-uuid'], String(start.headers['location']).split('/').pop());
    const put = await k.inject({ method: 'PUT', url: `${start.headers['location']}?digest=${b.digest}`, token, headers: { 'content-type': 'application/octet-stream' }, payload: b.data });
    assert.equal(put.statusCode, 201);
    assert.equal((await k.inject({ method: 'GET', url: `/v2/alice/app/blobs/${b.digest}`, token })).body, 'post then put');
  });

  it('takes chunked PATCHes with Content-Range, reports status, and finishes with an empty PUT', async () => {
    const data = Buffer.from('chunk one|chunk two|chunk three');
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    let location = String(start.headers['location']);
    let offset = 0;
    for (const piece of ['chunk one|', 'chunk two|', 'chunk three']) {
      const res = await k.inject({ method: 'PATCH', url: location, token, headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + piece.length - 1}` }, payload: Buffer.from(piece) });
      assert.equal(res.statusCode, 202);
      offset += piece.length;
      assert.equal(res.headers['range'], `0-${offset - 1}`);
      location = String(res.headers['location']);
    }
    const status = await k.inject({ method: 'GET', url: location, token });
    assert.equal(status.statusCode, 204);
    assert.equal(status.headers['range'], `0-${data.length - 1}`);
    const done = await k.inject({ method: 'PUT', url: `${location}?digest=${sha256Digest(data)}`, token });
    assert.equal(done.statusCode, 201);
    assert.equal((await k.inject({ method: 'GET', url: location, token })).statusCode, 404, 'the session ends');
  });

  it('cancels an upload with DELETE', async () => {
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    const location = String(start.headers['location']);
    assert.equal((await k.inject({ method: 'DELETE', url: location, token })).statusCode, 204);
    assert.equal((await k.inject({ method: 'GET', url: location, token })).statusCode, 404);
    let uploads = 0;
    for await (const upload of k.core.deps.blobs.uploads.list()) if (location.endsWith(upload.id)) uploads++;
    assert.equal(uploads, 0);
  });

  it('verifies sha512 digests', async () => {
    const data = Buffer.from('sha512 content');
    const digest = `sha512:${createHash('sha512').update(data).digest('hex')}`;
    const res = await k.inject({ method: 'POST', url: `/v2/alice/app/blobs/uploads/?digest=${digest}`, token, headers: { 'content-type': 'application/octet-stream' }, payload: data });
    assert.equal(res.statusCode, 201);
    assert.equal((await k.inject({ method: 'GET', url: `/v2/alice/app/blobs/${digest}`, token })).body, 'sha512 content');
  });

  it('deletes a blob from a repository', async () => {
    const b = blob('to delete');
    await pushBlob(k, token, 'alice/app', b);
    assert.equal((await k.inject({ method: 'DELETE', url: `/v2/alice/app/blobs/${b.digest}`, token })).statusCode, 202);
    assert.equal((await k.inject({ method: 'HEAD', url: `/v2/alice/app/blobs/${b.digest}`, token })).statusCode, 404);
    assert.equal((await k.inject({ method: 'DELETE', url: `/v2/alice/app/blobs/${b.digest}`, token })).statusCode, 404);
  });

  it('mounts across repositories only from repositories the caller may read', async () => {
    const b = blob('mountable');
    await pushBlob(k, token, 'alice/source', b);
    const mounted = await k.inject({ method: 'POST', url: `/v2/alice/target/blobs/uploads/?mount=${b.digest}&from=alice/source`, token });
    assert.equal(mounted.statusCode, 201);
    assert.equal(mounted.headers['location'], `/v2/alice/target/blobs/${b.digest}`);
    assert.equal((await k.inject({ method: 'HEAD', url: `/v2/alice/target/blobs/${b.digest}`, token })).statusCode, 200);

    const bob = (await k.user('bob')).token;
    const fallback = await k.inject({ method: 'POST', url: `/v2/bob/stolen/blobs/uploads/?mount=${b.digest}&from=alice/source`, token: bob });
    assert.equal(fallback.statusCode, 202, 'an unreadable source gives a plain upload session');
    assert.match(String(fallback.headers['location']), /\/v2\/bob\/stolen\/blobs\/uploads\//);
    const anonymousMount = await k.inject({ method: 'POST', url: `/v2/bob/stolen/blobs/uploads/?mount=${b.digest}`, token: bob });
    assert.equal(anonymousMount.statusCode, 202, 'a mount without from never reaches other people’s private blobs');
    assert.equal((await k.inject({ method: 'HEAD', url: `/v2/bob/stolen/blobs/${b.digest}`, token: bob })).statusCode, 404);
    const own = await k.inject({ method: 'POST', url: `/v2/alice/third/blobs/uploads/?mount=${b.digest}`, token });
    assert.equal(own.statusCode, 201, 'a mount without from finds the caller’s own blob');
  });

  it('streams a large blob to the store without holding it in memory', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Readable } = await import('node:stream');
    const dir = await mkdtemp(join(tmpdir(), 'kura-oci-large-'));
    const fs = await startTestKura({ KURA_DATA_DIR: dir, KURA_DATABASE: join(dir, 'kura.db'), KURA_BLOB_DRIVER: 'fs' });
    try {
      const t = (await fs.user('dana')).token;
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      const total = 256;
      const hash = createHash('sha256');
      for (let i = 0; i < total; i++) hash.update(chunk);
      const digest = `sha256:${hash.digest('hex')}`;
      const source = () => Readable.from((function* () {
        for (let i = 0; i < total; i++) yield chunk;
      })());
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const start = await fs.inject({ method: 'POST', url: '/v2/dana/big/blobs/uploads/', token: t });
      const patched = await fs.inject({ method: 'PATCH', url: String(start.headers['location']), token: t, headers: { 'content-type': 'application/octet-stream' }, payload: source() });
      assert.equal(patched.statusCode, 202, patched.body);
      const done = await fs.inject({ method: 'PUT', url: `${start.headers['location']}?digest=${digest}`, token: t });
      clearInterval(sampler);
      assert.equal(done.statusCode, 201, done.body);
      assert.ok(peak - baseline < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - baseline) / 1048576)} MiB while streaming ${total} MiB`);
      const head = await fs.inject({ method: 'HEAD', url: `/v2/dana/big/blobs/${digest}`, token: t });
      assert.equal(head.headers['content-length'], String(total * 1024 * 1024));
    } finally {
      await fs.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('continues a chunked upload after a restart and re-hashes what was stored', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'kura-oci-restart-'));
    try {
      const env = { KURA_DATA_DIR: dir, KURA_DATABASE: join(dir, 'kura.db'), KURA_BLOB_DRIVER: 'fs' };
      const first = await startTestKura(env);
      const t = (await first.user('carol')).token;
      const start = await first.inject({ method: 'POST', url: '/v2/carol/app/blobs/uploads/', token: t });
      const location = String(start.headers['location']);
      await first.inject({ method: 'PATCH', url: location, token: t, headers: { 'content-type': 'application/octet-stream', 'content-range': '0-5' }, payload: Buffer.from('before') });
      await first.close();
      const second = await startTestKura(env);
      const more = await second.inject({ method: 'PATCH', url: location, token: t, headers: { 'content-type': 'application/octet-stream', 'content-range': '6-17' }, payload: Buffer.from(' and after!!') });
      assert.equal(more.statusCode, 202);
      const done = await second.inject({ method: 'PUT', url: `${location}?digest=${sha256Digest('before and after!!')}`, token: t });
      assert.equal(done.statusCode, 201, done.body);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('container registry: manifests, tags and the package model', () => {
  let k: TestKura;
  let token: string;
  before(async () => {
    k = await startTestKura();
    token = (await k.user('alice')).token;
    await k.core.repos.create({ fullName: 'alice/tools', visibility: 'public' });
  });
  after(() => k.close());

  it('stores each manifest as a version named by digest, with metadata and layers as files', async () => {
    const image = imageFixture({
      layers: ['layer a', 'layer b'],
      labels: { 'org.opencontainers.image.description': 'from a label' },
      annotations: { 'org.opencontainers.image.description': 'An app', 'org.opencontainers.image.licenses': 'MIT', 'org.opencontainers.image.source': 'https://example.test/alice/tools' },
    });
    const res = await pushImage(k, token, 'alice/app', image, 'v1');
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['docker-content-digest'], image.digest);
    const pkg = (await k.core.packages.queries.find('container', 'alice', 'app'))!;
    assert.equal(pkg.name, 'app');
    assert.equal(pkg.repo?.fullName, 'alice/tools', 'the source annotation links the repository');
    const [version] = await k.core.packages.queries.versions(pkg.id);
    assert.equal(version!.version, image.digest);
    assert.equal(version!.description, 'An app');
    assert.equal(version!.license, 'MIT');
    const metadata = JSON.parse(version!.metadata) as Record<string, unknown>;
    assert.equal(metadata['mediaType'], ociManifestType);
    assert.deepEqual(metadata['platforms'], ['linux/amd64']);
    assert.equal(metadata['created'], '2024-01-02T03:04:05Z');
    assert.equal(metadata['totalSize'], image.manifest.length + image.config.data.length + 14);
    assert.deepEqual((metadata['labels'] as Record<string, string>)['org.opencontainers.image.description'], 'from a label');
    const files = (await k.core.packages.queries.liveFiles(pkg.id)).map((f) => f.name).sort();
    assert.deepEqual(files, [image.digest, image.config.digest, ...image.layers.map((l) => l.digest)].sort());
    assert.deepEqual((await k.core.packages.queries.tags(pkg.id)).map((t) => [t.name, t.version]), [['v1', image.digest]]);
  });

  it('serves manifests by tag and digest with their media type and digest, counting GETs as downloads', async () => {
    const image = imageFixture({ layers: ['served'] });
    await pushImage(k, token, 'alice/served', image, 'latest');
    for (const ref of ['latest', image.digest]) {
      const get = await k.inject({ method: 'GET', url: `/v2/alice/served/manifests/${ref}`, token, headers: { accept: `${ociManifestType}, ${ociIndexType}` } });
      assert.equal(get.statusCode, 200);
      assert.equal(get.headers['content-type'], ociManifestType);
      assert.equal(get.headers['docker-content-digest'], image.digest);
      assert.deepEqual(get.rawPayload, image.manifest);
      const head = await k.inject({ method: 'HEAD', url: `/v2/alice/served/manifests/${ref}`, token });
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers['content-length'], String(image.manifest.length));
    }
    const refused = await k.inject({ method: 'GET', url: '/v2/alice/served/manifests/latest', token, headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.equal(refused.statusCode, 404, 'an OCI manifest is not served to a client accepting only Docker schema 2');
    await k.core.downloads.flush();
    const pkg = (await k.core.packages.queries.find('container', 'alice', 'served'))!;
    assert.equal(await k.core.packages.queries.downloadTotal(pkg.id), 2);
  });

  it('accepts Docker schema 2 manifests and manifest lists', async () => {
    const config = blob(JSON.stringify({ os: 'linux', architecture: 'arm64', config: {} }));
    const layer = blob('docker layer');
    await pushBlob(k, token, 'alice/docker', config);
    await pushBlob(k, token, 'alice/docker', layer);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config.digest, size: config.data.length },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layer.digest, size: layer.data.length }],
    }));
    const put = await pushManifest(k, token, 'alice/docker', 'v1', manifest, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(put.statusCode, 201, put.body);
    const list = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [{ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: sha256Digest(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'arm64' } }],
    }));
    const putList = await pushManifest(k, token, 'alice/docker', 'multi', list, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.equal(putList.statusCode, 201, putList.body);
    const get = await k.inject({ method: 'GET', url: '/v2/alice/docker/manifests/multi', token, headers: { accept: 'application/vnd.docker.distribution.manifest.list.v2+json' } });
    assert.equal(get.headers['content-type'], 'application/vnd.docker.distribution.manifest.list.v2+json');
  });

  it('records the platforms of an index and keeps re-pushes idempotent while tags move', async () => {
    const amd = imageFixture({ layers: ['amd64 layer'] });
    const arm = imageFixture({ layers: ['arm64 layer'], platform: { os: 'linux', architecture: 'arm64' } });
    await pushImage(k, token, 'alice/multi', amd, amd.digest);
    await pushImage(k, token, 'alice/multi', arm, arm.digest);
    const index = indexFixture([
      { digest: amd.digest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: arm.digest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    assert.equal((await pushManifest(k, token, 'alice/multi', 'v1', index.data, ociIndexType)).statusCode, 201);
    assert.equal((await pushManifest(k, token, 'alice/multi', 'v1', index.data, ociIndexType)).statusCode, 201, 're-pushing the same manifest is fine');
    assert.equal((await pushManifest(k, token, 'alice/multi', 'stable', amd.manifest)).statusCode, 201);
    assert.equal((await pushManifest(k, token, 'alice/multi', 'stable', arm.manifest)).statusCode, 201, 'tags move');
    const pkg = (await k.core.packages.queries.find('container', 'alice', 'multi'))!;
    const versions = await k.core.packages.queries.versions(pkg.id);
    assert.equal(versions.length, 3);
    const indexVersion = versions.find((v) => v.version === index.digest)!;
    assert.deepEqual((JSON.parse(indexVersion.metadata) as { platforms: string[] }).platforms, ['linux/amd64', 'linux/arm64']);
    const stable = await k.inject({ method: 'GET', url: '/v2/alice/multi/manifests/stable', token });
    assert.equal(stable.headers['docker-content-digest'], arm.digest);
  });

  it('lists tags in order with n/last pagination and a Link header', async () => {
    const image = imageFixture({ layers: ['tagged'] });
    await pushImage(k, token, 'alice/tagged', image, 'c');
    for (const tag of ['a', 'b', 'd', 'e']) await pushManifest(k, token, 'alice/tagged', tag, image.manifest);
    const all = await k.inject({ method: 'GET', url: '/v2/alice/tagged/tags/list', token });
    assert.deepEqual(JSON.parse(all.body), { name: 'alice/tagged', tags: ['a', 'b', 'c', 'd', 'e'] });
    const page = await k.inject({ method: 'GET', url: '/v2/alice/tagged/tags/list?n=2', token });
    assert.deepEqual(JSON.parse(page.body).tags, ['a', 'b']);
    assert.equal(page.headers['link'], '</v2/alice/tagged/tags/list?n=2&last=b>; rel="next"');
    const next = await k.inject({ method: 'GET', url: '/v2/alice/tagged/tags/list?n=2&last=b', token });
    assert.deepEqual(JSON.parse(next.body).tags, ['c', 'd']);
    const last = await k.inject({ method: 'GET', url: '/v2/alice/tagged/tags/list?n=2&last=d', token });
    assert.deepEqual(JSON.parse(last.body).tags, ['e']);
    assert.equal(last.headers['link'], undefined);
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/nothing/tags/list', token })).statusCode, 404);
  });

  it('deletes tags and manifests', async () => {
    const image = imageFixture({ layers: ['deleted'] });
    await pushImage(k, token, 'alice/gone', image, 'v1');
    assert.equal((await k.inject({ method: 'DELETE', url: '/v2/alice/gone/manifests/v1', token })).statusCode, 202);
    assert.equal((await k.inject({ method: 'HEAD', url: '/v2/alice/gone/manifests/v1', token })).statusCode, 404);
    assert.equal((await k.inject({ method: 'HEAD', url: `/v2/alice/gone/manifests/${image.digest}`, token })).statusCode, 200);
    assert.equal((await k.inject({ method: 'DELETE', url: `/v2/alice/gone/manifests/${image.digest}`, token })).statusCode, 202);
    assert.equal((await k.inject({ method: 'GET', url: `/v2/alice/gone/manifests/${image.digest}`, token })).statusCode, 404);
    assert.equal((await pushManifest(k, token, 'alice/gone', 'v2', image.manifest)).statusCode, 201, 'a deleted manifest can be pushed again');
  });

  it('answers the referrers API with artifactType filtering and sets OCI-Subject on push', async () => {
    const image = imageFixture({ layers: ['subject image'] });
    await pushImage(k, token, 'alice/signed', image, 'v1');
    const empty = blob('{}');
    await pushBlob(k, token, 'alice/signed', empty);
    const artifact = (artifactType: string, note: string) => Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: ociManifestType, artifactType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 }],
      subject: { mediaType: ociManifestType, digest: image.digest, size: image.manifest.length },
      annotations: { note },
    }));
    const signature = artifact('application/vnd.example.signature', 'sig');
    const sbom = artifact('application/vnd.example.sbom', 'sbom');
    for (const a of [signature, sbom]) {
      const res = await pushManifest(k, token, 'alice/signed', sha256Digest(a), a);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['oci-subject'], image.digest);
    }
    const all = await k.inject({ method: 'GET', url: `/v2/alice/signed/referrers/${image.digest}`, token });
    assert.equal(all.statusCode, 200);
    assert.equal(all.headers['content-type'], ociIndexType);
    const listed = JSON.parse(all.body) as { schemaVersion: number; manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string>; size: number }> };
    assert.equal(listed.schemaVersion, 2);
    assert.deepEqual(listed.manifests.map((m) => [m.digest, m.artifactType, m.annotations['note'], m.size]), [
      [sha256Digest(signature), 'application/vnd.example.signature', 'sig', signature.length],
      [sha256Digest(sbom), 'application/vnd.example.sbom', 'sbom', sbom.length],
    ]);
    const filtered = await k.inject({ method: 'GET', url: `/v2/alice/signed/referrers/${image.digest}?artifactType=application/vnd.example.sbom`, token });
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual((JSON.parse(filtered.body) as typeof listed).manifests.map((m) => m.digest), [sha256Digest(sbom)]);
    const none = await k.inject({ method: 'GET', url: `/v2/alice/signed/referrers/${sha256Digest('nothing refers here')}`, token });
    assert.deepEqual(JSON.parse(none.body).manifests, []);
  });
});

describe('container registry: token flow and permissions', () => {
  let k: TestKura;
  let alice: string;
  let bob: string;
  const clock = new TestClock();
  before(async () => {
    k = await startTestKura({}, clock);
    alice = (await k.user('alice')).token;
    bob = (await k.user('bob')).token;
    await pushImage(k, alice, 'alice/private', imageFixture({ layers: ['private'] }), 'v1');
    await pushImage(k, alice, 'alice/public', imageFixture({ layers: ['public'] }), 'v1');
    const pkg = (await k.core.packages.queries.find('container', 'alice', 'public'))!;
    const admin = (await k.core.owners.find('alice'))!;
    await k.core.packages.setVisibility({ kind: 'user', user: admin, scopes: new Set(['admin']), repoId: null, tokenId: null }, pkg, 'public');
  });
  after(() => k.close());

  const token = async (scope: string, headers: Record<string, string> = {}) => {
    const res = await k.inject({ method: 'GET', url: `/v2/token?service=kura&scope=${encodeURIComponent(scope)}`, headers });
    assert.equal(res.statusCode, 200, res.body);
    const body = JSON.parse(res.body) as { token: string; access_token: string; expires_in: number; issued_at: string };
    assert.equal(body.token, body.access_token);
    assert.equal(body.expires_in, 300);
    assert.ok(!Number.isNaN(Date.parse(body.issued_at)));
    return body.token;
  };
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('challenges anonymous callers at /v2/ with the token realm', async () => {
    const res = await k.inject({ method: 'GET', url: '/v2/' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="http://localhost:80/v2/token",service="kura"');
    assert.equal(JSON.parse(res.body).errors[0].code, 'UNAUTHORIZED');
    assert.equal((await k.inject({ method: 'GET', url: '/v2/', headers: basic('alice', alice) })).statusCode, 200);
    assert.equal((await k.inject({ method: 'GET', url: '/v2/', headers: bearer(await token('')) })).statusCode, 200);
  });

  it('names the needed scope in the challenge', async () => {
    const pull = await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1' });
    assert.match(String(pull.headers['www-authenticate']), /scope="repository:alice\/private:pull"$/);
    const push = await k.inject({ method: 'POST', url: '/v2/alice/private/blobs/uploads/' });
    assert.match(String(push.headers['www-authenticate']), /scope="repository:alice\/private:pull,push"$/);
    const del = await k.inject({ method: 'DELETE', url: '/v2/alice/private/manifests/v1' });
    assert.match(String(del.headers['www-authenticate']), /scope="repository:alice\/private:delete"$/);
  });

  it('gives anonymous tokens pull on public images only', async () => {
    const t = await token('repository:alice/public:pull,push repository:alice/private:pull');
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/public/manifests/v1', headers: bearer(t) })).statusCode, 200);
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/public/manifests/v1' })).statusCode, 200, 'public images need no token at all');
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(t) })).statusCode, 401);
    assert.equal((await k.inject({ method: 'POST', url: '/v2/alice/public/blobs/uploads/', headers: bearer(t) })).statusCode, 401);
  });

  it('grants a signed-in caller exactly the actions it may do', async () => {
    const t = await token('repository:alice/private:pull,push,delete', basic('alice', alice));
    const claims = JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as { acc: Record<string, string[]> };
    assert.deepEqual(claims.acc, { 'alice/private': ['pull', 'push', 'delete'] });
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(t) })).statusCode, 200);
    assert.equal((await k.inject({ method: 'POST', url: '/v2/alice/private/blobs/uploads/', headers: bearer(t) })).statusCode, 202);

    const pullOnly = await token('repository:alice/private:pull', basic('alice', alice));
    const res = await k.inject({ method: 'POST', url: '/v2/alice/private/blobs/uploads/', headers: bearer(pullOnly) });
    assert.equal(res.statusCode, 401, 'a token without push asks for a new token');

    const bobs = await token('repository:alice/private:pull,push', basic('bob', bob));
    assert.deepEqual((JSON.parse(Buffer.from(bobs.split('.')[0]!, 'base64url').toString()) as { acc: object }).acc, {});
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(bobs) })).statusCode, 404, 'a private image is invisible, as a missing one');
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/missing/manifests/v1', headers: bearer(bobs) })).statusCode, 404);
  });

  it('answers 403 DENIED to a read-only token pushing', async () => {
    const readOnly = await k.token('alice', ['read:packages']);
    const res = await k.inject({ method: 'POST', url: '/v2/alice/private/blobs/uploads/', headers: basic('alice', readOnly) });
    assert.equal(res.statusCode, 403);
    assert.equal(JSON.parse(res.body).errors[0].code, 'DENIED');
    const viaToken = await token('repository:alice/private:pull,push', basic('alice', readOnly));
    const denied = await k.inject({ method: 'POST', url: '/v2/alice/private/blobs/uploads/', headers: bearer(viaToken) });
    assert.equal(denied.statusCode, 403);
  });

  it('refuses forged, expired and bad credentials', async () => {
    const t = await token('repository:alice/private:pull', basic('alice', alice));
    const [payload] = t.split('.');
    const forged = `${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(forged) })).statusCode, 401);
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), acc: { 'alice/private': ['delete'] } })).toString('base64url');
    assert.equal((await k.inject({ method: 'DELETE', url: '/v2/alice/private/manifests/v1', headers: bearer(`${widened}.${t.split('.')[1]}`) })).statusCode, 401);
    clock.advance(301_000);
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(t) })).statusCode, 401, 'tokens expire');
    const revocable = await k.token('alice', ['read:packages']);
    const issued = await token('repository:alice/private:pull', basic('alice', revocable));
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(issued) })).statusCode, 200);
    const record = (await k.core.tokens.list((await k.core.owners.find('alice'))!.id)).find((r) => revocable.startsWith(r.prefix))!;
    await k.core.tokens.revoke(record.id);
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/private/manifests/v1', headers: bearer(issued) })).statusCode, 401, 'revoking the personal access token ends its registry tokens');
    const wrong = await k.inject({ method: 'GET', url: '/v2/token?scope=repository:alice/private:pull', headers: basic('alice', 'kura_wrong') });
    assert.equal(wrong.statusCode, 401);
    assert.match(String(wrong.headers['www-authenticate']), /^Basic/);
  });
});

describe('container registry: background jobs', () => {
  it('reaps upload sessions idle for a day', async () => {
    const clock = new TestClock();
    const k = await startTestKura({}, clock);
    try {
      const t = (await k.user('alice')).token;
      const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token: t });
      const location = String(start.headers['location']);
      await k.inject({ method: 'PATCH', url: location, token: t, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('abandoned') });
      const jobs = (await import('../../src/formats/oci/jobs.js')).registryJobs(k.formatContext<ContainerTables>('container'));
      const reap = jobs.find((j) => j.name === 'container.uploads.reap')!;
      await reap.run();
      assert.equal((await k.inject({ method: 'GET', url: location, token: t })).statusCode, 204, 'a fresh session stays');
      clock.advance(25 * 3_600_000);
      await reap.run();
      assert.equal((await k.inject({ method: 'GET', url: location, token: t })).statusCode, 404);
      let left = 0;
      for await (const _upload of k.core.deps.blobs.uploads.list()) left++;
      assert.equal(left, 0);
    } finally {
      await k.close();
    }
  });

  it('deletes untagged manifests per package cleanup policy, keeping tagged ones and those an index lists', async () => {
    const clock = new TestClock();
    const k = await startTestKura({}, clock);
    try {
      const t = (await k.user('alice')).token;
      const tagged = imageFixture({ layers: ['tagged'] });
      const untagged = imageFixture({ layers: ['untagged'] });
      const child = imageFixture({ layers: ['child'] });
      await pushImage(k, t, 'alice/app', tagged, 'v1');
      await pushImage(k, t, 'alice/app', untagged, untagged.digest);
      await pushImage(k, t, 'alice/app', child, child.digest);
      const index = indexFixture([{ digest: child.digest, size: child.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }]);
      await pushManifest(k, t, 'alice/app', 'multi', index.data, ociIndexType);
      const pkg = (await k.core.packages.queries.find('container', 'alice', 'app'))!;
      await k.formatContext<ContainerTables>('container').db.insertInto('container_cleanup_policies').values({ package_id: pkg.id, untagged_days: 7, updated_at: clock.now().toISOString() }).execute();
      const jobs = (await import('../../src/formats/oci/jobs.js')).registryJobs(k.formatContext<ContainerTables>('container'));
      const cleanup = jobs.find((j) => j.name === 'container.untagged.cleanup')!;
      await cleanup.run();
      assert.equal((await k.core.packages.queries.versions(pkg.id)).length, 4, 'nothing is old enough yet');
      clock.advance(8 * 86_400_000);
      await cleanup.run();
      const live = (await k.core.packages.queries.versions(pkg.id)).map((v) => v.version).sort();
      assert.deepEqual(live, [tagged.digest, child.digest, index.digest].sort());
      assert.equal((await k.inject({ method: 'GET', url: `/v2/alice/app/manifests/${untagged.digest}`, token: t })).statusCode, 404);
    } finally {
      await k.close();
    }
  });
});

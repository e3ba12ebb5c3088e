import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { startTestKura, type TestKura } from '../support/harness.js';
import { blob, imageFixture, indexFixture, ociIndexType, ociManifestType, pushBlob, pushImage, pushManifest, sha256Digest } from '../support/oci-fixtures.js';

function ociCode(res: LightMyRequestResponse): string {
  const body = JSON.parse(res.body) as { errors: Array<{ code: string; message: string }> };
  assert.equal(body.errors.length, 1);
  assert.ok(body.errors[0]!.message.length > 0);
  return body.errors[0]!.code;
}

async function storedBlobCount(k: TestKura): Promise<number> {
  let n = 0;
  for await (const _info of k.core.deps.blobs.list()) n++;
  return n;
}

describe('container registry: bad input is refused in the OCI dialect and stores nothing', () => {
  let k: TestKura;
  let token: string;
  before(async () => {
    k = await startTestKura();
    token = (await k.user('alice')).token;
  });
  after(() => k.close());

  it('refuses a monolithic upload whose bytes do not match the digest (DIGEST_INVALID)', async () => {
    const before = await storedBlobCount(k);
    const claimed = sha256Digest('something else');
    const res = await k.inject({ method: 'POST', url: `/v2/alice/app/blobs/uploads/?digest=${claimed}`, token, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('actual bytes') });
    assert.equal(res.statusCode, 400);
    assert.equal(ociCode(res), 'DIGEST_INVALID');
    assert.equal(await storedBlobCount(k), before);
    const head = await k.inject({ method: 'HEAD', url: `/v2/alice/app/blobs/${claimed}`, token });
    assert.equal(head.statusCode, 404);
  });

  it('refuses a chunked upload finished with the wrong digest and forgets the session', async () => {
    const before = await storedBlobCount(k);
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    const location = String(start.headers['location']);
    await k.inject({ method: 'PATCH', url: location, token, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('chunk') });
    const res = await k.inject({ method: 'PUT', url: `${location}?digest=${sha256Digest('not the chunk')}`, token });
    assert.equal(res.statusCode, 400);
    assert.equal(ociCode(res), 'DIGEST_INVALID');
    assert.equal(await storedBlobCount(k), before);
    assert.equal((await k.inject({ method: 'GET', url: location, token })).statusCode, 404);
  });

  it('refuses malformed digests', async () => {
    for (const digest of ['sha256:abc', 'md5:0123', 'sha256:' + 'G'.repeat(64), 'nodigest']) {
      const res = await k.inject({ method: 'POST', url: `/v2/alice/app/blobs/uploads/?digest=${digest}`, token, payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(res.statusCode, 400, digest);
      assert.equal(ociCode(res), 'DIGEST_INVALID');
    }
    const get = await k.inject({ method: 'GET', url: '/v2/alice/app/manifests/sha256:baddigeststring', token });
    assert.equal(get.statusCode, 400);
  });

  it('refuses manifests that are not JSON or break their media type schema (MANIFEST_INVALID)', async () => {
    const image = imageFixture();
    for (const b of [image.config, ...image.layers]) await pushBlob(k, token, 'alice/app', b);
    const good = JSON.parse(image.manifest.toString()) as Record<string, unknown>;
    const cases: Array<[string, Buffer, string?]> = [
      ['not JSON', Buffer.from('{"schemaVersion": 2,')],
      ['an array', Buffer.from('[]')],
      ['schemaVersion 1', Buffer.from(JSON.stringify({ ...good, schemaVersion: 1 }))],
      ['no config', Buffer.from(JSON.stringify({ ...good, config: undefined }))],
      ['layers not an array', Buffer.from(JSON.stringify({ ...good, layers: {} }))],
      ['a descriptor with a bad digest', Buffer.from(JSON.stringify({ ...good, layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] }))],
      ['a negative size', Buffer.from(JSON.stringify({ ...good, config: { ...(good['config'] as object), size: -1 } }))],
      ['embedded data that is not the content', Buffer.from(JSON.stringify({ ...good, config: { ...(good['config'] as object), data: Buffer.from('x'.repeat((good['config'] as { size: number }).size)).toString('base64') } }))],
      ['an index with a config-less list', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: ociIndexType, manifests: 'none' }))],
      ['a body type that contradicts Content-Type', image.manifest, ociIndexType],
      ['Docker schema 1', Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'alice/app' })), 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ];
    for (const [what, body, type] of cases) {
      const res = await pushManifest(k, token, 'alice/app', 'bad', body, type ?? ociManifestType);
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      assert.equal(ociCode(res), 'MANIFEST_INVALID', what);
    }
    const unknown = await pushManifest(k, token, 'alice/app', 'bad', Buffer.from(JSON.stringify({ ...good, mediaType: 'application/x-unknown' })), 'application/x-unknown');
    assert.equal(unknown.statusCode, 415, 'a Content-Type that is no manifest media type');
    assert.equal(ociCode(unknown), 'MANIFEST_INVALID');
    assert.equal((await k.inject({ method: 'GET', url: '/v2/alice/app/manifests/bad', token })).statusCode, 404);
  });

  it('refuses manifests that reference blobs or manifests not in the repository (MANIFEST_BLOB_UNKNOWN)', async () => {
    const image = imageFixture({ layers: ['never pushed layer'] });
    await pushBlob(k, token, 'alice/app', image.config);
    const res = await pushManifest(k, token, 'alice/app', 'missing', image.manifest);
    assert.equal(res.statusCode, 400);
    assert.equal(ociCode(res), 'MANIFEST_BLOB_UNKNOWN');
    const other = imageFixture({ layers: ['in another repository'] });
    await pushImage(k, token, 'alice/other', other, 'v1');
    const borrowed = await pushManifest(k, token, 'alice/app', 'borrowed', other.manifest);
    assert.equal(borrowed.statusCode, 400, 'blobs of another repository are not usable without a mount');
    assert.equal(ociCode(borrowed), 'MANIFEST_BLOB_UNKNOWN');
    const index = indexFixture([{ digest: sha256Digest('no such manifest'), size: 10, platform: { os: 'linux', architecture: 'amd64' } }]);
    const listed = await pushManifest(k, token, 'alice/app', 'index', index.data, ociIndexType);
    assert.equal(listed.statusCode, 400);
    assert.equal(ociCode(listed), 'MANIFEST_BLOB_UNKNOWN');
  });

  it('refuses a manifest pushed by a digest it does not have', async () => {
    const image = imageFixture({ layers: ['digest check'] });
    for (const b of [image.config, ...image.layers]) await pushBlob(k, token, 'alice/app', b);
    const res = await pushManifest(k, token, 'alice/app', sha256Digest('other'), image.manifest);
    assert.equal(res.statusCode, 400);
    assert.equal(ociCode(res), 'DIGEST_INVALID');
  });

  it('refuses invalid repository names (NAME_INVALID)', async () => {
    for (const name of ['Alice/app', 'alice/App', 'alice/../app', 'alice//app', 'alice/app/', 'alice/-app', 'alice/a..b']) {
      const res = await k.inject({ method: 'GET', url: `/v2/${name}/tags/list`, token });
      assert.equal(res.statusCode, 400, `${name}: ${res.statusCode} ${res.body}`);
      assert.equal(ociCode(res), 'NAME_INVALID', name);
    }
    const single = await k.inject({ method: 'POST', url: '/v2/app/blobs/uploads/', token });
    assert.equal(single.statusCode, 400, 'an image needs an owner');
    const long = await k.inject({ method: 'GET', url: `/v2/alice/${'a'.repeat(260)}/tags/list`, token });
    assert.equal(long.statusCode, 400);
  });

  it('answers NAME_UNKNOWN for an owner that does not exist', async () => {
    const res = await k.inject({ method: 'POST', url: '/v2/nobody/app/blobs/uploads/', token });
    assert.equal(res.statusCode, 404);
    assert.equal(ociCode(res), 'NAME_UNKNOWN');
  });

  it('answers 416 to a chunk that does not continue the upload, keeping the upload usable', async () => {
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    const location = String(start.headers['location']);
    const first = await k.inject({ method: 'PATCH', url: location, token, headers: { 'content-type': 'application/octet-stream', 'content-range': '0-4' }, payload: Buffer.from('hello') });
    assert.equal(first.statusCode, 202);
    for (const range of ['3-7', '6-10', 'abc', '5-2']) {
      const res = await k.inject({ method: 'PATCH', url: String(first.headers['location']), token, headers: { 'content-type': 'application/octet-stream', 'content-range': range }, payload: Buffer.from('world'.slice(0, Math.max(1, range.length - 2))) });
      assert.equal(res.statusCode, 416, `${range}: ${res.body}`);
    }
    const lying = await k.inject({ method: 'PATCH', url: location, token, headers: { 'content-type': 'application/octet-stream', 'content-range': '5-9' }, payload: Buffer.from('wor') });
    assert.equal(lying.statusCode, 416, 'Content-Length must match Content-Range');
    const status = await k.inject({ method: 'GET', url: location, token });
    assert.equal(status.statusCode, 204);
    assert.equal(status.headers['range'], '0-4');
    const rest = await k.inject({ method: 'PATCH', url: location, token, headers: { 'content-type': 'application/octet-stream', 'content-range': '5-9' }, payload: Buffer.from('world') });
    assert.equal(rest.statusCode, 202);
    const done = await k.inject({ method: 'PUT', url: `${location}?digest=${sha256Digest('helloworld')}`, token });
    assert.equal(done.statusCode, 201);
  });

  it('answers BLOB_UPLOAD_UNKNOWN for an unknown upload id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '..%2F..%2Fetc']) {
      const res = await k.inject({ method: 'PATCH', url: `/v2/alice/app/blobs/uploads/${id}`, token, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('x') });
      assert.equal(res.statusCode, 404, id);
      assert.equal(ociCode(res), 'BLOB_UPLOAD_UNKNOWN');
    }
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    const id = String(start.headers['docker-upload-uuid']);
    const elsewhere = await k.inject({ method: 'GET', url: `/v2/alice/other/blobs/uploads/${id}`, token });
    assert.equal(elsewhere.statusCode, 404, 'a session belongs to its repository');
  });

  it('refuses a manifest over 4 MiB with 413', async () => {
    const huge = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: ociManifestType, annotations: { big: 'A'.repeat(4 * 1024 * 1024) } }));
    const res = await pushManifest(k, token, 'alice/app', 'huge', huge);
    assert.equal(res.statusCode, 413);
    assert.equal(ociCode(res), 'SIZE_INVALID');
  });

  it('refuses tags outside [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}', async () => {
    const image = imageFixture({ layers: ['tags'] });
    for (const b of [image.config, ...image.layers]) await pushBlob(k, token, 'alice/app', b);
    for (const tag of ['-leading', '.dot', 't'.repeat(129), 'a%2Fb', 'caf%C3%A9']) {
      const res = await pushManifest(k, token, 'alice/app', tag, image.manifest);
      assert.equal(res.statusCode, 400, tag);
      assert.equal(ociCode(res), 'MANIFEST_INVALID', tag);
    }
    assert.equal((await pushManifest(k, token, 'alice/app', `_${'t'.repeat(127)}`, image.manifest)).statusCode, 201);
  });

  it('refuses to delete a manifest that a live index lists (409), and deletes it once the index is gone', async () => {
    const image = imageFixture({ layers: ['listed child'] });
    assert.equal((await pushImage(k, token, 'alice/multi', image, 'child')).statusCode, 201);
    const index = indexFixture([{ digest: image.digest, size: image.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }]);
    assert.equal((await pushManifest(k, token, 'alice/multi', 'all', index.data, ociIndexType)).statusCode, 201);

    const refused = await k.inject({ method: 'DELETE', url: `/v2/alice/multi/manifests/${image.digest}`, token });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(ociCode(refused), 'DENIED');
    assert.match(refused.body, new RegExp(index.digest));
    const child = await k.inject({ method: 'GET', url: `/v2/alice/multi/manifests/${image.digest}`, token, headers: { accept: ociManifestType } });
    assert.equal(child.statusCode, 200, 'the index still resolves to its child');

    assert.equal((await k.inject({ method: 'DELETE', url: `/v2/alice/multi/manifests/${index.digest}`, token })).statusCode, 202);
    assert.equal((await k.inject({ method: 'DELETE', url: `/v2/alice/multi/manifests/${image.digest}`, token })).statusCode, 202);
    assert.equal((await k.inject({ method: 'GET', url: `/v2/alice/multi/manifests/${image.digest}`, token })).statusCode, 404);
  });

  it('answers UNSUPPORTED for a method an endpoint lacks', async () => {
    const res = await k.inject({ method: 'PATCH', url: '/v2/alice/app/manifests/v1', token });
    assert.equal(res.statusCode, 405);
    assert.equal(ociCode(res), 'UNSUPPORTED');
    const unknown = blob('x');
    const range = await pushBlob(k, token, 'alice/app', unknown);
    assert.equal(range.statusCode, 201);
    const bad = await k.inject({ method: 'GET', url: `/v2/alice/app/blobs/${unknown.digest}`, token, headers: { range: 'bytes=5-9' } });
    assert.equal(bad.statusCode, 416);
    assert.equal(bad.headers['content-range'], 'bytes */1');
  });
});

/** PUTs `bytes` in 16 KiB chunked writes (no Content-Length); resolves to the answer's status and body. */
function streamedPut(url: string, token: string, bytes: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (text: string) => (body += text)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    Readable.from((function* () {
      for (let i = 0; i < bytes.length; i += 16384) yield bytes.subarray(i, i + 16384);
    })()).pipe(req);
  });
}

describe('container registry: blob uploads obey KURA_MAX_BLOB_SIZE', () => {
  let k: TestKura;
  let token: string;
  before(async () => {
    k = await startTestKura({ KURA_MAX_BLOB_SIZE: '64kb', KURA_MAX_BODY_SIZE: '16kb' });
    token = (await k.user('alice')).token;
  });
  after(() => k.close());

  const octets = { 'content-type': 'application/octet-stream' };
  const big = Buffer.alloc(100_000, 7);

  it('refuses a monolithic upload over the limit with 413 SIZE_INVALID, storing nothing', async () => {
    const res = await k.inject({ method: 'POST', url: `/v2/alice/app/blobs/uploads/?digest=${sha256Digest(big)}`, token, headers: octets, payload: big });
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(ociCode(res), 'SIZE_INVALID');
    assert.equal(await storedBlobCount(k), 0);
    assert.equal((await k.inject({ method: 'HEAD', url: `/v2/alice/app/blobs/${sha256Digest(big)}`, token })).statusCode, 404);
  });

  it('refuses a chunked upload that grows past the limit, whether one chunk or several, and drops the session', async () => {
    for (const chunks of [[big], [big.subarray(0, 40_000), big.subarray(40_000)]]) {
      const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
      const location = String(start.headers['location']);
      let last = start;
      for (const chunk of chunks) {
        last = await k.inject({ method: 'PATCH', url: location, token, headers: octets, payload: chunk });
        if (last.statusCode !== 202) break;
      }
      assert.equal(last.statusCode, 413, last.body);
      assert.equal(ociCode(last), 'SIZE_INVALID');
      assert.equal((await k.inject({ method: 'GET', url: location, token })).statusCode, 404, 'the upload is gone');
    }
    // Streamed without a length over a real connection: the limit is found while reading.
    const start = await k.inject({ method: 'POST', url: '/v2/alice/app/blobs/uploads/', token });
    const origin = await k.app.listen({ host: '127.0.0.1', port: 0 });
    const streamed = await streamedPut(`${origin}${String(start.headers['location'])}?digest=${sha256Digest(big)}`, token, big);
    assert.equal(streamed.status, 413, streamed.body);
    assert.equal(JSON.parse(streamed.body).errors[0].code, 'SIZE_INVALID');
    assert.equal(await storedBlobCount(k), 0);
    assert.equal(await k.core.deps.db.selectFrom('blobs').select('sha256').execute().then((rows) => rows.length), 0);
  });

  it('accepts a blob within the limit, even over the body limit other uploads obey', async () => {
    const small = blob(Buffer.alloc(60_000, 1));
    assert.equal((await pushBlob(k, token, 'alice/app', small)).statusCode, 201);
  });
});

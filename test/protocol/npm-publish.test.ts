import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('npm publish and install (inject)', () => {
  let k: TestKura;
  let alice: { token: string };

  before(async () => {
    k = await startTestKura();
    alice = await k.user('alice');
    await k.core.repos.create({ fullName: 'alice/tools' });
  });
  after(() => k.close());

  const publish = async (name: string, version: string, token: string, options: Parameters<typeof publishBody>[3] = {}) => {
    const tarball = await buildTarball({ name, version, manifest: options.manifest });
    return k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: publishBody(name, version, tarball, options) });
  };

  it('publishes a new package linked to the repository named in package.json', async () => {
    const res = await publish('@alice/widget', '1.0.0', alice.token, { manifest: { repository: 'http://x/alice/tools.git' } });
    assert.equal(res.statusCode, 201, res.body);
    const pkg = await k.core.packages.queries.find('npm', 'alice', '@alice/widget');
    assert.equal(pkg?.repo?.fullName, 'alice/tools');
  });

  it('serves the full and abbreviated packument anonymously for a public package', async () => {
    const full = await k.inject({ method: 'GET', url: '/npm/@alice%2Fwidget' });
    assert.equal(full.statusCode, 200);
    const doc = full.json();
    assert.equal(doc['dist-tags'].latest, '1.0.0');
    assert.match(doc.versions['1.0.0'].dist.tarball, /^http:\/\/localhost(:\d+)?\/npm\/@alice\/widget\/-\/widget-1\.0\.0\.tgz$/);
    assert.ok(doc.time['1.0.0']);
    assert.ok(doc._rev);
    const corgi = await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget', headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' } });
    assert.match(String(corgi.headers['content-type']), /vnd\.npm\.install-v1\+json/);
    assert.equal(corgi.json().versions['1.0.0'].description, undefined);
    assert.ok(corgi.json().versions['1.0.0'].dist.integrity);
  });

  it('answers 304 to a matching If-None-Match and gzips on request', async () => {
    const first = await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget' });
    const etag = String(first.headers.etag);
    const again = await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    const gz = await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(JSON.parse(gunzipSync(gz.rawPayload).toString()).name, '@alice/widget');
  });

  it('serves the tarball byte for byte and counts the download', async () => {
    const doc = (await k.inject({ method: 'GET', url: '/npm/@alice%2fwidget' })).json();
    const res = await k.inject({ method: 'GET', url: '/npm/@alice/widget/-/widget-1.0.0.tgz' });
    assert.equal(res.statusCode, 200);
    const { createHash } = await import('node:crypto');
    assert.equal(`sha512-${createHash('sha512').update(res.rawPayload).digest('base64')}`, doc.versions['1.0.0'].dist.integrity);
    await k.core.downloads.flush();
    const versions = await k.core.packages.queries.versions(doc && (await k.core.packages.queries.find('npm', 'alice', '@alice/widget'))!.id);
    assert.equal(versions[0]?.downloadCount, 1);
  });

  it('serves byte ranges of a tarball for resumed downloads, counting only a download from the start', async () => {
    const pkg = (await k.core.packages.queries.find('npm', 'alice', '@alice/widget'))!;
    const count = async () => {
      await k.core.downloads.flush();
      return (await k.core.packages.queries.versions(pkg.id))[0]!.downloadCount;
    };
    const url = '/npm/@alice/widget/-/widget-1.0.0.tgz';
    const whole = await k.inject({ method: 'GET', url });
    const size = whole.rawPayload.length;
    const before = await count();
    const tail = await k.inject({ method: 'GET', url, headers: { range: 'bytes=10-' } });
    assert.equal(tail.statusCode, 206);
    assert.equal(tail.headers['content-range'], `bytes 10-${size - 1}/${size}`);
    assert.equal(tail.headers['accept-ranges'], 'bytes');
    assert.ok(tail.rawPayload.equals(whole.rawPayload.subarray(10)));
    assert.equal(await count(), before, 'a resumed download is not a new one');
    const head = await k.inject({ method: 'GET', url, headers: { range: 'bytes=0-9', 'if-range': String(whole.headers.etag) } });
    assert.equal(head.statusCode, 206);
    assert.ok(head.rawPayload.equals(whole.rawPayload.subarray(0, 10)));
    assert.equal(await count(), before + 1);
    const stale = await k.inject({ method: 'GET', url, headers: { range: 'bytes=0-9', 'if-range': '"something-else"' } });
    assert.equal(stale.statusCode, 200, 'If-Range that does not match sends the whole tarball');
    assert.equal(stale.rawPayload.length, size);
    const outside = await k.inject({ method: 'GET', url, headers: { range: `bytes=${size}-` } });
    assert.equal(outside.statusCode, 416);
    assert.equal(outside.headers['content-range'], `bytes */${size}`);
    assert.match(outside.json().error, /not within/);
  });

  it('refuses to publish an existing version again with 409', async () => {
    const res = await publish('@alice/widget', '1.0.0', alice.token);
    assert.equal(res.statusCode, 409);
    assert.match(res.json().error, /already exists/);
  });
});

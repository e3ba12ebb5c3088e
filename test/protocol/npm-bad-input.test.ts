import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, integrityOf, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { tarWithFile } from '../support/tar-archive.js';

/** A gzip'd tar with one entry at an arbitrary (possibly hostile) path. */
const tarWithEntry = (path: string, content: string): Buffer => gzipSync(tarWithFile(path, Buffer.from(content)));

describe('npm publish rejects bad input with a clear 4xx and stores nothing', () => {
  let k: TestKura;
  let token: string;

  before(async () => {
    k = await startTestKura({ KURA_MAX_BODY_SIZE: '64kb' });
    token = (await k.user('alice')).token;
  });
  after(() => k.close());

  const put = (name: string, payload: unknown, headers: Record<string, string> = {}) =>
    k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token, payload: payload as string, headers: { 'content-type': 'application/json', ...headers } });

  const assertNothingStored = async (name: string) => {
    assert.equal(await k.core.packages.queries.find('npm', 'alice', name.toLowerCase(), true), null, `${name} must not exist`);
    const blobs = await k.core.deps.db.selectFrom('blobs').select('sha256').execute();
    assert.equal(blobs.length, 0, 'no blob rows');
  };

  it('refuses a tarball that is not gzip', async () => {
    const bogus = Buffer.from('this is not a tarball at all');
    const res = await put('@alice/notgz', publishBody('@alice/notgz', '1.0.0', bogus));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'INVALID_ARCHIVE');
    assert.match(res.json().error, /gzip/);
    await assertNothingStored('@alice/notgz');
  });

  it('refuses gzip data that is not a tar archive', async () => {
    const res = await put('@alice/nottar', publishBody('@alice/nottar', '1.0.0', gzipSync(Buffer.from('plain text, gzip but no tar'))));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'INVALID_ARCHIVE');
    await assertNothingStored('@alice/nottar');
  });

  it('refuses an integrity mismatch', async () => {
    const tarball = await buildTarball({ name: '@alice/badsum', version: '1.0.0' });
    const other = integrityOf(Buffer.from('different bytes'));
    const res = await put('@alice/badsum', publishBody('@alice/badsum', '1.0.0', tarball, { integrity: other.integrity }));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'DIGEST_MISMATCH');
    assert.match(res.json().error, /integrity mismatch/);
    const shasum = await put('@alice/badsum', publishBody('@alice/badsum', '1.0.0', tarball, { shasum: other.shasum, integrity: '' }));
    assert.equal(shasum.statusCode, 400, shasum.body);
    assert.match(shasum.json().error, /shasum mismatch/);
    const unusable = await put('@alice/badsum', publishBody('@alice/badsum', '1.0.0', tarball, { integrity: 'md5-nothing' }));
    assert.equal(unusable.statusCode, 400, unusable.body);
    assert.equal(unusable.json().code, 'INVALID_MANIFEST');
    await assertNothingStored('@alice/badsum');
  });

  it('refuses a name in the body that differs from the URL', async () => {
    const tarball = await buildTarball({ name: '@alice/one', version: '1.0.0' });
    const res = await put('@alice/one', publishBody('@alice/one', '1.0.0', tarball, { bodyName: '@alice/two' }));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'NAME_MISMATCH');
    await assertNothingStored('@alice/one');
  });

  it('refuses a version that is not semver', async () => {
    const tarball = await buildTarball({ name: '@alice/ver', version: 'one.two' });
    const res = await put('@alice/ver', publishBody('@alice/ver', 'one.two', tarball));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'INVALID_VERSION');
    await assertNothingStored('@alice/ver');
  });

  it('refuses names that break npm rules, and unscoped names', async () => {
    for (const [url, pattern] of [['@alice%2fUPPER', /lowercase|capital/i], ['@alice%2f.dot', /period/], ['unscoped', /not scoped/], ['@alice%2fa%20b', /URL-friendly|characters/]] as const) {
      const res = await k.inject({ method: 'PUT', url: `/npm/${url}`, token, payload: { name: 'x' } });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_NAME');
      assert.match(res.json().error, pattern);
    }
  });

  it('refuses path traversal inside the tarball', async () => {
    for (const path of ['package/../../evil.js', '/etc/passwd', 'package/..\\..\\evil.js']) {
      const tarball = tarWithEntry(path, 'x');
      const res = await put('@alice/traverse', publishBody('@alice/traverse', '1.0.0', tarball));
      assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_ARCHIVE');
      assert.match(res.json().error, /unsafe path/);
    }
    await assertNothingStored('@alice/traverse');
  });

  it('refuses a body over the size limit, by Content-Length or while streaming', async () => {
    const big = await buildTarball({ name: '@alice/big', version: '1.0.0', files: { 'blob.bin': randomBytes(100_000).toString('base64') } });
    const res = await put('@alice/big', publishBody('@alice/big', '1.0.0', big));
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
    const { Readable } = await import('node:stream');
    const body = JSON.stringify(publishBody('@alice/big', '1.0.0', big));
    const streamed = await k.app.inject({
      method: 'PUT', url: '/npm/@alice%2fbig', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: Readable.from((function* () {
        for (let i = 0; i < body.length; i += 16384) yield Buffer.from(body.slice(i, i + 16384));
      })()),
    });
    assert.equal(streamed.statusCode, 413, streamed.body);
    await assertNothingStored('@alice/big');
  });

  it('refuses malformed JSON', async () => {
    const res = await put('@alice/json', '{"name": "@alice/json", "versions": {');
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'MALFORMED_JSON');
    const garbage = await put('@alice/json', 'not json at all');
    assert.equal(garbage.statusCode, 400);
    await assertNothingStored('@alice/json');
  });

  it('refuses a document nested thousands of levels deep with 400, not a server error', async () => {
    for (const depth of [5_000, 25_000]) {
      const tarball = await buildTarball({ name: '@alice/deep', version: '1.0.0' });
      const body = JSON.stringify(publishBody('@alice/deep', '1.0.0', tarball)).replace('"access":null', `"access":null,"deep":${'['.repeat(depth)}${']'.repeat(depth)}`);
      const res = await put('@alice/deep', body);
      assert.equal(res.statusCode, 400, `${depth}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_MANIFEST');
    }
    await assertNothingStored('@alice/deep');
  });

  it('answers a quick audit of a very deep or oddly shaped dependency tree without a server error', async () => {
    const depth = 20_000;
    const deep = `{"dependencies":${'{"@alice/dep":{"version":"1.0.0","dependencies":'.repeat(depth)}{}${'}}'.repeat(depth)}}`;
    for (const body of [deep, '{"dependencies":{"a":"1.0.0","b":{"version":7,"dependencies":"x"},"c":null,"d":{"version":"1.0.0","dependencies":[1]}}}', '{"dependencies":5}', '[]']) {
      const res = await k.inject({ method: 'POST', url: '/npm/-/npm/v1/security/audits/quick', token, payload: body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 200, `${body.slice(0, 80)}: ${res.body}`);
    }
    const res = await k.inject({ method: 'POST', url: '/npm/-/npm/v1/security/audits/quick', token, payload: deep, headers: { 'content-type': 'application/json' } });
    assert.equal(res.json().metadata.dependencies, 1);
  });

  it('refuses a tarball whose package.json names another package', async () => {
    const tarball = await buildTarball({ name: '@alice/other', version: '1.0.0' });
    const res = await put('@alice/claimed', publishBody('@alice/claimed', '1.0.0', tarball));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'INVALID_MANIFEST');
    await assertNothingStored('@alice/claimed');
  });

  it('refuses dist-tags that are semver ranges or not URL-safe, in a publish and in dist-tag add', async () => {
    for (const tag of ['1', '1.x', 'x', 'v2', '^1.0.0', '1.0.0', '../evil', 'a b', '']) {
      const tarball = await buildTarball({ name: '@alice/tagged', version: '1.0.0' });
      const res = await put('@alice/tagged', publishBody('@alice/tagged', '1.0.0', tarball, { tag }));
      assert.equal(res.statusCode, 400, `${JSON.stringify(tag)}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_NAME');
      assert.match(res.json().error, /dist-tag/);
    }
    await assertNothingStored('@alice/tagged');

    const tarball = await buildTarball({ name: '@alice/tagged', version: '1.0.0' });
    assert.equal((await put('@alice/tagged', publishBody('@alice/tagged', '1.0.0', tarball, { tag: 'next' }))).statusCode, 201);
    for (const tag of ['1', '1.x', 'x', 'X', 'v1', '1.2', '1.0.0']) {
      const res = await k.inject({ method: 'PUT', url: `/npm/-/package/@alice%2ftagged/dist-tags/${tag}`, token, payload: '"1.0.0"', headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 400, `${tag}: ${res.body}`);
      assert.equal(res.json().code, 'INVALID_NAME');
      assert.match(res.json().error, /semver range/);
    }
    const pkg = (await k.core.packages.queries.find('npm', 'alice', '@alice/tagged'))!;
    assert.deepEqual((await k.core.packages.queries.tags(pkg.id)).map((t) => t.name).sort(), ['next']);
  });

  it('refuses a publish into a scope that has no owner', async () => {
    const tarball = await buildTarball({ name: '@nobody/thing', version: '1.0.0' });
    const res = await put('@nobody/thing', publishBody('@nobody/thing', '1.0.0', tarball));
    assert.equal(res.statusCode, 404, res.body);
    assert.match(res.json().error, /no user or organization named "nobody"/);
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { blobCount, startTestKura, type TestKura } from '../support/harness.js';
import { buildNupkg, multipart, nuspecXml, pushNupkg } from '../support/nuget-fixtures.js';

describe('NuGet bad input: a 4xx in NuGet’s shape (text and reason phrase), nothing stored', () => {
  let k: TestKura;
  let alice: string;
  let bob: string;

  before(async () => {
    k = await startTestKura({ KURA_MAX_BODY_SIZE: '4mb' });
    alice = (await k.user('alice')).token;
    bob = (await k.user('bob')).token;
  });
  after(() => k.close());

  async function refused(push: () => ReturnType<typeof pushNupkg>, status: number, message: RegExp) {
    const before = await blobCount(k);
    const res = await push();
    assert.equal(res.statusCode, status, res.body);
    assert.match(res.body, message);
    assert.match(String(res.statusMessage), message, 'the message is the reason phrase NuGet prints');
    assert.equal(await blobCount(k), before, 'no bytes are stored');
    const owner = (await k.core.owners.find('alice'))!;
    assert.deepEqual(await k.core.packages.queries.listByOwner(owner.id, { format: 'nuget' }), [], 'no package is stored');
  }
  const push = (nupkg: Buffer, token = alice) => () => pushNupkg(k, 'alice', token, nupkg);
  const p = { id: 'Acme.Widget', version: '1.0.0' };

  it('refuses bodies that are not zips, and zip bombs, without inflating them', async () => {
    await refused(push(randomBytes(5000)), 400, /not a valid zip/);
    const bomb = await buildNupkg(p, { 'lib/zeros.bin': Buffer.alloc(50 * 1024 * 1024) });
    const started = Date.now();
    await refused(push(bomb), 400, /ratio|compress/i);
    assert.ok(Date.now() - started < 3000, 'refused at once');
  });

  it('refuses traversal and absolute names inside the package', async () => {
    const evil = await buildNupkg(p, { 'lib/XXevilXX.txt': 'x' });
    const patched = Buffer.from(evil.toString('latin1').replaceAll('lib/XXevilXX.txt', '../../evil.txt..'), 'latin1');
    await refused(push(patched), 400, /path|\.\./);
  });

  it('refuses a missing, duplicated or hostile nuspec, and invalid ids and versions', async () => {
    await refused(push(await buildNupkg(p, {}, { nuspec: false })), 400, /no \.nuspec|nuspec/);
    await refused(push(await buildNupkg(p, { 'other/Acme.Widget.nuspec': nuspecXml(p) }, { nuspec: false })), 400, /nuspec/);
    await refused(push(await buildNupkg(p, { 'Second.nuspec': nuspecXml(p) })), 400, /nuspec/);
    const dtd = nuspecXml(p).replace('<package', '<!DOCTYPE package [<!ENTITY lol "lol">]>\n<package');
    await refused(push(await buildNupkg(p, { 'Acme.Widget.nuspec': dtd })), 400, /DOCTYPE|DTD/i);
    await refused(push(await buildNupkg(p, { 'Acme.Widget.nuspec': '<package><metadata><id>' })), 400, /XML|nuspec/i);
    await refused(push(await buildNupkg({ id: '../Evil', version: '1.0.0' })), 400, /id/i);
    await refused(push(await buildNupkg({ id: 'Acme.Widget', version: 'one.two' })), 400, /version/i);
  });

  it('refuses a body that is not multipart, a multipart body without a package part, and an oversized body', async () => {
    const nupkg = await buildNupkg(p);
    await refused(() => k.app.inject({ method: 'PUT', url: '/nuget/alice/api/v2/package/', payload: nupkg, headers: { 'content-type': 'application/octet-stream', 'x-nuget-apikey': alice } }), 415, /multipart/);
    const fieldOnly = '--b\r\nContent-Disposition: form-data; name=comment\r\n\r\nhello\r\n--b--\r\n';
    await refused(() => k.app.inject({ method: 'PUT', url: '/nuget/alice/api/v2/package/', payload: fieldOnly, headers: { 'content-type': 'multipart/form-data; boundary=b', 'x-nuget-apikey': alice } }), 400, /no package part/);
    const big = await buildNupkg(p, { 'lib/noise.bin': randomBytes(5 * 1024 * 1024) });
    await refused(push(big), 413, /exceeds|limit/);
    // A declared length well over the limit is refused before the body is read.
    const huge = await buildNupkg(p, { 'lib/noise.bin': randomBytes(6 * 1024 * 1024) });
    await refused(push(huge), 413, /^the push \(\d+ bytes\) exceeds the limit of 4194304 bytes/);
    const { payload, contentType } = multipart(nupkg);
    assert.ok(payload.length > 0 && contentType.includes('boundary'));
  });

  it('refuses a multipart body that ends inside the package part with a 400, and keeps serving', async () => {
    const truncated = (tail: string | Buffer) => () => k.app.inject({
      method: 'PUT', url: '/nuget/alice/api/v2/package/',
      payload: Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name=package; filename=package.nupkg\r\n\r\n'), Buffer.from(tail)]),
      headers: { 'content-type': 'multipart/form-data; boundary=b', 'x-nuget-apikey': alice },
    });
    await refused(truncated('PK\x03\x04 the rest never came'), 400, /multipart body/);
    await refused(truncated(randomBytes(200_000)), 400, /multipart body/);
    await refused(truncated(''), 400, /multipart body/);
    const carol = (await k.user('carol')).token;
    const res = await pushNupkg(k, 'carol', carol, await buildNupkg({ id: 'Acme.After', version: '1.0.0' }));
    assert.equal(res.statusCode, 201, res.body);
  });

  it('refuses a symbol push of a package that is not a symbols package', async () => {
    const dave = (await k.user('dave')).token;
    assert.equal((await pushNupkg(k, 'dave', dave, await buildNupkg({ id: 'Acme.Sym', version: '1.0.0' }))).statusCode, 201);
    const before = await blobCount(k);
    const res = await pushNupkg(k, 'dave', dave, await buildNupkg({ id: 'Acme.Sym', version: '1.0.0', description: 'other bytes' }), 'symbolpackage/');
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.body, /not a symbols package/);
    assert.equal(await blobCount(k), before, 'no bytes are stored');
    const snupkg = await k.app.inject({ url: '/nuget/dave/v3/flatcontainer/acme.sym/1.0.0/acme.sym.1.0.0.snupkg', headers: { 'x-nuget-apikey': dave } });
    assert.equal(snupkg.statusCode, 404);
  });

  it('refuses a push into another owner’s feed', async () => {
    await refused(push(await buildNupkg(p), bob), 403, /permission/);
  });
});

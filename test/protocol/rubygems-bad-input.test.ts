import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { blobCount, startTestKura, type TestKura } from '../support/harness.js';
import { buildGem, gemspecYaml, pushGem, tarOf } from '../support/gem-fixtures.js';

describe('RubyGems bad input: a clear 4xx in plain text, nothing stored', () => {
  let k: TestKura;
  let token: string;
  let bobToken: string;

  before(async () => {
    k = await startTestKura({ KURA_MAX_BODY_SIZE: '1mb' });
    token = (await k.user('alice')).token;
    bobToken = (await k.user('bob')).token;
  });
  after(() => k.close());

  /** Pushes `gem` and asserts the status, the message, and that no gem and no blob was stored. */
  async function refused(gem: Buffer, status: number, message: RegExp, headers: Record<string, string> = {}) {
    const before = await blobCount(k);
    const res = await pushGem(k, 'alice', token, gem, headers);
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(res.body, message);
    assert.equal(await blobCount(k), before, 'no bytes are kept');
    const owner = (await k.core.owners.find('alice'))!;
    assert.deepEqual(await k.core.packages.queries.listByOwner(owner.id, { format: 'rubygems' }), [], 'no gem is stored');
  }

  const valid = { name: 'widget', version: '1.0.0' };

  it('refuses bodies that are not gems', async () => {
    await refused(Buffer.from('not a tar archive at all, just text'.repeat(30)), 400, /not a valid tar archive|no metadata\.gz/);
    await refused(gzipSync(buildGem(valid)), 400, /plain tar archive, not a gzip file/);
    await refused(Buffer.alloc(0), 400, /empty/);
    await refused(tarOf([{ path: 'data.tar.gz', content: gzipSync(tarOf([])) }]), 400, /no metadata\.gz/);
  });

  it('refuses traversal and links inside the gem', async () => {
    await refused(buildGem(valid, { extra: [{ path: '../../etc/passwd', content: Buffer.from('x') }] }), 400, /unsafe path/);
    await refused(buildGem(valid, { extra: [{ path: 'evil', type: '2', linkTarget: '/etc/passwd' }] }), 400, /link/);
  });

  it('refuses a data.tar.gz that is not a gzip’d tar, or whose paths or links leave the gem', async () => {
    const data = (members: Parameters<typeof tarOf>[0]) => gzipSync(tarOf(members));
    const file = (path: string) => ({ path, content: Buffer.from('x') });
    await refused(buildGem(valid, { data: data([file('../../etc/evil')]) }), 400, /data\.tar\.gz contains an unsafe path/);
    await refused(buildGem(valid, { data: data([file('/etc/evil')]) }), 400, /data\.tar\.gz contains an unsafe path/);
    await refused(buildGem(valid, { data: data([file('lib\\..\\..\\evil')]) }), 400, /data\.tar\.gz contains an unsafe path/);
    await refused(buildGem(valid, { data: data([{ path: 'lib/evil', type: '2', linkTarget: '../../../etc/passwd' }]) }), 400, /link leaving the gem/);
    await refused(buildGem(valid, { data: data([{ path: 'lib/evil', type: '2', linkTarget: '/etc/passwd' }]) }), 400, /link leaving the gem/);
    await refused(buildGem(valid, { data: data([{ path: 'lib/evil', type: '1', linkTarget: '../outside' }]) }), 400, /link leaving the gem/);
    await refused(buildGem(valid, { data: Buffer.from('not gzip at all') }), 400, /data\.tar\.gz is not valid gzip/);
    await refused(buildGem(valid, { data: gzipSync(Buffer.from('not a tar archive, just text'.repeat(40))) }), 400, /data\.tar\.gz is not a valid tar/);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const started = Date.now();
    await refused(buildGem(valid, { data: bomb }), 400, /gzip bomb/);
    assert.ok(Date.now() - started < 3000, 'refused without inflating it all');
    // A link that stays inside the gem is fine.
    const linked = buildGem({ name: 'linked', version: '1.0.0' }, { data: data([file('lib/real.rb'), { path: 'lib/sub/alias.rb', type: '2', linkTarget: '../real.rb' }]) });
    const res = await pushGem(k, 'bob', bobToken, linked);
    assert.equal(res.statusCode, 200, res.body);
  });

  it('refuses missing, malformed or oversized metadata', async () => {
    await refused(buildGem(valid, { metadata: Buffer.from('not gzip') }), 400, /metadata\.gz is not valid gzip/);
    await refused(buildGem(valid, { metadata: gzipSync('{ unbalanced: [') }), 400, /not a valid gem specification|not a !ruby\/object:Gem::Specification/);
    await refused(buildGem(valid, { metadata: gzipSync('--- just a string\n') }), 400, /not a !ruby\/object:Gem::Specification/);
    await refused(buildGem(valid, { metadata: gzipSync(`${gemspecYaml(valid)}summary: x\n${'#'.repeat(3 * 1024 * 1024)}\n`) }), 413, /larger than 2097152 bytes uncompressed/);
  });

  it('refuses YAML with tags that are not gem objects, and alias bombs', async () => {
    const withEvil = gemspecYaml(valid).replace('email: alice@example.com', 'email: !ruby/object:ERB\n  src: system("id")');
    await refused(buildGem(valid, { metadata: gzipSync(withEvil) }), 400, /Unresolved tag: !ruby\/object:ERB/);
    const hash = gemspecYaml(valid).replace('email: alice@example.com', 'email: !ruby/hash:Hash\n  a: 1');
    await refused(buildGem(valid, { metadata: gzipSync(hash) }), 400, /Unresolved tag/);
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 0; i < 9; i++) lol.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    const bomb = gemspecYaml(valid).replace('metadata: {}', `metadata: {}\n${lol.join('\n')}`);
    const started = Date.now();
    await refused(buildGem(valid, { metadata: gzipSync(bomb) }), 400, /could not be read|alias/i);
    assert.ok(Date.now() - started < 2000, 'the bomb is refused at once');
  });

  it('refuses a checksum mismatch', async () => {
    const checksums = gzipSync(`---\nSHA256:\n  metadata.gz: ${'0'.repeat(64)}\n`);
    await refused(buildGem(valid, { checksums }), 400, /metadata\.gz does not match its SHA256 in checksums\.yaml/);
  });

  it('refuses a checksums.yaml with aliases or that is not a mapping, as a 400', async () => {
    await refused(buildGem(valid, { checksums: gzipSync('---\nSHA256: &a\n  metadata.gz: x\nSHA512: *a\n') }), 400, /checksums\.yaml/);
    await refused(buildGem(valid, { checksums: gzipSync(`---\nSHA256: ${'['.repeat(20000)}\n`) }), 400, /checksums\.yaml/);
    await refused(buildGem(valid, { checksums: Buffer.from('not gzip') }), 400, /checksums\.yaml\.gz is not valid gzip/);
  });

  it('refuses a gem that holds a member twice', async () => {
    const other = gzipSync(gemspecYaml({ name: 'other', version: '1.0.0' }));
    await refused(buildGem(valid, { extra: [{ path: 'metadata.gz', content: other }] }), 400, /metadata\.gz twice/);
    await refused(buildGem(valid, { checksums: null, extra: [{ path: 'metadata.gz', content: other }] }), 400, /metadata\.gz twice/);
    await refused(buildGem(valid, { extra: [{ path: 'data.tar.gz', content: gzipSync(tarOf([])) }] }), 400, /data\.tar\.gz twice/);
  });

  it('refuses invalid names, versions and platforms', async () => {
    await refused(buildGem({ name: '../evil', version: '1.0.0' }), 400, /invalid gem name/);
    await refused(buildGem({ name: '_hidden', version: '1.0.0' }), 400, /can not begin with a period, dash, or underscore/);
    await refused(buildGem({ name: '1234', version: '1.0.0' }), 400, /at least one letter/);
    await refused(buildGem({ name: 'widget', version: '1.0.0/../x' }), 400, /not a valid RubyGems version/);
    await refused(buildGem({ name: 'widget', version: '1.0.0', platform: 'x86_64 linux' }), 400, /invalid gem platform/);
  });

  it('refuses content types gem never sends, and bodies over the limit', async () => {
    await refused(buildGem(valid), 415, /expected a \.gem file/, { 'content-type': 'application/json' });
    const huge = buildGem(valid, { data: Buffer.alloc(2 * 1024 * 1024, 1) });
    await refused(huge, 413, /exceeds/);
  });

  it('refuses a gem whose name differs only in case from one of the owner’s gems', async () => {
    assert.equal((await pushGem(k, 'alice', token, buildGem({ name: 'Casey', version: '1.0.0' }))).statusCode, 200);
    const res = await pushGem(k, 'alice', token, buildGem({ name: 'casey', version: '2.0.0' }));
    assert.equal(res.statusCode, 409, res.body);
    assert.match(res.body, /differing only in case/);
  });
  it('refuses a version equal to one pushed before (1.0 and 1.0.0 are one Gem::Version), with 409', async () => {
    const push = (version: string, platform?: string) => pushGem(k, 'bob', bobToken, buildGem({ name: 'canon', version, ...(platform ? { platform } : {}) }));
    assert.equal((await push('1.0')).statusCode, 200);
    for (const version of ['1.0.0', '1', '1.0.0.0']) {
      const res = await push(version);
      assert.equal(res.statusCode, 409, `${version}: ${res.body}`);
      assert.match(res.body, /Repushing of gem versions is not allowed\. canon-1\.0 was pushed before/);
    }
    assert.equal((await push('1.0.0', 'x86_64-linux')).statusCode, 200, 'another platform is another gem');
    assert.equal((await push('1.0.0.a')).statusCode, 200, 'a prerelease is another version');
    const info = await k.app.inject({ url: '/rubygems/bob/info/canon', headers: { authorization: bobToken } });
    assert.doesNotMatch(info.body, /^1\.0\.0 /m);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildGem, pushGem } from '../support/gem-fixtures.js';

const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('RubyGems indexes', () => {
  let k: TestKura;
  let alice: string;
  let bob: string;
  const gadget = buildGem({ name: 'gadget', version: '1.0.0', homepage: 'https://kura.example/alice/tools', requiredRuby: [['>=', '2.7']] });
  const widget = buildGem({
    name: 'widget', version: '1.0.0', metadata: { source_code_uri: 'https://kura.example/alice/tools' },
    dependencies: [{ name: 'gadget', requirement: [['~>', '1.0']] }, { name: 'rake', requirement: [['>=', '12'], ['<', '14']], type: 'development' }],
  });
  const widgetLinux = buildGem({ name: 'widget', version: '1.0.0', platform: 'x86_64-linux', metadata: { source_code_uri: 'https://kura.example/alice/tools' } });
  const widgetPre = buildGem({ name: 'widget', version: '2.0.0.pre', metadata: { source_code_uri: 'https://kura.example/alice/tools' } });
  const hidden = buildGem({ name: 'hidden', version: '0.1.0', homepage: 'https://kura.example/alice/secret' });
  const get = (url: string, headers: Record<string, string> = {}) => k.app.inject({ method: 'GET', url, headers });

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    bob = (await k.user('bob')).token;
    await k.core.repos.create({ fullName: 'alice/tools' });
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    for (const gem of [gadget, widget, widgetLinux, widgetPre, hidden]) {
      const res = await pushGem(k, 'alice', alice, gem);
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  after(() => k.close());

  it('writes /info/NAME with runtime dependencies, checksums and Ruby requirements, and /versions with its MD5', async () => {
    const info = await get('/rubygems/alice/info/widget');
    assert.equal(info.statusCode, 200);
    assert.equal(info.body, [
      '---',
      `1.0.0 gadget:~> 1.0|checksum:${sha256(widget)}`,
      `1.0.0-x86_64-linux |checksum:${sha256(widgetLinux)}`,
      `2.0.0.pre |checksum:${sha256(widgetPre)}`,
      '',
    ].join('\n'));
    assert.equal(info.headers.etag, `"${md5(info.body)}"`);
    const gadgetInfo = (await get('/rubygems/alice/info/gadget')).body;
    assert.match(gadgetInfo, /^1\.0\.0 \|checksum:[0-9a-f]{64},ruby:>= 2\.7$/m);
    const versions = await get('/rubygems/alice/versions');
    assert.equal(versions.body, [
      'created_at: 2024-01-01T00:00:00Z',
      '---',
      `gadget 1.0.0 ${md5(gadgetInfo)}`,
      `widget 1.0.0,1.0.0-x86_64-linux,2.0.0.pre ${md5(info.body)}`,
      '',
    ].join('\n'));
    assert.equal((await get('/rubygems/alice/names')).body, '---\ngadget\nwidget\n');
  });

  it('keeps a platform gem as another file of the same version', async () => {
    const pkg = (await k.core.packages.queries.find('rubygems', 'alice', 'widget'))!;
    const versions = await k.core.packages.queries.versions(pkg.id);
    assert.deepEqual(versions.map((v) => v.version), ['1.0.0', '2.0.0.pre']);
    const files = (await k.core.packages.queries.liveFiles(pkg.id)).filter((f) => f.versionId === versions[0]!.id).map((f) => f.name).sort();
    assert.deepEqual(files, ['widget-1.0.0-x86_64-linux.gem', 'widget-1.0.0.gem']);
  });

  it('answers If-None-Match with 304 and a Range with 206, as Bundler asks', async () => {
    const full = await get('/rubygems/alice/versions');
    assert.equal((await get('/rubygems/alice/versions', { 'if-none-match': String(full.headers.etag) })).statusCode, 304);
    const tail = await get('/rubygems/alice/versions', { range: 'bytes=10-' });
    assert.equal(tail.statusCode, 206);
    assert.equal(tail.body, full.body.slice(10));
    assert.equal(tail.headers.etag, full.headers.etag, 'the ETag is the MD5 of the whole file');
  });

  it('answers 304 to the ETag as Bundler 2.5 sends it back (bare, weak, or in a list), also with a Range', async () => {
    const full = await get('/rubygems/alice/versions');
    const bare = String(full.headers.etag).replace(/"/g, '');
    for (const value of [bare, `W/${String(full.headers.etag)}`, `"other", ${String(full.headers.etag)}`, '*']) {
      const res = await get('/rubygems/alice/versions', { 'if-none-match': value, range: `bytes=${full.rawPayload.length - 1}-` });
      assert.equal(res.statusCode, 304, value);
    }
    assert.equal((await get('/rubygems/alice/versions', { 'if-none-match': '"0123"' })).statusCode, 200);
  });

  it('sends the SHA-256 of the whole file as Repr-Digest and Digest, also with a 206, so Bundler can check what it appends', async () => {
    for (const url of ['/rubygems/alice/versions', '/rubygems/alice/info/widget']) {
      const full = await get(url);
      const digest = createHash('sha256').update(full.rawPayload).digest('base64');
      assert.equal(full.headers['repr-digest'], `sha-256=:${digest}:`, url);
      assert.equal(full.headers['digest'], `sha-256=${digest}`, url);
      assert.equal(full.headers['accept-ranges'], 'bytes', url);
      const tail = await get(url, { range: 'bytes=5-' });
      assert.equal(tail.statusCode, 206, url);
      assert.equal(tail.headers['repr-digest'], full.headers['repr-digest'], `${url}: the digest of the whole representation`);
    }
  });

  it('writes a quick gemspec Ruby loads whatever keys the metadata has (also one named "date")', async () => {
    const dated = buildGem({ name: 'dated', version: '1.0.0', metadata: { date: 'last spring', source_code_uri: 'https://kura.example/alice/tools' } });
    assert.equal((await pushGem(k, 'alice', alice, dated)).statusCode, 200);
    const quick = await get('/rubygems/alice/quick/Marshal.4.8/dated-1.0.0.gemspec.rz');
    assert.equal(quick.statusCode, 200);
    const loaded = execFileSync('ruby', ['-e', 'STDIN.binmode; s = Marshal.load(Gem::Util.inflate(STDIN.read)); puts s.metadata.inspect, s.date.year'], { input: quick.rawPayload }).toString();
    assert.equal(loaded, '{"date"=>"last spring", "source_code_uri"=>"https://kura.example/alice/tools"}\n2026\n');
  });

  it('lists private gems only to callers who may read them', async () => {
    for (const url of ['/rubygems/alice/versions', '/rubygems/alice/names']) {
      assert.ok(!(await get(url)).body.includes('hidden'), `${url} anonymously`);
      assert.ok(!(await get(url, { authorization: bob })).body.includes('hidden'), `${url} as bob`);
      assert.ok((await get(url, { authorization: alice })).body.includes('hidden'), `${url} as alice`);
    }
    assert.equal((await get('/rubygems/alice/info/hidden')).statusCode, 401);
    assert.equal((await get('/rubygems/alice/info/hidden', { authorization: bob })).statusCode, 404);
    assert.equal((await get('/rubygems/alice/gems/hidden-0.1.0.gem')).headers['www-authenticate'], 'Basic realm="kura"');
  });

  it('answers the legacy dependency API with a Marshal array Ruby reads', async () => {
    const res = await get('/rubygems/alice/api/v1/dependencies?gems=widget,gadget');
    assert.equal(res.statusCode, 200);
    const loaded = execFileSync('ruby', ['-e', 'Marshal.load(STDIN.read).sort_by { |g| [g[:name], g[:number], g[:platform]] }.each { |g| puts [g[:name], g[:number], g[:platform], g[:dependencies].inspect].join(" ") }'], { input: res.rawPayload }).toString();
    assert.equal(loaded, [
      'gadget 1.0.0 ruby []',
      'widget 1.0.0 ruby [["gadget", "~> 1.0"]]',
      'widget 1.0.0 x86_64-linux []',
      'widget 2.0.0.pre ruby []',
      '',
    ].join('\n'));
    assert.equal((await get('/rubygems/alice/api/v1/dependencies')).statusCode, 200);
  });

  it('updates the anonymous view of the indexes when a repository changes visibility', async () => {
    assert.ok(!(await get('/rubygems/alice/versions')).body.includes('hidden'));
    await k.core.repos.setVisibility('alice/secret', 'public');
    try {
      assert.ok((await get('/rubygems/alice/versions')).body.includes('hidden'));
      assert.ok((await get('/rubygems/alice/names')).body.includes('hidden'));
    } finally {
      await k.core.repos.setVisibility('alice/secret', 'private');
    }
    assert.ok(!(await get('/rubygems/alice/versions')).body.includes('hidden'));
  });

  it('serves .gem files byte for byte and counts downloads', async () => {
    const res = await get('/rubygems/alice/gems/widget-1.0.0-x86_64-linux.gem');
    assert.equal(res.statusCode, 200);
    assert.ok(res.rawPayload.equals(widgetLinux));
    await k.core.downloads.flush();
    const pkg = (await k.core.packages.queries.find('rubygems', 'alice', 'widget'))!;
    assert.equal(await k.core.packages.queries.downloadTotal(pkg.id), 1);
    assert.equal((await get('/rubygems/alice/gems/widget-9.9.9.gem')).statusCode, 401, 'a missing file answers like a private one');
    assert.equal((await get('/rubygems/alice/gems/widget-9.9.9.gem', { authorization: bob })).statusCode, 404);
  });

  it('ignores bytes after the end of a gem’s tar archive, as RubyGems’ reader does, and serves the gem as pushed', async () => {
    const padded = Buffer.concat([buildGem({ name: 'padded', version: '1.0.0' }), Buffer.alloc(2 * 1024 * 1024, 0), Buffer.from('trailing bytes')]);
    const res = await pushGem(k, 'bob', bob, padded);
    assert.equal(res.statusCode, 200, res.body);
    assert.match((await get('/rubygems/bob/info/padded', { authorization: bob })).body, /^1\.0\.0 \|checksum:/m);
    assert.ok((await get('/rubygems/bob/gems/padded-1.0.0.gem', { authorization: bob })).rawPayload.equals(padded));
  });

  it('yank takes a version out of every index at once, and the number stays taken', async () => {
    const wrongPlatform = await k.app.inject({
      method: 'DELETE', url: '/rubygems/alice/api/v1/gems/yank', payload: 'gem_name=widget&version=2.0.0.pre&platform=java',
      headers: { authorization: alice, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(wrongPlatform.statusCode, 404, wrongPlatform.body);
    assert.match(wrongPlatform.body, /has no java gem/);
    const yank = await k.app.inject({
      method: 'DELETE', url: '/rubygems/alice/api/v1/gems/yank', payload: 'gem_name=widget&version=2.0.0.pre',
      headers: { authorization: alice, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(yank.statusCode, 200, yank.body);
    assert.equal(yank.body, 'Successfully deleted gem: widget (2.0.0.pre)');
    assert.ok(!(await get('/rubygems/alice/info/widget')).body.includes('2.0.0.pre'));
    assert.ok(!(await get('/rubygems/alice/versions')).body.includes('2.0.0.pre'));
    assert.equal((await get('/rubygems/alice/gems/widget-2.0.0.pre.gem', { authorization: alice })).statusCode, 404);
    const again = await pushGem(k, 'alice', alice, widgetPre);
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /Repushing of gem versions is not allowed/);

    const versions = (await get('/api/v1/users/alice/packages/rubygems/widget/versions?state=deleted', { authorization: `Bearer ${alice}` })).json() as Array<{ id: number; name: string }>;
    const yanked = versions.find((v) => v.name === '2.0.0.pre')!;
    const restored = await k.app.inject({ method: 'POST', url: `/api/v1/users/alice/packages/rubygems/widget/versions/${yanked.id}/restore`, headers: { authorization: `Bearer ${alice}` } });
    assert.equal(restored.statusCode, 204, restored.body);
    assert.match((await get('/rubygems/alice/info/widget')).body, /^2\.0\.0\.pre /m, 'a restored version is back in the indexes');
  });

  it('yank of one platform’s gem keeps the version’s other gems, as on rubygems.org; the last one takes the version', async () => {
    const ruby = buildGem({ name: 'native', version: '3.0.0' });
    const linux = buildGem({ name: 'native', version: '3.0.0', platform: 'x86_64-linux' });
    for (const gem of [ruby, linux]) assert.equal((await pushGem(k, 'bob', bob, gem)).statusCode, 200);
    const yank = (payload: string) => k.app.inject({
      method: 'DELETE', url: '/rubygems/bob/api/v1/gems/yank', payload,
      headers: { authorization: bob, 'content-type': 'application/x-www-form-urlencoded' },
    });
    const linuxYank = await yank('gem_name=native&version=3.0.0&platform=x86_64-linux');
    assert.equal(linuxYank.statusCode, 200, linuxYank.body);
    assert.equal(linuxYank.body, 'Successfully deleted gem: native (3.0.0-x86_64-linux)');
    const info = (await get('/rubygems/bob/info/native', { authorization: bob })).body;
    assert.match(info, /^3\.0\.0 /m, 'the ruby gem stays listed');
    assert.doesNotMatch(info, /x86_64-linux/);
    assert.match((await get('/rubygems/bob/versions', { authorization: bob })).body, /^native 3\.0\.0 /m);
    assert.equal((await get('/rubygems/bob/gems/native-3.0.0-x86_64-linux.gem', { authorization: bob })).statusCode, 404);
    assert.ok((await get('/rubygems/bob/gems/native-3.0.0.gem', { authorization: bob })).rawPayload.equals(ruby));
    assert.equal((await yank('gem_name=native&version=3.0.0&platform=x86_64-linux')).statusCode, 404, 'a yanked gem cannot be yanked again');
    assert.equal((await pushGem(k, 'bob', bob, linux)).statusCode, 409, 'nor pushed again');

    const rubyYank = await yank('gem_name=native&version=3.0.0');
    assert.equal(rubyYank.statusCode, 200, rubyYank.body);
    assert.equal(rubyYank.body, 'Successfully deleted gem: native (3.0.0)');
    assert.doesNotMatch((await get('/rubygems/bob/info/native', { authorization: bob })).body, /3\.0\.0/);
    const pkg = (await k.core.packages.queries.find('rubygems', 'bob', 'native'))!;
    assert.ok((await k.core.packages.queries.version(pkg.id, '3.0.0'))?.deletedAt, 'the last gem took the version with it');
  });

  it('shows gem facts and install snippets in the REST API and on the package page', async () => {
    const res = await get('/api/v1/users/alice/packages/rubygems/widget');
    assert.equal(res.statusCode, 200, res.body);
    const latest = res.json().latest_version;
    assert.match(JSON.stringify(latest), /gem install widget/);
    const page = await get('/alice/-/packages/rubygems/widget');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /source &quot;http:\/\/localhost:80\/rubygems\/alice\/&quot; do/);
    assert.match(page.body, /gadget/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { imageFixture, pushImage } from '../support/oci-fixtures.js';
import { assertAll2xx, MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';

describe('web pages', () => {
  let k: TestKura;
  let alice: string;

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    await k.core.repos.create({ fullName: 'alice/tools', description: 'Alice’s tools' });
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    for (const [name, repo, readme] of [
      ['@alice/widget', 'alice/tools', '# Widget\n\nMakes **widgets**. <script>alert("x")</script> [bad](javascript:alert(1))'],
      ['@alice/hidden', 'alice/secret', '# Hidden'],
    ] as const) {
      const manifest = { repository: repo, license: 'MIT', dependencies: { leftpad: '^1.0.0' } };
      const tarball = await buildTarball({ name, version: '1.0.0', manifest, files: { 'README.md': readme, 'index.js': '' } });
      const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: alice, payload: publishBody(name, '1.0.0', tarball, { manifest }) });
      assert.equal(res.statusCode, 201, res.body);
    }
    await k.inject({ method: 'GET', url: '/npm/@alice/widget/-/widget-1.0.0.tgz' });
    await k.core.downloads.flush();
    const image = await pushImage(k, alice, 'alice/web', imageFixture({ annotations: { 'org.opencontainers.image.source': 'https://kura.example/alice/tools' } }), 'v1');
    assert.equal(image.statusCode, 201, image.body);
    const mvn = new MavenInjectClient(k, '/maven/alice/tools', alice);
    assertAll2xx(await mvn.deploy({
      groupId: 'com.example', artifactId: 'widget', version: '1.0.0', description: 'A Maven widget', url: 'https://widget.example',
      licenses: [{ name: 'Apache-2.0' }], dependencies: [{ groupId: 'org.slf4j', artifactId: 'slf4j-api', version: '2.0.9', scope: 'compile' }],
    }));
  });
  after(() => k.close());

  const page = (url: string, token?: string) => k.inject({ method: 'GET', url, token });

  it('renders an npm package page: README (sanitized), install snippets, versions, downloads, facts', async () => {
    const res = await page('/alice/-/packages/npm/%40alice%2Fwidget');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    const body = res.body;
    assert.match(body, /<h1>Widget<\/h1>/);
    assert.match(body, /<strong>widgets<\/strong>/);
    assert.ok(!body.includes('<script>alert'), 'raw HTML in a README is escaped');
    assert.ok(!body.includes('href="javascript:'), 'unsafe links are not rendered');
    assert.match(body, /npm install @alice\/widget/);
    assert.match(body, /@alice:registry=http:\/\/localhost(:\d+)?\/npm\//);
    assert.match(body, /<td><a href="\/alice\/-\/packages\/npm\/%40alice%2Fwidget\/versions\/1\.0\.0"[^>]*>1\.0\.0<\/a><\/td><td>\d{4}-\d\d-\d\d<\/td><td>1<\/td>/);
    assert.match(body, /leftpad/);
    assert.match(body, /<a href="\/alice\/tools">alice\/tools<\/a>/);
    assert.match(body, /<svg class="chart"/);
    assert.match(body, /widget-1\.0\.0\.tgz/);
  });

  it('renders a Maven package page with the POM facts and Maven and Gradle snippets', async () => {
    const res = await page('/alice/-/packages/maven/com.example%3Awidget');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /A Maven widget/);
    assert.match(res.body, /&lt;artifactId>widget&lt;\/artifactId>/);
    assert.match(res.body, /implementation (?:'|&#39;)com\.example:widget:1\.0\.0(?:'|&#39;)/);
    assert.match(res.body, /implementation\(&quot;com\.example:widget:1\.0\.0&quot;\)/);
    assert.match(res.body, /<li>org\.slf4j:slf4j-api <code>2\.0\.9<\/code><span class="muted"> \(compile\)<\/span><\/li>/);
    assert.match(res.body, /<dt>Licenses<\/dt><dd>Apache-2\.0<\/dd>/);
    assert.match(res.body, /<dt>Homepage<\/dt><dd><a href="https:\/\/widget\.example\/"/);
    assert.match((await page('/alice/tools')).body, /com\.example:widget/);
  });

  it('renders a container image page with pull instructions, tags and platforms', async () => {
    const res = await page('/alice/-/packages/container/web');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /docker pull localhost(:\d+)?\/alice\/web:v1/);
    assert.match(res.body, /<dt>Platforms<\/dt><dd><span class="badge">linux\/amd64<\/span><\/dd>/);
    assert.match(res.body, /<dt>Total size<\/dt><dd>\d+ B<\/dd>/);
    assert.match(res.body, /<dt>Repository<\/dt><dd><a href="https:\/\/kura\.example\/alice\/tools"/);
  });

  it('lists packages on owner and repository pages, showing private ones only to those who may read them', async () => {
    const owner = await page('/alice');
    assert.match(owner.body, /@alice\/widget/);
    assert.ok(!owner.body.includes('@alice/hidden'));
    assert.match((await page('/alice', alice)).body, /@alice\/hidden/);
    const repo = await page('/alice/tools');
    assert.match(repo.body, /@alice\/widget/);
    assert.match(repo.body, /Alice’s tools/);
  });

  it('answers 404 pages for private and missing packages alike', async () => {
    assert.equal((await page('/alice/-/packages/npm/%40alice%2Fhidden')).statusCode, 404);
    assert.equal((await page('/alice/-/packages/npm/%40alice%2Fnothing')).statusCode, 404);
    assert.equal((await page('/alice/secret')).statusCode, 404);
    assert.equal((await page('/nobody')).statusCode, 404);
    assert.equal((await page('/alice/-/packages/npm/%40alice%2Fhidden', alice)).statusCode, 200);
  });

  it('searches by name and description from the home page', async () => {
    const res = await page('/?q=widget');
    assert.match(res.body, /@alice\/widget/);
    assert.ok(!res.body.includes('@alice/hidden'));
    assert.ok(!(await page('/?q=zzz-nothing')).body.includes('@alice/widget'));
  });
});

import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildNupkg, pushNupkg } from '../support/nuget-fixtures.js';

interface Leaf { catalogEntry: { version: string; dependencyGroups: Array<{ targetFramework?: string; dependencies: Array<{ id: string; range: string }> }>; licenseExpression: string; tags: string[] }; packageContent: string }
interface Page { '@id': string; count: number; lower: string; upper: string; items?: Leaf[] }

describe('NuGet feed protocol (what dotnet and NuGet.exe read)', () => {
  let k: TestKura;
  let alice: string;
  const get = (url: string, headers: Record<string, string> = {}) => k.app.inject({ method: 'GET', url, headers });
  const json = async <T>(url: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json() as T;
  };

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    await k.core.repos.create({ fullName: 'alice/tools' });
    const repositoryUrl = 'https://kura.example/alice/tools';
    const pushes = [
      await buildNupkg({ id: 'Acme.Widget', version: '1.0.0', repositoryUrl, readme: '# Widget', dependencies: [{ id: 'Acme.Gadget', range: '[1.0.0, )', targetFramework: 'net6.0' }, { id: 'Acme.Legacy', range: '[2.0.0, 3.0.0)', targetFramework: 'netstandard2.0' }] }),
      await buildNupkg({ id: 'Acme.Widget', version: '01.02.0003.0', repositoryUrl }),
      await buildNupkg({ id: 'Acme.Widget', version: '2.0.0-beta.1', repositoryUrl }),
      await buildNupkg({ id: 'Acme.Widget', version: '2.0.0-rc+git.abc', repositoryUrl }),
      await buildNupkg({ id: 'Acme.Tool', version: '1.0.0', repositoryUrl, packageType: 'DotnetTool' }),
    ];
    for (const nupkg of pushes) {
      const res = await pushNupkg(k, 'alice', alice, nupkg);
      assert.equal(res.statusCode, 201, res.body);
    }
    for (let i = 0; i < 300; i++) {
      const res = await pushNupkg(k, 'alice', alice, await buildNupkg({ id: 'Acme.Many', version: `1.0.${i}`, repositoryUrl }));
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(() => k.close());

  it('lists every resource type in the service index', async () => {
    const index = await json<{ version: string; resources: Array<{ '@type': string; '@id': string }> }>('/nuget/alice/index.json');
    const types = index.resources.map((r) => r['@type']);
    for (const type of ['PackagePublish/2.0.0', 'PackageBaseAddress/3.0.0', 'RegistrationsBaseUrl', 'RegistrationsBaseUrl/3.0.0-rc', 'RegistrationsBaseUrl/3.0.0-beta', 'RegistrationsBaseUrl/3.4.0', 'RegistrationsBaseUrl/3.6.0',
      'SearchQueryService', 'SearchQueryService/3.0.0-rc', 'SearchQueryService/3.0.0-beta', 'SearchQueryService/3.5.0', 'SearchAutocompleteService', 'SymbolPackagePublish/4.9.0', 'ReadmeUriTemplate/6.13.0']) {
      assert.ok(types.includes(type), type);
    }
    assert.equal(index.resources.find((r) => r['@type'] === 'PackageBaseAddress/3.0.0')!['@id'], 'http://localhost:80/nuget/alice/v3/flatcontainer/');
  });

  it('normalizes versions and lower-cases ids in every flat-container path, whatever casing is asked', async () => {
    const versions = await json<{ versions: string[] }>('/nuget/alice/v3/flatcontainer/acme.widget/index.json');
    assert.deepEqual(versions.versions, ['1.0.0', '1.2.3', '2.0.0-beta.1', '2.0.0-rc']);
    assert.equal((await get('/nuget/alice/v3/flatcontainer/ACME.Widget/1.2.3/acme.widget.1.2.3.nupkg')).statusCode, 200);
    assert.equal((await get('/nuget/alice/v3/flatcontainer/acme.widget/01.2.3.0/acme.widget.1.2.3.nupkg')).statusCode, 200);
    assert.match((await get('/nuget/alice/v3/flatcontainer/acme.widget/1.0.0/acme.widget.nuspec')).body, /<id>Acme.Widget<\/id>/);
    const again = await pushNupkg(k, 'alice', alice, await buildNupkg({ id: 'acme.WIDGET', version: '1.2.3.0' }));
    assert.equal(again.statusCode, 409, 'the same id and version in another spelling is the same version');
  });

  it('writes registration leaves with catalog entries, dependency groups per framework and licenses; gzip when asked', async () => {
    const index = await json<{ count: number; items: Page[] }>('/nuget/alice/v3/registration/acme.widget/index.json');
    assert.equal(index.count, 1);
    const page = index.items[0]!;
    assert.equal(page.lower, '1.0.0');
    assert.equal(page.upper, '2.0.0-rc');
    const first = page.items!.find((l) => l.catalogEntry.version === '1.0.0')!;
    assert.equal(first.catalogEntry.licenseExpression, 'MIT');
    assert.deepEqual(first.catalogEntry.tags, ['kura', 'test']);
    assert.deepEqual(first.catalogEntry.dependencyGroups.map((g) => [g.targetFramework, g.dependencies.map((d) => `${d.id} ${d.range}`)]), [
      ['net6.0', ['Acme.Gadget [1.0.0, )']],
      ['netstandard2.0', ['Acme.Legacy [2.0.0, 3.0.0)']],
    ]);
    assert.equal(first.packageContent, 'http://localhost:80/nuget/alice/v3/flatcontainer/acme.widget/1.0.0/acme.widget.1.0.0.nupkg');
    assert.equal(page.items!.find((l) => l.catalogEntry.version.startsWith('2.0.0-rc'))!.catalogEntry.version, '2.0.0-rc+git.abc', 'SemVer 2 metadata is kept for display');
    const gzipped = await get('/nuget/alice/v3/registration/acme.widget/index.json', { 'accept-encoding': 'gzip' });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.equal(JSON.parse(gunzipSync(gzipped.rawPayload).toString()).count, 1);
  });

  it('links registration pages above 128 versions, and each page holds its leaves (300 versions)', async () => {
    const index = await json<{ count: number; items: Page[] }>('/nuget/alice/v3/registration/acme.many/index.json');
    assert.equal(index.count, 3);
    assert.deepEqual(index.items.map((p) => [p.count, p.lower, p.upper, p.items === undefined]), [
      [128, '1.0.0', '1.0.127', true], [128, '1.0.128', '1.0.255', true], [44, '1.0.256', '1.0.299', true],
    ]);
    const second = await json<Page>(new URL(index.items[1]!['@id']).pathname);
    assert.equal(second.items!.length, 128);
    assert.equal(second.items![0]!.catalogEntry.version, '1.0.128');
  });

  it('searches with prerelease and semVerLevel filters, packageType, skip and take; autocompletes ids and versions', async () => {
    type Hits = { totalHits: number; data: Array<{ id: string; version: string; versions: Array<{ version: string }> }> };
    const stable = await json<Hits>('/nuget/alice/v3/search?q=widget');
    assert.deepEqual(stable.data.map((d) => [d.id, d.version, d.versions.length]), [['Acme.Widget', '1.2.3', 2]]);
    const pre = await json<Hits>('/nuget/alice/v3/search?q=widget&prerelease=true');
    assert.equal(pre.data[0]!.version, '1.2.3', 'dotted labels and build metadata are SemVer 2: hidden without semVerLevel');
    const semver2 = await json<Hits>('/nuget/alice/v3/search?q=widget&prerelease=true&semVerLevel=2.0.0');
    assert.equal(semver2.data[0]!.version, '2.0.0-rc+git.abc');
    assert.deepEqual((await json<Hits>('/nuget/alice/v3/search?packageType=DotnetTool')).data.map((d) => d.id), ['Acme.Tool']);
    const paged = await json<Hits>('/nuget/alice/v3/search?q=acme&skip=1&take=1');
    assert.equal(paged.totalHits, 3);
    assert.deepEqual(paged.data.map((d) => d.id), ['Acme.Tool']);
    assert.deepEqual((await json<{ data: string[] }>('/nuget/alice/v3/autocomplete?q=acme.w')).data, ['Acme.Widget']);
    assert.deepEqual((await json<{ data: string[] }>('/nuget/alice/v3/autocomplete?id=acme.widget&prerelease=true')).data, ['1.0.0', '1.2.3']);
    assert.deepEqual((await json<{ data: string[] }>('/nuget/alice/v3/autocomplete?id=acme.widget&prerelease=true&semVerLevel=2.0.0')).data, ['1.0.0', '1.2.3', '2.0.0-beta.1', '2.0.0-rc+git.abc']);
  });

  it('reads a repeated query parameter of search and autocomplete as its first value', async () => {
    type Hits = { totalHits: number; data: Array<{ id: string }> };
    assert.deepEqual((await json<Hits>('/nuget/alice/v3/search?q=widget&q=tool&take=5&take=x&prerelease=true&prerelease=false')).data.map((d) => d.id), ['Acme.Widget']);
    assert.deepEqual((await json<{ data: string[] }>('/nuget/alice/v3/autocomplete?q=acme.w&q=zzz')).data, ['Acme.Widget']);
    assert.deepEqual((await json<{ data: string[] }>('/nuget/alice/v3/autocomplete?id=acme.widget&id=acme.tool')).data, ['1.0.0', '1.2.3']);
  });

  it('serves the README inside the package and shows facts on the API and the package page', async () => {
    assert.equal((await get('/nuget/alice/v3/readme/acme.widget/1.0.0/readme')).body, '# Widget');
    const api = await json<{ latest_version: { metadata: unknown } }>('/api/v1/users/alice/packages/nuget/Acme.Widget');
    assert.match(JSON.stringify(api), /dotnet add package Acme.Widget --version 1\.2\.3/);
    const page = await get('/alice/-/packages/nuget/Acme.Widget');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /PackageReference Include=&quot;Acme.Widget&quot;/);
  });

  it('keeps a symbol package as a file of its version', async () => {
    const symbols = await buildNupkg({ id: 'Acme.Widget', version: '1.0.0', packageType: 'SymbolsPackage' });
    const res = await pushNupkg(k, 'alice', alice, symbols, 'symbolpackage/');
    assert.equal(res.statusCode, 201, res.body);
    const served = await get('/nuget/alice/v3/flatcontainer/acme.widget/1.0.0/acme.widget.1.0.0.snupkg');
    assert.equal(served.statusCode, 200);
    assert.ok(served.rawPayload.equals(symbols));
    assert.equal((await pushNupkg(k, 'alice', alice, symbols, 'symbolpackage/')).statusCode, 409);
  });
});

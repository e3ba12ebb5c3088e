import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildNupkg } from '../../../test/support/nuget-fixtures.js';
import { factLabelled, oddValues, presentInput } from '../../../test/support/present-input.js';
import { bufferSource, readNupkg } from './nupkg.js';
import { presentNuGetVersion } from './present.js';

const nuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata minClientVersion="5.3">
    <id>Alice.Widget</id>
    <version>3.1.0</version>
    <authors>Alice, Bob</authors>
    <description>Widgets for .NET</description>
    <license type="expression">MIT OR Apache-2.0</license>
    <licenseUrl>https://aka.ms/deprecateLicenseUrl</licenseUrl>
    <projectUrl>https://widget.example.com/</projectUrl>
    <repository type="git" url="https://github.com/alice/widget.git" commit="4f1c2a9" />
    <tags>widgets ui dotnet</tags>
    <dependencies>
      <group targetFramework="net8.0">
        <dependency id="Alice.Core" version="[2.0.0, 3.0.0)" />
        <dependency id="Newtonsoft.Json" version="13.0.3" exclude="Build,Analyzers" />
      </group>
      <group targetFramework=".NETStandard2.0" />
    </dependencies>
  </metadata>
</package>`;

/** The metadata Kura stores for a pushed package: its parsed nuspec, as JSON. */
let stored: Record<string, unknown>;
before(async () => {
  const nupkg = await buildNupkg({ id: 'Alice.Widget', version: '3.1.0' }, { 'Alice.Widget.nuspec': nuspec }, { nuspec: false });
  stored = JSON.parse(JSON.stringify((await readNupkg(bufferSource(nupkg))).nuspec)) as Record<string, unknown>;
});

const present = (metadata: unknown) => presentNuGetVersion(presentInput('nuget', 'Alice.Widget', '3.1.0', metadata)).details;

describe('NuGet page facts', () => {
  it('shows links, license, authors, client version, dependency groups and tags in reading order', () => {
    const details = present(stored);
    assert.deepEqual(details.map((f) => f.label), [
      'Project website', 'Repository', 'License', 'Authors', 'Minimum NuGet client version', 'Dependencies (net8.0)', 'Dependencies (.NETStandard2.0)', 'Tags',
    ]);
    assert.deepEqual(factLabelled(details, 'Project website'), { label: 'Project website', kind: 'link', text: 'https://widget.example.com/', href: 'https://widget.example.com/' });
    assert.deepEqual(factLabelled(details, 'Repository'), { label: 'Repository', kind: 'link', text: 'https://github.com/alice/widget', href: 'https://github.com/alice/widget' });
    assert.deepEqual(factLabelled(details, 'License'), { label: 'License', kind: 'text', text: 'MIT OR Apache-2.0' });
    assert.deepEqual(factLabelled(details, 'Authors'), { label: 'Authors', kind: 'text', text: 'Alice, Bob' });
    assert.deepEqual(factLabelled(details, 'Minimum NuGet client version'), { label: 'Minimum NuGet client version', kind: 'text', text: '5.3' });
    assert.deepEqual(factLabelled(details, 'Tags'), { label: 'Tags', kind: 'labels', items: [{ text: 'widgets' }, { text: 'ui' }, { text: 'dotnet' }] });
  });

  it('lists dependencies per target framework in NuGet’s range notation, as the owner’s packages', () => {
    const details = present(stored);
    assert.deepEqual(factLabelled(details, 'Dependencies (net8.0)'), {
      label: 'Dependencies (net8.0)', kind: 'dependencies', items: [
        { name: 'Alice.Core', requirement: '[2.0.0, 3.0.0)', package: { owner: 'alice', name: 'alice.core' } },
        { name: 'Newtonsoft.Json', requirement: '13.0.3', package: { owner: 'alice', name: 'newtonsoft.json' } },
      ],
    });
    assert.deepEqual(factLabelled(details, 'Dependencies (.NETStandard2.0)'), { label: 'Dependencies (.NETStandard2.0)', kind: 'text', text: 'None' });
  });

  it('shows a group for every framework, a missing range as any version, a license file and package types other than Dependency', () => {
    const details = present({
      dependencyGroups: [{ targetFramework: null, dependencies: [{ id: 'Alice.Core', range: null }] }],
      license: { type: 'file', value: 'LICENSE.txt' },
      packageTypes: ['DotnetTool'],
    });
    assert.deepEqual(factLabelled(details, 'Dependencies'), {
      label: 'Dependencies', kind: 'dependencies', items: [{ name: 'Alice.Core', requirement: '(, )', package: { owner: 'alice', name: 'alice.core' } }],
    });
    assert.deepEqual(factLabelled(details, 'License'), { label: 'License', kind: 'text', text: 'LICENSE.txt (a file in the package)' });
    assert.deepEqual(factLabelled(details, 'Package types'), { label: 'Package types', kind: 'text', text: 'DotnetTool' });
    assert.equal(factLabelled(present({ packageTypes: ['Dependency'] }), 'Package types'), undefined);
  });

  it('links an older package’s license address, and only http and https addresses', () => {
    assert.deepEqual(factLabelled(present({ license: null, licenseUrl: 'https://widget.example.com/LICENSE' }), 'License'),
      { label: 'License', kind: 'link', text: 'https://widget.example.com/LICENSE', href: 'https://widget.example.com/LICENSE' });
    const details = present({ projectUrl: 'javascript:alert(1)', repositoryUrl: 'file:///srv/widget', licenseUrl: 'vbscript:msgbox' });
    assert.deepEqual(details, []);
  });

  it('keeps the REST facts as they were', () => {
    const { facts } = presentNuGetVersion(presentInput('nuget', 'Alice.Widget', '3.1.0', stored));
    assert.deepEqual(facts['targetFrameworks'], ['net8.0', '.NETStandard2.0']);
    assert.deepEqual(facts['dependencyGroups'], { 'net8.0': { 'Alice.Core': '[2.0.0, 3.0.0)', 'Newtonsoft.Json': '13.0.3' }, '.NETStandard2.0': {} });
    assert.equal(facts['license'], 'MIT OR Apache-2.0');
  });

  it('never throws on odd metadata', () => {
    const fields = ['projectUrl', 'repositoryUrl', 'license', 'licenseUrl', 'authors', 'minClientVersion', 'packageTypes', 'dependencyGroups', 'tags'];
    for (const odd of oddValues) {
      const shown = presentNuGetVersion(presentInput('nuget', 'Alice.Widget', '1.0.0', Object.fromEntries(fields.map((f) => [f, odd]))));
      for (const fact of shown.details) if (fact.kind === 'link') assert.match(fact.href, /^https?:\/\//);
      presentNuGetVersion(presentInput('nuget', 'Alice.Widget', '1.0.0', {
        dependencyGroups: [odd, { targetFramework: odd, dependencies: odd }, { dependencies: [odd, { id: odd, range: odd }] }],
        license: { type: odd, value: odd },
      }));
    }
    for (const odd of [null, [], 'text']) assert.deepEqual(presentNuGetVersion(presentInput('nuget', 'Alice.Widget', '1.0.0', odd)).details, []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digest, jarBytes, pomXml } from '../e2e/fixtures/maven/artifacts.js';
import { assertAll2xx, MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';
import { buildGem, pushGem } from '../support/gem-fixtures.js';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildNupkg, pushNupkg } from '../support/nuget-fixtures.js';

interface AlertJson {
  state: string;
  dependency: { package: { ecosystem: string; name: string }; path: string[]; declared_range: string };
  fix: { version: string | null; admitted_by_declared_range: boolean | null };
}

describe('alerts in every format’s own names and range syntax', () => {
  let k: TestKura;
  let alice: string;

  const advise = async (ecosystem: string, name: string, range: string, patched: string) => {
    const res = await k.inject({
      method: 'POST', url: '/api/v1/repos/alice/tools/security-advisories', token: alice,
      payload: { summary: `Flaw in ${name}`, description: 'Upgrade.', severity: 'critical', state: 'published', vulnerabilities: [{ package: { ecosystem, name }, vulnerable_version_range: range, patched_versions: patched }] },
    });
    assert.equal(res.statusCode, 201, res.body);
  };
  const alerts = async (ecosystem: string) => {
    await k.core.alerts.settled();
    const res = await k.inject({ method: 'GET', url: `/api/v1/repos/alice/tools/dependabot/alerts?ecosystem=${ecosystem}`, token: alice });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as AlertJson[];
  };

  before(async () => {
    k = await startTestKura();
    alice = (await k.user('alice')).token;
    await k.core.repos.create({ fullName: 'alice/tools' });
  });
  after(() => k.close());

  it('Maven: a POM’s exact version and ranges, a property naming the project’s version, test scope too', async () => {
    const mvn = new MavenInjectClient(k, '/maven/alice/tools', alice);
    const deploy = async (artifactId: string, version: string, dependencies: Array<{ groupId: string; artifactId: string; version: string; scope?: string }>) => {
      const pom = pomXml({ groupId: 'com.example', artifactId, version, dependencies });
      const base = `/maven/alice/tools/com/example/${artifactId}/${version}/${artifactId}-${version}`;
      assertAll2xx([await mvn.put(`${base}.pom`, pom), await mvn.put(`${base}.pom.sha1`, digest(pom, 'sha1')), await mvn.put(`${base}.jar`, jarBytes(artifactId))]);
    };
    await deploy('app', '1.0.0', [
      { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: '2.14.1' },
      { groupId: 'com.example', artifactId: 'util', version: '${project.version}' },
      { groupId: 'org.example', artifactId: 'ranged', version: '[1.0,2.0)', scope: 'test' },
      { groupId: 'org.example', artifactId: 'managed', version: '${managed.version}' },
    ]);
    await advise('maven', 'org.apache.logging.log4j:log4j-core', '[2.0,2.15.0)', '2.15.0');
    await advise('maven', 'com.example:util', '[1.0.0]', '1.0.1');
    await advise('maven', 'org.example:ranged', '[1.5,1.6)', '1.6');
    await advise('maven', 'org.example:managed', '[0,)', '9');
    const found = (await alerts('maven')).map((a) => [a.dependency.package.name, a.dependency.declared_range, a.fix.admitted_by_declared_range]).sort();
    assert.deepEqual(found, [
      ['com.example:util', '1.0.0', false],
      ['org.apache.logging.log4j:log4j-core', '2.14.1', false],
      ['org.example:ranged', '[1.0,2.0)', true],
    ], 'a version Kura cannot resolve (an outside property) raises nothing');
  });

  it('RubyGems: runtime and development requirements, `~>` included', async () => {
    const gem = buildGem({
      name: 'tools-app', version: '1.0.0', metadata: { source_code_uri: 'https://git.example.com/alice/tools' },
      dependencies: [{ name: 'rack', requirement: [['~>', '2.2']] }, { name: 'rspec', requirement: [['>=', '3.0']], type: 'development' }, { name: 'nokogiri', requirement: [['>=', '1.16']] }],
    });
    assert.equal((await pushGem(k, 'alice', alice, gem)).statusCode, 200);
    await advise('rubygems', 'rack', '< 2.2.8', '2.2.8');
    await advise('rubygems', 'nokogiri', '< 1.15.0', '1.15.0');
    const found = await alerts('rubygems');
    assert.deepEqual(found.map((a) => [a.dependency.package.name, a.dependency.declared_range, a.fix.admitted_by_declared_range]), [['rack', '~> 2.2', true]],
      '>= 1.16 cannot reach a version below 1.15');
  });

  it('NuGet: ranges and bare minimum versions of every target framework', async () => {
    const nupkg = await buildNupkg({
      id: 'Tools.App', version: '1.0.0', repositoryUrl: 'https://git.example.com/alice/tools',
      dependencies: [{ id: 'Newtonsoft.Json', range: '12.0.1' }, { id: 'System.Text.Json', range: '[8.0.0, 9.0.0)', targetFramework: 'net8.0' }],
    });
    assert.equal((await pushNupkg(k, 'alice', alice, nupkg)).statusCode, 201);
    await advise('nuget', 'Newtonsoft.Json', '[0, 13.0.1)', '13.0.1');
    await advise('nuget', 'System.Text.Json', '[9.0.0, 9.0.2)', '9.0.2');
    const found = await alerts('nuget');
    assert.deepEqual(found.map((a) => [a.dependency.package.name, a.dependency.declared_range, a.fix.admitted_by_declared_range]), [['newtonsoft.json', '12.0.1', true]],
      'NuGet’s bare 12.0.1 means 12.0.1 and above; [8.0.0, 9.0.0) excludes 9.x');
  });
});

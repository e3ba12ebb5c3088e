import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromOsv, toOsv } from '../../src/core/advisories/osv.js';
import { osvEcosystems } from '../../src/formats/catalog.js';
import { formats } from '../../src/formats/registry.js';

const ecosystems = osvEcosystems(formats);

const ghsaStyle = {
  schema_version: '1.6.0',
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2026-11-01T00:00:00Z',
  published: '2026-10-01T00:00:00Z',
  aliases: ['CVE-2026-1111'],
  summary: 'Prototype pollution',
  details: 'Long text',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    { package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }, { introduced: '2.0.0' }, { last_affected: '2.1.0' }] }] },
    { package: { ecosystem: 'Maven', name: 'com.example:lib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.2' }] }] },
    { package: { ecosystem: 'RubyGems', name: 'widget' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] }], versions: ['0.9.1'] },
    { package: { ecosystem: 'NuGet', name: 'Acme.Widget' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] },
    { package: { ecosystem: 'PyPI', name: 'not-served' }, versions: ['1.0'] },
  ],
  database_specific: { severity: 'HIGH', cwe_ids: ['CWE-1321', 'nonsense'] },
};

describe('OSV records, in each format’s range syntax', () => {
  it('reads ranges into each ecosystem’s own syntax, with fixes as patched versions', () => {
    const imported = fromOsv(ghsaStyle, ecosystems)!;
    assert.equal(imported.id, 'GHSA-aaaa-bbbb-cccc');
    assert.equal(imported.severity, 'high', 'the database severity wins over the CVSS score');
    assert.deepEqual(imported.cweIds, ['CWE-1321']);
    assert.deepEqual(imported.vulnerabilities.map((v) => [v.package.ecosystem, v.package.name, v.vulnerable_version_range, v.patched_versions]), [
      ['npm', 'left-pad', '<1.3.1', '1.3.1'],
      ['npm', 'left-pad', '>=2.0.0 <=2.1.0', null],
      ['maven', 'com.example:lib', '[1.0,1.2)', '1.2'],
      ['rubygems', 'widget', '>= 1.0', null],
      ['rubygems', 'widget', '= 0.9.1', null],
      ['nuget', 'Acme.Widget', '(,2.0.0)', '2.0.0'],
    ]);
  });

  it('skips records about no ecosystem Kura serves, and refuses records without id or modified', () => {
    assert.equal(fromOsv({ id: 'PYSEC-1', modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'x' }, versions: ['1'] }] }, ecosystems), null);
    assert.throws(() => fromOsv({ summary: 'no id' }, ecosystems), { code: 'BAD_REQUEST' });
    assert.throws(() => fromOsv('text', ecosystems), { code: 'BAD_REQUEST' });
  });

  it('writes an advisory as OSV 1.6 with aliases, CVSS, ranges as written and a reference', () => {
    const osv = toOsv({
      id: 1, ghsaId: 'KURA-2222-3333-4444', repo: { id: 1, ownerId: 1, fullName: 'alice/tools' }, source: 'kura', aliases: [], state: 'published',
      summary: 'Flaw', description: 'Details', severity: 'high', cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cvssScore: 9.8, cveId: 'CVE-2026-2222',
      cweIds: ['CWE-79'], credits: [{ login: 'bob', type: 'finder' }],
      vulnerabilities: [{ package: { ecosystem: 'maven', name: 'com.example:lib' }, vulnerable_version_range: '[1.0,1.2)', patched_versions: '1.2' }],
      authorId: 1, createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-02T00:00:00Z', publishedAt: '2026-11-02T00:00:00Z', reviewedAt: null,
    }, 'https://kura.example', ecosystems);
    assert.equal(osv.schema_version, '1.6.0');
    assert.deepEqual(osv.aliases, ['CVE-2026-2222']);
    assert.deepEqual(osv.affected[0]!.package, { ecosystem: 'Maven', name: 'com.example:lib' });
    assert.equal(osv.affected[0]!.database_specific.vulnerable_version_range, '[1.0,1.2)');
    assert.deepEqual(osv.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
    assert.equal(osv.references[0]!.url, 'https://kura.example/alice/tools/security/advisories/KURA-2222-3333-4444');
    assert.deepEqual(osv.credits, [{ name: 'bob', type: 'FINDER' }]);
    assert.equal(osv.database_specific.severity, 'HIGH');
  });
});

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

/**
 * The rules of the OSV 1.6 format (ossf.github.io/osv-schema) a record must follow, checked one by
 * one; returns what breaks them.
 */
function osvViolations(record: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v);
  const isString = (v: unknown) => typeof v === 'string';
  if (!isString(record['id'])) problems.push('id');
  if (!isDate(record['modified'])) problems.push('modified');
  for (const field of ['published', 'withdrawn']) if (record[field] !== undefined && !isDate(record[field])) problems.push(field);
  for (const field of ['schema_version', 'summary', 'details']) if (record[field] !== undefined && !isString(record[field])) problems.push(field);
  const list = (field: string) => (record[field] === undefined || record[field] === null ? [] : Array.isArray(record[field]) ? (record[field] as Array<Record<string, unknown>>) : (problems.push(field), []));
  if (!list('aliases').every(isString)) problems.push('aliases');
  const severity = (entries: Array<Record<string, unknown>>, where: string) => entries.forEach((s, i) => {
    if (!['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu'].includes(String(s['type'])) || !isString(s['score'])) problems.push(`${where}[${i}]`);
  });
  severity(list('severity'), 'severity');
  list('affected').forEach((a, i) => {
    const pkg = a['package'] as Record<string, unknown> | undefined;
    if (!pkg || !isString(pkg['ecosystem']) || !isString(pkg['name'])) problems.push(`affected[${i}].package`);
    severity((a['severity'] as Array<Record<string, unknown>> | undefined) ?? [], `affected[${i}].severity`);
    ((a['ranges'] as Array<Record<string, unknown>> | undefined) ?? []).forEach((r, j) => {
      const where = `affected[${i}].ranges[${j}]`;
      if (!['GIT', 'SEMVER', 'ECOSYSTEM'].includes(String(r['type']))) problems.push(`${where}.type`);
      if (r['type'] === 'GIT' && !isString(r['repo'])) problems.push(`${where}.repo`);
      const events = r['events'] as Array<Record<string, unknown>> | undefined;
      if (!Array.isArray(events) || events.length === 0) return problems.push(`${where}.events`);
      for (const event of events) {
        const keys = Object.keys(event).filter((k) => ['introduced', 'fixed', 'last_affected', 'limit'].includes(k));
        if (keys.length !== 1 || !isString(event[keys[0]!])) problems.push(`${where}.events: ${JSON.stringify(event)}`);
      }
      if (!events.some((e) => 'introduced' in e)) problems.push(`${where}.events has no introduced`);
      if (events.some((e) => 'last_affected' in e) && events.some((e) => 'fixed' in e)) problems.push(`${where}.events mixes fixed and last_affected`);
      return undefined;
    });
    if (a['versions'] !== undefined && !(Array.isArray(a['versions']) && a['versions'].every(isString))) problems.push(`affected[${i}].versions`);
  });
  const referenceTypes = ['ADVISORY', 'ARTICLE', 'DETECTION', 'DISCUSSION', 'REPORT', 'FIX', 'INTRODUCED', 'GIT', 'PACKAGE', 'EVIDENCE', 'WEB'];
  list('references').forEach((r, i) => {
    if (!referenceTypes.includes(String(r['type'])) || !isString(r['url']) || !URL.canParse(String(r['url']))) problems.push(`references[${i}]`);
  });
  const creditTypes = ['FINDER', 'REPORTER', 'ANALYST', 'COORDINATOR', 'REMEDIATION_DEVELOPER', 'REMEDIATION_REVIEWER', 'REMEDIATION_VERIFIER', 'TOOL', 'SPONSOR', 'OTHER'];
  list('credits').forEach((c, i) => {
    if (!isString(c['name']) || (c['type'] !== undefined && !creditTypes.includes(String(c['type'])))) problems.push(`credits[${i}]`);
  });
  for (const field of ['database_specific']) if (record[field] !== undefined && (typeof record[field] !== 'object' || record[field] === null)) problems.push(field);
  return problems;
}

describe('OSV output follows the OSV 1.6 rules', () => {
  const advisory = (vulnerabilities: Parameters<typeof toOsv>[0]['vulnerabilities'], extra: Partial<Parameters<typeof toOsv>[0]> = {}) => toOsv({
    id: 1, ghsaId: 'KURA-2222-3333-4444', repo: { id: 1, ownerId: 1, fullName: 'alice/tools' }, source: 'kura', aliases: ['GHSA-xxxx-yyyy-zzzz'], state: 'published',
    summary: 'Flaw', description: 'Details', severity: 'high', cvssVector: null, cvssScore: null, cveId: null,
    cweIds: [], credits: [{ login: 'bob', type: 'finder' }, { login: 'carol', type: 'remediation_developer' }, { login: 'dan', type: 'something-else' }],
    vulnerabilities, authorId: 1, createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-02T00:00:00Z', publishedAt: '2026-11-02T00:00:00Z', reviewedAt: null, ...extra,
  }, 'https://kura.example', ecosystems) as unknown as Record<string, unknown>;

  it('for every ecosystem’s range shapes, with and without fixes, CVSS and credits', () => {
    const cases: Array<[string, string, string, string | null]> = [
      ['npm', '@alice/lib', '^1.0.0 || >=2.0.0 <2.1.0', '2.1.0'],
      ['npm', '@alice/lib', '<=1.4.2', null],
      ['npm', '@alice/lib', '1.0.0', '1.0.1'],
      ['maven', 'com.example:lib', '[1.0,1.2),[1.5,)', '1.2'],
      ['maven', 'com.example:lib', '(,2.0]', null],
      ['rubygems', 'widget', '>= 1.0, < 1.2', '1.2'],
      ['rubygems', 'widget', '~> 2.1', null],
      ['nuget', 'Acme.Widget', '[1.0.0, 1.2.0)', '1.2.0'],
      ['nuget', 'Acme.Widget', '[1.0.0]', null],
    ];
    for (const [ecosystem, name, range, patched] of cases) {
      const record = advisory([{ package: { ecosystem, name }, vulnerable_version_range: range, patched_versions: patched }]);
      assert.deepEqual(osvViolations(record), [], `${ecosystem} ${range}: ${JSON.stringify(record)}`);
    }
    const withCvss = advisory([{ package: { ecosystem: 'npm', name: '@alice/lib' }, vulnerable_version_range: '<1.0.0', patched_versions: '1.0.0' }], {
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cvssScore: 9.8, cveId: 'CVE-2026-2222', cweIds: ['CWE-79'], source: 'osv', repo: null,
    });
    assert.deepEqual(osvViolations(withCvss), []);
  });

  it('and the checker catches what breaks them', () => {
    assert.deepEqual(osvViolations({ id: 'X', modified: 'yesterday' }), ['modified']);
    assert.ok(osvViolations({ id: 'X', modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1' }] }] }] }).length > 0);
  });
});

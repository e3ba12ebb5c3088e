// The alerts benchmark's steps (run.sh drives them): publish a dependency graph over HTTP, then
// time advisories that raise thousands of alerts, then compare publish latency with 30
// dependencies against none.
/* global fetch */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { markdownTable, textTable } from '../lib/tables.mjs';
import { tarOf } from '../lib/tar-archive.mjs';

const { values: args } = parseArgs({ options: { kura: { type: 'string' }, token: { type: 'string' }, database: { type: 'string' }, out: { type: 'string' }, 'publish-only': { type: 'boolean' } } });
const config = {
  packages: envNumber('BENCH_PACKAGES', 10_000, wholeNumber),
  edges: envNumber('BENCH_EDGES', 10, wholeNumber),
  publishes: envNumber('BENCH_PUBLISHES', 200, wholeNumber),
  advisories: 3,
};
const registry = `${args.kura}/npm`;
const name = (i) => `@bench/p-${String(i).padStart(5, '0')}`;

/** What package i depends on: every fifth one on @bench/vuln directly, every fiftieth (+1) also through the package before it. */
function dependenciesOf(i) {
  const deps = {};
  if (i % 5 === 0) deps['@bench/vuln'] = '^1.0.0';
  if (i % 50 === 1) deps[name(i - 1)] = '^1.0.0';
  for (let j = 0; Object.keys(deps).length < config.edges; j++) deps[`dep-${(i * 7 + j) % 500}`] = `^${1 + (j % 3)}.0.0`;
  return deps;
}

async function publish(pkg, version, manifest) {
  const files = { 'package/package.json': Buffer.from(JSON.stringify({ name: pkg, version, ...manifest })), 'package/index.js': Buffer.from('module.exports = 1;\n') };
  const tarball = gzipSync(tarOf(files));
  const bare = pkg.split('/')[1];
  const body = JSON.stringify({
    _id: pkg, name: pkg, 'dist-tags': { latest: version },
    versions: { [version]: { name: pkg, version, ...manifest, _id: `${pkg}@${version}`, dist: { integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`, shasum: createHash('sha1').update(tarball).digest('hex'), tarball: `${registry}/${pkg}/-/${bare}-${version}.tgz` } } },
    _attachments: { [`${pkg}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  });
  const started = performance.now();
  const response = await fetch(`${registry}/${pkg.replace('/', '%2f')}`, { method: 'PUT', headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' }, body });
  const ms = performance.now() - started;
  if (response.status !== 201) throw new Error(`publish ${pkg}@${version}: ${response.status} ${await response.text()}`);
  return ms;
}

const p50 = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** Publish latency with 30 dependencies (one of them on a package advisories name) and with none, alternating. */
async function publishComparison() {
  const deps30 = { '@bench/vuln': '^1.0.0' };
  for (let j = 0; Object.keys(deps30).length < 30; j++) deps30[`dep-${j}`] = '^1.0.0';
  const none = [];
  const thirty = [];
  for (let v = 0; v < config.publishes; v++) {
    none.push(await publish('@bench/zero', `1.0.${v}`, { repository: 'bench/r-1' }));
    thirty.push(await publish('@bench/thirty', `1.0.${v}`, { repository: 'bench/r-1', dependencies: deps30 }));
  }
  return { noDependencies: p50(none), thirtyDependencies: p50(thirty) };
}

async function main() {
  if (args['publish-only']) {
    writeFileSync(args.out, JSON.stringify({ publishP50Ms: await publishComparison() }, null, 2));
    return;
  }
  const t0 = performance.now();
  await publish('@bench/vuln', '1.0.0', { repository: 'bench/r-0' });
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < config.packages) {
      const i = next++;
      await publish(name(i), '1.0.0', { repository: `bench/r-${i % 20}`, dependencies: dependenciesOf(i) });
    }
  }));
  const seedS = (performance.now() - t0) / 1000;
  const db = new Database(args.database, { readonly: true });
  const edges = db.prepare('select count(*) as n from version_dependencies').get().n;
  const expected = db.prepare("select count(distinct d.version_id) as n from version_dependencies d where d.name_lower = '@bench/vuln'").get().n
    + db.prepare("select count(*) as n from version_dependencies d where d.name_lower like '@bench/p-%'").get().n;
  console.error(`[bench] ${config.packages} packages, ${edges} indexed edges in ${seedS.toFixed(1)} s; each advisory should raise ${expected} alerts`);

  const advisoryMs = [];
  const raised = [];
  for (let a = 0; a < config.advisories; a++) {
    const started = performance.now();
    const response = await fetch(`${args.kura}/api/v1/repos/bench/r-0/security-advisories`, {
      method: 'POST', headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ summary: `Flaw ${a}`, description: 'Upgrade.', severity: 'high', state: 'published', vulnerabilities: [{ package: { ecosystem: 'npm', name: '@bench/vuln' }, vulnerable_version_range: `<1.0.${a + 1}`, patched_versions: `1.0.${a + 1}` }] }),
    });
    advisoryMs.push(performance.now() - started);
    if (response.status !== 201) throw new Error(`advisory: ${response.status} ${await response.text()}`);
    const { ghsa_id: ghsa } = await response.json();
    raised.push(db.prepare("select count(*) as n from alerts join advisories on advisories.id = alerts.advisory_id where advisories.ghsa_id = ? and alerts.state = 'open'").get(ghsa).n);
  }
  if (raised.some((n) => n !== expected)) throw new Error(`expected ${expected} alerts per advisory, got ${raised.join(', ')}`);

  const publishP50Ms = await publishComparison();
  const baseline = process.env.BENCH_BASELINE_RESULT ? JSON.parse(readFileSync(process.env.BENCH_BASELINE_RESULT, 'utf8')).publishP50Ms : null;
  const reference = baseline ? baseline.thirtyDependencies : publishP50Ms.noDependencies;
  const result = {
    config, edges, seedSeconds: seedS, alertsPerAdvisory: expected,
    advisoryMs, advisoryMedianMs: p50(advisoryMs),
    publishP50Ms, baselineRef: process.env.BENCH_BASELINE_REF ?? null, baselinePublishP50Ms: baseline,
    publishRatio: publishP50Ms.thirtyDependencies / reference,
  };
  const rows = [
    ['indexed dependency edges', String(edges), ''],
    ['alerts raised per advisory', String(expected), ''],
    ['advisory publish → every alert raised (median of 3)', `${result.advisoryMedianMs.toFixed(0)} ms`, result.advisoryMedianMs < 1000 ? 'under 1 s: met' : 'over 1 s: missed'],
    ['publish p50, no dependencies', `${publishP50Ms.noDependencies.toFixed(2)} ms`, ''],
    ...(baseline ? [[`publish p50 before the dependency index (${result.baselineRef}), same 30 dependencies`, `${baseline.thirtyDependencies.toFixed(2)} ms`, ''], [`publish p50 before the dependency index, no dependencies`, `${baseline.noDependencies.toFixed(2)} ms`, '']] : []),
    ['publish p50, 30 dependencies (one affected)', `${publishP50Ms.thirtyDependencies.toFixed(2)} ms`, `${result.publishRatio.toFixed(2)}× of ${baseline ? 'the same publish before the index' : 'a publish without dependencies'} ${result.publishRatio <= 1.1 ? '(within 10%: met)' : '(over 10%: missed)'}`],
  ];
  const header = ['measure', 'Kura', 'target'];
  writeFileSync(args.out, JSON.stringify(result, null, 2));
  writeFileSync(args.out.replace(/\.json$/, '.md'), markdownTable(header, rows));
  console.log(textTable(header, rows));
}

await main();

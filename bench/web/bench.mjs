// The web pages at scale: one Kura server pinned to a core, a package with BENCH_VERSIONS (500)
// versions and one with BENCH_SMALL_VERSIONS (10), published over HTTP with READMEs, dependencies
// and downloads. For the package page, the versions list and a version page of each, it measures
// the latency of BENCH_REQUESTS sequential GETs after 100 of warm-up (one at a time, as a person's browser asks:
// p50/p99), the throughput with BENCH_CONNECTIONS connections, and the database queries one page
// costs (from /metrics), which must not grow with the number of versions.
// Usage: bash bench/web/run.sh (see bench/README.md).
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/free-port.js';
import { stopProcess } from '../../scripts/lib/stop-process.js';
import { autocannon } from '../lib/autocannon.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { markdownTable, textTable } from '../lib/tables.mjs';
import { generateFixtures, publishBody, readTarball } from '../npm/fixtures.mjs';

const root = new URL('../..', import.meta.url).pathname;
const config = {
  versions: envNumber('BENCH_VERSIONS', 500, wholeNumber),
  smallVersions: envNumber('BENCH_SMALL_VERSIONS', 10, wholeNumber),
  requests: envNumber('BENCH_REQUESTS', 300, wholeNumber),
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  connections: envNumber('BENCH_CONNECTIONS', 8, wholeNumber),
  serverCpu: process.env.BENCH_SERVER_CPU ?? '0',
};
/** The issue's target: a package page with 500 versions renders in under 50 ms median. */
const targetMs = 50;
const canPin = spawnSync('taskset', ['-c', config.serverCpu, 'true']).status === 0;
const say = (line) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

function cli(env, args) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'kura.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kura ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

async function startServer(env) {
  const port = await freePort();
  const args = [join(root, 'bin', 'kura.js'), 'serve', '--port', String(port)];
  const options = { env: { ...process.env, ...env }, stdio: 'ignore' };
  const child = canPin ? spawn('taskset', ['-c', config.serverCpu, process.execPath, ...args], options) : spawn(process.execPath, args, options);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, stop: () => stopProcess(child) };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('kura serve did not start');
}

/** Database queries run so far, from the server's metrics. */
async function queriesSoFar(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('kura_db_query_duration_seconds_count')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

const work = mkdtempSync(join(tmpdir(), 'kura-bench-web-'));
let server = null;
try {
  const env = { KURA_DATA_DIR: join(work, 'data'), KURA_LOG_LEVEL: 'warn', KURA_METRICS: 'on', KURA_DOWNLOAD_FLUSH_MS: '100' };
  mkdirSync(env.KURA_DATA_DIR);
  cli(env, ['user', 'create', 'bench']);
  cli(env, ['repo', 'create', 'bench/bench']);
  const token = cli(env, ['token', 'create', '--user', 'bench', '--scopes', 'read:packages,write:packages']);
  const fixtures = await generateFixtures(join(work, 'fixtures'), { packages: 2, versions: Math.max(config.versions, config.smallVersions), publishes: 0, largeBytes: 1024 });
  server = await startServer(env);
  const [large, small] = fixtures.packages;
  const published = [[large, config.versions], [small, config.smallVersions]];
  for (const [pkg, count] of published) {
    say(`publishing ${count} versions of ${pkg.name}`);
    for (const version of pkg.versions.slice(0, count)) {
      const body = publishBody(`${server.url}/npm`, version, await readTarball(join(work, 'fixtures'), version));
      const response = await fetch(`${server.url}/npm/${version.name.replace('/', '%2f')}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (response.status !== 201) throw new Error(`publish: ${response.status} ${await response.text()}`);
    }
    // Downloads on every version, so the versions table and chart have numbers to show.
    for (const version of pkg.versions.slice(0, count)) {
      await fetch(`${server.url}/npm/${pkg.name}/-/${pkg.name.split('/')[1]}-${version.version}.tgz`).then((r) => r.arrayBuffer());
    }
  }
  await new Promise((r) => setTimeout(r, 500));

  const pagePath = (name) => `/bench/-/packages/npm/${encodeURIComponent(name)}`;
  const scenarios = published.flatMap(([pkg, count]) => [
    { name: `package page, ${count} versions`, path: pagePath(pkg.name), count },
    { name: `versions list (first 50), ${count} versions`, path: `${pagePath(pkg.name)}/versions`, count },
    { name: `version page, ${count} versions`, path: `${pagePath(pkg.name)}/versions/${pkg.versions[0].version}`, count },
  ]);
  const rows = [];
  const results = [];
  for (const scenario of scenarios) {
    const url = `${server.url}${scenario.path}`;
    const check = await fetch(url);
    const html = await check.text();
    if (check.status !== 200 || !html.includes('<h1>')) throw new Error(`${scenario.path}: ${check.status}`);
    // Background jobs (lease renewals, the webhook sender) also query now and then: the fewest of
    // several samples is the page's own count.
    let queries = Infinity;
    for (let sample = 0; sample < 5; sample++) {
      const before = await queriesSoFar(server.url);
      await fetch(url).then((r) => r.text());
      queries = Math.min(queries, (await queriesSoFar(server.url)) - before);
    }
    for (let i = 0; i < 100; i++) await fetch(url).then((r) => r.text());
    const times = [];
    for (let i = 0; i < config.requests; i++) {
      const start = process.hrtime.bigint();
      await fetch(url).then((r) => r.text());
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await autocannon({ url, connections: config.connections, duration: config.warmupS });
    const load = await autocannon({ url, connections: config.connections, duration: config.durationS });
    if (load.non2xx || load.errors) throw new Error(`${scenario.path}: ${load.non2xx} non-2xx, ${load.errors} errors`);
    const result = { ...scenario, queries, bytes: Buffer.byteLength(html), p50: percentile(times, 0.5), p99: percentile(times, 0.99), rps: load.requests.total / load.duration };
    results.push(result);
    say(`${scenario.name}: p50 ${fmt(result.p50, 2)} ms, ${fmt(result.rps)} req/s, ${queries} queries`);
    rows.push([scenario.name, `${fmt(result.p50, 2)} ms`, `${fmt(result.p99, 2)} ms`, `${fmt(result.rps)} req/s`, String(queries), `${fmt(result.bytes / 1024, 1)} KB`]);
  }
  const main = results.find((r) => r.name === `package page, ${config.versions} versions`);
  const flat = scenarios.length === results.length && results.filter((r) => r.count === config.versions).every((r) => r.queries === results.find((s) => s.count === config.smallVersions && s.name.split(',')[0] === r.name.split(',')[0])?.queries);
  const verdicts = [
    `package page with ${config.versions} versions, p50 ${fmt(main.p50, 2)} ms < ${targetMs} ms: ${main.p50 < targetMs ? 'PASS' : 'FAIL'}`,
    `database queries per page the same for ${config.smallVersions} and ${config.versions} versions: ${flat ? 'PASS' : 'FAIL'}`,
  ];
  const header = ['page', 'p50 (sequential)', 'p99 (sequential)', `throughput (${config.connections} conn.)`, 'queries', 'size'];
  const md = `# Web pages\n\nRun at ${new Date().toISOString()}: ${config.requests} sequential GETs per page after 100 of warm-up, then ${config.durationS} s of load; anonymous visitor, log level warn, server on core ${config.serverCpu}.\n\n${markdownTable(header, rows)}\n\n${verdicts.map((v) => `- ${v}`).join('\n')}\n`;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const name of [`web-${stamp}`, 'web-latest']) {
    writeFileSync(join(root, 'bench', 'results', `${name}.md`), md);
    writeFileSync(join(root, 'bench', 'results', `${name}.json`), JSON.stringify({ config, results, verdicts }, null, 2));
  }
  process.stdout.write(`${textTable(header, rows)}\n${verdicts.join('\n')}\n`);
  if (process.env.BENCH_STRICT === '1' && verdicts.some((v) => v.endsWith('FAIL'))) process.exitCode = 1;
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}

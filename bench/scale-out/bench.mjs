// Scale-out benchmark: npm packument GETs (with a token) and tarball pulls on one Kura node on
// SQLite + the data directory, one node on PostgreSQL + S3, and two nodes on the same PostgreSQL
// database and bucket, in one run. It starts a throwaway PostgreSQL cluster and SeaweedFS S3
// server itself (scripts/lib), so it needs what `npm test` installs.
// Usage: bash bench/scale-out/run.sh (see bench/README.md).
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestPostgres } from '../../scripts/lib/test-postgres.js';
import { startTestS3 } from '../../scripts/lib/test-s3.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { stopProcess } from '../../scripts/lib/stop-process.js';
import { autocannon } from '../lib/autocannon.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { markdownTable, textTable } from '../lib/tables.mjs';
import { generateFixtures, publishBody, readTarball } from '../npm/fixtures.mjs';

const root = new URL('../..', import.meta.url).pathname;
const config = {
  packages: envNumber('BENCH_PACKAGES', 50, wholeNumber),
  versions: envNumber('BENCH_VERSIONS', 5, wholeNumber),
  largeBytes: envNumber('BENCH_LARGE_BYTES', 4 * 1024 * 1024, wholeNumber),
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  connections: envNumber('BENCH_CONNECTIONS', 32, wholeNumber),
  largeConnections: envNumber('BENCH_LARGE_CONNECTIONS', 4, wholeNumber),
  /** The cores Kura nodes are pinned to, in turn (node 1 on the first, node 2 on the next…). */
  nodeCpus: (process.env.BENCH_NODE_CPUS ?? '0').split(',').map((c) => c.trim()).filter(Boolean),
  /** The core of the load generator, PostgreSQL and the S3 server. */
  clientCpu: process.env.BENCH_CLIENT_CPU ?? '1',
};
const canPin = spawnSync('taskset', ['-c', config.clientCpu, 'true']).status === 0;
const pinned = (cpu, command, args) => (canPin ? ['taskset', ['-c', cpu, command, ...args]] : [command, args]);
const say = (line) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function cli(env, args) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'kura.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kura ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Starts `kura serve` pinned to `cpu` and resolves once `/readyz` answers 200. */
async function startNode(env, cpu) {
  const port = await freePort();
  const [command, args] = pinned(cpu, process.execPath, [join(root, 'bin', 'kura.js'), 'serve', '--port', String(port)]);
  const child = spawn(command, args, { env: { ...process.env, KURA_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-4096)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`kura serve exited: ${log}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return { url, pid: child.pid, stop: () => stopProcess(child) };
    if (i > 300) throw new Error(`kura serve did not get ready: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function seed(url, token, fixtures, dir) {
  const publish = async (fixture) => {
    const body = publishBody(`${url}/npm`, fixture, await readTarball(dir, fixture));
    const response = await fetch(`${url}/npm/${fixture.name.replace('/', '%2f')}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    if (response.status !== 201) throw new Error(`publish ${fixture.name}@${fixture.version}: ${response.status} ${await response.text()}`);
  };
  for (const pkg of fixtures.packages) for (const version of pkg.versions) await publish(version);
  await publish(fixtures.large);
}

/**
 * Loads every node at once (the connections split between them, as a balancer would), pinned to
 * the client core; throughput is the sum, latency the median of the nodes' p50 and the worst p99.
 */
async function load(urls, paths, { connections, headers }) {
  const run = (url, duration) => {
    let next = 0;
    return autocannon({
      url, connections: Math.max(1, Math.round(connections / urls.length)), duration,
      requests: [{ method: 'GET', headers, setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  };
  await Promise.all(urls.map((u) => run(u, config.warmupS)));
  const results = await Promise.all(urls.map((u) => run(u, config.durationS)));
  for (const r of results) if (r.non2xx || r.errors) throw new Error(`${paths[0]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    rps: results.reduce((n, r) => n + r.requests.total / r.duration, 0),
    mbPerS: results.reduce((n, r) => n + r.throughput.total / r.duration / 1e6, 0),
    p50: results.map((r) => r.latency.p50).sort((a, b) => a - b)[Math.floor(results.length / 2)],
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

async function measure(urls, token, fixtures) {
  const auth = { authorization: `Bearer ${token}` };
  const packuments = fixtures.packages.map((p) => `/npm/${p.name.replace('/', '%2f')}`);
  const tarballs = fixtures.packages.flatMap((p) => p.versions.map((v) => `/npm/${v.name}/-/${v.name.split('/')[1]}-${v.version}.tgz`));
  const large = `/npm/${fixtures.large.name}/-/large-${fixtures.large.version}.tgz`;
  return {
    packument: await load(urls, packuments, { connections: config.connections, headers: { ...auth, accept: 'application/json', 'accept-encoding': 'gzip' } }),
    tarball: await load(urls, tarballs, { connections: config.connections, headers: { ...auth, accept: '*/*' } }),
    large: await load(urls, [large], { connections: config.largeConnections, headers: { ...auth, accept: '*/*' } }),
  };
}

const work = mkdtempSync(join(tmpdir(), 'kura-bench-scale-'));
const stops = [];
try {
  say(`fixtures: ${config.packages} packages × ${config.versions} versions (~10 KB tarballs) and one of ${fmt(config.largeBytes / 1048576, 1)} MiB`);
  const fixtures = await generateFixtures(join(work, 'fixtures'), { packages: config.packages, versions: config.versions, publishes: 0, largeBytes: config.largeBytes });

  // PostgreSQL and the S3 server share the client's core: on a two-core machine the nodes get core 0.
  const postgres = await startTestPostgres();
  stops.push(() => postgres.stop());
  const s3 = await startTestS3();
  stops.push(() => s3.stop());
  if (canPin) {
    for (const name of ['postgres', 'weed']) spawnSync('sh', ['-c', `for p in $(pgrep -x ${name}); do taskset -acp ${config.clientCpu} $p >/dev/null; done`]);
  }
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await client.send(new CreateBucketCommand({ Bucket: 'kura-bench' }));
  client.destroy();
  const scaled = {
    KURA_DATABASE_URL: postgres.url, KURA_BLOB_DRIVER: 's3', KURA_S3_ENDPOINT: s3.endpoint, KURA_S3_BUCKET: 'kura-bench',
    KURA_S3_ACCESS_KEY_ID: s3.accessKeyId, KURA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey, KURA_S3_FORCE_PATH_STYLE: 'true',
    KURA_DATA_DIR: join(work, 'scaled-data'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const embedded = { KURA_DATA_DIR: join(work, 'embedded-data') };

  const results = {};
  const setups = [
    { key: 'sqlite-1', label: '1 node, SQLite + disk', env: embedded, nodes: 1 },
    { key: 'postgres-1', label: '1 node, PostgreSQL + S3', env: scaled, nodes: 1 },
    { key: 'postgres-2', label: '2 nodes, PostgreSQL + S3', env: scaled, nodes: 2 },
  ].filter((s) => !process.env.BENCH_SETUPS || process.env.BENCH_SETUPS.split(',').includes(s.key));
  const tokens = {};
  for (const setup of setups) {
    const dataKey = setup.env.KURA_DATA_DIR;
    if (!tokens[dataKey]) {
      mkdirSync(dataKey, { recursive: true });
      cli(setup.env, ['user', 'create', 'bench']);
      cli(setup.env, ['repo', 'create', 'bench/bench']);
      tokens[dataKey] = { token: cli(setup.env, ['token', 'create', '--user', 'bench', '--scopes', 'read:packages,write:packages']), seeded: false };
    }
    const nodes = [];
    for (let i = 0; i < setup.nodes; i++) nodes.push(await startNode(setup.env, config.nodeCpus[i % config.nodeCpus.length]));
    try {
      if (!tokens[dataKey].seeded) {
        say(`${setup.label}: seeding`);
        await seed(nodes[0].url, tokens[dataKey].token, fixtures, join(work, 'fixtures'));
        tokens[dataKey].seeded = true;
      }
      say(`${setup.label}: measuring (nodes on cores ${nodes.map((_, i) => config.nodeCpus[i % config.nodeCpus.length]).join(', ')})`);
      results[setup.key] = await measure(nodes.map((n) => n.url), tokens[dataKey].token, fixtures);
    } finally {
      for (const node of nodes) await node.stop();
    }
  }

  const row = (label, pick, unit) => [label, ...setups.map((s) => pick(results[s.key]) + unit)];
  const rps = (r) => `${fmt(r.rps)} req/s (p50 ${r.p50} ms, p99 ${r.p99} ms)`;
  const rows = [
    row('full gzip packument GET, with a token', (r) => rps(r.packument), ''),
    row('10 KB tarball GET, with a token', (r) => rps(r.tarball), ''),
    row(`${fmt(config.largeBytes / 1048576, 1)} MiB tarball GET`, (r) => `${fmt(r.large.mbPerS)} MB/s`, ''),
  ];
  const ratio = (a, b) => `${fmt(a / b, 2)}×`;
  const ratios = [];
  const compare = (label, top, bottom) => {
    if (!results[top] || !results[bottom]) return;
    ratios.push([`${label}: packument`, ratio(results[top].packument.rps, results[bottom].packument.rps)]);
    ratios.push([`${label}: 10 KB tarball`, ratio(results[top].tarball.rps, results[bottom].tarball.rps)]);
    ratios.push([`${label}: large tarball`, ratio(results[top].large.mbPerS, results[bottom].large.mbPerS)]);
  };
  compare('PostgreSQL + S3 / SQLite (1 node)', 'postgres-1', 'sqlite-1');
  compare('2 nodes / 1 node (PostgreSQL + S3)', 'postgres-2', 'postgres-1');
  const header = ['scenario', ...setups.map((s) => s.label)];
  const pinning = canPin ? `Kura nodes pinned to core(s) ${config.nodeCpus.join(', ')}; load generator, PostgreSQL and S3 on core ${config.clientCpu}.` : 'Nothing pinned (taskset missing).';
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(root, 'bench', 'results', `scale-out-${stamp}`);
  writeFileSync(`${out}.json`, JSON.stringify({ config, results }, null, 2));
  const md = `# Scale-out benchmark\n\nRun at ${new Date().toISOString()}. ${pinning}\n\n${markdownTable(header, rows)}\n\n${markdownTable(['ratio', ''], ratios)}\n`;
  writeFileSync(`${out}.md`, md);
  writeFileSync(join(root, 'bench', 'results', 'scale-out-latest.md'), md);
  process.stdout.write(`${pinning}\n\n${textTable(header, rows)}\n\n${textTable(['ratio', ''], ratios)}\n`);
} finally {
  for (const stop of stops.reverse()) await stop();
  rmSync(work, { recursive: true, force: true });
}

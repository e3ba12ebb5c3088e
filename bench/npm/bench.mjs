#!/usr/bin/env node
// The npm registry benchmark's load generator and client side. bench/npm/run.sh starts each
// server (pinned to its own core) and calls this script (pinned to the other core):
//
//   node bench.mjs fixtures --dir DIR
//       generate the tarballs every server receives (sizes from the BENCH_* variables)
//   node bench.mjs measure --server kura|verdaccio --label TEXT --registry URL --pid PID
//                          --fixtures DIR --work DIR --out FILE
//                          [--token T | --adduser] [--log FILE] [--log-level LEVEL]
//       seed one running server, run every scenario against it, write its results as JSON
//   node bench.mjs static-site --fixtures DIR --dir DIR --origin URL
//       write the seeded packages as a static registry: packuments and tarballs as files
//   node bench.mjs install --label TEXT --registry URL --pid PID --fixtures DIR --work DIR --out FILE
//       run only the cold install against a registry that holds the data already (the static files)
//   node bench.mjs report --in DIR --out-dir DIR
//       compare the results (Kura vs Verdaccio), print the table, write JSON + markdown
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateFixtures, loadFixtures, publishBody, readTarball } from './fixtures.mjs';
import { autocannon } from '../lib/autocannon.mjs';
import { runCommands } from '../lib/commands.mjs';
import { RssSampler } from '../lib/rss-sampler.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { report } from './report.mjs';

/** The run's knobs, from the BENCH_* variables that run.sh documents. */
const config = {
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  packages: envNumber('BENCH_PACKAGES', 200, wholeNumber),
  versions: envNumber('BENCH_VERSIONS', 20, wholeNumber),
  connections: envNumber('BENCH_CONNECTIONS', 48, wholeNumber),
  largeConnections: envNumber('BENCH_LARGE_CONNECTIONS', 2, wholeNumber),
  largeBytes: Math.round(envNumber('BENCH_LARGE_MB', 10) * 1_000_000),
  publishes: envNumber('BENCH_PUBLISHES', 200, wholeNumber),
  installDeps: envNumber('BENCH_INSTALL_DEPS', 100, wholeNumber),
  installRuns: envNumber('BENCH_INSTALL_RUNS', 3, wholeNumber),
  seedConcurrency: envNumber('BENCH_SEED_CONCURRENCY', 4, wholeNumber),
};

/** What npm 11 sends when it asks for the abbreviated ("corgi") document. */
const abbreviatedAccept = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

/** The packument scenarios: every combination of document kind and transfer encoding. */
const packumentScenarios = [
  { key: 'packument-full-gzip', accept: 'application/json', encoding: 'gzip' },
  { key: 'packument-full-identity', accept: 'application/json', encoding: 'identity' },
  { key: 'packument-abbreviated-gzip', accept: abbreviatedAccept, encoding: 'gzip' },
  { key: 'packument-abbreviated-identity', accept: abbreviatedAccept, encoding: 'identity' },
];

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One HTTP exchange with the body read fully; `ms` is the time to the last body byte. */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method, headers: body ? { ...headers, 'content-length': body.length } : headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function describeFailure(what, response) {
  return new Error(`${what}: HTTP ${response.status} ${response.body.toString('utf8').slice(0, 300)}`);
}

/** CPU time (user + system, in ms) a process has used so far; Linux counts it in 1/100 s ticks. */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Gets a token from the registry's adduser endpoint (Verdaccio creates the user on the way). */
async function addUser(registry) {
  const password = randomBytes(12).toString('hex');
  const response = await request(`${registry}/-/user/org.couchdb.user:bench`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ _id: 'org.couchdb.user:bench', name: 'bench', password, type: 'user', roles: [], date: new Date().toISOString() })),
  });
  const token = response.status < 300 ? JSON.parse(response.body.toString('utf8')).token : null;
  if (!token) throw describeFailure('adduser', response);
  return token;
}

/** Publishes one fixture version; returns the PUT's latency in ms. */
async function publish(registry, token, fixtures, fixture) {
  const body = publishBody(registry, fixture, await readTarball(fixtures, fixture));
  const response = await request(`${registry}/${fixture.name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  if (response.status >= 300) throw describeFailure(`publish ${fixture.name}@${fixture.version}`, response);
  return response.ms;
}

/** Publishes every seed version: packages in parallel (a few at a time), each package's versions in order. */
async function seed(registry, token, fixturesDir, index) {
  const started = performance.now();
  const queue = [...index.packages];
  const worker = async () => {
    for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
      for (const version of pkg.versions) await publish(registry, token, fixturesDir, version);
    }
  };
  await Promise.all(Array.from({ length: config.seedConcurrency }, worker));
  const largeMs = await publish(registry, token, fixturesDir, index.large);
  const publishes = index.packages.reduce((n, p) => n + p.versions.length, 0) + 1;
  return { publishes, seconds: (performance.now() - started) / 1000, largeMs };
}

/**
 * Reads back every seeded package as an anonymous client would, checks it is complete, and
 * returns the tarball paths exactly as the packuments link them.
 */
async function verify(registry, fixturesDir, index) {
  const origin = new URL(registry).origin;
  const tarballPaths = [];
  let largePath = null;
  let abbreviatedServed = null;
  for (const pkg of [...index.packages, { name: index.large.name, versions: [index.large] }]) {
    const url = `${registry}/${pkg.name.replace('/', '%2f')}`;
    const response = await request(url, { headers: { accept: 'application/json' } });
    if (response.status !== 200) throw describeFailure(`anonymous GET ${url}`, response);
    const doc = JSON.parse(response.body.toString('utf8'));
    for (const fixture of pkg.versions) {
      const dist = doc.versions?.[fixture.version]?.dist;
      if (!dist) throw new Error(`${pkg.name}@${fixture.version} is missing from its packument`);
      if (dist.shasum !== fixture.shasum) throw new Error(`${pkg.name}@${fixture.version}: shasum ${dist.shasum}, expected ${fixture.shasum}`);
      const tarball = new URL(dist.tarball);
      if (tarball.origin !== origin) throw new Error(`${pkg.name}@${fixture.version}: tarball URL ${dist.tarball} is not on ${origin}`);
      if (fixture === index.large) largePath = tarball.pathname;
      else tarballPaths.push(tarball.pathname);
    }
    if (abbreviatedServed === null) {
      const short = await request(url, { headers: { accept: abbreviatedAccept } });
      abbreviatedServed = String(short.headers['content-type']).includes('vnd.npm.install-v1+json');
    }
  }
  const samples = [[tarballPaths[0], index.packages[0].versions[0]], [largePath, index.large]];
  for (const [path, fixture] of samples) {
    const response = await request(origin + path);
    if (response.status !== 200) throw describeFailure(`anonymous GET ${path}`, response);
    if (!response.body.equals(await readTarball(fixturesDir, fixture))) throw new Error(`${path} does not return the published bytes`);
  }
  return { tarballPaths, largePath, abbreviatedServed };
}

/** Runs autocannon against `paths` in rotation (one shared counter across connections). */
async function load({ origin, paths, headers, connections, durationS, pid }) {
  let next = 0;
  const serverCpuBefore = processCpuMs(pid);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const result = await autocannon({
    url: origin,
    connections,
    duration: durationS,
    headers,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  const seconds = result.duration;
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  const serverCpuAfter = processCpuMs(pid);
  const serverCpuMs = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
  return {
    // CPU the server spent on the scenario: per request it hardly depends on what else runs on the machine.
    serverCpuMs,
    // Shares of one core used: the server should be near 100%; a load generator near 100% was the limit.
    serverCpuPercent: serverCpuMs === null ? null : Math.round((serverCpuMs / wall) * 100),
    clientCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100),
    requests: result.requests.total,
    bytes: result.throughput.total,
    seconds,
    rps: result.requests.total / seconds,
    mbPerS: result.throughput.total / seconds / 1_000_000,
    bytesPerResponse: result.requests.total ? Math.round(result.throughput.total / result.requests.total) : 0,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** CPU time (ms) of this load generator and of the child processes (curl) it has waited for. */
function clientCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Downloads per curl run: enough that starting curl is a small part of its time. */
const curlBatch = 20;

/** Runs curl on `urls` over one connection; one `[status, bytes, seconds]` per URL. */
function curlDownloads(urls, headers) {
  const args = ['-sS', '-w', '%{http_code} %{size_download} %{time_total}\n'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  for (const url of urls) args.push('-o', '/dev/null', url);
  return runCommand('curl', args, {}).then((output) => output.trim().split('\n').map((line) => line.split(' ').map(Number)));
}

/**
 * Downloads `paths` with curl, one curl per connection, each fetching over and over on its kept-alive
 * connection, for `durationS` (a batch under way is finished). For the large tarball: autocannon parses
 * every response body in JavaScript and tops out near 1.4 GB/s on its core, below what a server
 * sends; curl receives several GB/s on the same core. The fields are those of {@link load}.
 */
async function curlLoad({ origin, paths, headers, connections, durationS, pid }) {
  const serverCpuBefore = processCpuMs(pid);
  const clientBefore = clientCpuMs();
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const downloads = [];
  let errors = 0;
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      const urls = Array.from({ length: curlBatch }, () => `${origin}${paths[next++ % paths.length]}`);
      try {
        downloads.push(...(await curlDownloads(urls, headers)));
      } catch {
        errors++;
      }
    }
  }));
  const wall = performance.now() - started;
  const serverCpuAfter = processCpuMs(pid);
  const serverCpuMs = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
  const ok = downloads.filter(([status]) => status >= 200 && status < 300);
  const bytes = ok.reduce((sum, [, size]) => sum + size, 0);
  const times = ok.map(([, , seconds]) => seconds * 1000).sort((a, b) => a - b);
  const seconds = wall / 1000;
  return {
    serverCpuMs,
    serverCpuPercent: serverCpuMs === null ? null : Math.round((serverCpuMs / wall) * 100),
    clientCpuPercent: Math.round(((clientCpuMs() - clientBefore) / wall) * 100),
    requests: ok.length,
    bytes,
    seconds,
    rps: ok.length / seconds,
    mbPerS: bytes / seconds / 1_000_000,
    bytesPerResponse: ok.length ? Math.round(bytes / ok.length) : 0,
    latencyMs: times.length ? { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) } : { p50: null, p99: null, max: null },
    non2xx: downloads.length - ok.length,
    errors,
    timeouts: 0,
  };
}

/** A warm-up run (discarded), then the measured one, with autocannon unless `measure` says otherwise. */
async function scenario(name, options, measure = load) {
  process.stderr.write(`  ${name}: warm-up ${config.warmupS}s, measure ${config.durationS}s\n`);
  await measure({ ...options, durationS: config.warmupS });
  const result = await measure({ ...options, durationS: config.durationS });
  if (result.non2xx || result.errors || result.timeouts) {
    result.failure = `${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`;
  }
  return result;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Publishes fresh versions one after another and records each PUT's latency. */
async function publishLatency(registry, token, fixturesDir, fixtures) {
  const bodies = [];
  for (const fixture of fixtures) bodies.push({ fixture, body: publishBody(registry, fixture, await readTarball(fixturesDir, fixture)) });
  const times = [];
  for (const { fixture, body } of bodies) {
    const response = await request(`${registry}/${fixture.name.replace('/', '%2f')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    if (response.status >= 300) throw describeFailure(`publish ${fixture.name}@${fixture.version}`, response);
    times.push(response.ms);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { count: times.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

/** The environment for the npm CLI: none of the npm_* settings `npm run` passes down. */
function cleanNpmEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

function runCommand(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-2000)}`))));
  });
}

/**
 * `npm install` of a project depending on the first `installDeps` packages: no lockfile, no
 * node_modules and an empty cache every run, so each run fetches every packument and tarball.
 */
async function coldInstall(registry, token, index, workDir) {
  const project = join(workDir, 'install-project');
  const deps = index.packages.slice(0, config.installDeps);
  const registryUrl = new URL(`${registry}/`);
  await mkdir(project, { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({
    name: 'bench-install', version: '1.0.0', private: true,
    dependencies: Object.fromEntries(deps.map((p) => [p.name, '^1.0.0'])),
  }, null, 2));
  await writeFile(join(project, '.npmrc'), [
    `registry=${registryUrl}`,
    `@bench:registry=${registryUrl}`,
    `//${registryUrl.host}${registryUrl.pathname}:_authToken=${token}`,
    'audit=false',
    'fund=false',
    'update-notifier=false',
    '',
  ].join('\n'));
  const emptyUserConfig = join(workDir, 'empty-npmrc');
  await writeFile(emptyUserConfig, '');
  const times = [];
  for (let run = 0; run < config.installRuns; run++) {
    const cache = join(workDir, `npm-cache-${run}`);
    await rm(join(project, 'node_modules'), { recursive: true, force: true });
    await rm(join(project, 'package-lock.json'), { force: true });
    await rm(cache, { recursive: true, force: true });
    const started = performance.now();
    await runCommand('npm', [
      'install', '--cache', cache, '--userconfig', emptyUserConfig, '--prefer-online',
      '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
    ], { cwd: project, env: cleanNpmEnv() });
    times.push((performance.now() - started) / 1000);
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8'));
    const installed = Object.keys(lock.packages ?? {}).filter((p) => p.startsWith('node_modules/@bench/')).length;
    if (installed !== deps.length) throw new Error(`npm install resolved ${installed} of ${deps.length} packages`);
    await rm(cache, { recursive: true, force: true });
  }
  return { deps: deps.length, runs: times, best: Math.min(...times) };
}

/**
 * The seeded packages as a static npm registry under `dir`, for a file server at `origin`: each
 * full packument at its name's path (`@bench/pkg-000`, which npm's `%2f` URL decodes to) and
 * the tarballs under `-/tarballs/`, the packuments' versions as publishing made them; `-/ping`
 * answers when the server is up.
 */
async function writeStaticSite(fixturesDir, dir, origin) {
  const index = await loadFixtures(fixturesDir);
  await mkdir(join(dir, '-', 'tarballs'), { recursive: true });
  await writeFile(join(dir, '-', 'ping'), 'ok\n');
  for (const pkg of index.packages) {
    const versions = {};
    for (const fixture of pkg.versions) {
      await copyFile(join(fixturesDir, 'tgz', fixture.file), join(dir, '-', 'tarballs', fixture.file));
      const body = JSON.parse(publishBody(origin, fixture, Buffer.alloc(0)).toString('utf8'));
      const doc = body.versions[fixture.version];
      doc.dist.tarball = `${origin}/-/tarballs/${encodeURIComponent(fixture.file)}`;
      versions[fixture.version] = doc;
    }
    const latest = pkg.versions[pkg.versions.length - 1].version;
    const packument = { _id: pkg.name, name: pkg.name, 'dist-tags': { latest }, versions };
    const file = join(dir, pkg.name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(packument));
  }
}

/** The cold install alone, against a registry that already holds the seeded packages. */
async function installOnly(args) {
  const registry = args.registry.replace(/\/+$/, '');
  const index = await loadFixtures(args.fixtures);
  const rss = new RssSampler(Number(args.pid));
  const result = { server: 'static', label: args.label, registry, config, scenarios: {} };
  const loadStart = loadavg()[0];
  try {
    rss.enter('install');
    process.stderr.write(`${args.label}: cold npm install of ${Math.min(config.installDeps, index.packages.length)} packages, best of ${config.installRuns}\n`);
    result.install = await coldInstall(registry, 'static-files-need-no-token', index, args.work);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${args.label}: FAILED: ${result.error}\n`);
  } finally {
    result.rss = rss.stop();
    result.loadavg = { start: loadStart, end: loadavg()[0] };
    await writeFile(args.out, JSON.stringify(result, null, 2));
  }
  return result.error ? 1 : 0;
}

async function measure(args) {
  const registry = args.registry.replace(/\/+$/, '');
  const origin = new URL(registry).origin;
  const basePath = new URL(registry).pathname.replace(/\/+$/, '');
  const index = await loadFixtures(args.fixtures);
  const rss = new RssSampler(Number(args.pid));
  const log = (line) => process.stderr.write(`${args.label}: ${line}\n`);
  const result = { server: args.server, label: args.label, logLevel: args['log-level'] ?? null, registry, config, scenarios: {} };
  const loadStart = loadavg()[0];
  try {
    result.serverCommand = readFileSync(`/proc/${args.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    throw new Error(`no process ${args.pid} to measure`);
  }
  try {
    const token = args.token ?? (args.adduser ? await addUser(registry) : null);
    if (!token) throw new Error('measure needs --token or --adduser');

    rss.enter('seed');
    log(`seeding ${index.packages.length} packages × ${index.packages[0].versions.length} versions + one ${config.largeBytes / 1e6} MB tarball`);
    result.seed = await seed(registry, token, args.fixtures, index);
    log(`seeded ${result.seed.publishes} versions in ${result.seed.seconds.toFixed(1)} s`);
    const checked = await verify(registry, args.fixtures, index);
    result.abbreviatedServed = checked.abbreviatedServed;

    rss.enter('reads');
    const pid = Number(args.pid);
    // npm sends the .npmrc token with every request to its registry, reads included.
    const authorization = `Bearer ${token}`;
    const packumentPaths = index.packages.map((p) => `${basePath}/${p.name.replace('/', '%2f')}`);
    for (const s of packumentScenarios) {
      result.scenarios[s.key] = await scenario(s.key, {
        origin, pid, paths: packumentPaths, connections: config.connections,
        headers: { accept: s.accept, 'accept-encoding': s.encoding, authorization },
      });
    }
    result.scenarios['tarball-small'] = await scenario('tarball-small', {
      origin, pid, paths: checked.tarballPaths, connections: config.connections, headers: { accept: '*/*', authorization },
    });
    result.scenarios['tarball-large'] = await scenario('tarball-large', {
      origin, pid, paths: [checked.largePath], connections: config.largeConnections, headers: { accept: '*/*', authorization },
    }, curlLoad);

    rss.enter('install');
    log(`cold npm install of ${Math.min(config.installDeps, index.packages.length)} packages, best of ${config.installRuns}`);
    result.install = await coldInstall(registry, token, index, args.work);

    rss.enter('publish');
    log(`publishing ${index.publishes.length} fresh versions one at a time`);
    result.publish = await publishLatency(registry, token, args.fixtures, index.publishes);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    log(`FAILED: ${result.error}`);
  } finally {
    result.rss = rss.stop();
    result.loadavg = { start: loadStart, end: loadavg()[0] };
    if (args.log) {
      try {
        const text = readFileSync(args.log, 'utf8');
        result.log = { bytes: statSync(args.log).size, lines: text ? text.split('\n').length - 1 : 0 };
      } catch {
        result.log = null;
      }
    }
    await writeFile(args.out, JSON.stringify(result, null, 2));
  }
  return result.error ? 1 : 0;
}

runCommands({
  fixtures: {
    options: ['dir'],
    run: async (values) => {
      const index = await generateFixtures(values.dir, config);
      const total = index.packages.reduce((n, p) => n + p.versions.reduce((m, v) => m + v.size, 0), 0);
      const count = index.packages.length * config.versions;
      process.stderr.write(`fixtures: ${count} tarballs (mean ${Math.round(total / count)} bytes), ${index.publishes.length} for publishing, one of ${index.large.size} bytes\n`);
      return 0;
    },
  },
  measure: {
    options: ['server', 'label', 'registry', 'pid', 'fixtures', 'work', 'out'],
    optional: ['token', 'log', 'log-level'],
    flags: ['adduser'],
    run: measure,
  },
  'static-site': {
    options: ['fixtures', 'dir', 'origin'],
    run: async (values) => {
      await writeStaticSite(values.fixtures, values.dir, values.origin.replace(/\/+$/, ''));
      return 0;
    },
  },
  install: { options: ['label', 'registry', 'pid', 'fixtures', 'work', 'out'], run: installOnly },
  report: { options: ['in', 'out-dir'], run: (values) => report(values.in, values['out-dir']) },
}, () => agent.destroy());

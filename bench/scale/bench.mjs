// Flat cost at scale: the same requests against a small data set (about 1,000 versions) and a
// large one (1,000,000 versions over 100,000 packages), both made by generate.mjs. It times
// `kura serve` from start to ready, checks a sample of the cloned packages in every format, then
// measures the latency of each read scenario on typical packages of both data sets in turn
// (sequential GETs for clean latency, and a few connections of autocannon), the database queries
// one request costs, and npm publish latency; each large/small ratio is held to 1.5×.
// Usage: bash bench/scale/run.sh (see bench/README.md).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import { freePort } from '../../scripts/lib/free-port.js';
import { stopProcess } from '../../scripts/lib/stop-process.js';
import { autocannon } from '../lib/autocannon.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { markdownTable, textTable } from '../lib/tables.mjs';
import { tarOf } from '../lib/tar-archive.mjs';
import { dataSizes, generate, generatorVersion, printSummary, versionLabel } from './generate.mjs';

const root = new URL('../..', import.meta.url).pathname;
const count = (name, fallback) => (process.env[name] === '0' ? 0 : envNumber(name, fallback, wholeNumber));
const config = {
  large: { packages: count('BENCH_SCALE_PACKAGES', 100_000), versions: count('BENCH_SCALE_VERSIONS', 1_000_000), bigNpm: count('BENCH_SCALE_BIG_NPM', 10_000), bigImage: count('BENCH_SCALE_BIG_IMAGE', 5_000), seed: 1 },
  small: { packages: count('BENCH_SCALE_SMALL_PACKAGES', 100), versions: count('BENCH_SCALE_SMALL_VERSIONS', 1_000), bigNpm: 0, bigImage: 0, seed: 1 },
  dir: process.env.BENCH_SCALE_DIR || join(process.env.TMPDIR || '/tmp', 'kura-bench-scale'),
  regenerate: process.env.BENCH_SCALE_REGENERATE === '1',
  starts: envNumber('BENCH_STARTS', 3, wholeNumber),
  requests: envNumber('BENCH_REQUESTS', 2000, wholeNumber),
  minRequests: envNumber('BENCH_MIN_REQUESTS', 100, wholeNumber),
  sequentialS: envNumber('BENCH_SEQUENTIAL_SECONDS', 3),
  rounds: envNumber('BENCH_ROUNDS', 4, wholeNumber),
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  connections: envNumber('BENCH_CONNECTIONS', 4, wholeNumber),
  publishes: envNumber('BENCH_PUBLISHES', 100, wholeNumber),
  serverCpu: process.env.BENCH_SERVER_CPU ?? '0',
  clientCpu: process.env.BENCH_CLIENT_CPU ?? '1',
};
/** The issue's targets: large/small within 1.5× for every scenario; `kura serve` ready in under 2 s on the large set. */
const targetRatio = 1.5;
const targetStartMs = 2000;
const canPin = spawnSync('taskset', ['-c', config.serverCpu, 'true']).status === 0;
const say = (line) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n) => (n >= 100 ? `${fmt(n)} ms` : n >= 10 ? `${fmt(n, 1)} ms` : `${fmt(n, 2)} ms`);
const mb = (bytes) => `${fmt(bytes / 1024 / 1024, 1)} MB`;
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const sleep = (t) => new Promise((r) => setTimeout(r, t));

// ---------------------------------------------------------------------------------------------
// Data sets

/** Generates `which` unless its directory already holds a data set made with the same settings. */
async function dataset(which) {
  const dir = join(config.dir, which);
  const described = join(dir, 'scale-dataset.json');
  const wanted = config[which];
  if (!config.regenerate && existsSync(described)) {
    const found = JSON.parse(readFileSync(described, 'utf8'));
    if (found.generator === generatorVersion && JSON.stringify(found.config) === JSON.stringify(wanted)) {
      say(`${which}: reusing ${dir} (${fmt(found.total.versions)} versions, generated in ${fmt(found.seconds, 1)} s)`);
      return { dir, ...found };
    }
  }
  if (existsSync(dir)) {
    if (!existsSync(described) && existsSync(join(dir, 'kura.db'))) throw new Error(`${dir} holds a data directory the generator did not make; move it or set BENCH_SCALE_DIR`);
    rmSync(dir, { recursive: true, force: true });
  }
  say(`${which}: generating ${fmt(wanted.packages)} packages, ${fmt(wanted.versions)} versions into ${dir}`);
  const made = await generate({ data: dir, ...wanted });
  printSummary(made, (line) => say(`${which}: ${line}`));
  return { dir, ...made };
}

// ---------------------------------------------------------------------------------------------
// Servers and HTTP

function kuraCli(data, args) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'kura.js'), ...args, '--data', data], { encoding: 'utf8', env: { ...process.env, KURA_LOG_LEVEL: 'warn' } });
  if (result.status !== 0) throw new Error(`kura ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Starts `kura serve` on `data` pinned to the server core; resolves once /readyz answers 200, with the time it took. */
async function startServer(data, log) {
  const port = await freePort();
  // As `npx kura` runs it (bin/kura.js with its shebang's flags), or `node FLAGS bin/kura.js` with BENCH_KURA_NODE_FLAGS.
  const flags = (process.env.BENCH_KURA_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const command = flags.length > 0 ? [process.execPath, ...flags, join(root, 'bin', 'kura.js')] : [join(root, 'bin', 'kura.js')];
  const args = [...command, 'serve', '--data', data, '--host', '127.0.0.1', '--port', String(port)];
  const options = { env: { ...process.env, KURA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] };
  const started = performance.now();
  const child = canPin ? spawn('taskset', ['-c', config.serverCpu, ...args], options) : spawn(args[0], args.slice(1), options);
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kura serve exited before it was ready: ${stderr}`);
    const status = await new Promise((resolve) => {
      const req = http.get(`${base}/readyz`, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
      req.on('error', () => resolve(0));
    });
    if (status === 200) break;
    if (performance.now() - started > 60_000) throw new Error(`kura serve not ready after 60 s: ${stderr}`);
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  if (log) child.stderr.on('end', () => writeFileSync(log, stderr));
  return { base, pid: child.pid, readyMs, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), stop: () => stopProcess(child) };
}

/** One request over the server's keep-alive connection: status, headers, body and milliseconds to the last byte. */
function request(server, path, { method = 'GET', headers = {}, body = null } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(`${server.base}${path}`, { method, headers: body ? { ...headers, 'content-length': body.length } : headers, agent: server.agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

async function expectOk(server, path, options) {
  const res = await request(server, path, options);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
  return res;
}

/** Database queries the server ran so far (kura_db_query_duration_seconds_count in /metrics). */
async function queriesSoFar(server) {
  const text = (await request(server, '/metrics')).body.toString('utf8');
  return text.split('\n').filter((l) => l.startsWith('kura_db_query_duration_seconds_count')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** The queries one GET of `path` costs: the fewest of `samples` (background jobs query too). */
async function queriesPer(server, paths, options) {
  let fewest = Infinity;
  for (const path of paths) {
    const before = await queriesSoFar(server);
    await request(server, path, options);
    fewest = Math.min(fewest, (await queriesSoFar(server)) - before);
  }
  return fewest;
}

/** The 1-minute load average: how busy the machine was (its other work shows here). */
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function rssMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// What is measured

const enc = (name) => encodeURIComponent(name);
const npmPath = (name) => `/npm/${name.replace('/', '%2f')}`;
const accept = {
  full: { accept: 'application/json', 'accept-encoding': 'gzip' },
  abbreviated: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*', 'accept-encoding': 'gzip' },
  manifest: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
};
const maven = (p) => `/maven/${p.owner}/${p.repo}/${p.name.split(':')[0].replaceAll('.', '/')}/${p.name.split(':')[1]}`;

/** The read scenarios, each as the paths it rotates over in one data set. */
function scenarios(ds) {
  const { probes } = ds;
  return [
    { id: 'npm-full', name: 'npm packument, full', headers: accept.full, paths: probes.npm.map((p) => npmPath(p.name)) },
    { id: 'npm-abbreviated', name: 'npm packument, abbreviated', headers: accept.abbreviated, paths: probes.npm.map((p) => npmPath(p.name)) },
    { id: 'npm-tarball', name: 'npm tarball', headers: {}, paths: probes.npm.map((p) => `${npmPath(p.name).replace('%2f', '/')}/-/${p.base}-${p.newest}.tgz`) },
    { id: 'container-manifest', name: 'container manifest by tag', headers: accept.manifest, paths: probes.container.map((p) => `/v2/${p.owner}/${p.name}/manifests/v${p.newest}`) },
    { id: 'nuget-registration', name: 'NuGet registration index', headers: {}, paths: probes.nuget.map((p) => `/nuget/${p.owner}/v3/registration/${p.name.toLowerCase()}/index.json`) },
    { id: 'rubygems-info', name: 'RubyGems /info/NAME', headers: {}, paths: probes.rubygems.map((p) => `/rubygems/${p.owner}/info/${p.name}`) },
    { id: 'maven-metadata', name: 'Maven maven-metadata.xml', headers: {}, paths: probes.maven.map((p) => `${maven(p)}/maven-metadata.xml`) },
    { id: 'npm-search', name: 'npm search by name', headers: {}, paths: probes.npm.map((p) => `/npm/-/v1/search?text=${enc(p.base)}&size=20`) },
    { id: 'web-search', name: 'web search (/?q=)', headers: {}, paths: probes.npm.map((p) => `/?q=${enc(p.base)}`) },
    { id: 'web-package', name: 'web package page (npm)', headers: {}, paths: probes.npm.map((p) => `/${p.owner}/-/packages/npm/${enc(p.name)}`) },
  ];
}

/** The large data set's large packages, measured on their own (no small counterpart). */
function specialScenarios(ds) {
  const list = [];
  const npm = ds.specials.npm;
  const image = ds.specials.container;
  if (npm) {
    list.push({ id: 'big-npm-full', name: `npm packument, full, ${fmt(npm.versions)} versions`, headers: accept.full, paths: [npmPath(npm.name)] });
    list.push({ id: 'big-npm-abbreviated', name: `npm packument, abbreviated, ${fmt(npm.versions)} versions`, headers: accept.abbreviated, paths: [npmPath(npm.name)] });
    list.push({ id: 'big-web-package', name: `web package page, ${fmt(npm.versions)} versions`, headers: {}, paths: [`/${npm.owner}/-/packages/npm/${enc(npm.name)}`] });
  }
  if (image) {
    list.push({ id: 'big-container-manifest', name: `container manifest by tag, ${fmt(image.versions)} tags`, headers: accept.manifest, paths: Array.from({ length: 200 }, (_, i) => `/v2/${image.owner}/${image.name}/manifests/v${versionLabel(Math.floor(i * image.versions / 200))}`) });
    list.push({ id: 'big-container-tags', name: `container tags list (first 100), ${fmt(image.versions)} tags`, headers: {}, paths: [`/v2/${image.owner}/${image.name}/tags/list?n=100`] });
  }
  return list;
}

/**
 * Checks, before measuring, that the server serves the cloned packages as Kura would: a
 * packument lists every version and its tarball matches the integrity; a manifest GET by tag
 * answers the digest of its bytes; a NuGet registration index, a RubyGems info file and a Maven
 * metadata file list every version; the web page and search find the package.
 */
async function checkSample(server, ds) {
  const sha = (algorithm, bytes, encoding = 'hex') => createHash(algorithm).update(bytes).digest(encoding);
  const body = (res) => (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body);
  const npmProbes = [ds.probes.npm[0], ds.specials.npm].filter(Boolean);
  for (const p of npmProbes) {
    const doc = JSON.parse(body(await expectOk(server, npmPath(p.name), { headers: accept.full })));
    // Versions from 1000.0.0 up are the publishes of earlier runs on a kept data set.
    const versions = Object.keys(doc.versions).filter((v) => Number(v.split('.')[0]) < 1000);
    const latest = doc['dist-tags'].latest;
    if (versions.length !== p.versions || (latest !== p.newest && Number(latest.split('.')[0]) < 1000)) throw new Error(`${p.name}: ${versions.length} versions, latest ${latest}; expected ${p.versions}, ${p.newest}`);
    const dist = doc.versions[p.newest].dist;
    const tarball = await expectOk(server, new URL(dist.tarball).pathname);
    if (`sha512-${sha('sha512', tarball.body, 'base64')}` !== dist.integrity) throw new Error(`${dist.tarball} does not match its integrity`);
  }
  for (const p of [ds.probes.container[0], ds.specials.container].filter(Boolean)) {
    for (const tag of [`v${p.newest}`, 'latest']) {
      const res = await expectOk(server, `/v2/${p.owner}/${p.name}/manifests/${tag}`, { headers: accept.manifest });
      if (res.headers['docker-content-digest'] !== p.newestVersion || `sha256:${sha('sha256', res.body)}` !== p.newestVersion) throw new Error(`${p.name}:${tag} answers ${res.headers['docker-content-digest']}, not ${p.newestVersion}`);
    }
  }
  const nuget = ds.probes.nuget[0];
  const registration = JSON.parse((await expectOk(server, `/nuget/${nuget.owner}/v3/registration/${nuget.name.toLowerCase()}/index.json`)).body);
  const leaves = registration.items.reduce((n, page) => n + page.count, 0);
  if (leaves !== nuget.versions || registration.items.at(-1).upper !== nuget.newest) throw new Error(`${nuget.name}: registration lists ${leaves} versions up to ${registration.items.at(-1).upper}`);
  const gem = ds.probes.rubygems[0];
  const info = (await expectOk(server, `/rubygems/${gem.owner}/info/${gem.name}`)).body.toString('utf8').trim().split('\n').slice(1);
  if (info.length !== gem.versions || !info.at(-1).startsWith(`${gem.newest} `)) throw new Error(`${gem.name}: /info lists ${info.length} versions`);
  const artifact = ds.probes.maven[0];
  const metadata = (await expectOk(server, `${maven(artifact)}/maven-metadata.xml`)).body.toString('utf8');
  if ((metadata.match(/<version>/g) ?? []).length !== artifact.versions || !metadata.includes(`<release>${artifact.newest}</release>`)) throw new Error(`${artifact.name}: maven-metadata.xml does not list its ${artifact.versions} versions`);
  const jar = `${maven(artifact)}/${artifact.newest}/${artifact.base}-${artifact.newest}.jar`;
  const jarBytes = (await expectOk(server, jar)).body;
  if ((await expectOk(server, `${jar}.sha1`)).body.toString('utf8').trim() !== sha('sha1', jarBytes)) throw new Error(`${jar}: checksum mismatch`);
  const npm = ds.probes.npm[0];
  const page = (await expectOk(server, `/${npm.owner}/-/packages/npm/${enc(npm.name)}`)).body.toString('utf8');
  if (!page.includes(npm.name)) throw new Error(`the package page of ${npm.name} does not name it`);
  const search = JSON.parse((await expectOk(server, `/npm/-/v1/search?text=${enc(npm.base)}`)).body);
  if (!search.objects.some((o) => o.package.name === npm.name)) throw new Error(`npm search for ${npm.base} does not find ${npm.name}`);
}

/** Sequential GETs rotating over `paths`: the first GET of each (cold), then warm-up, then `requests` timed in `rounds`. */
async function sequential(server, scenario, requests) {
  const times = [];
  for (let i = 0; i < requests; i++) {
    const path = scenario.paths[(scenario.offset + i) % scenario.paths.length];
    const res = await request(server, path, { headers: scenario.headers });
    if (res.status !== 200) throw new Error(`${scenario.name}: GET ${path} answered ${res.status}`);
    times.push(res.ms);
  }
  scenario.offset += requests;
  return times;
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User plus system CPU seconds of process `pid` so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Seconds autocannon waits for an answer before it counts the request as failed (its default). */
const autocannonTimeoutS = 10;

/** autocannon over `paths`: requests per second, its latency percentiles, and the server's CPU time per request. */
async function load(server, scenario) {
  let next = 0;
  const paths = scenario.paths;
  const options = {
    url: server.base, connections: config.connections, headers: scenario.headers, timeout: autocannonTimeoutS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  };
  await autocannon({ ...options, duration: config.warmupS });
  const cpuBefore = cpuSeconds(server.pid);
  const result = await autocannon({ ...options, duration: config.durationS });
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  if (result.non2xx) throw new Error(`${scenario.name} on ${server.base}: ${result.non2xx} non-2xx answers under load`);
  if (result.errors) say(`${scenario.name} on ${server.base}: ${result.errors} requests failed under load (${result.timeouts} of them after ${autocannonTimeoutS} s)`);
  return { errors: result.errors, timeouts: result.timeouts, rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, cpuMsPerRequest: (cpu * 1000) / result.requests.total, cpuShare: cpu / result.duration };
}

/** A small npm tarball and the publish body `npm publish` sends for it. */
function publishBody(name, version) {
  const bare = name.split('/')[1];
  const manifest = { name, version, description: `The ${bare} library`, main: 'index.js', license: 'MIT', dependencies: { 'left-pad': '^1.3.0' } };
  const tarball = gzipSync(tarOf({
    'package/package.json': Buffer.from(JSON.stringify(manifest, null, 2)),
    'package/index.js': Buffer.from(`module.exports = ${JSON.stringify(version)};\n${'// padding\n'.repeat(100)}`),
  }, new Date('1985-10-26T08:15:00Z')), { level: 9 });
  return Buffer.from(JSON.stringify({
    _id: name, name, description: manifest.description, 'dist-tags': { latest: version },
    versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist: { integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`, shasum: createHash('sha1').update(tarball).digest('hex'), tarball: `http://localhost/npm/${name}/-/${bare}-${version}.tgz` } } },
    access: null,
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  }));
}

// ---------------------------------------------------------------------------------------------
// The run

const sides = ['small', 'large'];
const loadBefore = loadAverage();
const data = {};
for (const which of sides) data[which] = await dataset(which);

// 1. Start to ready, alternating (with a pause so the previous server has gone).
const starts = { small: [], large: [] };
for (let i = 0; i < config.starts; i++) {
  for (const which of i % 2 === 0 ? sides : [...sides].reverse()) {
    const server = await startServer(data[which].dir);
    starts[which].push(server.readyMs);
    await server.stop();
    say(`${which}: kura serve ready in ${fmt(server.readyMs)} ms`);
    await sleep(300);
  }
}

// 2. Tokens for the publishes, both servers up, the sample checked.
const publishOwner = (which) => data[which].publishTargets[0].owner;
const tokens = {};
for (const which of sides) tokens[which] = kuraCli(data[which].dir, ['token', 'create', '--user', publishOwner(which), '--scopes', 'read:packages,write:packages', '--name', `scale-bench-${Date.now()}`]);
const servers = {};
const results = { scenarios: [], specials: [], publish: null };
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const logDir = join(config.dir, 'logs');
mkdirSync(logDir, { recursive: true });
try {
  for (const which of sides) {
    servers[which] = await startServer(data[which].dir, join(logDir, `${which}-${stamp}.log`));
    await checkSample(servers[which], data[which]);
    say(`${which}: sample checked (npm, container, NuGet, RubyGems, Maven, web, search)`);
  }

  // 3. Reads: each scenario on both servers, taking turns (who goes first alternates).
  const all = { small: scenarios(data.small), large: scenarios(data.large) };
  for (const [index, base] of all.small.entries()) {
    const pair = { small: { ...base, offset: 0 }, large: { ...all.large[index], offset: 0 } };
    const result = { id: base.id, name: base.name, loadAverage: loadAverage(), small: {}, large: {} };
    const order = index % 2 === 0 ? sides : [...sides].reverse();
    // Queries per request, first GET of a package (cold: its caches empty) and a repeated one.
    for (const which of order) {
      const s = pair[which];
      const cold = s.paths.slice(1, 6);
      result[which].queriesCold = cold.length > 0 ? await queriesPer(servers[which], cold, { headers: s.headers }) : null;
      result[which].queriesWarm = await queriesPer(servers[which], Array(5).fill(s.paths[0]), { headers: s.headers });
    }
    // First GET of every other package in the list (cold), a warm-up, then warm rounds: as many
    // GETs as fit in BENCH_SEQUENTIAL_SECONDS on the slower side (BENCH_MIN_REQUESTS to BENCH_REQUESTS).
    let slowest = 0;
    for (const which of order) {
      const s = pair[which];
      result[which].cold = await sequential(servers[which], { ...s, paths: s.paths.slice(6), offset: 0 }, Math.max(0, s.paths.length - 6));
      const warm = await sequential(servers[which], s, 50);
      slowest = Math.max(slowest, warm.reduce((a, b) => a + b, 0) / warm.length);
    }
    result.requests = Math.max(config.minRequests, Math.min(config.requests, Math.floor((config.sequentialS * 1000) / slowest)));
    const perRound = Math.ceil(result.requests / config.rounds);
    const times = { small: [], large: [] };
    for (let round = 0; round < config.rounds; round++) {
      for (const which of round % 2 === 0 ? order : [...order].reverse()) times[which].push(...await sequential(servers[which], pair[which], perRound));
    }
    for (const which of order) Object.assign(result[which], { p50: percentile(times[which], 0.5), p99: percentile(times[which], 0.99), load: await load(servers[which], pair[which]) });
    for (const which of sides) {
      const cold = result[which].cold;
      result[which].coldP50 = cold.length > 0 ? percentile(cold, 0.5) : null;
      delete result[which].cold;
      result[which].bytes = (await request(servers[which], pair[which].paths[0], { headers: pair[which].headers })).body.length;
    }
    result.ratioP50 = result.large.p50 / result.small.p50;
    result.ratioP99 = result.large.p99 / result.small.p99;
    result.ratioCpu = result.large.load.cpuMsPerRequest / result.small.load.cpuMsPerRequest;
    result.loadErrors = result.small.load.errors + result.large.load.errors;
    result.pass = result.ratioP50 <= targetRatio && result.ratioP99 <= targetRatio && result.loadErrors === 0;
    results.scenarios.push(result);
    say(`${base.name}: p50 ${ms(result.small.p50)} / ${ms(result.large.p50)} (${fmt(result.ratioP50, 2)}×), p99 ${ms(result.small.p99)} / ${ms(result.large.p99)} (${fmt(result.ratioP99, 2)}×), queries ${result.small.queriesWarm}/${result.large.queriesWarm} warm, ${result.small.queriesCold}/${result.large.queriesCold} cold${result.loadErrors ? `, ${result.loadErrors} failed under load` : ''}: ${result.pass ? 'PASS' : 'FAIL'}`);
  }

  // 4. The large set's large packages.
  for (const s of specialScenarios(data.large)) {
    const server = servers.large;
    const first = await request(server, s.paths[0], { headers: s.headers });
    if (first.status !== 200) throw new Error(`${s.name}: ${first.status}`);
    const queries = await queriesPer(server, Array(5).fill(s.paths[0]), { headers: s.headers });
    const scenario = { ...s, offset: 0 };
    const warm = await sequential(server, scenario, 20);
    const n = Math.max(config.minRequests, Math.min(config.requests, Math.floor((config.sequentialS * 1000) / (warm.reduce((a, b) => a + b, 0) / warm.length))));
    const times = await sequential(server, scenario, n);
    const result = { id: s.id, name: s.name, firstMs: first.ms, p50: percentile(times, 0.5), p99: percentile(times, 0.99), queriesWarm: queries, bytes: first.body.length, load: await load(server, scenario) };
    results.specials.push(result);
    say(`${s.name}: first ${ms(result.firstMs)}, p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, ${fmt(result.load.rps)} req/s`);
  }

  // 5. Publishes: new versions of typical npm packages, one per package in turn, alternating
  // servers; then a few into the large package.
  const major = 1000 + (Math.floor(Date.now() / 1000) % 1_000_000);
  const publishTimes = { small: [], large: [] };
  const publishTo = async (which, name, version, into) => {
    const body = publishBody(name, version);
    const res = await request(servers[which], npmPath(name), { method: 'PUT', headers: { authorization: `Bearer ${tokens[which]}`, 'content-type': 'application/json' }, body });
    if (res.status !== 201 && res.status !== 200) throw new Error(`publish ${name}@${version}: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
    into.push(res.ms);
  };
  for (let i = 0; i < config.publishes; i++) {
    for (const which of i % 2 === 0 ? sides : [...sides].reverse()) {
      const owned = data[which].publishTargets;
      const target = owned[i % owned.length];
      await publishTo(which, target.name, `${major}.${Math.floor(i / owned.length)}.0`, publishTimes[which]);
    }
  }
  const publish = { small: { p50: percentile(publishTimes.small, 0.5), p99: percentile(publishTimes.small, 0.99) }, large: { p50: percentile(publishTimes.large, 0.5), p99: percentile(publishTimes.large, 0.99) } };
  publish.ratioP50 = publish.large.p50 / publish.small.p50;
  publish.pass = publish.ratioP50 <= targetRatio;
  if (data.large.specials.npm) {
    const big = data.large.specials.npm;
    const token = kuraCli(data.large.dir, ['token', 'create', '--user', big.owner, '--scopes', 'read:packages,write:packages', '--name', `scale-bench-big-${Date.now()}`]);
    const times = [];
    for (let i = 0; i < Math.min(20, config.publishes); i++) {
      const body = publishBody(big.name, `${major}.0.${i}`);
      const res = await request(servers.large, npmPath(big.name), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (res.status !== 201 && res.status !== 200) throw new Error(`publish ${big.name}: ${res.status}`);
      times.push(res.ms);
    }
    publish.big = { name: big.name, versions: big.versions, p50: percentile(times, 0.5), p99: percentile(times, 0.99), count: times.length };
  }
  results.publish = publish;
  say(`publish p50 ${ms(publish.small.p50)} / ${ms(publish.large.p50)} (${fmt(publish.ratioP50, 2)}×): ${publish.pass ? 'PASS' : 'FAIL'}`);
  for (const which of sides) results[`${which}RssMiB`] = rssMiB(servers[which].pid);
} finally {
  for (const server of Object.values(servers)) await server.stop();
}

// ---------------------------------------------------------------------------------------------
// Report

const loadAfter = loadAverage();
const startMedian = Object.fromEntries(sides.map((w) => [w, percentile(starts[w], 0.5)]));
const sizes = Object.fromEntries(sides.map((w) => [w, dataSizes(data[w].dir)]));
const verdicts = [
  ...results.scenarios.map((r) => `${r.name}: p50 ${fmt(r.ratioP50, 2)}×, p99 ${fmt(r.ratioP99, 2)}× (≤ ${targetRatio}×)${r.loadErrors ? `, ${r.loadErrors} requests failed under load` : ''}: ${r.pass ? 'PASS' : 'FAIL'}`),
  `npm publish p50 ${fmt(results.publish.ratioP50, 2)}× (≤ ${targetRatio}×): ${results.publish.pass ? 'PASS' : 'FAIL'}`,
  `kura serve ready on the large data set in ${fmt(startMedian.large)} ms (median of ${starts.large.length}; < ${fmt(targetStartMs)} ms): ${startMedian.large < targetStartMs ? 'PASS' : 'FAIL'}`,
];
const header = ['scenario', 'p50 small', 'p50 large', '×', 'p99 small', 'p99 large', '×', 'verdict', `req/s small / large (${config.connections} conn.)`, 'server CPU per request small / large', '×', 'first GET p50 small / large', 'queries small / large', 'size'];
const rows = results.scenarios.map((r) => [
  r.name, ms(r.small.p50), ms(r.large.p50), fmt(r.ratioP50, 2), ms(r.small.p99), ms(r.large.p99), fmt(r.ratioP99, 2), r.pass ? 'PASS' : 'FAIL',
  `${fmt(r.small.load.rps)} / ${fmt(r.large.load.rps)}`, `${ms(r.small.load.cpuMsPerRequest)} / ${ms(r.large.load.cpuMsPerRequest)}`, fmt(r.ratioCpu, 2),
  `${r.small.coldP50 === null ? '–' : ms(r.small.coldP50)} / ${r.large.coldP50 === null ? '–' : ms(r.large.coldP50)}`,
  `${r.small.queriesWarm}+${r.small.queriesCold ?? '–'} / ${r.large.queriesWarm}+${r.large.queriesCold ?? '–'}`,
  `${fmt(r.large.bytes / 1024, 1)} KB`,
]);
const p = results.publish;
rows.push(['npm publish PUT', ms(p.small.p50), ms(p.large.p50), fmt(p.ratioP50, 2), ms(p.small.p99), ms(p.large.p99), fmt(p.large.p99 / p.small.p99, 2), p.pass ? 'PASS' : 'FAIL', '', '', '', '', '', '']);
rows.push(['kura serve start → /readyz 200', ms(startMedian.small), ms(startMedian.large), fmt(startMedian.large / startMedian.small, 2), '', '', '', startMedian.large < targetStartMs ? 'PASS' : 'FAIL', '', '', '', '', '', '']);
const specialHeader = ['large data set only', 'first GET', 'p50', 'p99', `req/s (${config.connections} conn.)`, 'server CPU per request', 'queries', 'size'];
const specialRows = results.specials.map((r) => [r.name, ms(r.firstMs), ms(r.p50), ms(r.p99), fmt(r.load.rps), ms(r.load.cpuMsPerRequest), String(r.queriesWarm), `${fmt(r.bytes / 1024, 1)} KB`]);
if (p.big) specialRows.push([`npm publish PUT into ${p.big.name} (${fmt(p.big.versions)} versions)`, '', ms(p.big.p50), ms(p.big.p99), '', '', '', '']);
const dataHeader = ['data set', 'packages', 'versions', 'generated in', 'SQLite file', 'blob store', 'start → ready (each)', 'server RSS at the end'];
const dataRows = sides.map((w) => [w, fmt(data[w].total.packages), fmt(data[w].total.versions), `${fmt(data[w].seconds, 1)} s`, mb(sizes[w].sqliteBytes), `${mb(sizes[w].blobBytes)} (${fmt(sizes[w].blobFiles)} files)`, starts[w].map((t) => fmt(t)).join(', ') + ' ms', results[`${w}RssMiB`] ? `${fmt(results[`${w}RssMiB`])} MiB` : '–']);
const formatRows = Object.keys(data.large.perFormat).map((f) => [f, ...sides.flatMap((w) => [fmt(data[w].perFormat[f].packages), fmt(data[w].perFormat[f].versions)])]);
const formatHeader = ['format', 'small packages', 'small versions', 'large packages', 'large versions'];
const notes = [
  `Latency: sequential GETs over one keep-alive connection (per scenario ${results.scenarios.map((r) => fmt(r.requests)).join(', ')} on each data set: as many as fit in ${config.sequentialS} s, ${config.minRequests} to ${config.requests}), in ${config.rounds} rounds that alternate between the two servers, after 50 of warm-up, rotating over up to 200 typical packages (5–20 versions) of the format; the verdict holds p50 and p99 of these to ${targetRatio}×. req/s and server CPU per request: autocannon, ${config.connections} connections, ${config.durationS} s after ${config.warmupS} s, CPU from /proc/PID/stat. First GET: each package's first request in the scenario (caches empty, unless an earlier scenario filled a shared one: the abbreviated packument is rendered with the full one). Queries: database queries of one GET of a package already served (+ of a first GET), from /metrics.`,
  `Both servers run at log level warn, pinned to core ${config.serverCpu}${canPin ? '' : ' (not pinned: taskset or a second core is missing)'}; the client runs on core ${config.clientCpu}.`,
  `Publish: ${config.publishes} npm publish PUTs per data set, each a new version of a typical package, alternating servers.`,
  `Load average (1 min) ${fmt(loadBefore, 2)} at the start, ${fmt(loadAfter, 2)} at the end, per scenario ${results.scenarios.map((r) => fmt(r.loadAverage, 1)).join(', ')} (${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores): well above 1 means other work shared the cores and the latencies, p99 above all, say less; server CPU per request moves least with it.`,
];
const md = [
  '# Flat cost at scale', '',
  `Run at ${new Date().toISOString()}.`, '',
  markdownTable(dataHeader, dataRows), '',
  markdownTable(formatHeader, formatRows), '',
  markdownTable(header, rows), '',
  markdownTable(specialHeader, specialRows), '',
  ...verdicts.map((v) => `- ${v}`), '',
  ...notes.map((n) => `${n}\n`),
].join('\n');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
for (const name of [`scale-${stamp}`, 'scale-latest']) {
  writeFileSync(join(root, 'bench', 'results', `${name}.md`), md);
  writeFileSync(join(root, 'bench', 'results', `${name}.json`), JSON.stringify({ config, loadAverage: { before: loadBefore, after: loadAfter }, data: Object.fromEntries(sides.map((w) => [w, { ...data[w], probes: undefined, sizes: sizes[w] }])), starts, ...results, verdicts }, null, 2));
}
process.stdout.write(`${textTable(dataHeader, dataRows)}\n\n${textTable(header, rows)}\n\n${textTable(specialHeader, specialRows)}\n\n${verdicts.join('\n')}\n`);
if (process.env.BENCH_STRICT === '1' && verdicts.some((v) => v.endsWith('FAIL'))) process.exitCode = 1;

#!/usr/bin/env node
// The OCI registry benchmark's load generator and client side. bench/oci/run.sh starts both
// servers (pinned to one core) and calls this script (pinned to the other core):
//
//   node bench.mjs fixtures --dir DIR
//       generate the blobs, manifest parts and OCI layouts every server receives
//   node bench.mjs measure --targets FILE --fixtures DIR --out-dir DIR
//       run every scenario against the servers listed in FILE (JSON: server, label, url, user,
//       password, pid, log, readsOnly), taking turns, and write each one's results as
//       DIR/SERVER.json; a `readsOnly` server only takes part in the manifest and tags GETs
//   node bench.mjs report --in DIR --out-dir DIR
//       compare the results (Kura vs the CNCF registry), print the table, write JSON + markdown
//
// The servers take turns operation by operation (each blob push, each pull) or scenario by
// scenario (timed load), and who goes first alternates: the speed of a shared machine drifts
// over minutes, and measuring one server after the other let that drift decide the comparison.
//
// Every request carries Basic credentials (user:token for Kura, the htpasswd user for the CNCF
// registry): both accept them directly, so no token exchange is part of what is measured.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { generateFixtures, loadFixtures, mediaTypes, MiB, repeatsFor, smallManifest } from './fixtures.mjs';
import { autocannon } from '../lib/autocannon.mjs';
import { runCommands } from '../lib/commands.mjs';
import { RssSampler } from '../lib/rss-sampler.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { report } from './report.mjs';

function envSizes(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error(`${name} must list positive whole MiB, got "${raw}"`);
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** The run's knobs, from the BENCH_* variables that run.sh documents. */
const config = {
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  sizesMiB: envSizes('BENCH_SIZES', [1, 64, 512]),
  repeats: envNumber('BENCH_REPEATS', 0, wholeNumber),
  chunkMiB: envNumber('BENCH_CHUNK_MB', 8),
  pullConnections: envNumber('BENCH_PULL_CONNECTIONS', 8, wholeNumber),
  connections: envNumber('BENCH_CONNECTIONS', 48, wholeNumber),
  tags: envNumber('BENCH_TAGS', 100, wholeNumber),
  manifestPuts: envNumber('BENCH_MANIFEST_PUTS', 1000, wholeNumber),
  putConnections: envNumber('BENCH_PUT_CONNECTIONS', 4, wholeNumber),
  skopeoRuns: envNumber('BENCH_SKOPEO_RUNS', 3, wholeNumber),
};

/** Blobs up to this size are pulled by several connections for a while; larger ones one at a time. */
const concurrentPullMaxMiB = 8;

/** The Accept header of the manifest GETs: OCI image manifest and Docker schema 2. */
const manifestAccept = `${mediaTypes.manifest}, ${mediaTypes.dockerManifest}`;

/** One connection for the sequential steps (pushes, checks), kept alive between requests. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One HTTP exchange with the response body read fully. The request body is `body` (a Buffer)
 * or `file` ({ path, start, end }, inclusive), streamed from disk in 1 MiB reads.
 */
function exchange(url, { method = 'GET', headers = {}, body, file, via = agent } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const length = file ? file.end - file.start + 1 : body ? body.length : 0;
    const req = http.request(url, { method, agent: via, headers: { ...headers, 'content-length': length } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (file) pipeline(createReadStream(file.path, { start: file.start, end: file.end, highWaterMark: MiB }), req).catch(reject);
    else req.end(body);
  });
}

/**
 * GETs `url` and discards the body as it arrives (or hashes it with `verify`); resolves to the
 * status, the byte count, the time to the last byte and the body's digest when verifying.
 */
function pull(url, headers, via, verify = false) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { headers, agent: via }, (res) => {
      const hash = verify ? createHash('sha256') : null;
      let bytes = 0;
      res.on('data', (chunk) => {
        bytes += chunk.length;
        hash?.update(chunk);
      });
      res.on('end', () => resolve({
        status: res.statusCode, bytes, ms: performance.now() - started, digest: hash ? `sha256:${hash.digest('hex')}` : null,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const execFileAsync = promisify(execFile);

/**
 * GETs `url` with curl into /dev/null. Used for the large blobs: Node's HTTP client needs a
 * whole core to receive about 1.2 GB/s, so it, not the server, would set the pace.
 */
async function curlPull(url, credentials) {
  const { stdout } = await execFileAsync('curl', ['-sS', '-o', '/dev/null', '-u', credentials, '-w', '%{http_code} %{size_download} %{time_total}', url]);
  const [status, bytes, seconds] = stdout.trim().split(' ').map(Number);
  return { status, bytes, seconds };
}

function expectStatus(response, status, what) {
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${response.status} ${response.body.toString('utf8').slice(0, 300)}`);
  }
  return response;
}

/** An upload Location (relative for Kura, absolute for the CNCF registry) as an absolute URL. */
function absolute(origin, location) {
  if (!location) throw new Error('the server sent no Location');
  return new URL(location, origin).href;
}

/** Adds the digest parameter to an upload URL, keeping its query (the CNCF registry's `_state`) verbatim. */
function withDigest(url, digest) {
  return `${url}${url.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** Fields 11–14 of /proc/PID/stat: CPU ticks (1/100 s) of the process, then of its waited-for children. */
function statTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return fields.slice(11, 15).map(Number);
}

/** CPU time (ms) of this load generator, including the curl and skopeo processes it ran. */
function clientCpuMs() {
  const [, , childUser, childSystem] = statTicks('self');
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000 + (childUser + childSystem) * 10;
}

/**
 * How much of a core a server and this load generator used over the operations of one scenario
 * (summed, since the servers take turns): a server well below 100% waited for its client, a
 * load generator near 100% was the limit.
 */
class CpuMeter {
  constructor(pid) {
    this.pid = pid;
    this.wallMs = 0;
    this.serverMs = 0;
    this.clientMs = 0;
  }

  async measure(task) {
    const [user, system] = statTicks(this.pid);
    const client = clientCpuMs();
    const started = performance.now();
    const value = await task();
    this.wallMs += performance.now() - started;
    const [userAfter, systemAfter] = statTicks(this.pid);
    this.serverMs += (userAfter + systemAfter - user - system) * 10;
    this.clientMs += clientCpuMs() - client;
    return value;
  }

  shares() {
    const percent = (ms) => (this.wallMs > 0 ? Math.round((ms / this.wallMs) * 100) : null);
    return { serverCpuPercent: percent(this.serverMs), clientCpuPercent: percent(this.clientMs) };
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const median = (values) => percentile([...values].sort((a, b) => a - b), 50);

/** Best and median speed of repeated transfers. */
function speeds(runs) {
  const values = runs.map((r) => r.mbPerS);
  return { runs, bestMbPerS: Math.max(...values), medianMbPerS: median(values) };
}

/** One server under test: where it is, its credentials, its process, its results. */
class Target {
  constructor(spec) {
    this.server = spec.server;
    this.label = spec.label;
    this.origin = spec.url.replace(/\/+$/, '');
    this.pid = Number(spec.pid);
    this.credentials = `${spec.user}:${spec.password}`;
    // A reads-only server (the CNCF registry without auth, on the other one's storage) is read anonymously.
    this.readsOnly = spec.readsOnly === true;
    this.auth = this.readsOnly ? {} : { authorization: `Basic ${Buffer.from(this.credentials).toString('base64')}` };
    this.logFile = spec.log;
    this.rss = new RssSampler(this.pid);
    this.result = { server: spec.server, label: spec.label, url: this.origin, push: {}, pull: {} };
    try {
      this.result.serverCommand = readFileSync(`/proc/${this.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      throw new Error(`no process ${this.pid} to measure (${spec.label})`);
    }
  }

  log(line) {
    process.stderr.write(`${this.label}: ${line}\n`);
  }

  /** Records the first error; the server takes no further part in the run. */
  fail(error) {
    this.result.error = error instanceof Error ? error.message : String(error);
    this.log(`FAILED: ${this.result.error}`);
  }

  url(path) {
    return `${this.origin}${path}`;
  }

  /**
   * Pushes a blob file to `image` and resolves to the seconds from the POST to the final 201.
   * Monolithic: POST, then PUT ?digest= with the whole body. Chunked: POST, PATCH per chunk
   * with Content-Range (following each Location), then an empty PUT ?digest=.
   */
  async pushBlob(image, blob, mode, chunkBytes) {
    const started = performance.now();
    const opened = expectStatus(await exchange(this.url(`/v2/${image}/blobs/uploads/`), { method: 'POST', headers: this.auth }), 202, `POST ${image} upload`);
    let location = absolute(this.origin, opened.headers.location);
    const octets = { ...this.auth, 'content-type': 'application/octet-stream' };
    let done;
    if (mode === 'chunked') {
      for (let start = 0; start < blob.size; start += chunkBytes) {
        const end = Math.min(start + chunkBytes, blob.size) - 1;
        const patched = expectStatus(await exchange(location, {
          method: 'PATCH', headers: { ...octets, 'content-range': `${start}-${end}` }, file: { path: blob.path, start, end },
        }), 202, `PATCH ${image} bytes ${start}-${end}`);
        location = absolute(this.origin, patched.headers.location);
      }
      done = await exchange(withDigest(location, blob.digest), { method: 'PUT', headers: this.auth });
    } else {
      done = await exchange(withDigest(location, blob.digest), { method: 'PUT', headers: octets, file: { path: blob.path, start: 0, end: blob.size - 1 } });
    }
    expectStatus(done, 201, `PUT ${image} ${blob.digest}`);
    if (done.headers['docker-content-digest'] !== blob.digest) throw new Error(`PUT ${image}: Docker-Content-Digest ${done.headers['docker-content-digest']}, expected ${blob.digest}`);
    return (performance.now() - started) / 1000;
  }

  /** Pushes a small blob held in memory in one request pair (POST, PUT with the body). */
  async pushSmallBlob(image, bytes, digest) {
    const opened = expectStatus(await exchange(this.url(`/v2/${image}/blobs/uploads/`), { method: 'POST', headers: this.auth }), 202, `POST ${image} upload`);
    const location = absolute(this.origin, opened.headers.location);
    expectStatus(await exchange(withDigest(location, digest), {
      method: 'PUT', headers: { ...this.auth, 'content-type': 'application/octet-stream' }, body: bytes,
    }), 201, `PUT ${image} ${digest}`);
  }

  putManifest(image, reference, body, via = agent) {
    return exchange(this.url(`/v2/${image}/manifests/${reference}`), {
      method: 'PUT', headers: { ...this.auth, 'content-type': mediaTypes.manifest }, body, via,
    });
  }
}

let turn = 0;

/**
 * Runs `task` for each server still without an error, one after the other; who goes first
 * alternates from call to call. A server whose task throws is marked failed and left out after.
 */
async function inTurn(targets, task) {
  const alive = targets.filter((t) => !t.result.error);
  if (turn++ % 2 === 1) alive.reverse();
  for (const target of alive) {
    try {
      await task(target);
    } catch (error) {
      target.fail(error);
    }
  }
}

function say(line) {
  process.stderr.write(`${line}\n`);
}

/**
 * Pushes every blob fixture of every size and mode to every server, the servers taking turns
 * blob by blob, recording the time and the server's RSS around each push.
 */
async function pushScenarios(targets, index) {
  const chunkBytes = Math.round(config.chunkMiB * MiB);
  for (const sizeMiB of index.sizesMiB) {
    for (const mode of ['monolithic', 'chunked']) {
      const blobs = index.blobs[sizeMiB][mode];
      say(`push ${sizeMiB} MiB ${mode}: ${blobs.length} distinct blobs, servers in turn`);
      const state = new Map(targets.map((t) => [t, { runs: [], cpu: new CpuMeter(t.pid) }]));
      for (const t of targets) t.rss.enter(`push-${sizeMiB}-${mode}`);
      for (const blob of blobs) {
        await inTurn(targets, async (t) => {
          const { runs, cpu } = state.get(t);
          const { value: seconds, rssBeforeMb, rssPeakMb } = await t.rss.around(() => cpu.measure(() => t.pushBlob('bench/blobs', blob, mode, chunkBytes)));
          runs.push({ seconds, mbPerS: blob.size / seconds / 1e6, rssBeforeMb, rssPeakMb });
        });
      }
      for (const [t, { runs, cpu }] of state) {
        if (runs.length === blobs.length) (t.result.push[sizeMiB] ??= {})[mode] = { ...speeds(runs), ...cpu.shares() };
      }
    }
  }
}

/** Several connections pulling `path` in a loop for `durationS`; MB/s, requests/s and latency. */
async function pullLoop(target, path, connections, durationS) {
  const via = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = performance.now() + durationS * 1000;
  const latencies = [];
  let bytes = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const r = await pull(target.url(path), target.auth, via);
      if (r.status !== 200) failures++;
      bytes += r.bytes;
      latencies.push(r.ms);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  via.destroy();
  latencies.sort((a, b) => a - b);
  return {
    connections, seconds, bytes, requests: latencies.length, failures,
    mbPerS: bytes / seconds / 1e6, rps: latencies.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

/**
 * Pulls one blob of each size from every server: first once with the bytes hashed (untimed: it
 * checks the digest); then small blobs by several connections for a while, each server in turn;
 * large ones with curl over one connection, one pull per server in turn, after one warm-up each.
 */
async function pullScenarios(targets, index) {
  for (const t of targets) t.rss.enter('pull');
  for (const sizeMiB of index.sizesMiB) {
    const blob = index.blobs[sizeMiB].monolithic[0];
    const path = `/v2/bench/blobs/blobs/${blob.digest}`;
    await inTurn(targets, async (t) => {
      const check = await pull(t.url(path), t.auth, agent, true);
      if (check.status !== 200 || check.digest !== blob.digest) throw new Error(`GET ${path}: HTTP ${check.status}, ${check.bytes} bytes with digest ${check.digest}`);
    });
    if (sizeMiB <= concurrentPullMaxMiB) {
      say(`pull ${sizeMiB} MiB: ${config.pullConnections} connections, warm-up ${config.warmupS}s, measure ${config.durationS}s, one server after the other`);
      await inTurn(targets, async (t) => {
        await pullLoop(t, path, config.pullConnections, config.warmupS);
        const cpu = new CpuMeter(t.pid);
        const result = await cpu.measure(() => pullLoop(t, path, config.pullConnections, config.durationS));
        t.result.pull[sizeMiB] = { mode: 'concurrent', ...result, ...cpu.shares(), ...(result.failures ? { failure: `${result.failures} answers were not 200` } : {}) };
      });
      continue;
    }
    const count = repeatsFor(sizeMiB, config.repeats);
    say(`pull ${sizeMiB} MiB: curl, one connection, ${count} times per server in turn (after one warm-up)`);
    const state = new Map(targets.map((t) => [t, { runs: [], cpu: new CpuMeter(t.pid) }]));
    for (let run = -1; run < count; run++) {
      await inTurn(targets, async (t) => {
        const { runs, cpu } = state.get(t);
        const r = run < 0 ? await curlPull(t.url(path), t.credentials) : await cpu.measure(() => curlPull(t.url(path), t.credentials));
        if (r.status !== 200 || r.bytes !== blob.size) throw new Error(`GET ${path}: HTTP ${r.status}, ${r.bytes} of ${blob.size} bytes`);
        if (run >= 0) runs.push({ seconds: r.seconds, mbPerS: blob.size / r.seconds / 1e6 });
      });
    }
    for (const [t, { runs, cpu }] of state) {
      if (runs.length === count) t.result.pull[sizeMiB] = { mode: 'sequential', ...speeds(runs), ...cpu.shares() };
    }
  }
}

/** autocannon against `paths` in rotation, after a discarded warm-up. */
async function load(target, paths, headers) {
  const run = (durationS) => {
    let next = 0;
    return autocannon({
      url: target.origin,
      connections: config.connections,
      duration: durationS,
      headers: { ...target.auth, ...headers },
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  };
  await run(config.warmupS);
  const cpu = new CpuMeter(target.pid);
  const r = await cpu.measure(() => run(config.durationS));
  const result = {
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    bytesPerResponse: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...cpu.shares(),
  };
  if (result.non2xx || result.errors || result.timeouts) {
    result.failure = `${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`;
  }
  return result;
}

const tagName = (i) => `t${String(i).padStart(3, '0')}`;

/** Pushes the small config and layer into `image`, then `count` distinct manifests tagged t000…. */
async function seedTaggedImage(target, index, image, count) {
  const { config: cfg, layer } = index.small;
  await target.pushSmallBlob(image, await readFile(cfg.path), cfg.descriptor.digest);
  await target.pushSmallBlob(image, await readFile(layer.path), layer.descriptor.digest);
  for (let i = 0; i < count; i++) {
    expectStatus(await target.putManifest(image, tagName(i), smallManifest(index.small, i)), 201, `PUT ${image} manifest ${tagName(i)}`);
  }
}

/**
 * Pushes `count` distinct manifests (each a new tag) over `putConnections` connections, after
 * 50 discarded ones; the rate is manifests per second of wall time.
 */
async function manifestPuts(target, index, image, count) {
  const via = new http.Agent({ keepAlive: true, maxSockets: config.putConnections });
  const push = async (sequence) => {
    const r = await target.putManifest(image, `m${sequence}`, smallManifest(index.small, 1_000_000 + sequence), via);
    expectStatus(r, 201, `PUT ${image} manifest m${sequence}`);
    return r.ms;
  };
  // Each worker takes the next sequence number synchronously, so none is pushed twice.
  const inParallel = async (from, to, latencies) => {
    let next = from;
    const worker = async () => {
      while (next < to) latencies.push(await push(next++));
    };
    await Promise.all(Array.from({ length: config.putConnections }, worker));
  };
  try {
    await inParallel(0, 50, []);
    const cpu = new CpuMeter(target.pid);
    const latencies = [];
    const started = performance.now();
    await cpu.measure(() => inParallel(50, 50 + count, latencies));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      count, connections: config.putConnections, seconds, perS: count / seconds,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }, ...cpu.shares(),
    };
  } finally {
    via.destroy();
  }
}

function runCommand(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-2000)}`))));
  });
}

/**
 * `skopeo copy` of each OCI layout (fresh layers every time) to a fresh image on every server in
 * turn; wall time of the whole client process, best of the runs.
 */
async function skopeoCopies(targets, index) {
  const runs = new Map(targets.map((t) => [t, []]));
  for (const [run, layout] of index.layouts.entries()) {
    const image = `bench/skopeo-${run}`;
    await inTurn(targets, async (t) => {
      const started = performance.now();
      await runCommand('skopeo', [
        '--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', t.credentials,
        `oci:${layout.dir}:${layout.tag}`, `docker://${new URL(t.origin).host}/${image}:${layout.tag}`,
      ]);
      runs.get(t).push((performance.now() - started) / 1000);
      const check = await pull(t.url(`/v2/${image}/manifests/${layout.tag}`), { ...t.auth, accept: manifestAccept }, agent);
      if (check.status !== 200) throw new Error(`after skopeo copy, GET ${image}:${layout.tag} answered ${check.status}`);
    });
  }
  for (const [t, times] of runs) {
    if (times.length === index.layouts.length) t.result.skopeo = { bytes: index.layouts[0]?.bytes, runs: times, best: Math.min(...times) };
  }
}

async function measure(args) {
  const index = await loadFixtures(args.fixtures);
  const all = JSON.parse(await readFile(args.targets, 'utf8')).map((spec) => new Target(spec));
  const targets = all.filter((t) => !t.readsOnly);
  const loadStart = loadavg()[0];
  await inTurn(all, async (t) => {
    expectStatus(await exchange(t.url('/v2/'), { headers: t.auth }), 200, 'GET /v2/ with credentials');
  });

  await pushScenarios(targets, index);
  await pullScenarios(targets, index);

  say(`pushing ${config.tags} tagged manifests to bench/app and the blobs of bench/puts`);
  await inTurn(targets, async (t) => {
    t.rss.enter('setup');
    await seedTaggedImage(t, index, 'bench/app', config.tags);
    await seedTaggedImage(t, index, 'bench/puts', 0);
  });

  say(`manifest GETs by tag: ${config.connections} connections, warm-up ${config.warmupS}s, measure ${config.durationS}s, one server after the other`);
  const manifestPaths = Array.from({ length: config.tags }, (_, i) => `/v2/bench/app/manifests/${tagName(i)}`);
  await inTurn(all, async (t) => {
    t.rss.enter('manifest-get');
    t.result.manifestGet = await load(t, manifestPaths, { accept: manifestAccept });
  });

  say(`tags list of ${config.tags} tags: the same`);
  await inTurn(all, async (t) => {
    t.rss.enter('tags-list');
    t.result.tagsList = await load(t, ['/v2/bench/app/tags/list'], { accept: 'application/json' });
  });

  say(`manifest PUTs: ${config.manifestPuts} over ${config.putConnections} connections, one server after the other`);
  await inTurn(targets, async (t) => {
    t.rss.enter('manifest-put');
    t.result.manifestPut = await manifestPuts(t, index, 'bench/puts', config.manifestPuts);
  });

  say(`skopeo copy of a 3-layer image, ${index.layouts.length} times per server in turn`);
  for (const t of targets) t.rss.enter('skopeo');
  await skopeoCopies(targets, index);

  const loadEnd = loadavg()[0];
  for (const t of all) {
    const result = {
      ...t.result,
      config: { ...config, sizesMiB: index.sizesMiB, concurrentPullMaxMiB },
      storage: process.env.BENCH_STORAGE ?? null,
      ...(t.server === 'kura' ? { revision: process.env.BENCH_KURA_REVISION ?? null } : {}),
      rss: t.rss.stop(),
      loadavg: { start: loadStart, end: loadEnd },
      log: null,
    };
    try {
      if (t.logFile) result.log = { bytes: statSync(t.logFile).size };
    } catch {
      result.log = null;
    }
    await writeFile(join(args['out-dir'], `${t.server}.json`), JSON.stringify(result, null, 2));
  }
  return all.some((t) => t.result.error) ? 1 : 0;
}

runCommands({
  fixtures: {
    options: ['dir'],
    run: async (values) => {
      const started = performance.now();
      const index = await generateFixtures(values.dir, { sizesMiB: config.sizesMiB, repeats: config.repeats, skopeoRuns: config.skopeoRuns });
      const files = Object.values(index.blobs).flatMap((modes) => Object.values(modes).flat());
      const bytes = files.reduce((n, b) => n + b.size, 0);
      say(`fixtures: ${files.length} blob files (${(bytes / MiB).toFixed(0)} MiB), ${index.layouts.length} OCI layouts, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    },
  },
  measure: { options: ['targets', 'fixtures', 'out-dir'], run: measure },
  report: { options: ['in', 'out-dir'], run: (values) => report(values.in, values['out-dir']) },
}, () => agent.destroy());

// Prices the metrics: two Kura servers on one data directory, one with KURA_METRICS=on and one
// with off, both pinned to the same core, loaded in turn (on, off, on, off…) with full gzip
// packument GETs, so both see the same machine. Reports each one's server CPU time per request
// (from /proc) and throughput, as medians over the rounds.
// Usage: bash bench/metrics/run.sh (see bench/README.md).
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
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
  packages: envNumber('BENCH_PACKAGES', 50, wholeNumber),
  versions: envNumber('BENCH_VERSIONS', 10, wholeNumber),
  rounds: envNumber('BENCH_ROUNDS', 5, wholeNumber),
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  connections: envNumber('BENCH_CONNECTIONS', 48, wholeNumber),
  serverCpu: process.env.BENCH_SERVER_CPU ?? '0',
};
const canPin = spawnSync('taskset', ['-c', config.serverCpu, 'true']).status === 0;
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const say = (line) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** User plus system CPU seconds of process `pid` so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function cli(env, args) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'kura.js'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kura ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

async function startServer(env) {
  const port = await freePort();
  // BENCH_KURA_NODE_FLAGS: Node flags for the servers, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile both.
  const args = [...(process.env.BENCH_KURA_NODE_FLAGS ?? '').split(' ').filter(Boolean), join(root, 'bin', 'kura.js'), 'serve', '--port', String(port)];
  const child = canPin ? spawn('taskset', ['-c', config.serverCpu, process.execPath, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' }) : spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, pid: child.pid, stop: () => stopProcess(child) };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('kura serve did not start');
}

const work = mkdtempSync(join(tmpdir(), 'kura-bench-metrics-'));
const servers = [];
try {
  const env = { KURA_DATA_DIR: join(work, 'data'), KURA_LOG_LEVEL: 'warn' };
  mkdirSync(env.KURA_DATA_DIR);
  cli(env, ['user', 'create', 'bench']);
  cli(env, ['repo', 'create', 'bench/bench']);
  const token = cli(env, ['token', 'create', '--user', 'bench', '--scopes', 'read:packages,write:packages']);
  const fixtures = await generateFixtures(join(work, 'fixtures'), { packages: config.packages, versions: config.versions, publishes: 0, largeBytes: 1024 });
  // Seeded through a server of its own, so the two measured ones start alike.
  const seeder = await startServer({ ...env, KURA_METRICS: 'off' });
  say(`seeding ${config.packages} × ${config.versions} versions`);
  for (const pkg of fixtures.packages) {
    for (const version of pkg.versions) {
      const body = publishBody(`${seeder.url}/npm`, version, await readTarball(join(work, 'fixtures'), version));
      const response = await fetch(`${seeder.url}/npm/${version.name.replace('/', '%2f')}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (response.status !== 201) throw new Error(`publish: ${response.status} ${await response.text()}`);
    }
  }
  await seeder.stop();
  const on = await startServer({ ...env, KURA_METRICS: 'on' });
  servers.push(on);
  const off = await startServer({ ...env, KURA_METRICS: 'off' });
  servers.push(off);
  const paths = fixtures.packages.map((p) => `/npm/${p.name.replace('/', '%2f')}`);
  const load = async (server, duration) => {
    let next = 0;
    return autocannon({
      url: server.url, connections: config.connections, duration,
      requests: [{ method: 'GET', headers: { accept: 'application/json', 'accept-encoding': 'gzip', authorization: `Bearer ${token}` }, setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  };
  const samples = { on: [], off: [] };
  for (let round = 0; round < config.rounds; round++) {
    // Each round flips who goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? [['on', on], ['off', off]] : [['off', off], ['on', on]];
    for (const [name, server] of order) {
      await load(server, config.warmupS);
      const cpuBefore = cpuSeconds(server.pid);
      const result = await load(server, config.durationS);
      const cpu = cpuSeconds(server.pid) - cpuBefore;
      if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
      const requests = result.requests.total;
      samples[name].push({ rps: requests / result.duration, cpuMicros: (cpu * 1e6) / requests });
      say(`round ${round + 1}, metrics ${name}: ${fmt(requests / result.duration)} req/s, ${fmt((cpu * 1e6) / requests)} µs/req`);
    }
  }
  const summary = (name) => ({ rps: median(samples[name].map((s) => s.rps)), cpuMicros: median(samples[name].map((s) => s.cpuMicros)) });
  const onS = summary('on');
  const offS = summary('off');
  const rows = [
    ['full gzip packument GET, with a token: throughput', `${fmt(onS.rps)} req/s`, `${fmt(offS.rps)} req/s`, `${fmt(onS.rps / offS.rps, 3)}×`],
    ['server CPU per request', `${fmt(onS.cpuMicros, 1)} µs`, `${fmt(offS.cpuMicros, 1)} µs`, `${fmt(onS.cpuMicros / offS.cpuMicros, 3)}×`],
  ];
  const header = ['median of rounds', 'metrics on', 'metrics off', 'on / off'];
  const md = `# Metrics cost\n\nRun at ${new Date().toISOString()}: ${config.rounds} rounds of ${config.durationS} s each, alternating, ${config.connections} connections, ${config.packages} packages × ${config.versions} versions, log level warn.\n\n${markdownTable(header, rows)}\n`;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'metrics-latest.md'), md);
  writeFileSync(join(root, 'bench', 'results', 'metrics-latest.json'), JSON.stringify({ config, samples }, null, 2));
  process.stdout.write(`${textTable(header, rows)}\n`);
} finally {
  for (const server of servers) await server.stop();
  rmSync(work, { recursive: true, force: true });
}

// The RubyGems benchmark's steps (run.sh drives them): fixtures, then measure against Kura and
// against a static directory written by `gem generate_index`, then report.
/* global fetch */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { autocannon } from '../lib/autocannon.mjs';
import { runCommands } from '../lib/commands.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { markdownTable, textTable } from '../lib/tables.mjs';
import { buildGem } from './fixtures.mjs';

const config = {
  scaleGems: envNumber('BENCH_SCALE_GEMS', 10_000, wholeNumber),
  pushSamples: envNumber('BENCH_PUSH_SAMPLES', 100, wholeNumber),
  bundleGems: envNumber('BENCH_BUNDLE_GEMS', 50, wholeNumber),
  fillerGems: envNumber('BENCH_FILLER_GEMS', 450, wholeNumber),
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  connections: envNumber('BENCH_CONNECTIONS', 32, wholeNumber),
  installRuns: envNumber('BENCH_INSTALL_RUNS', 3, wholeNumber),
  seedConcurrency: envNumber('BENCH_SEED_CONCURRENCY', 4, wholeNumber),
};

const bundleNames = () => Array.from({ length: config.bundleGems }, (_, i) => `app-dep-${String(i).padStart(3, '0')}`);
const fillerNames = () => Array.from({ length: config.fillerGems }, (_, i) => `filler-${String(i).padStart(4, '0')}`);

/** The gems both sides of the read and install comparison hold: 50 a Gemfile needs (each depending on the next) and fillers. */
function bundleSet(homepage) {
  const names = bundleNames();
  return [
    ...names.map((name, i) => ({ file: `${name}-1.0.0.gem`, bytes: buildGem(name, '1.0.0', homepage, i + 1 < names.length ? [names[i + 1]] : []) })),
    ...fillerNames().map((name) => ({ file: `${name}-1.0.0.gem`, bytes: buildGem(name, '1.0.0', homepage) })),
  ];
}

async function push(host, token, bytes) {
  const started = performance.now();
  const response = await fetch(`${host}/api/v1/gems`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/octet-stream' }, body: bytes });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`push: ${response.status} ${text}`);
  return performance.now() - started;
}

async function pushAll(host, token, gems) {
  let next = 0;
  await Promise.all(Array.from({ length: config.seedConcurrency }, async () => {
    while (next < gems.length) await push(host, token, gems[next++]);
  }));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** p50/p99 of pushing `count` fresh gems one after another. */
async function pushLatency(host, token, prefix) {
  const times = [];
  for (let i = 0; i < config.pushSamples; i++) times.push(await push(host, token, buildGem(`${prefix}-${i}`, '1.0.0', `${host}/x`)));
  times.sort((a, b) => a - b);
  return { count: times.length, p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function load(origin, paths) {
  let next = 0;
  const options = { url: origin, connections: config.connections, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }] };
  await autocannon({ ...options, duration: config.warmupS });
  const result = await autocannon({ ...options, duration: config.durationS });
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** Best of `runs` cold `bundle install`s of a Gemfile naming the 50 gems from `source`. */
function bundleInstall(source, work) {
  const times = [];
  for (let run = 0; run < config.installRuns; run++) {
    const dir = mkdtempSync(join(work, 'bundle-'));
    writeFileSync(join(dir, 'Gemfile'), `source "${source}"\n\n${bundleNames().map((n) => `gem "${n}"`).join('\n')}\n`);
    const env = { ...process.env, HOME: dir, BUNDLE_PATH: join(dir, 'vendor'), BUNDLE_APP_CONFIG: join(dir, '.bundle'), BUNDLE_USER_HOME: join(dir, '.bundle-home'), GEM_HOME: join(dir, 'gems') };
    const started = performance.now();
    const result = spawnSync('bundle', ['install', '--quiet'], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`bundle install from ${source} failed: ${result.stderr || result.stdout}`);
    times.push(ms);
    rmSync(dir, { recursive: true, force: true });
  }
  return { best: Math.min(...times), runs: times };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function report(results) {
  const { kura, staticDir, pushes } = results;
  const ratio = pushes.large.p50 / pushes.small.p50;
  const rows = [
    ['push p50, 100 gems stored', `${fmt(pushes.small.p50, 1)} ms (p99 ${fmt(pushes.small.p99, 1)})`, '', '', ''],
    [`push p50, ${fmt(config.scaleGems)} gems stored`, `${fmt(pushes.large.p50, 1)} ms (p99 ${fmt(pushes.large.p99, 1)})`, '', `${fmt(ratio, 2)}× the 100-gem p50`, ratio <= 1.5 ? 'PASS (≤ 1.5×)' : 'FAIL (≤ 1.5×)'],
    [`/versions, ${fmt(config.scaleGems)}-gem owner`, `${fmt(kura.versionsLarge.rps)} req/s (p50 ${kura.versionsLarge.p50} ms)`, 'no compact index', '', ''],
    [`/versions, ${config.bundleGems + config.fillerGems}-gem owner`, `${fmt(kura.versions.rps)} req/s (p50 ${kura.versions.p50} ms)`, 'no compact index', '', ''],
    ['/info/NAME', `${fmt(kura.info.rps)} req/s (p50 ${kura.info.p50} ms)`, 'no compact index', '', ''],
    ['specs.4.8.gz', `${fmt(kura.specs.rps)} req/s`, `${fmt(staticDir.specs.rps)} req/s`, `${fmt(kura.specs.rps / staticDir.specs.rps, 2)}×`, ''],
    ['quick/Marshal.4.8 gemspec.rz', `${fmt(kura.quick.rps)} req/s`, `${fmt(staticDir.quick.rps)} req/s`, `${fmt(kura.quick.rps / staticDir.quick.rps, 2)}×`, ''],
    ['.gem download', `${fmt(kura.gem.rps)} req/s`, `${fmt(staticDir.gem.rps)} req/s`, `${fmt(kura.gem.rps / staticDir.gem.rps, 2)}×`, ''],
    [`cold bundle install, ${config.bundleGems} gems (best of ${config.installRuns})`, `${fmt(kura.install.best / 1000, 2)} s (compact index)`, `${fmt(staticDir.install.best / 1000, 2)} s (full index)`, `${fmt(kura.install.best / staticDir.install.best, 2)}× (lower is better)`, ''],
  ];
  const header = ['scenario', 'Kura', 'static gem generate_index dir', 'Kura/static', 'target'];
  return { text: textTable(header, rows), markdown: `# RubyGems benchmark: Kura vs a static gem generate_index directory\n\nRun at ${new Date().toISOString()}.\n\n${markdownTable(header, rows)}\n` };
}

runCommands({
  fixtures: {
    options: ['dir'],
    run({ dir }) {
      mkdirSync(join(dir, 'static', 'gems'), { recursive: true });
      for (const gem of bundleSet('https://kura.example/bundle/app')) writeFileSync(join(dir, 'static', 'gems', gem.file), gem.bytes);
      execFileSync('gem', ['generate_index', '--directory', join(dir, 'static')], { stdio: ['ignore', 'ignore', 'inherit'] });
      return 0;
    },
  },
  measure: {
    options: ['kura', 'static', 'bench-token', 'bundle-token', 'work', 'out'],
    async run(o) {
      const benchHost = `${o.kura}/rubygems/bench`;
      const bundleHost = `${o.kura}/rubygems/bundle`;
      process.stderr.write('  pushes: seeding 100 gems\n');
      await pushAll(benchHost, o['bench-token'], Array.from({ length: 100 }, (_, i) => buildGem(`seed-${i}`, '1.0.0', `${o.kura}/bench/bench`)));
      const small = await pushLatency(benchHost, o['bench-token'], 'early');
      const more = config.scaleGems - 100 - config.pushSamples;
      process.stderr.write(`  pushes: seeding ${more} more gems\n`);
      for (let start = 0; start < more; start += 1000) {
        await pushAll(benchHost, o['bench-token'], Array.from({ length: Math.min(1000, more - start) }, (_, i) => buildGem(`bulk-${start + i}`, '1.0.0', `${o.kura}/bench/bench`)));
      }
      const large = await pushLatency(benchHost, o['bench-token'], 'late');
      process.stderr.write('  reads: seeding the bundle owner\n');
      const set = bundleSet(`${o.kura}/bundle/app`);
      await pushAll(bundleHost, o['bundle-token'], set.map((g) => g.bytes));
      const names = bundleNames();
      const kura = {}, staticDir = {};
      process.stderr.write('  reads: load\n');
      kura.versionsLarge = await load(o.kura, ['/rubygems/bench/versions']);
      kura.versions = await load(o.kura, ['/rubygems/bundle/versions']);
      kura.info = await load(o.kura, names.map((n) => `/rubygems/bundle/info/${n}`));
      kura.specs = await load(o.kura, ['/rubygems/bundle/specs.4.8.gz']);
      staticDir.specs = await load(o.static, ['/specs.4.8.gz']);
      kura.quick = await load(o.kura, names.map((n) => `/rubygems/bundle/quick/Marshal.4.8/${n}-1.0.0.gemspec.rz`));
      staticDir.quick = await load(o.static, names.map((n) => `/quick/Marshal.4.8/${n}-1.0.0.gemspec.rz`));
      kura.gem = await load(o.kura, names.map((n) => `/rubygems/bundle/gems/${n}-1.0.0.gem`));
      staticDir.gem = await load(o.static, names.map((n) => `/gems/${n}-1.0.0.gem`));
      process.stderr.write('  cold bundle install\n');
      kura.install = bundleInstall(`${bundleHost}/`, o.work);
      staticDir.install = bundleInstall(`${o.static}/`, o.work);
      const results = { config, pushes: { small, large }, kura, staticDir };
      const { text, markdown } = report(results);
      writeFileSync(o.out, JSON.stringify(results, null, 2));
      writeFileSync(o.out.replace(/\.json$/, '.md'), markdown);
      process.stdout.write(`${text}\n`);
      return 0;
    },
  },
});

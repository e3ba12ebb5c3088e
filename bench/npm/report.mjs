// Turns the per-server results of one benchmark run into the comparison: a table per Kura
// configuration (Kura vs Verdaccio, ratio, target, PASS/FAIL) on stdout, and the same as
// markdown plus the raw numbers as JSON in the output directory.
import { cpus } from 'node:os';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownTable, textTable } from '../lib/tables.mjs';

const number = (value, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const latency = (s) => `p50 ${number(s.latencyMs.p50, 1)} ms, p99 ${number(s.latencyMs.p99, 1)} ms`;

/**
 * The rows of the comparison. `value` reads the number compared (undefined when the server has
 * no result for it); `higherIsBetter` orients the ratio; `target` is the requirement, if any:
 * a ratio to Verdaccio (`minRatio`, `maxRatio`), a bound on Kura's own number (`kuraBelow`,
 * `kuraAtLeast`, `kuraAtMost`), or a ratio to the static file server (`maxRatioToStatic`).
 */
const rows = [
  ...[
    ['packument-full-gzip', 'packument full, gzip', { minRatio: 20 }],
    ['packument-full-identity', 'packument full, identity'],
    ['packument-abbreviated-gzip', 'packument abbreviated, gzip', { minRatio: 20 }],
    ['packument-abbreviated-identity', 'packument abbreviated, identity'],
    ['tarball-small', 'tarball ~10 KB', { minRatio: 5 }],
  ].map(([key, title, target]) => ({
    title,
    target,
    higherIsBetter: true,
    scenario: key,
    value: (r) => r.scenarios?.[key]?.rps,
    show: (r) => `${number(r.scenarios[key].rps)} req/s (${latency(r.scenarios[key])})`,
  })),
  {
    title: 'tarball, large (10 MB)',
    target: { kuraAtLeast: 2500, unit: 'MB/s' },
    higherIsBetter: true,
    scenario: 'tarball-large',
    value: (r) => r.scenarios?.['tarball-large']?.mbPerS,
    show: (r) => `${number(r.scenarios['tarball-large'].mbPerS, 1)} MB/s (${latency(r.scenarios['tarball-large'])})`,
  },
  {
    title: 'publish PUT p50',
    target: { kuraAtMost: 3, unit: 'ms' },
    value: (r) => r.publish?.p50,
    show: (r) => `${number(r.publish.p50, 1)} ms`,
  },
  { title: 'publish PUT p99', value: (r) => r.publish?.p99, show: (r) => `${number(r.publish.p99, 1)} ms` },
  { title: 'publish PUT, large tarball', value: (r) => r.seed?.largeMs, show: (r) => `${number(r.seed.largeMs)} ms` },
  {
    title: 'cold npm install (best)',
    target: { maxRatioToStatic: 1 },
    value: (r) => r.install?.best,
    show: (r) => `${number(r.install.best, 2)} s (runs: ${r.install.runs.map((t) => number(t, 2)).join(', ')})`,
  },
  {
    title: 'server max RSS',
    target: { kuraBelow: 200 },
    value: (r) => r.rss?.maxMb,
    show: (r) => `${number(r.rss.maxMb, 1)} MB`,
  },
  { title: 'seed (all publishes)', value: (r) => r.seed?.seconds, show: (r) => `${number(r.seed.seconds, 1)} s for ${r.seed.publishes} versions` },
];

function targetText(target, staticPeer) {
  if (!target) return '';
  if (target.minRatio !== undefined) return `≥ ${target.minRatio}×`;
  if (target.maxRatio !== undefined) return `≤ ${target.maxRatio}×`;
  if (target.kuraAtLeast !== undefined) return `Kura ≥ ${number(target.kuraAtLeast)} ${target.unit}`;
  if (target.kuraAtMost !== undefined) return `Kura ≤ ${number(target.kuraAtMost)} ${target.unit}`;
  if (target.maxRatioToStatic !== undefined) {
    const best = staticPeer?.install?.best;
    return `≤ ${target.maxRatioToStatic}× static files${best === undefined ? '' : ` (${number(best, 2)} s)`}`;
  }
  return `Kura < ${target.kuraBelow} MB`;
}

/** The verdict on Kura's number `k` against `target`, given its ratio to Verdaccio. */
function verdictOf(target, k, ratio, staticPeer) {
  if (target.kuraBelow !== undefined) return k === undefined ? 'n/a' : k < target.kuraBelow ? 'PASS' : 'FAIL';
  if (target.kuraAtLeast !== undefined) return k === undefined ? 'n/a' : k >= target.kuraAtLeast ? 'PASS' : 'FAIL';
  if (target.kuraAtMost !== undefined) return k === undefined ? 'n/a' : k <= target.kuraAtMost ? 'PASS' : 'FAIL';
  if (target.maxRatioToStatic !== undefined) {
    const best = staticPeer?.install?.best;
    return k === undefined || !best ? 'n/a' : k / best <= target.maxRatioToStatic ? 'PASS' : 'FAIL';
  }
  if (ratio === undefined) return 'n/a';
  if (target.minRatio !== undefined) return ratio >= target.minRatio ? 'PASS' : 'FAIL';
  return ratio <= target.maxRatio ? 'PASS' : 'FAIL';
}

/** One row of the comparison as data: values, ratio (Kura / Verdaccio) and verdict. */
function compare(row, kura, verdaccio, staticPeer) {
  const k = row.value(kura);
  const v = row.value(verdaccio);
  const failure = row.scenario ? kura.scenarios?.[row.scenario]?.failure ?? verdaccio.scenarios?.[row.scenario]?.failure : undefined;
  const ratio = k !== undefined && v !== undefined && v > 0 ? k / v : undefined;
  let verdict = '';
  if (row.target) verdict = failure ? 'ERROR' : verdictOf(row.target, k, ratio, staticPeer);
  return {
    scenario: row.title,
    kura: k,
    verdaccio: v,
    kuraText: k === undefined ? '—' : row.show(kura),
    verdaccioText: v === undefined ? '—' : row.show(verdaccio),
    ratio,
    ratioText: ratio === undefined ? '—' : `${number(ratio, 2)}×${row.higherIsBetter ? '' : ' (lower is better)'}`,
    target: targetText(row.target, staticPeer),
    verdict,
    ...(failure ? { failure } : {}),
  };
}

/** The load scenarios whose server CPU cost is compared, and the unit it is counted in. */
const costScenarios = [
  ['packument-full-gzip', 'packument full, gzip'],
  ['packument-full-identity', 'packument full, identity'],
  ['packument-abbreviated-gzip', 'packument abbreviated, gzip'],
  ['packument-abbreviated-identity', 'packument abbreviated, identity'],
  ['tarball-small', 'tarball ~10 KB'],
  ['tarball-large', 'tarball, large', 'perGb'],
];

/** Server CPU per request in µs (per GB in ms for the large tarball), or undefined. */
function cpuCost(result, key, unit) {
  const s = result.scenarios?.[key];
  if (!s || s.serverCpuMs === null || s.serverCpuMs === undefined || !s.requests) return undefined;
  return unit === 'perGb' ? s.serverCpuMs / (s.bytes / 1e9) : (s.serverCpuMs * 1000) / s.requests;
}

/**
 * Server CPU cost per scenario for every server, with each Kura's ratio to Verdaccio, and each
 * run's CPU shares (server / load generator) so a starved or client-bound run stands out.
 */
function costTable(kuras, verdaccio) {
  const servers = [...kuras, verdaccio];
  const header = ['Scenario', ...servers.map((r) => r.label), ...kuras.map((k) => `${k.label}/Verdaccio`)];
  const lines = costScenarios.map(([key, title, unit]) => {
    const cells = servers.map((r) => {
      const cost = cpuCost(r, key, unit);
      const s = r.scenarios?.[key];
      return cost === undefined ? '—' : `${number(cost)} ${unit === 'perGb' ? 'ms/GB' : 'µs/req'} (cores ${s.serverCpuPercent}% / ${s.clientCpuPercent}%)`;
    });
    const v = cpuCost(verdaccio, key, unit);
    const ratios = kuras.map((k) => {
      const c = cpuCost(k, key, unit);
      return c === undefined || !v ? '—' : `${number(c / v, 2)}×`;
    });
    return [title, ...cells, ...ratios];
  });
  return { header, lines };
}

function logNote(result) {
  const level = result.logLevel ?? 'unknown';
  const volume = result.log ? `, ${number(result.log.lines)} log lines (${number(result.log.bytes / 1e6, 1)} MB) written during the run` : '';
  const defaultNote = level === 'info' ? ' (Kura\'s default: every request is logged)' : '';
  return `${result.label}: log level ${level}${defaultNote}${volume}`;
}

/** Reads every `*.json` result in `inDir`, prints the comparison and writes it to `outDir`. */
export async function report(inDir, outDir) {
  const results = [];
  for (const file of (await readdir(inDir)).filter((f) => f.endsWith('.json')).sort()) {
    results.push(JSON.parse(await readFile(join(inDir, file), 'utf8')));
  }
  const verdaccio = results.find((r) => r.server === 'verdaccio');
  const kuras = results.filter((r) => r.server === 'kura');
  const staticPeer = results.find((r) => r.server === 'static');
  if (!verdaccio || kuras.length === 0) throw new Error(`need a Kura and a Verdaccio result in ${inDir}`);
  const config = verdaccio.config;

  const header = ['Scenario', 'Kura', 'Verdaccio 6.8.0', 'Kura/Verdaccio', 'Target', 'Result'];
  const comparisons = kuras.map((kura) => ({ kura: kura.label, rows: rows.map((row) => compare(row, kura, verdaccio, staticPeer)) }));
  const toCells = (c) => [c.scenario, c.kuraText, c.verdaccioText, c.ratioText, c.target, c.verdict];

  const notes = [
    `Data: ${config.packages} packages × ${config.versions} versions of ~10 KB, plus one ${config.largeBytes / 1e6} MB tarball; identical tarballs in every server.`,
    `Load: autocannon, ${config.durationS} s per scenario after ${config.warmupS} s of warm-up, ${config.connections} connections, URLs rotated over all packages/tarballs, with the publish token (npm sends the .npmrc token with every request). The ${config.largeBytes / 1e6} MB tarball: curl over ${config.largeConnections} connections for as long (autocannon's JavaScript body parsing would be the limit). MB = 10^6 bytes.`,
    `Publish: ${config.publishes} fresh versions PUT one at a time. Install: npm install of ${Math.min(config.installDeps, config.packages)} packages, empty cache, no lockfile, --prefer-online, audit off, best of ${config.installRuns}.`,
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}; servers pinned to one core, load generator and npm to another (see run.sh).`,
    ...kuras.map(logNote),
    `${verdaccio.label}: log level warn; JWT API tokens; offline (no uplinks).`,
    ...(staticPeer ? [`${staticPeer.label}: the same packuments (full, identity) and tarballs as files on a plain static file server (bench/lib/static-server.mjs), for the cold install only.`] : []),
    ...results.filter((r) => r.abbreviatedServed === false).map((r) => `${r.label} answered the abbreviated Accept header with the full document.`),
    ...results.filter((r) => r.loadavg).map((r) => `${r.label}: load average ${r.loadavg.start.toFixed(2)} before, ${r.loadavg.end.toFixed(2)} after (above ~2 means other work shared the cores).`),
    ...results.flatMap((r) => Object.entries(r.scenarios ?? {}).filter(([, s]) => s.clientCpuPercent >= 90)
      .map(([key]) => `${r.label}, ${key}: the load generator used a whole core, so this number is a lower bound.`)),
    ...results.flatMap((r) => Object.entries(r.scenarios ?? {}).filter(([key, s]) => key !== 'tarball-large' && s.serverCpuPercent !== null && s.serverCpuPercent < 85)
      .map(([key, s]) => `${r.label}, ${key}: the server used only ${s.serverCpuPercent}% of its core; unless the load generator was the limit, other processes took the rest and this number is low.`)),
    ...results.filter((r) => r.error).map((r) => `${r.label} FAILED: ${r.error}`),
    ...comparisons.flatMap((c) => c.rows.filter((r) => r.failure).map((r) => `${c.kura} vs Verdaccio, ${r.scenario}: ${r.failure}`)),
  ];

  const stdout = [];
  const markdown = ['# npm registry benchmark: Kura vs Verdaccio 6.8.0', '', `Run at ${new Date().toISOString()}.`, ''];
  for (const c of comparisons) {
    const verdicts = c.rows.filter((r) => r.target);
    const summary = `${verdicts.filter((r) => r.verdict === 'PASS').length} of ${verdicts.length} targets passed`;
    stdout.push('', `${c.kura} vs ${verdaccio.label}: ${summary}`, textTable(header, c.rows.map(toCells)));
    markdown.push(`## ${c.kura} vs ${verdaccio.label}`, '', summary + '.', '', markdownTable(header, c.rows.map(toCells)), '');
  }
  const cost = costTable(kuras, verdaccio);
  const costTitle = 'Server CPU cost per request (lower is better; it varies far less than throughput when other processes share the machine). '
    + 'In brackets: share of a core used by the server / by the load generator.';
  stdout.push('', costTitle, textTable(cost.header, cost.lines));
  markdown.push('## Server CPU cost', '', costTitle, '', markdownTable(cost.header, cost.lines), '');
  stdout.push('', 'Notes:', ...notes.map((n) => `- ${n}`), '');
  markdown.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  await mkdir(outDir, { recursive: true });
  const json = JSON.stringify({ generatedAt: new Date().toISOString(), config, comparisons, cpuCost: cost, notes, results }, null, 2);
  for (const base of [`npm-${stamp}`, 'npm-latest']) {
    await writeFile(join(outDir, `${base}.json`), json);
    await writeFile(join(outDir, `${base}.md`), markdown.join('\n'));
  }
  process.stdout.write(stdout.join('\n') + '\n');
  process.stderr.write(`results written to ${join(outDir, `npm-${stamp}.json`)} and .md (also npm-latest.*)\n`);
  const failed = comparisons.some((c) => c.rows.some((r) => r.verdict === 'FAIL' || r.verdict === 'ERROR' || r.verdict === 'n/a'));
  return process.env.BENCH_STRICT === '1' && (failed || results.some((r) => r.error)) ? 1 : 0;
}

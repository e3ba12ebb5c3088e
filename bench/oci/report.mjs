// Turns the per-server results of one OCI benchmark run into the comparison: a table (Kura vs
// the CNCF registry, ratio, target, PASS/FAIL) and the CPU shares per scenario on stdout, the
// same as markdown plus the raw numbers as JSON in the output directory.
import { cpus } from 'node:os';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownTable, textTable } from '../lib/tables.mjs';

const number = (value, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const latency = (l) => `p50 ${number(l.p50, 1)} ms, p99 ${number(l.p99, 1)} ms`;

/** The largest growth of the server's RSS during one push of a `sizeMiB` blob, with its before/peak. */
function rssGrowth(result, sizeMiB) {
  const runs = Object.values(result.push?.[sizeMiB] ?? {}).flatMap((m) => m.runs ?? []);
  if (runs.length === 0) return undefined;
  const worst = runs.reduce((a, b) => (b.rssPeakMb - b.rssBeforeMb > a.rssPeakMb - a.rssBeforeMb ? b : a));
  return { ...worst, growthMb: worst.rssPeakMb - worst.rssBeforeMb };
}

/** Pulls of blobs this large (MiB) have an absolute target: Kura sends at least {@link largePullMbPerS}. */
const largePullMiB = 512;
const largePullMbPerS = 3000;

/**
 * The rows of the comparison. `value` reads the number compared (undefined when the server has
 * no result for it); `higherIsBetter` orients the ratio; `target` is the requirement, if any;
 * `failure` reads a scenario's error note; `against` names the peer when it is not the CNCF
 * registry with htpasswd auth.
 */
function rowsFor(sizesMiB) {
  const rows = [];
  for (const size of sizesMiB) {
    for (const mode of ['monolithic', 'chunked']) {
      const pick = (r) => r.push?.[size]?.[mode];
      rows.push({
        title: `push ${size} MiB blob, ${mode}`,
        target: { minRatio: 2 },
        higherIsBetter: true,
        value: (r) => pick(r)?.medianMbPerS,
        show: (r) => `${number(pick(r).medianMbPerS, 1)} MB/s median, ${number(pick(r).bestMbPerS, 1)} best (${pick(r).runs.length} runs)`,
      });
    }
  }
  for (const size of sizesMiB) {
    const pick = (r) => r.pull?.[size];
    rows.push({
      title: `pull ${size} MiB blob`,
      target: size >= largePullMiB ? { kuraAtLeast: largePullMbPerS, unit: 'MB/s' } : { minRatio: 1 },
      higherIsBetter: true,
      value: (r) => (pick(r)?.mode === 'concurrent' ? pick(r).mbPerS : pick(r)?.medianMbPerS),
      failure: (r) => pick(r)?.failure,
      show: (r) => {
        const p = pick(r);
        return p.mode === 'concurrent'
          ? `${number(p.mbPerS, 1)} MB/s, ${number(p.rps)} req/s over ${p.connections} connections (${latency(p.latencyMs)})`
          : `${number(p.medianMbPerS, 1)} MB/s median, ${number(p.bestMbPerS, 1)} best (${p.runs.length} runs, 1 connection)`;
      },
    });
  }
  rows.push(
    {
      title: 'manifest GETs by tag',
      higherIsBetter: true,
      value: (r) => r.manifestGet?.rps,
      failure: (r) => r.manifestGet?.failure,
      show: (r) => `${number(r.manifestGet.rps)} req/s (${latency(r.manifestGet.latencyMs)})`,
    },
    {
      title: 'manifest PUTs',
      higherIsBetter: true,
      value: (r) => r.manifestPut?.perS,
      show: (r) => `${number(r.manifestPut.perS)} /s over ${r.manifestPut.connections} connections (${latency(r.manifestPut.latencyMs)})`,
    },
    {
      title: 'tags list GETs',
      higherIsBetter: true,
      value: (r) => r.tagsList?.rps,
      failure: (r) => r.tagsList?.failure,
      show: (r) => `${number(r.tagsList.rps)} req/s (${latency(r.tagsList.latencyMs)})`,
    },
    {
      title: 'manifest GETs by tag, vs the registry without auth',
      against: 'registry-anonymous',
      target: { minRatio: 5 },
      higherIsBetter: true,
      value: (r) => r.manifestGet?.rps,
      failure: (r) => r.manifestGet?.failure,
      show: (r) => `${number(r.manifestGet.rps)} req/s (${latency(r.manifestGet.latencyMs)})`,
    },
    {
      title: 'tags list GETs, vs the registry without auth',
      against: 'registry-anonymous',
      higherIsBetter: true,
      value: (r) => r.tagsList?.rps,
      failure: (r) => r.tagsList?.failure,
      show: (r) => `${number(r.tagsList.rps)} req/s (${latency(r.tagsList.latencyMs)})`,
    },
    {
      title: 'skopeo copy, 3-layer image (best)',
      value: (r) => r.skopeo?.best,
      show: (r) => `${number(r.skopeo.best, 2)} s (runs: ${r.skopeo.runs.map((t) => number(t, 2)).join(', ')})`,
    },
  );
  const largest = sizesMiB[sizesMiB.length - 1];
  rows.push(
    {
      title: `RSS growth while pushing ${largest} MiB`,
      target: { kuraBelow: 32, unit: 'MiB' },
      value: (r) => rssGrowth(r, largest)?.growthMb,
      show: (r) => {
        const g = rssGrowth(r, largest);
        return `+${number(g.growthMb, 1)} MiB (${number(g.rssBeforeMb, 1)} before, ${number(g.rssPeakMb, 1)} peak)`;
      },
    },
    { title: 'server max RSS', value: (r) => r.rss?.maxMb, show: (r) => `${number(r.rss.maxMb, 1)} MiB` },
  );
  return rows;
}

function targetText(target) {
  if (!target) return '';
  if (target.minRatio !== undefined) return `≥ ${target.minRatio}×`;
  if (target.kuraAtLeast !== undefined) return `Kura ≥ ${number(target.kuraAtLeast)} ${target.unit}`;
  return `Kura < ${target.kuraBelow} ${target.unit}`;
}

/** One row of the comparison as data: values, ratio (Kura / registry) and verdict. */
function compare(row, kura, peer) {
  const k = row.value(kura);
  const p = row.value(peer);
  const failure = row.failure?.(kura) ?? row.failure?.(peer);
  const ratio = k !== undefined && p !== undefined && p > 0 ? k / p : undefined;
  let verdict = '';
  if (row.target) {
    if (failure) verdict = 'ERROR';
    else if (row.target.kuraBelow !== undefined) verdict = k === undefined ? 'n/a' : k < row.target.kuraBelow ? 'PASS' : 'FAIL';
    else if (row.target.kuraAtLeast !== undefined) verdict = k === undefined ? 'n/a' : k >= row.target.kuraAtLeast ? 'PASS' : 'FAIL';
    else if (ratio === undefined) verdict = 'n/a';
    else verdict = ratio >= row.target.minRatio ? 'PASS' : 'FAIL';
  }
  return {
    scenario: row.title,
    kura: k,
    peer: p,
    kuraText: k === undefined ? '—' : row.show(kura),
    peerText: p === undefined ? '—' : row.show(peer),
    ratio,
    ratioText: ratio === undefined ? '—' : `${number(ratio, 2)}×${row.higherIsBetter ? '' : ' (lower is better)'}`,
    target: targetText(row.target),
    verdict,
    ...(failure ? { failure } : {}),
  };
}

/** Every measured scenario with its CPU shares: [title, result → the object holding them]. */
function cpuScenarios(sizesMiB) {
  return [
    ...sizesMiB.flatMap((size) => ['monolithic', 'chunked'].map((mode) => [`push ${size} MiB, ${mode}`, (r) => r.push?.[size]?.[mode]])),
    ...sizesMiB.map((size) => [`pull ${size} MiB`, (r) => r.pull?.[size]]),
    ['manifest GETs', (r) => r.manifestGet],
    ['manifest PUTs', (r) => r.manifestPut],
    ['tags list GETs', (r) => r.tagsList],
  ];
}

/** Reads the Kura and CNCF registry results in `inDir`, prints the comparison and writes it to `outDir`. */
export async function report(inDir, outDir) {
  const results = [];
  for (const file of (await readdir(inDir)).filter((f) => f.endsWith('.json')).sort()) {
    results.push(JSON.parse(await readFile(join(inDir, file), 'utf8')));
  }
  const kura = results.find((r) => r.server === 'kura');
  const peer = results.find((r) => r.server === 'registry');
  if (!kura || !peer) throw new Error(`need a Kura and a CNCF registry result in ${inDir}`);
  const peers = Object.fromEntries(results.map((r) => [r.server, r]));
  const config = peer.config;
  const sizes = config.sizesMiB;

  const header = ['Scenario', kura.label, peer.label, 'Kura/registry', 'Target', 'Result'];
  const rows = rowsFor(sizes).filter((row) => peers[row.against ?? 'registry']).map((row) => compare(row, kura, peers[row.against ?? 'registry']));
  const verdicts = rows.filter((r) => r.target);
  const summary = `${verdicts.filter((r) => r.verdict === 'PASS').length} of ${verdicts.length} targets passed`;
  const table = rows.map((c) => [c.scenario, c.kuraText, c.peerText, c.ratioText, c.target, c.verdict]);

  const cpuServers = [kura, peer, ...(peers['registry-anonymous'] ? [peers['registry-anonymous']] : [])];
  const cpuHeader = ['Scenario', ...cpuServers.map((r) => r.label)];
  const cpuLines = cpuScenarios(sizes).map(([title, pick]) => [title, ...cpuServers.map((r) => {
    const s = pick(r);
    return s?.serverCpuPercent === undefined || s.serverCpuPercent === null ? '—' : `server ${s.serverCpuPercent}% / load ${s.clientCpuPercent}%`;
  })]);

  const notes = [
    'Both servers run side by side, pinned to the same core, and take turns: blob by blob for pushes and large pulls, scenario by scenario for the timed loads, who goes first alternating, so that a drift of the machine\'s speed hits both alike.',
    `Blobs: ${sizes.join(', ')} MiB of random bytes, a distinct blob for every push (runs per size and mode in the table), streamed from files; chunked pushes send ${config.chunkMiB} MiB PATCHes with Content-Range. Speeds in MB/s = 10^6 bytes/s, from the POST to the final 201 (push) or to the last body byte (pull); the targets compare medians.`,
    `Pulls: blobs up to ${config.concurrentPullMaxMiB} MiB by ${config.pullConnections} connections (Node's HTTP client) for ${config.durationS} s after ${config.warmupS} s of warm-up; larger ones by curl into /dev/null over one connection, one after another, after one warm-up pull. Every blob is first pulled once with its digest checked.`,
    `Manifest and tags-list GETs: autocannon, ${config.connections} connections, ${config.durationS} s after ${config.warmupS} s of warm-up, rotating over the ${config.tags} tags of one image (each a distinct manifest), Accept: OCI manifest, Docker schema 2. Manifest PUTs: ${config.manifestPuts} distinct manifests (each a new tag) over ${config.putConnections} connections, after 50 discarded.`,
    'skopeo copy: an OCI layout with 3 gzip\'d layers (2, 3 and 4 MiB of random bytes), fresh layers and a fresh image for every run, so each run uploads every blob; wall time of the skopeo process.',
    'Every request carries Basic credentials: Kura checks the personal access token, the CNCF registry bcrypt-checks the htpasswd password (cost 5, htpasswd -B\'s default) on every request. The rows "vs the registry without auth" compare Kura (still with credentials) with a second CNCF registry on the same storage that has no auth, read anonymously: the registry\'s own cost of serving manifests and tag lists.',
    'RSS: the server\'s VmRSS every 100 ms (MiB); the growth is the largest peak-minus-before over the pushes of the largest blob.',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}; servers pinned to one core, load generator, curl and skopeo to another (see run.sh).`,
    `Fixtures and server storage: ${peer.storage ?? 'unknown'}${peer.storage?.endsWith('(tmpfs)') ? ': in memory, so fsync and the disk cost nothing and the numbers are the servers\' own' : ''}.`,
    ...(kura.revision ? [`Kura built from commit ${kura.revision}.`] : []),
    ...results.map((r) => `${r.label}: ${r.serverCommand ?? 'unknown command'}; ${r.log ? `${number(r.log.bytes / 1e6, 1)} MB of log written` : 'no log size'}.`),
    ...(peer.loadavg ? [`Load average ${peer.loadavg.start.toFixed(2)} before, ${peer.loadavg.end.toFixed(2)} after the measurements (the run itself keeps about 2 busy; much more means other work shared the cores).`] : []),
    ...results.flatMap((r) => cpuScenarios(sizes).filter(([, pick]) => pick(r)?.clientCpuPercent >= 90)
      .map(([title]) => `${r.label}, ${title}: the load generator used a whole core, so this number is a lower bound.`)),
    ...results.filter((r) => r.error).map((r) => `${r.label} FAILED: ${r.error}`),
    ...rows.filter((r) => r.failure).map((r) => `${r.scenario}: ${r.failure}`),
  ];

  const title = `OCI registry benchmark: Kura vs ${peer.label}`;
  const cpuTitle = 'Share of a core used by the server / by the load generator during each scenario (a server well below 100% waited for its client or the disk).';
  const stdout = ['', `${kura.label} vs ${peer.label}: ${summary}`, textTable(header, table), '', cpuTitle, textTable(cpuHeader, cpuLines), '', 'Notes:', ...notes.map((n) => `- ${n}`), ''];
  const markdown = [
    `# ${title}`, '', `Run at ${new Date().toISOString()}. ${summary}.`, '', markdownTable(header, table), '',
    '## CPU', '', cpuTitle, '', markdownTable(cpuHeader, cpuLines), '',
    '## Notes', '', ...notes.map((n) => `- ${n}`), '',
  ];

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  await mkdir(outDir, { recursive: true });
  const json = JSON.stringify({ generatedAt: new Date().toISOString(), config, summary, rows, cpu: { header: cpuHeader, lines: cpuLines }, notes, results }, null, 2);
  for (const base of [`oci-${stamp}`, 'oci-latest']) {
    await writeFile(join(outDir, `${base}.json`), json);
    await writeFile(join(outDir, `${base}.md`), markdown.join('\n'));
  }
  process.stdout.write(stdout.join('\n') + '\n');
  process.stderr.write(`results written to ${join(outDir, `oci-${stamp}.json`)} and .md (also oci-latest.*)\n`);
  const failed = verdicts.some((r) => r.verdict !== 'PASS');
  return process.env.BENCH_STRICT === '1' && (failed || results.some((r) => r.error)) ? 1 : 0;
}

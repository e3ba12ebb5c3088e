// The NuGet benchmark's steps (run.sh drives them): push a package with 300 versions, then
// measure its registration index, a registration page and .nupkg downloads, against the same
// files written to a directory and served by a plain static server.
/* global fetch */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import yazl from 'yazl';
import { autocannon } from '../lib/autocannon.mjs';
import { runCommands } from '../lib/commands.mjs';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { markdownTable, textTable } from '../lib/tables.mjs';

const config = {
  versions: envNumber('BENCH_VERSIONS', 300, wholeNumber),
  durationS: envNumber('BENCH_DURATION', 10),
  warmupS: envNumber('BENCH_WARMUP', 2),
  connections: envNumber('BENCH_CONNECTIONS', 32, wholeNumber),
};
const id = 'Bench.Package';
const lower = id.toLowerCase();

function nupkg(version) {
  return new Promise((resolve) => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(`<?xml version="1.0"?>\n<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>${id}</id><version>${version}</version><authors>Bench</authors><description>A benchmark package</description><license type="expression">MIT</license><tags>bench kura</tags><repository type="git" url="http://kura.example/bench/bench" /><dependencies><group targetFramework="net6.0"><dependency id="Bench.Other" version="[1.0.0, )" /></group></dependencies></metadata></package>\n`), `${id}.nuspec`);
    zip.addBuffer(Buffer.alloc(10_000, version), `lib/net6.0/${id}.dll`);
    zip.end();
    const chunks = [];
    zip.outputStream.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function push(feed, token, bytes) {
  const boundary = 'bench';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=package; filename=package.nupkg\r\nContent-Type: application/octet-stream\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const started = performance.now();
  const response = await fetch(`${feed}/api/v2/package/`, { method: 'PUT', headers: { 'x-nuget-apikey': token, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  if (response.status !== 201) throw new Error(`push: ${response.status} ${await response.text()}`);
  return performance.now() - started;
}

async function load(origin, paths) {
  let next = 0;
  const options = { url: origin, connections: config.connections, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }] };
  await autocannon({ ...options, duration: config.warmupS });
  const result = await autocannon({ ...options, duration: config.durationS });
  if (result.non2xx || result.errors) throw new Error(`${paths[0]}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, mbPerS: result.throughput.total / result.duration / 1e6 };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

runCommands({
  measure: {
    options: ['kura', 'static', 'static-dir', 'token', 'out'],
    async run(o) {
      const feed = `${o.kura}/nuget/bench`;
      const versions = Array.from({ length: config.versions }, (_, i) => `1.0.${i}`);
      process.stderr.write(`  pushing ${config.versions} versions\n`);
      const times = [];
      for (const version of versions) times.push(await push(feed, o.token, await nupkg(version)));
      times.sort((a, b) => a - b);
      // The static side: the same documents and packages as files.
      const write = (path, bytes) => { mkdirSync(dirname(join(o['static-dir'], path)), { recursive: true }); writeFileSync(join(o['static-dir'], path), bytes); };
      const index = Buffer.from(await (await fetch(`${feed}/v3/registration/${lower}/index.json`)).arrayBuffer());
      const pages = JSON.parse(index.toString()).items;
      const pageUrl = pages[Math.min(1, pages.length - 1)]['@id'];
      const page = Buffer.from(await (await fetch(pageUrl)).arrayBuffer());
      write(`registration/${lower}/index.json`, index);
      write(`registration/${lower}/page.json`, page);
      for (const version of versions) {
        write(`flatcontainer/${lower}/${version}/${lower}.${version}.nupkg`, Buffer.from(await (await fetch(`${feed}/v3/flatcontainer/${lower}/${version}/${lower}.${version}.nupkg`)).arrayBuffer()));
      }
      const nupkgs = versions.map((v) => `/flatcontainer/${lower}/${v}/${lower}.${v}.nupkg`);
      process.stderr.write('  load\n');
      const kura = {
        index: await load(o.kura, [`/nuget/bench/v3/registration/${lower}/index.json`]),
        page: await load(o.kura, [new URL(pageUrl).pathname]),
        nupkg: await load(o.kura, nupkgs.map((p) => `/nuget/bench/v3${p}`)),
        versions: await load(o.kura, [`/nuget/bench/v3/flatcontainer/${lower}/index.json`]),
      };
      const peer = {
        index: await load(o.static, [`/registration/${lower}/index.json`]),
        page: await load(o.static, [`/registration/${lower}/page.json`]),
        nupkg: await load(o.static, nupkgs),
      };
      const rows = [
        [`push p50 (${config.versions} versions, one after another)`, `${fmt(times[Math.floor(times.length / 2)], 1)} ms`, '', ''],
        ['registration index (3 linked pages)', `${fmt(kura.index.rps)} req/s (p50 ${kura.index.p50} ms)`, `${fmt(peer.index.rps)} req/s`, `${fmt(kura.index.rps / peer.index.rps, 2)}×`],
        ['registration page (128 leaves)', `${fmt(kura.page.rps)} req/s (p50 ${kura.page.p50} ms, ${fmt(kura.page.mbPerS, 1)} MB/s)`, `${fmt(peer.page.rps)} req/s`, `${fmt(kura.page.rps / peer.page.rps, 2)}×`],
        ['flat-container .nupkg', `${fmt(kura.nupkg.rps)} req/s (p50 ${kura.nupkg.p50} ms)`, `${fmt(peer.nupkg.rps)} req/s`, `${fmt(kura.nupkg.rps / peer.nupkg.rps, 2)}×`],
        ['flat-container version list', `${fmt(kura.versions.rps)} req/s`, '', ''],
      ];
      const header = ['scenario', 'Kura', 'static files', 'Kura/static'];
      writeFileSync(o.out, JSON.stringify({ config, push: { p50: times[Math.floor(times.length / 2)] }, kura, peer }, null, 2));
      writeFileSync(o.out.replace(/\.json$/, '.md'), `# NuGet benchmark: Kura vs the same files served statically\n\nRun at ${new Date().toISOString()}.\n\n${markdownTable(header, rows)}\n`);
      process.stdout.write(`${textTable(header, rows)}\n`);
      return 0;
    },
  },
});

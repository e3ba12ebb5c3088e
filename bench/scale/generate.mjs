// Fills a fresh Kura data directory with BENCH_SCALE_PACKAGES packages and BENCH_SCALE_VERSIONS
// versions over npm, Maven, containers, RubyGems and NuGet, in minutes rather than the hours HTTP
// publishes would take:
//   1. `kura serve` runs on the directory and one template package per format is published
//      through its own protocol (templates.mjs), so every row cloned is one Kura wrote;
//   2. the server stops, and the template rows are cloned straight into SQLite (better-sqlite3,
//      prepared statements, large transactions): owners, repositories, packages, versions with
//      their metadata rewritten for the clone's owner, name and version, files pointing at the
//      templates' blobs, tags, the dependency index, audit rows and each format's own tables;
//   3. indexes dropped for the load are rebuilt, ANALYZE runs, and the data set's description
//      (counts, sizes, the packages the benchmark probes) goes to DATA/scale-dataset.json.
// Usage: node bench/scale/generate.mjs --data DIR   (DIR must not exist or be empty)
// Knobs: BENCH_SCALE_PACKAGES (100000), BENCH_SCALE_VERSIONS (1000000), BENCH_SCALE_BIG_NPM
// (10000: versions of the one large npm package, 0 for none), BENCH_SCALE_BIG_IMAGE (5000:
// manifests and tags of the one large image), BENCH_SCALE_SEED (1). See bench/README.md.
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '../../scripts/lib/free-port.js';
import { stopProcess } from '../../scripts/lib/stop-process.js';
import { envNumber, wholeNumber } from '../lib/knobs.mjs';
import { capitalize, containerManifest, publishTemplates, tokens } from './templates.mjs';

const root = new URL('../..', import.meta.url).pathname;
const Database = createRequire(join(root, 'package.json'))('better-sqlite3');

/** Changes whenever the same settings would generate different data (a kept data set is then made again). */
export const generatorVersion = 2;
/** Share of the packages each format gets. */
export const formatShares = [['npm', 0.4], ['maven', 0.2], ['container', 0.15], ['rubygems', 0.125], ['nuget', 0.125]];
/** Packages per owner (each owner is a user with one public repository per 10 packages). */
const packagesPerOwner = 50;
const packagesPerRepo = 10;
/** Typical packages (5–20 versions) the benchmark may probe, per format. */
const probesPerFormat = 200;

/**
 * A made-up word of two or three syllables, the same for the same number: names as varied as a
 * real registry's (search indexes see many distinct letter sequences, not a few repeated words).
 */
function word(n) {
  const syllables = [];
  for (const c of 'bdfgklmnprstvz') for (const v of 'aeiou') syllables.push(c + v);
  let x = Math.imul((n + 1) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  const length = 2 + (x % 2);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += syllables[x % syllables.length];
    x = Math.floor(x / syllables.length) + Math.imul(i + 7, 0x27d4eb2d);
    x >>>= 0;
  }
  return out;
}

const say = (line) => process.stderr.write(`[generate] ${line}\n`);
const fmt = (n) => n.toLocaleString('en-US');

/** mulberry32: a small deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The version label of a package's i-th version (0-based): 1.0.0, 1.0.1, …, 1.0.9, 1.1.0, … */
export const versionLabel = (i) => {
  const v = i + 100;
  return `${Math.floor(v / 100)}.${Math.floor(v / 10) % 10}.${v % 10}`;
};

/**
 * How many versions each package gets: the large npm package and image first (when the total
 * allows), a few with 1,000–3,000, 2% with 21–300 (log-uniform), the rest 1–20 leaning small;
 * then nudged within those ranges until the sum is exactly `total`.
 */
export function versionCounts(packages, total, { bigNpm, bigImage, random }) {
  const counts = new Array(packages);
  const fixed = new Set();
  const big = [];
  if (bigNpm > 0 && bigNpm <= total / 10) big.push(['npm', bigNpm]);
  if (bigImage > 0 && bigImage <= total / 10) big.push(['container', bigImage]);
  for (let i = 0; i < packages; i++) {
    const r = random();
    if (r < 0.0002 && total >= 100_000) counts[i] = 1000 + Math.floor(random() * 2000);
    else if (r < 0.02) counts[i] = Math.floor(Math.exp(Math.log(21) + random() * (Math.log(300) - Math.log(21))));
    else counts[i] = Math.min(20, 1 + Math.floor(20 * random() ** 2));
  }
  const bigVersions = big.reduce((a, [, n]) => a + n, 0);
  if (total - bigVersions < packages - big.length) throw new Error(`${fmt(total)} versions cannot fill ${fmt(packages)} packages`);
  // The large packages take slots 0 and 1 (their formats are set by the caller).
  big.forEach(([, n], slot) => { counts[slot] = n; fixed.add(slot); });
  let sum = counts.reduce((a, b) => a + b, 0);
  const want = total;
  const pick = () => Math.floor(random() * packages);
  let guard = 0;
  while (sum !== want) {
    if (++guard > 100_000_000) throw new Error('could not fit the version counts');
    const i = pick();
    if (fixed.has(i)) continue;
    if (sum < want) {
      const room = (counts[i] <= 20 ? 20 : counts[i] <= 300 ? 300 : 3000) - counts[i];
      const add = Math.min(room, want - sum, Math.max(1, Math.floor((want - sum) / packages)));
      if (add <= 0) continue;
      counts[i] += add;
      sum += add;
    } else if (counts[i] > 1) {
      const take = Math.min(counts[i] - 1, sum - want, counts[i] <= 20 ? 1 : Math.ceil(counts[i] / 10));
      counts[i] -= take;
      sum -= take;
    }
  }
  return { counts, big };
}

/**
 * Compiles a template text into a function of the substitutions: every occurrence of a key of
 * `keys` (the template's distinctive words) is replaced by `values[key]` of the call.
 */
function compiler(keys) {
  const pattern = new RegExp([...keys].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const used = new Set();
  const compile = (text) => {
    if (text === null) return () => null;
    const parts = [];
    const names = [];
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      parts.push(text.slice(last, match.index));
      names.push(match[0]);
      used.add(match[0]);
      last = match.index + match[0].length;
    }
    parts.push(text.slice(last));
    if (names.length === 0) return () => text;
    return (values) => {
      let out = parts[0];
      for (let i = 0; i < names.length; i++) out += values[names[i]] + parts[i + 1];
      return out;
    };
  };
  /** The keys found in the texts compiled so far (and forgets them). */
  compile.used = () => {
    const found = [...used];
    used.clear();
    return found;
  };
  return compile;
}

function sizeOf(path) {
  let total = 0;
  let files = 0;
  const walk = (p) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else { total += s.blocks * 512; files++; }
  };
  if (existsSync(path)) walk(path);
  return { bytes: total, files };
}

/** Database and blob store sizes of a data directory (bytes on disk). */
export function dataSizes(data) {
  const file = (name) => (existsSync(join(data, name)) ? statSync(join(data, name)).size : 0);
  const blobs = sizeOf(join(data, 'blobs'));
  return { sqliteBytes: file('kura.db') + file('kura.db-wal'), blobBytes: blobs.bytes, blobFiles: blobs.files };
}

function kuraCli(data, args) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'kura.js'), ...args, '--data', data], { encoding: 'utf8', env: { ...process.env, KURA_LOG_LEVEL: 'warn' } });
  if (result.status !== 0) throw new Error(`kura ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Starts `kura serve` on `data`, publishes the templates, stops it. */
async function publishTemplateRows(data) {
  kuraCli(data, ['user', 'create', tokens.owner]);
  kuraCli(data, ['repo', 'create', `${tokens.owner}/${tokens.repo}`]);
  const token = kuraCli(data, ['token', 'create', '--user', tokens.owner, '--scopes', 'read:packages,write:packages', '--name', 'templates']);
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin', 'kura.js'), 'serve', '--data', data, '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KURA_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
      if (i > 300 || child.exitCode !== null) throw new Error(`kura serve did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return await publishTemplates(base, token);
  } finally {
    await stopProcess(child);
  }
}

/** Everything Kura wrote for one template package, by format. */
function readTemplates(db) {
  const owner = db.prepare('select * from owners where login_lower = ?').get(tokens.owner);
  const byFormat = new Map();
  for (const pkg of db.prepare('select * from packages where owner_id = ?').all(owner.id)) {
    const versions = db.prepare('select * from versions where package_id = ?').all(pkg.id);
    if (versions.length !== 1) throw new Error(`template ${pkg.format} has ${versions.length} versions`);
    const version = versions[0];
    byFormat.set(pkg.format, {
      pkg,
      version,
      files: db.prepare('select * from files where version_id = ? order by id').all(version.id),
      tags: db.prepare('select * from tags where package_id = ?').all(pkg.id),
      dependencies: db.prepare('select * from version_dependencies where version_id = ?').all(version.id),
      audit: db.prepare("select * from audit_log where package_id = ? or (package_id is null and action like 'container.blob.%' and target = ?) order by id")
        .all(pkg.id, `${pkg.format}:${pkg.name}`),
      gems: pkg.format === 'rubygems' ? db.prepare('select * from rubygems_gems where version_id = ?').all(version.id) : [],
      manifests: pkg.format === 'container' ? db.prepare('select * from container_manifests where version_id = ?').all(version.id) : [],
      blobLinks: pkg.format === 'container' ? db.prepare('select * from container_blob_links where owner_id = ? and image = ?').all(owner.id, pkg.name) : [],
    });
  }
  for (const [format] of formatShares) if (!byFormat.has(format)) throw new Error(`no template for ${format}`);
  return { owner, byFormat };
}

/** The indexes created by CREATE INDEX (not the ones behind UNIQUE/PRIMARY KEY constraints) of `tables`. */
function droppableIndexes(db, tables) {
  return db.prepare("select name, sql from sqlite_master where type = 'index' and sql is not null").all()
    .filter((i) => tables.some((t) => new RegExp(`\\bon\\s+"?${t}"?\\s*\\(`, 'i').test(i.sql)));
}

export async function generate({ data, packages, versions, bigNpm, bigImage, seed }) {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (existsSync(data) && readdirSync(data).length > 0) throw new Error(`${data} is not empty: the generator fills a fresh data directory`);
  mkdirSync(data, { recursive: true });

  say(`publishing one template package per format through kura serve (${data})`);
  const { container: image } = await publishTemplateRows(data);

  const random = prng(seed);
  const { counts, big } = versionCounts(packages, versions, { bigNpm, bigImage, random });
  // Formats by share, shuffled; the large packages keep their slots' formats.
  const formats = [];
  for (const [format, share] of formatShares) for (let i = 0; i < Math.round(packages * share); i++) formats.push(format);
  while (formats.length < packages) formats.push('npm');
  formats.length = packages;
  for (let i = formats.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [formats[i], formats[j]] = [formats[j], formats[i]];
  }
  big.forEach(([format], slot) => {
    const other = formats.findIndex((f, i) => i >= big.length && f === format);
    if (formats[slot] !== format && other >= 0) [formats[slot], formats[other]] = [formats[other], formats[slot]];
  });

  const db = new Database(join(data, 'kura.db'));
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -262144');
  db.pragma('temp_store = MEMORY');
  const templates = readTemplates(db);
  const tables = ['owners', 'repositories', 'packages', 'versions', 'files', 'blobs', 'tags', 'version_dependencies', 'audit_log', 'rubygems_gems', 'container_manifests', 'container_blob_links'];
  const indexes = droppableIndexes(db, tables);
  for (const index of indexes) db.exec(`drop index "${index.name}"`);

  // Owners and their repositories.
  const ownerCount = Math.max(1, Math.ceil(packages / packagesPerOwner));
  const ownerOf = (p) => p % ownerCount;
  const ownerLogin = (o) => `${word(o + 1_000_000)}-${o}`;
  const baseName = (p) => `${word(2 * p)}-${word(2 * p + 1)}-${p.toString(36)}`;
  const epoch = Date.parse('2021-01-01T00:00:00Z');
  const at = (ms) => new Date(epoch + ms).toISOString();
  const insertOwner = db.prepare('insert into owners (login, login_lower, kind, email, password_hash, is_admin, public_packages_by_default, created_at) values (?, ?, \'user\', ?, null, 0, 0, ?)');
  const insertRepo = db.prepare('insert into repositories (owner_id, name, name_lower, visibility, description, created_at) values (?, ?, ?, \'public\', ?, ?)');
  const ownerIds = new Array(ownerCount);
  const repoIds = new Array(ownerCount);
  const reposOf = (o) => Math.max(1, Math.ceil(Math.ceil((packages - o) / ownerCount) / packagesPerRepo));
  db.transaction(() => {
    for (let o = 0; o < ownerCount; o++) {
      const login = ownerLogin(o);
      ownerIds[o] = Number(insertOwner.run(login, login, `${login}@example.com`, at(o * 1000)).lastInsertRowid);
      repoIds[o] = [];
      for (let r = 0; r < reposOf(o); r++) {
        const name = `${word(o * 16 + r + 2_000_000)}-${r}`;
        repoIds[o].push({ id: Number(insertRepo.run(ownerIds[o], name, name, `The ${name} project`, at(o * 1000 + r)).lastInsertRowid), name });
      }
    }
  })();
  say(`${fmt(ownerCount)} owners with ${fmt(repoIds.reduce((n, r) => n + r.length, 0))} repositories (${elapsed()})`);

  // Dependency targets: each package depends on another package of its format.
  const byFormatIndex = new Map(formatShares.map(([f]) => [f, []]));
  formats.forEach((f, p) => byFormatIndex.get(f).push(p));
  const positionInFormat = new Array(packages);
  for (const list of byFormatIndex.values()) list.forEach((p, i) => { positionInFormat[p] = i; });
  const depOf = (p) => {
    const list = byFormatIndex.get(formats[p]);
    return list.length > 1 ? list[(positionInFormat[p] + 1 + Math.floor(random() * (list.length - 1))) % list.length] : p;
  };

  // Container manifests: the clones' i-th manifest is the same bytes in every image (the template's
  // manifest with serial i), so the blob store holds as many manifests as the largest image has.
  const maxImageVersions = Math.max(0, ...counts.filter((_, p) => formats[p] === 'container'));
  const variants = [];
  const blobDir = join(data, 'blobs', 'sha256');
  const now = new Date().toISOString();
  const insertBlob = db.prepare('insert or ignore into blobs (sha256, size, sha512, sha1, md5, created_at, touched_at) values (?, ?, null, null, null, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < maxImageVersions; i++) {
      const bytes = containerManifest(image.config, image.layer, i);
      const hex = createHash('sha256').update(bytes).digest('hex');
      const path = join(blobDir, hex.slice(0, 2), hex.slice(2, 4), hex);
      if (!existsSync(path)) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, bytes);
      }
      insertBlob.run(hex, bytes.length, now, now);
      variants.push({ hex, size: bytes.length });
    }
  })();
  if (maxImageVersions > 0) say(`${fmt(maxImageVersions)} distinct container manifests written to the blob store (${elapsed()})`);

  // Compiled templates per format.
  const tmplContainer = templates.byFormat.get('container');
  const tmplDigestHex = tmplContainer.version.version.slice('sha256:'.length);
  if (tmplDigestHex !== variants[0]?.hex && maxImageVersions > 0) throw new Error('the container template is not the manifest with serial 0');
  const tmplMeta = JSON.parse(tmplContainer.version.metadata);
  const keys = [
    tokens.owner, capitalize(tokens.owner), tokens.repo, tokens.name, capitalize(tokens.name), tokens.depOwner, capitalize(tokens.depOwner),
    tokens.depName, capitalize(tokens.depName), tokens.version, tmplDigestHex, `"size":${tmplMeta.size},`, `"totalSize":${tmplMeta.totalSize},`,
    ',"created":true', ...[...templates.byFormat.values()].map((t) => `"versionId":${t.version.id}`),
  ];
  const compile = compiler(keys);
  const plans = new Map();
  for (const [format, t] of templates.byFormat) {
    const audit = t.audit.map((row) => ({ row, target: compile(row.target), meta: compile(row.meta), perPackage: row.action.startsWith('container.blob.') }));
    plans.set(format, {
      t,
      name: compile(t.pkg.name),
      description: compile(t.pkg.description),
      version: compile(t.version.version),
      metadata: compile(t.version.metadata),
      readme: compile(t.version.readme),
      vdescription: compile(t.version.description),
      license: compile(t.version.license),
      files: t.files.map((f) => ({ f, name: compile(f.name) })),
      tags: t.tags.map((tag) => ({ tag, name: compile(tag.name), moving: !tag.name.includes(tokens.version) })),
      deps: t.dependencies.map((d) => ({ d, name: compile(d.name_lower) })),
      audit,
      gems: t.gems.map((g) => ({ g, fileName: compile(g.file_name), name: compile(g.name), spec: compile(g.spec), info: compile(g.info) })),
      links: t.blobLinks.map((l) => ({ l, image: compile(l.image) })),
    });
    // The manifest's digest and sizes are the container template's alone; `created` only npm,
    // NuGet and container publishes record. A key found elsewhere would be rewritten wrongly.
    const found = compile.used();
    const own = format === 'container' ? [] : [tmplDigestHex, `"size":${tmplMeta.size},`, `"totalSize":${tmplMeta.totalSize},`];
    const stray = found.filter((k) => own.includes(k) || (k.startsWith('"versionId":') && k !== `"versionId":${t.version.id}`));
    if (stray.length > 0) throw new Error(`the ${format} template unexpectedly contains ${stray.join(', ')}`);
  }

  const insertPackage = db.prepare('insert into packages (owner_id, format, name, name_lower, repo_id, visibility, description, rev, created_at, updated_at, deleted_at, inherit_access) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?)');
  const insertVersion = db.prepare('insert into versions (package_id, version, metadata, readme, description, license, deprecated, publisher_id, download_count, created_at, deleted_at, purged_at) values (?, ?, ?, ?, ?, ?, null, ?, 0, ?, null, null)');
  const insertFile = db.prepare('insert into files (version_id, name, blob_sha256, size, content_type, created_at) values (?, ?, ?, ?, ?, ?)');
  const insertTag = db.prepare('insert into tags (package_id, name, version_id, updated_at) values (?, ?, ?, ?)');
  const insertDep = db.prepare('insert into version_dependencies (version_id, ecosystem, name_lower, range, scope) values (?, ?, ?, ?, ?)');
  const insertAudit = db.prepare('insert into audit_log (actor_id, action, target, meta, created_at, owner_id, repo_id, package_id) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const insertGem = db.prepare('insert into rubygems_gems (owner_id, package_id, version_id, file_name, name, version, platform, prerelease, sha256, size, spec, info, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertManifest = db.prepare('insert into container_manifests (version_id, package_id, digest, blob_sha256, media_type, artifact_type, size, subject_digest, annotations, children, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertLink = db.prepare('insert into container_blob_links (owner_id, image, digest, blob_sha256, size, created_at) values (?, ?, ?, ?, ?, ?)');

  const perFormat = Object.fromEntries(formatShares.map(([f]) => [f, { packages: 0, versions: 0 }]));
  const typical = Object.fromEntries(formatShares.map(([f]) => [f, []]));
  const specials = {};
  let versionTotal = 0;
  const values = {};
  const batch = 2000;
  const hour = 3_600_000;

  const clonePackage = (p) => {
    const format = formats[p];
    const plan = plans.get(format);
    const { t } = plan;
    const o = ownerOf(p);
    const owner = ownerLogin(o);
    const repos = repoIds[o];
    const repo = repos[Math.floor(p / ownerCount) % repos.length];
    const base = baseName(p);
    const dep = depOf(p);
    const depOwner = ownerLogin(ownerOf(dep));
    const depBase = baseName(dep);
    values[tokens.owner] = owner;
    values[capitalize(tokens.owner)] = capitalize(owner);
    values[tokens.repo] = repo.name;
    values[tokens.name] = base;
    values[capitalize(tokens.name)] = capitalize(base);
    values[tokens.depOwner] = depOwner;
    values[capitalize(tokens.depOwner)] = capitalize(depOwner);
    values[tokens.depName] = depBase;
    values[capitalize(tokens.depName)] = capitalize(depBase);
    values[tokens.version] = versionLabel(counts[p] - 1);
    const n = counts[p];
    // Versions a few hours apart, packages spread over four years.
    const start = Math.floor(((p * 2654435761) % 1_000_000) / 1_000_000 * 4 * 8760 * hour);
    const created = (i) => at(start + i * 5 * hour + (p % 3600) * 1000);
    const name = plan.name(values);
    const ownerId = ownerIds[o];
    const packageId = Number(insertPackage.run(ownerId, format, name, name.toLowerCase(), repo.id, t.pkg.visibility, plan.description(values),
      n + 1, created(0), created(n - 1), t.pkg.inherit_access).lastInsertRowid);
    let newest = null;
    for (let i = 0; i < n; i++) {
      const label = versionLabel(i);
      const when = created(i);
      values[tokens.version] = label;
      values[',"created":true'] = i === 0 ? ',"created":true' : '';
      let variant = null;
      if (format === 'container') {
        variant = variants[i];
        values[tmplDigestHex] = variant.hex;
        values[`"size":${tmplMeta.size},`] = `"size":${variant.size},`;
        values[`"totalSize":${tmplMeta.totalSize},`] = `"totalSize":${tmplMeta.totalSize - tmplMeta.size + variant.size},`;
      }
      const versionId = Number(insertVersion.run(packageId, plan.version(values), plan.metadata(values), plan.readme(values), plan.vdescription(values),
        plan.license(values), ownerId, when).lastInsertRowid);
      values[`"versionId":${t.version.id}`] = `"versionId":${versionId}`;
      for (const { f, name: fileName } of plan.files) {
        const isManifest = variant && f.blob_sha256 === tmplDigestHex;
        insertFile.run(versionId, fileName(values), isManifest ? variant.hex : f.blob_sha256, isManifest ? variant.size : f.size, f.content_type, when);
      }
      for (const { d, name: depName } of plan.deps) insertDep.run(versionId, d.ecosystem, depName(values), d.range, d.scope);
      for (const { g, fileName, name: gemName, spec, info } of plan.gems) {
        insertGem.run(ownerId, packageId, versionId, fileName(values), gemName(values), label, g.platform, g.prerelease, g.sha256, g.size, spec(values), info(values), when);
      }
      for (const m of t.manifests) {
        insertManifest.run(versionId, packageId, `sha256:${variant.hex}`, variant.hex, m.media_type, m.artifact_type, variant.size, m.subject_digest, m.annotations, m.children, when);
      }
      for (const { name: tagName, moving } of plan.tags) if (!moving) insertTag.run(packageId, tagName(values), versionId, when);
      for (const { row, target, meta, perPackage } of plan.audit) {
        if (perPackage && i > 0) continue;
        insertAudit.run(ownerId, row.action, target(values), meta(values), when, ownerId, row.package_id === null ? null : repo.id, row.package_id === null ? null : packageId);
      }
      newest = { versionId, when, label };
    }
    // Tags that follow the newest version (npm latest, Maven latest/release, gem and NuGet latest);
    // an image's `latest` too, as a push of the newest build would.
    const moving = plan.tags.filter((x) => x.moving).map((x) => x.tag.name);
    if (format === 'container') moving.push('latest');
    for (const tagName of moving) insertTag.run(packageId, tagName, newest.versionId, newest.when);
    for (const { l, image: imageName } of plan.links) insertLink.run(ownerId, imageName(values), l.digest, l.blob_sha256, l.size, created(0));
    perFormat[format].packages++;
    perFormat[format].versions += n;
    versionTotal += n;
    const described = { owner, repo: repo.name, name, base, versions: n, newest: newest.label, newestVersion: format === 'container' ? `sha256:${variants[n - 1].hex}` : newest.label };
    if (p < big.length) specials[format] = described;
    else if (n >= 5 && n <= 20) typical[format].push(described);
  };

  for (let from = 0; from < packages; from += batch) {
    db.transaction(() => {
      for (let p = from; p < Math.min(packages, from + batch); p++) clonePackage(p);
    })();
    if ((from / batch) % 5 === 4 || from + batch >= packages) say(`${fmt(Math.min(packages, from + batch))} packages, ${fmt(versionTotal)} versions (${elapsed()})`);
  }

  // Probes: up to probesPerFormat typical packages per format, spread evenly over all of them.
  const probes = Object.fromEntries(Object.entries(typical).map(([format, list]) => {
    const step = Math.max(1, list.length / probesPerFormat);
    return [format, Array.from({ length: Math.min(probesPerFormat, list.length) }, (_, i) => list[Math.floor(i * step)])];
  }));

  // Publish targets: the typical npm packages (up to 10) of the owner who has the most.
  const npmByOwner = new Map();
  for (const d of typical.npm) npmByOwner.set(d.owner, [...(npmByOwner.get(d.owner) ?? []), d]);
  const publishTargets = [...npmByOwner.values()].sort((a, b) => b.length - a.length)[0]?.slice(0, 10) ?? [];

  say(`rebuilding ${indexes.length} indexes (${elapsed()})`);
  for (const index of indexes) db.exec(index.sql);
  say(`ANALYZE (${elapsed()})`);
  db.exec('ANALYZE');
  db.pragma('locking_mode = NORMAL');
  db.pragma('journal_mode = WAL');
  const rowCounts = Object.fromEntries(tables.map((t) => [t, db.prepare(`select count(*) as n from ${t}`).get().n]));
  db.close();

  const seconds = (performance.now() - started) / 1000;
  const sizes = dataSizes(data);
  const dataset = {
    generator: generatorVersion,
    generatedAt: new Date().toISOString(),
    config: { packages, versions, bigNpm, bigImage, seed },
    seconds,
    perFormat,
    total: { packages, versions: versionTotal, owners: ownerCount },
    templates: Object.fromEntries([...templates.byFormat].map(([f, t]) => [f, { owner: tokens.owner, name: t.pkg.name, version: t.version.version }])),
    specials,
    probes,
    publishTargets,
    rows: rowCounts,
    sizes,
  };
  writeFileSync(join(data, 'scale-dataset.json'), JSON.stringify(dataset, null, 2));
  return dataset;
}

export function printSummary(dataset, write = (line) => process.stdout.write(`${line}\n`)) {
  const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  write(`generated ${fmt(dataset.total.packages)} packages and ${fmt(dataset.total.versions)} versions for ${fmt(dataset.total.owners)} owners in ${dataset.seconds.toFixed(1)} s`);
  for (const [format, c] of Object.entries(dataset.perFormat)) write(`  ${format.padEnd(10)} ${fmt(c.packages).padStart(9)} packages ${fmt(c.versions).padStart(11)} versions`);
  for (const [format, s] of Object.entries(dataset.specials)) write(`  large ${format}: ${s.name} of ${s.owner}, ${fmt(s.versions)} versions`);
  write(`  rows: ${Object.entries(dataset.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}`);
  write(`  SQLite file ${mb(dataset.sizes.sqliteBytes)}, blob store ${mb(dataset.sizes.blobBytes)} in ${fmt(dataset.sizes.blobFiles)} files`);
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const { values: args } = parseArgs({ options: { data: { type: 'string' } } });
  if (!args.data) {
    process.stderr.write('usage: node bench/scale/generate.mjs --data DIR\n');
    process.exit(2);
  }
  const config = {
    data: resolve(args.data),
    packages: envNumber('BENCH_SCALE_PACKAGES', 100_000, wholeNumber),
    versions: envNumber('BENCH_SCALE_VERSIONS', 1_000_000, wholeNumber),
    bigNpm: process.env.BENCH_SCALE_BIG_NPM === '0' ? 0 : envNumber('BENCH_SCALE_BIG_NPM', 10_000, wholeNumber),
    bigImage: process.env.BENCH_SCALE_BIG_IMAGE === '0' ? 0 : envNumber('BENCH_SCALE_BIG_IMAGE', 5_000, wholeNumber),
    seed: envNumber('BENCH_SCALE_SEED', 1, wholeNumber),
  };
  generate(config).then((dataset) => printSummary(dataset), (error) => {
    process.stderr.write(`generate: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}

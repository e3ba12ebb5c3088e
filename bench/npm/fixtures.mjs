// Benchmark data: npm tarballs generated once per run and published, byte for byte, to every
// server under test, plus the npm publish request body that carries them.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../lib/tar-archive.mjs';

export const scope = 'bench';
/** Every package links to this repository; Kura makes a linked package follow the repository's visibility. */
export const repositoryUrl = 'http://127.0.0.1/bench/bench.git';
/** npm's fixed tarball mtime (1985-10-26T08:15:00Z), so identical inputs give identical bytes. */
const tarMtime = new Date('1985-10-26T08:15:00Z');

/** `@bench/pkg-007`. */
export function packageName(index) {
  return `@${scope}/pkg-${String(index).padStart(3, '0')}`;
}

/** Deterministic pseudo-random bytes: AES-CTR over zeros, keyed by `seed`. */
function pseudoRandom(seed, length) {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** A gzip'd tar of `files` (path → Buffer), laid out as `npm pack` does (`package/…`). */
function packTarball(files) {
  const entries = Object.fromEntries(Object.entries(files).map(([path, content]) => [`package/${path}`, content]));
  return gzipSync(tarOf(entries, tarMtime), { level: 9 });
}

/** The package.json written into the tarball; the publish body's version document extends it. */
function manifestFor(name, version, index) {
  return {
    name,
    version,
    description: `Benchmark package number ${index}, a small library with a typical manifest`,
    main: 'index.js',
    scripts: { test: 'node --test' },
    keywords: ['bench', 'kura', 'registry', `group-${index % 10}`],
    author: { name: 'Bench Publisher', email: 'bench@example.com' },
    license: 'MIT',
    repository: { type: 'git', url: repositoryUrl },
    engines: { node: '>=18' },
    devDependencies: { typescript: '^5.4.0', eslint: '^9.0.0' },
  };
}

function readmeFor(name) {
  return `# ${name}\n\nA package generated for the npm registry benchmark.\n\n## Usage\n\n\`\`\`js\nconst pkg = require('${name}');\n\`\`\`\n`;
}

/**
 * Builds one version's tarball. `payloadBytes` of base64 text (pseudo-random, so it barely
 * compresses) sets the tarball size; `binaryBytes` adds raw incompressible bytes.
 */
function buildTarball(name, version, index, { payloadBytes = 0, binaryBytes = 0 }) {
  const manifest = manifestFor(name, version, index);
  const files = {
    'package.json': Buffer.from(JSON.stringify(manifest, null, 2) + '\n'),
    'README.md': Buffer.from(readmeFor(name)),
    'index.js': Buffer.from(`'use strict';\nmodule.exports = { name: ${JSON.stringify(name)}, version: ${JSON.stringify(version)} };\n`),
  };
  if (payloadBytes) files['data.txt'] = Buffer.from(pseudoRandom(`${name}@${version}`, Math.ceil(payloadBytes * 0.75)).toString('base64').slice(0, payloadBytes));
  if (binaryBytes) files['blob.bin'] = pseudoRandom(`${name}@${version}:bin`, binaryBytes);
  const tarball = packTarball(files);
  return {
    manifest,
    tarball,
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    shasum: createHash('sha1').update(tarball).digest('hex'),
  };
}

/** Writes every tarball of the run under `dir` and returns the index (also saved as `dir/fixtures.json`). */
export async function generateFixtures(dir, { packages, versions, publishes, largeBytes }) {
  await mkdir(join(dir, 'tgz'), { recursive: true });
  const write = async (name, version, index, sizes) => {
    const built = buildTarball(name, version, index, sizes);
    const file = `${name.slice(1).replace('/', '__')}-${version}.tgz`;
    await writeFile(join(dir, 'tgz', file), built.tarball);
    return { name, version, index, file, size: built.tarball.length, integrity: built.integrity, shasum: built.shasum, manifest: built.manifest };
  };
  // ~13 KB of base64 text gzips to a ~10 KB tarball.
  const small = { payloadBytes: 13_000 };
  const seed = [];
  for (let p = 0; p < packages; p++) {
    const name = packageName(p);
    const list = [];
    for (let v = 0; v < versions; v++) list.push(await write(name, `1.0.${v}`, p, small));
    seed.push({ name, versions: list });
  }
  // Fresh versions for the publish-latency scenario, one per package in turn (2.0.0, then 2.0.1, …).
  const fresh = [];
  for (let k = 0; k < publishes; k++) {
    const p = k % packages;
    fresh.push(await write(packageName(p), `2.0.${Math.floor(k / packages)}`, p, small));
  }
  const large = await write(`@${scope}/large`, '1.0.0', 0, { binaryBytes: largeBytes });
  const index = { packages: seed, publishes: fresh, large };
  await writeFile(join(dir, 'fixtures.json'), JSON.stringify(index));
  return index;
}

export async function loadFixtures(dir) {
  return JSON.parse(await readFile(join(dir, 'fixtures.json'), 'utf8'));
}

export async function readTarball(dir, fixture) {
  return readFile(join(dir, 'tgz', fixture.file));
}

/**
 * The body `npm publish` PUTs to `REGISTRY/@scope%2fname`: the packument with one version and
 * the tarball as a base64 `_attachments` entry (what libnpmpublish sends).
 */
export function publishBody(registry, fixture, tarball) {
  const { name, version } = fixture;
  const bare = name.split('/')[1];
  const versionDoc = {
    ...fixture.manifest,
    readme: readmeFor(name),
    readmeFilename: 'README.md',
    _id: `${name}@${version}`,
    _nodeVersion: process.versions.node,
    _npmVersion: '11.0.0',
    dist: {
      integrity: fixture.integrity,
      shasum: fixture.shasum,
      tarball: `${registry}/${name}/-/${bare}-${version}.tgz`,
    },
  };
  return Buffer.from(JSON.stringify({
    _id: name,
    name,
    description: fixture.manifest.description,
    'dist-tags': { latest: version },
    versions: { [version]: versionDoc },
    access: null,
    _attachments: {
      [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length },
    },
  }));
}

// Benchmark data for the OCI registry benchmark, generated once per run and pushed, byte for
// byte, to every server under test: blob files of each size (streamed from disk when pushed,
// never held in memory), a small config and layer for the manifest scenarios, and OCI image
// layouts (three gzip'd tar layers each) for `skopeo copy`.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../lib/tar-archive.mjs';

export const MiB = 1024 * 1024;

/** How many distinct blobs of `sizeMiB` each push mode gets (each push sends new bytes). */
export function repeatsFor(sizeMiB, override) {
  if (override) return override;
  if (sizeMiB <= 8) return 10;
  if (sizeMiB <= 128) return 5;
  return 2;
}

/** A source of random bytes: AES-CTR over zeros with a fresh key, far faster than the CSPRNG. */
function randomStream() {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  return (length) => cipher.update(Buffer.alloc(length));
}

/** Writes `size` random bytes to `path` in 4 MiB pieces; returns the blob's digest. */
async function writeRandomFile(path, size, random) {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < size;) {
      const piece = random(Math.min(4 * MiB, size - written));
      hash.update(piece);
      await file.write(piece);
      written += piece.length;
    }
  } finally {
    await file.close();
  }
  return `sha256:${hash.digest('hex')}`;
}

function sha256(buffer) {
  return `sha256:${createHash('sha256').update(buffer).digest('hex')}`;
}

export const mediaTypes = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
};

/** An image config for `layers` (gzip'd tars), and the layers' descriptors. */
function imageParts(layers) {
  const config = Buffer.from(JSON.stringify({
    created: new Date().toISOString(),
    architecture: 'amd64',
    os: 'linux',
    config: { Labels: { 'org.opencontainers.image.title': 'kura benchmark image' } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created_by: 'bench/oci/fixtures.mjs' })),
  }));
  return {
    config,
    configDescriptor: { mediaType: mediaTypes.config, digest: sha256(config), size: config.length },
    layerDescriptors: layers.map((l) => ({ mediaType: mediaTypes.layer, digest: sha256(l.gzip), size: l.gzip.length })),
  };
}

/** A gzip'd single-file tar of `size` random bytes, with the digest of the tar (its diff id). */
function randomLayer(name, size, random) {
  const tar = tarOf({ [name]: random(size) });
  return { gzip: gzipSync(tar, { level: 1 }), diffId: sha256(tar) };
}

/** Writes an OCI image layout at `dir` holding one image tagged `tag`. */
async function writeLayout(dir, tag, layerSizes, random) {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  const layers = layerSizes.map((size, i) => randomLayer(`layer-${i}.bin`, size, random));
  const parts = imageParts(layers);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: mediaTypes.manifest, config: parts.configDescriptor, layers: parts.layerDescriptors,
  }));
  const put = (bytes) => writeFile(join(blobDir, sha256(bytes).slice('sha256:'.length)), bytes);
  await Promise.all([...layers.map((l) => put(l.gzip)), put(parts.config), put(manifest)]);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: mediaTypes.manifest, digest: sha256(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { dir, tag, bytes: layers.reduce((n, l) => n + l.gzip.length, 0) + parts.config.length + manifest.length };
}

/**
 * Generates everything under `dir` and writes `dir/index.json` describing it:
 * - `blobs`: per size (MiB) and push mode, `repeatsFor(size)` distinct random blob files;
 * - `small`: a config and a 4 KiB layer that the manifest scenarios' manifests reference;
 * - `layouts`: `skopeoRuns` OCI layouts with fresh layers each (2, 3 and 4 MiB), so no copy can
 *   reuse a blob an earlier one pushed.
 */
export async function generateFixtures(dir, { sizesMiB, repeats, skopeoRuns }) {
  const random = randomStream();
  await mkdir(join(dir, 'blobs'), { recursive: true });
  const blobs = {};
  for (const sizeMiB of sizesMiB) {
    blobs[sizeMiB] = {};
    for (const mode of ['monolithic', 'chunked']) {
      blobs[sizeMiB][mode] = [];
      for (let run = 0; run < repeatsFor(sizeMiB, repeats); run++) {
        const path = join(dir, 'blobs', `${sizeMiB}mib-${mode}-${run}.bin`);
        const size = Math.round(sizeMiB * MiB);
        blobs[sizeMiB][mode].push({ path, size, digest: await writeRandomFile(path, size, random) });
      }
    }
  }

  const smallLayer = randomLayer('small.bin', 4096, random);
  const small = imageParts([smallLayer]);
  await writeFile(join(dir, 'small-config.json'), small.config);
  await writeFile(join(dir, 'small-layer.tar.gz'), smallLayer.gzip);

  const layouts = [];
  for (let run = 0; run < skopeoRuns; run++) {
    layouts.push(await writeLayout(join(dir, `layout-${run}`), 'v1', [2 * MiB, 3 * MiB, 4 * MiB], random));
  }

  const index = {
    sizesMiB,
    blobs,
    small: {
      config: { path: join(dir, 'small-config.json'), descriptor: small.configDescriptor },
      layer: { path: join(dir, 'small-layer.tar.gz'), descriptor: small.layerDescriptors[0] },
    },
    layouts,
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index, null, 2));
  return index;
}

export async function loadFixtures(dir) {
  return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
}

/** An image manifest referencing the small config and layer, made distinct by `sequence`. */
export function smallManifest(small, sequence) {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.manifest,
    config: small.config.descriptor,
    layers: [small.layer.descriptor],
    annotations: { 'org.example.bench.sequence': String(sequence) },
  }));
}

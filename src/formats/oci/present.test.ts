import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factLabelled, oddValues, presentInput } from '../../../test/support/present-input.js';
import { digestOf } from './digests.js';
import type { ConfigFacts } from './image-facts.js';
import { parseManifest } from './manifest.js';
import { mediaTypes } from './media-types.js';
import { presentImageVersion } from './present.js';
import { describeVersion } from './version-metadata.js';

const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;

/** The metadata Kura stores for a pushed manifest, and its digest. */
function stored(manifest: Record<string, unknown>, config: ConfigFacts = { platform: null, created: null, labels: {} }) {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, ...manifest }));
  const parsed = parseManifest(body, manifest['mediaType'] as string);
  const manifestDigest = digestOf('sha256', body);
  return { digest: manifestDigest.text, metadata: JSON.parse(JSON.stringify(describeVersion(parsed, manifestDigest, body.length, config).metadata)) as Record<string, unknown> };
}

const image = stored({
  mediaType: mediaTypes.ociManifest,
  config: { mediaType: mediaTypes.ociImageConfig, digest: digest('c'), size: 1_469 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('1'), size: 3_623_807 },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('2'), size: 12_000_000 },
  ],
  annotations: {
    'org.opencontainers.image.source': 'https://github.com/alice/web.git',
    'org.opencontainers.image.revision': '4f1c2a9e0b7d',
    'org.opencontainers.image.version': '1.4.2',
  },
}, {
  platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  created: '2026-03-01T12:30:05.123456789Z',
  labels: {
    'org.opencontainers.image.title': 'Web',
    'org.opencontainers.image.description': 'The web front end',
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.url': 'https://web.example.com',
    'org.opencontainers.image.documentation': 'javascript:alert(1)',
    'org.opencontainers.image.vendor': 'Alice Ltd',
    'org.opencontainers.image.authors': 'Alice <alice@example.com>',
  },
});

const present = (metadata: unknown, version = image.digest) => presentImageVersion(presentInput('container', 'web', version, metadata, ['latest'])).details;

describe('container page facts', () => {
  it('shows an image’s annotations, digest, media type, platform, size, layers and build time in reading order', () => {
    const details = present(image.metadata);
    assert.deepEqual(details.map((f) => f.label), [
      'Title', 'Version', 'Description', 'Digest', 'Media type', 'Platforms', 'Total size', 'Layers', 'Created',
      'Repository', 'Homepage', 'Revision', 'Vendor', 'Authors', 'Licenses',
    ]);
    assert.deepEqual(factLabelled(details, 'Title'), { label: 'Title', kind: 'text', text: 'Web' });
    assert.deepEqual(factLabelled(details, 'Version'), { label: 'Version', kind: 'text', text: '1.4.2' });
    assert.deepEqual(factLabelled(details, 'Digest'), { label: 'Digest', kind: 'code', text: image.digest });
    assert.deepEqual(factLabelled(details, 'Media type'), { label: 'Media type', kind: 'text', text: 'OCI image manifest (application/vnd.oci.image.manifest.v1+json)' });
    assert.deepEqual(factLabelled(details, 'Platforms'), { label: 'Platforms', kind: 'labels', items: [{ text: 'linux/arm64/v8' }] });
    const size = factLabelled(details, 'Total size');
    assert.ok(size?.kind === 'size' && size.bytes > 15_625_276);
    assert.deepEqual(factLabelled(details, 'Layers'), { label: 'Layers', kind: 'count', count: 2 });
    assert.deepEqual(factLabelled(details, 'Created'), { label: 'Created', kind: 'text', text: '2026-03-01 12:30:05 UTC' });
    assert.deepEqual(factLabelled(details, 'Repository'), { label: 'Repository', kind: 'link', text: 'https://github.com/alice/web', href: 'https://github.com/alice/web' });
    assert.deepEqual(factLabelled(details, 'Homepage'), { label: 'Homepage', kind: 'link', text: 'https://web.example.com/', href: 'https://web.example.com/' });
    assert.deepEqual(factLabelled(details, 'Revision'), { label: 'Revision', kind: 'code', text: '4f1c2a9e0b7d' });
    assert.equal(factLabelled(details, 'Documentation'), undefined);
  });

  it('shows an index’s platforms without attestations and without a size', () => {
    const index = stored({
      mediaType: mediaTypes.ociIndex,
      manifests: [
        { mediaType: mediaTypes.ociManifest, digest: digest('a'), size: 1_000, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: mediaTypes.ociManifest, digest: digest('b'), size: 1_000, platform: { os: 'linux', architecture: 'arm64' } },
        { mediaType: mediaTypes.ociManifest, digest: digest('d'), size: 800, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    });
    const details = present(index.metadata, index.digest);
    assert.deepEqual(details.map((f) => f.label), ['Digest', 'Media type', 'Platforms']);
    assert.deepEqual(factLabelled(details, 'Media type'), { label: 'Media type', kind: 'text', text: 'OCI image index (application/vnd.oci.image.index.v1+json)' });
    assert.deepEqual(factLabelled(details, 'Platforms'), { label: 'Platforms', kind: 'labels', items: [{ text: 'linux/amd64' }, { text: 'linux/arm64' }] });
  });

  it('names Docker media types, and shows an artifact’s type and subject', () => {
    const docker = present({ mediaType: mediaTypes.dockerManifestList, platforms: ['linux/amd64'] });
    assert.deepEqual(factLabelled(docker, 'Media type'), { label: 'Media type', kind: 'text', text: 'Docker manifest list v2 (application/vnd.docker.distribution.manifest.list.v2+json)' });
    const v2 = present({ mediaType: mediaTypes.dockerManifest, layers: [], totalSize: 1234 });
    assert.deepEqual(factLabelled(v2, 'Media type'), { label: 'Media type', kind: 'text', text: 'Docker image manifest v2 (application/vnd.docker.distribution.manifest.v2+json)' });
    assert.deepEqual(factLabelled(v2, 'Total size'), { label: 'Total size', kind: 'size', bytes: 1234 });
    assert.equal(factLabelled(v2, 'Layers'), undefined);
    const signature = stored({
      mediaType: mediaTypes.ociManifest,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: { mediaType: mediaTypes.ociEmpty, digest: digest('e'), size: 2 },
      layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: digest('f'), size: 4_000 }],
      subject: { mediaType: mediaTypes.ociManifest, digest: image.digest, size: 1_000 },
    });
    const details = present(signature.metadata, signature.digest);
    assert.deepEqual(factLabelled(details, 'Artifact type'), { label: 'Artifact type', kind: 'text', text: 'application/vnd.dev.sigstore.bundle.v0.3+json' });
    assert.deepEqual(factLabelled(details, 'Refers to'), { label: 'Refers to', kind: 'code', text: image.digest });
  });

  it('leaves out build times that mean "no time" and shows other text as written', () => {
    assert.equal(factLabelled(present({ created: '1970-01-01T00:00:00Z' }), 'Created'), undefined);
    assert.equal(factLabelled(present({ created: '0001-01-01T00:00:00Z' }), 'Created'), undefined);
    assert.deepEqual(factLabelled(present({ created: 'last Tuesday' }), 'Created'), { label: 'Created', kind: 'text', text: 'last Tuesday' });
  });

  it('links only http and https sources', () => {
    const details = present({ annotations: { 'org.opencontainers.image.source': 'javascript:alert(1)', 'org.opencontainers.image.url': 'data:text/html,x' } });
    assert.equal(factLabelled(details, 'Repository'), undefined);
    assert.equal(factLabelled(details, 'Homepage'), undefined);
    const ssh = present({ annotations: { 'org.opencontainers.image.source': 'git@github.com:alice/web.git' } });
    assert.deepEqual(factLabelled(ssh, 'Repository'), { label: 'Repository', kind: 'link', text: 'https://github.com/alice/web', href: 'https://github.com/alice/web' });
  });

  it('never throws on odd metadata', () => {
    const fields = ['mediaType', 'artifactType', 'platforms', 'totalSize', 'created', 'layers', 'manifests', 'subject', 'annotations', 'labels'];
    for (const odd of oddValues) {
      const shown = presentImageVersion(presentInput('container', 'web', image.digest, Object.fromEntries(fields.map((f) => [f, odd]))));
      for (const fact of shown.details) if (fact.kind === 'link') assert.match(fact.href, /^https?:\/\//);
      presentImageVersion(presentInput('container', 'web', image.digest, { annotations: { 'org.opencontainers.image.title': odd, 'org.opencontainers.image.source': odd } }));
    }
    for (const odd of [null, [], 'text']) assert.deepEqual(presentImageVersion(presentInput('container', 'web', image.digest, odd)).details.map((f) => f.label), ['Digest']);
  });
});

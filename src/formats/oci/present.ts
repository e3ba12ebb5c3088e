import type { PageFact, PresentInput, VersionPresentation } from '../contract.js';
import { countOf, recordOf, textOf, textsOf } from '../shared/metadata-fields.js';
import { addressFact, codeFact, countFact, labelsFact, presentFacts, sizeFact, textFact } from '../shared/page-facts.js';
import { repositoryWebAddress, webAddress } from '../shared/web-address.js';
import { baseMediaType, manifestKinds, mediaTypeText } from './media-types.js';

/** `docker pull` / `podman pull` by tag (or digest) and the image's tags, platforms and size. */
export function presentImageVersion({ pkg, version, metadata: stored, tags, baseUrl }: PresentInput): VersionPresentation {
  const host = baseUrl.replace(/^https?:\/\//, '');
  const image = `${host}/${pkg.ownerLogin}/${pkg.name}`;
  const reference = tags[0] ? `${image}:${tags.includes('latest') ? 'latest' : tags[0]}` : `${image}@${version.version}`;
  const metadata = recordOf(stored) ?? {};
  return {
    install: [
      { client: 'docker', code: `docker pull ${reference}` },
      { client: 'podman', code: `podman pull ${reference}` },
      { client: 'skopeo', code: `skopeo copy docker://${reference} oci:./image` },
    ],
    details: manifestPageFacts(metadata, version.version),
    facts: {
      tags,
      digest: version.version,
      mediaType: metadata['mediaType'] ?? null,
      platforms: metadata['platforms'] ?? [],
      totalSize: metadata['totalSize'] ?? null,
      created: metadata['created'] ?? null,
      annotations: metadata['annotations'] ?? {},
    },
  };
}

const annotation = (annotations: Record<string, unknown>, key: string) => annotations[`org.opencontainers.image.${key}`];

/**
 * What a person reads about a manifest version (as `describeVersion` stored it): the image's
 * title, version and description from its annotations, the digest and media type, the
 * platforms, size and layers of an image, when it was built, where its source, homepage and
 * documentation are, its revision, vendor, authors and licenses, and the manifest it refers to
 * (a signature's or an attestation's subject). An index lists no size: its recorded total
 * counts the index and the manifests it lists, not their layers.
 */
function manifestPageFacts(metadata: Record<string, unknown>, digest: string): PageFact[] {
  const annotations = recordOf(metadata['annotations']) ?? {};
  const mediaType = textOf(metadata['mediaType']);
  const isImage = mediaType !== null && manifestKinds.get(baseMediaType(mediaType)) === 'image';
  const source = textOf(annotation(annotations, 'source'));
  return presentFacts([
    textFact('Title', annotation(annotations, 'title')),
    textFact('Version', annotation(annotations, 'version')),
    textFact('Description', annotation(annotations, 'description')),
    codeFact('Digest', digest),
    textFact('Media type', mediaType ? mediaTypeText(mediaType) : null),
    textFact('Artifact type', metadata['artifactType']),
    labelsFact('Platforms', textsOf(metadata['platforms']).filter((platform) => platform !== 'unknown/unknown')),
    isImage ? sizeFact('Total size', countOf(metadata['totalSize'])) : null,
    isImage && Array.isArray(metadata['layers']) ? countFact('Layers', metadata['layers'].length) : null,
    textFact('Created', buildTimeText(metadata['created'])),
    addressFact('Repository', repositoryWebAddress(source), source),
    addressFact('Homepage', webAddress(annotation(annotations, 'url')), annotation(annotations, 'url')),
    addressFact('Documentation', webAddress(annotation(annotations, 'documentation')), annotation(annotations, 'documentation')),
    codeFact('Revision', annotation(annotations, 'revision')),
    textFact('Vendor', annotation(annotations, 'vendor')),
    textFact('Authors', annotation(annotations, 'authors')),
    textFact('Licenses', annotation(annotations, 'licenses')),
    codeFact('Refers to', metadata['subject']),
  ]);
}

/**
 * An RFC 3339 build time as `2026-03-01 12:30:05 UTC`; other text is shown as written. Times
 * at or before the Unix epoch (reproducible builds write the epoch or Go's zero time for "no
 * time") are left out.
 */
function buildTimeText(created: unknown): string | null {
  const written = textOf(created);
  if (!written) return null;
  const time = /^\d{4}-\d{2}-\d{2}T/.test(written) ? new Date(written) : null;
  if (!time || Number.isNaN(time.getTime())) return written;
  return time.getTime() > 0 ? `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC` : null;
}

import type { PresentInput, VersionPresentation } from '../contract.js';

/** `docker pull` / `podman pull` by tag (or digest) and the image's tags, platforms and size. */
export function presentImageVersion({ pkg, version, metadata, tags, baseUrl }: PresentInput): VersionPresentation {
  const host = baseUrl.replace(/^https?:\/\//, '');
  const image = `${host}/${pkg.ownerLogin}/${pkg.name}`;
  const reference = tags[0] ? `${image}:${tags.includes('latest') ? 'latest' : tags[0]}` : `${image}@${version.version}`;
  return {
    install: [
      { client: 'docker', code: `docker pull ${reference}` },
      { client: 'podman', code: `podman pull ${reference}` },
      { client: 'skopeo', code: `skopeo copy docker://${reference} oci:./image` },
    ],
    details: [],
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

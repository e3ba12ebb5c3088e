import type { Digest } from './digests.js';
import { platformLabel, repositoryFromSource, type ConfigFacts } from './image-facts.js';
import type { Descriptor, Manifest } from './manifest.js';

/** Annotations and labels copied into the version metadata (the package page shows them). */
const notableKeys = ['title', 'description', 'licenses', 'source', 'url', 'documentation', 'version', 'revision', 'vendor', 'authors', 'created']
  .map((k) => `org.opencontainers.image.${k}`);

/** What a manifest version records: its metadata document and the facts core keeps in columns. */
export interface VersionDescription {
  metadata: Record<string, unknown>;
  description: string | null;
  license: string | null;
  /** `OWNER/REPO` named by `org.opencontainers.image.source`, the link hint for a new package. */
  repository: string | null;
}

/**
 * Describes a manifest version: media and artifact type, platforms (an index's, or the image
 * config's), total size (manifest plus everything it lists), creation time, subject, the
 * `org.opencontainers.image.*` annotations (over config labels of the same name) and the labels.
 */
export function describeVersion(manifest: Manifest, digest: Digest, size: number, facts: ConfigFacts): VersionDescription {
  const notes = { ...pick(facts.labels, notableKeys), ...pick(manifest.annotations, notableKeys) };
  const platforms = manifest.kind === 'index'
    ? manifest.manifests.flatMap((m) => (m.platform ? [platformLabel(m.platform)] : []))
    : facts.platform ? [platformLabel(facts.platform)] : [];
  const listed = [manifest.config, ...manifest.layers, ...manifest.manifests];
  return {
    metadata: {
      mediaType: manifest.mediaType,
      digest: digest.text,
      size,
      artifactType: manifest.artifactType,
      platforms,
      totalSize: size + listed.reduce((n, d) => n + (d?.size ?? 0), 0),
      created: facts.created ?? manifest.annotations['org.opencontainers.image.created'] ?? null,
      config: manifest.config ? describe(manifest.config) : null,
      layers: manifest.layers.map(describe),
      manifests: manifest.manifests.map((m) => ({ ...describe(m), ...(m.platform ? { platform: m.platform } : {}) })),
      subject: manifest.subject?.digest.text ?? null,
      annotations: notes,
      labels: facts.labels,
    },
    description: notes['org.opencontainers.image.description'] ?? null,
    license: notes['org.opencontainers.image.licenses'] ?? null,
    repository: repositoryFromSource(notes['org.opencontainers.image.source']),
  };
}

function describe(d: Descriptor) {
  return { mediaType: d.mediaType, digest: d.digest.text, size: d.size };
}

function pick(values: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]!]));
}

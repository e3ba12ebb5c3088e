/** The media types the registry stores and serves as manifests. */
export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociImageConfig: 'application/vnd.oci.image.config.v1+json',
  dockerImageConfig: 'application/vnd.docker.container.image.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Docker schema 1, which Kura refuses (deprecated, signed with keys nobody has). */
export const schema1MediaTypes: ReadonlySet<string> = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

export type ManifestKind = 'image' | 'index';

/** Manifest media types and what they describe. */
export const manifestKinds: ReadonlyMap<string, ManifestKind> = new Map([
  [mediaTypes.ociManifest, 'image'],
  [mediaTypes.dockerManifest, 'image'],
  [mediaTypes.ociIndex, 'index'],
  [mediaTypes.dockerManifestList, 'index'],
]);

/** Image config media types whose JSON carries platform, creation time and labels. */
export const imageConfigTypes: ReadonlySet<string> = new Set([mediaTypes.ociImageConfig, mediaTypes.dockerImageConfig]);

/**
 * Layers a registry is not expected to hold: non-distributable (foreign) layers, fetched by
 * clients from their `urls`. Manifests may reference them without pushing them.
 */
export function isForeignLayer(mediaType: string, urls: readonly string[] | undefined): boolean {
  return mediaType.includes('nondistributable') || mediaType.includes('foreign') || (urls !== undefined && urls.length > 0 && mediaType.includes('layer'));
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function baseMediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

/** What a person calls each manifest media type. */
const manifestTypeNames: ReadonlyMap<string, string> = new Map([
  [mediaTypes.ociManifest, 'OCI image manifest'],
  [mediaTypes.ociIndex, 'OCI image index'],
  [mediaTypes.dockerManifest, 'Docker image manifest v2'],
  [mediaTypes.dockerManifestList, 'Docker manifest list v2'],
]);

/** `OCI image index (application/vnd.oci.image.index.v1+json)`; an unknown type as it is written. */
export function mediaTypeText(mediaType: string): string {
  const name = manifestTypeNames.get(baseMediaType(mediaType));
  return name ? `${name} (${mediaType})` : mediaType;
}

import { digestOf, parseDigest, type Digest } from './digests.js';
import { ociError } from './errors.js';
import { baseMediaType, manifestKinds, schema1MediaTypes, type ManifestKind } from './media-types.js';

/** A content descriptor, validated. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A manifest checked against the schema of its media type. */
export interface Manifest {
  mediaType: string;
  kind: ManifestKind;
  /** Image manifests: the config blob. */
  config: Descriptor | null;
  /** Image manifests: the layers, in order. */
  layers: Descriptor[];
  /** Indexes: the manifests listed. */
  manifests: Descriptor[];
  subject: Descriptor | null;
  /** The declared `artifactType`, if any. */
  artifactType: string | null;
  annotations: Record<string, string>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(message: string): never {
  throw ociError('MANIFEST_INVALID', message);
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) invalid(`${where} must be an object of strings`);
  return value as Record<string, string>;
}

function parseDescriptor(value: unknown, where: string, requireMediaType: boolean): Descriptor {
  if (!isObject(value)) invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size, urls, artifactType, annotations, platform, data } = value;
  if (mediaType !== undefined && typeof mediaType !== 'string') invalid(`${where}.mediaType must be a string`);
  if (requireMediaType && typeof mediaType !== 'string') invalid(`${where}.mediaType is required`);
  const parsed = typeof digest === 'string' ? parseDigest(digest) : null;
  if (!parsed) invalid(`${where}.digest must be sha256:<64 hex> or sha512:<128 hex>`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) invalid(`${where}.size must be a non-negative integer`);
  if (urls !== undefined && (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string'))) invalid(`${where}.urls must be an array of strings`);
  if (artifactType !== undefined && typeof artifactType !== 'string') invalid(`${where}.artifactType must be a string`);
  if (data !== undefined) {
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) invalid(`${where}.data must be base64`);
    const decoded = Buffer.from(data, 'base64');
    if (decoded.length !== size || digestOf(parsed.algorithm, decoded).text !== parsed.text) invalid(`${where}.data does not match the descriptor's size and digest`);
  }
  const descriptor: Descriptor = { mediaType: typeof mediaType === 'string' ? mediaType : '', digest: parsed, size };
  if (urls !== undefined) descriptor.urls = urls as string[];
  if (typeof artifactType === 'string') descriptor.artifactType = artifactType;
  const notes = stringMap(annotations, `${where}.annotations`);
  if (notes) descriptor.annotations = notes;
  if (platform !== undefined) {
    if (!isObject(platform) || typeof platform['os'] !== 'string' || typeof platform['architecture'] !== 'string') {
      invalid(`${where}.platform needs "os" and "architecture" strings`);
    }
    descriptor.platform = { os: platform['os'], architecture: platform['architecture'], ...(typeof platform['variant'] === 'string' ? { variant: platform['variant'] } : {}) };
  }
  return descriptor;
}

/**
 * Parses and validates a manifest body. The media type comes from the body's `mediaType` or,
 * when the body has none, from the request's Content-Type; when both are given they must agree.
 * Unknown fields are allowed (the spec lets manifests carry them).
 * @throws KuraError MANIFEST_INVALID naming the first problem.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): Manifest {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    invalid('the manifest is not valid JSON');
  }
  if (!isObject(document)) invalid('the manifest must be a JSON object');
  if (document['schemaVersion'] !== 2) invalid('the manifest must have "schemaVersion": 2');
  const declared = document['mediaType'];
  if (declared !== undefined && typeof declared !== 'string') invalid('"mediaType" must be a string');
  const header = baseMediaType(contentType);
  const headerType = manifestKinds.has(header) || schema1MediaTypes.has(header) ? header : null;
  if (typeof declared === 'string' && headerType && declared !== headerType) {
    invalid(`the manifest says it is ${declared} but was sent as ${headerType}`);
  }
  const mediaType = typeof declared === 'string' ? declared : headerType ?? guessMediaType(document);
  if (schema1MediaTypes.has(mediaType)) invalid('Docker schema 1 manifests are not supported; push with a current client (schema 2 or OCI)');
  const kind = manifestKinds.get(mediaType);
  if (!kind) invalid(`unsupported manifest media type "${mediaType}"`);
  const isOci = mediaType.startsWith('application/vnd.oci.');
  const artifactType = document['artifactType'];
  if (artifactType !== undefined && typeof artifactType !== 'string') invalid('"artifactType" must be a string');
  const annotations = stringMap(document['annotations'], 'annotations') ?? {};
  const subject = document['subject'] === undefined ? null : parseDescriptor(document['subject'], 'subject', true);

  if (kind === 'image') {
    if (document['manifests'] !== undefined) invalid('an image manifest cannot list "manifests"');
    const config = parseDescriptor(document['config'], 'config', true);
    const layers = document['layers'];
    if (!Array.isArray(layers)) invalid('"layers" must be an array');
    return {
      mediaType, kind, config, subject, annotations,
      layers: layers.map((layer, i) => parseDescriptor(layer, `layers[${i}]`, true)),
      manifests: [],
      artifactType: typeof artifactType === 'string' ? artifactType : null,
    };
  }
  const manifests = document['manifests'];
  if (!Array.isArray(manifests)) invalid('"manifests" must be an array');
  if (document['config'] !== undefined || document['layers'] !== undefined) {
    if (!isOci) invalid('a manifest list cannot have "config" or "layers"');
  }
  return {
    mediaType, kind, config: null, layers: [], subject, annotations,
    manifests: manifests.map((m, i) => parseDescriptor(m, `manifests[${i}]`, true)),
    artifactType: typeof artifactType === 'string' ? artifactType : null,
  };
}

/** The OCI media type a manifest without `mediaType` most likely has, by its shape. */
function guessMediaType(document: Json): string {
  if (Array.isArray(document['manifests'])) return 'application/vnd.oci.image.index.v1+json';
  return 'application/vnd.oci.image.manifest.v1+json';
}

/** The artifact type the referrers API reports: `artifactType`, else an image's config media type. */
export function referrerArtifactType(manifest: Manifest): string | null {
  return manifest.artifactType ?? (manifest.kind === 'image' ? manifest.config?.mediaType ?? null : null);
}

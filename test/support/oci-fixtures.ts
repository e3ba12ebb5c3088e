import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestKura } from './harness.js';

export const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';
export const ociIndexType = 'application/vnd.oci.image.index.v1+json';
export const ociConfigType = 'application/vnd.oci.image.config.v1+json';
export const ociLayerType = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** `sha256:…` of `data`. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface Blob {
  data: Buffer;
  digest: string;
}

export function blob(content: Buffer | string): Blob {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { data, digest: sha256Digest(data) };
}

/** An image: a config blob, layer blobs and the manifest bytes that list them. */
export interface ImageFixture {
  config: Blob;
  layers: Blob[];
  manifest: Buffer;
  digest: string;
}

/** Builds an OCI image manifest over a config with `platform` and `labels`, plus extra manifest fields. */
export function imageFixture(options: { layers?: string[]; platform?: { os: string; architecture: string }; labels?: Record<string, string>; annotations?: Record<string, string>; extra?: Record<string, unknown> } = {}): ImageFixture {
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const config = blob(JSON.stringify({ ...platform, created: '2024-01-02T03:04:05Z', config: { Labels: options.labels ?? {} }, rootfs: { type: 'layers', diff_ids: [] } }));
  const layers = (options.layers ?? ['layer one']).map((l) => blob(l));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: ociManifestType,
    config: { mediaType: ociConfigType, digest: config.digest, size: config.data.length },
    layers: layers.map((l) => ({ mediaType: ociLayerType, digest: l.digest, size: l.data.length })),
    ...(options.annotations ? { annotations: options.annotations } : {}),
    ...options.extra,
  }));
  return { config, layers, manifest, digest: sha256Digest(manifest) };
}

/** An OCI index listing `images` with their platforms. */
export function indexFixture(images: Array<{ digest: string; size: number; platform: { os: string; architecture: string } }>, extra: Record<string, unknown> = {}): Blob {
  return blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: ociIndexType,
    manifests: images.map((i) => ({ mediaType: ociManifestType, digest: i.digest, size: i.size, platform: i.platform })),
    ...extra,
  }));
}

/** Pushes a blob monolithically (`POST ?digest=`). */
export function pushBlob(k: TestKura, token: string, name: string, b: Blob): Promise<LightMyRequestResponse> {
  return k.inject({ method: 'POST', url: `/v2/${name}/blobs/uploads/?digest=${b.digest}`, token, headers: { 'content-type': 'application/octet-stream' }, payload: b.data });
}

/** Pushes every blob of `image`, then its manifest under `reference`; fails loudly on any error. */
export async function pushImage(k: TestKura, token: string, name: string, image: ImageFixture, reference: string): Promise<LightMyRequestResponse> {
  for (const b of [image.config, ...image.layers]) {
    const res = await pushBlob(k, token, name, b);
    if (res.statusCode !== 201) throw new Error(`blob push failed: ${res.statusCode} ${res.body}`);
  }
  return pushManifest(k, token, name, reference, image.manifest);
}

export function pushManifest(k: TestKura, token: string, name: string, reference: string, manifest: Buffer, mediaType = ociManifestType): Promise<LightMyRequestResponse> {
  return k.inject({ method: 'PUT', url: `/v2/${name}/manifests/${reference}`, token, headers: { 'content-type': mediaType }, payload: manifest });
}

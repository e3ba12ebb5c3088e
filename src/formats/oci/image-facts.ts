import type { BlobStore } from '../../core/blobs/blob-store.js';
import type { Manifest, Platform } from './manifest.js';
import { imageConfigTypes } from './media-types.js';

/** What an image config tells about the image (empty when it cannot be read). */
export interface ConfigFacts {
  platform: Platform | null;
  created: string | null;
  labels: Record<string, string>;
}

const maxConfigBytes = 1024 * 1024;
const maxLabels = 100;
const maxLabelChars = 4096;

/**
 * Reads the platform, creation time and labels from an image manifest's config blob, when the
 * config is an image config of a reasonable size. Never throws: a config it cannot read yields
 * no facts.
 */
export async function readConfigFacts(store: BlobStore, manifest: Manifest, configSha256: string | null): Promise<ConfigFacts> {
  const none: ConfigFacts = { platform: null, created: null, labels: {} };
  const config = manifest.config;
  if (!config || !configSha256 || !imageConfigTypes.has(config.mediaType) || config.size > maxConfigBytes) return none;
  try {
    const doc = JSON.parse((await store.read(configSha256)).toString('utf8')) as Record<string, unknown>;
    const os = typeof doc['os'] === 'string' ? doc['os'] : null;
    const architecture = typeof doc['architecture'] === 'string' ? doc['architecture'] : null;
    const variant = typeof doc['variant'] === 'string' ? doc['variant'] : undefined;
    const inner = doc['config'] && typeof doc['config'] === 'object' ? (doc['config'] as Record<string, unknown>) : {};
    const rawLabels = inner['Labels'] && typeof inner['Labels'] === 'object' ? (inner['Labels'] as Record<string, unknown>) : {};
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(rawLabels).slice(0, maxLabels)) {
      if (typeof value === 'string') labels[key] = value.slice(0, maxLabelChars);
    }
    return {
      platform: os && architecture ? { os, architecture, ...(variant ? { variant } : {}) } : null,
      created: typeof doc['created'] === 'string' ? doc['created'] : null,
      labels,
    };
  } catch {
    return none;
  }
}

/** `os/architecture[/variant]` */
export function platformLabel(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * `OWNER/REPO` from an `org.opencontainers.image.source` URL (`https://host/OWNER/REPO[.git]`),
 * or null. The core links the package only if that repository is the image owner's.
 */
export function repositoryFromSource(source: string | undefined): string | null {
  if (!source) return null;
  const cleaned = source.trim().replace(/^[a-z+]+:\/\/[^/]+\//i, '').replace(/\.git$/i, '').replace(/\/+$/, '');
  const parts = cleaned.split('/').filter(Boolean);
  if (parts.length < 2) return null;
  return `${parts[0]}/${parts[1]}`;
}

import { KuraError } from '../../../core/errors/catalogue.js';

/** What a `/v2/NAME/…` path addresses. */
export type RegistryPath =
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

const patterns: Array<[RegExp, (m: RegExpExecArray) => RegistryPath]> = [
  [/^(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1]! })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: decode(m[2]!) })],
  [/^(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: decode(m[2]!) })],
  [/^(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: decode(m[2]!) })],
  [/^(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: decode(m[2]!) })],
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new KuraError('BAD_REQUEST', 'malformed percent-encoding in the path');
  }
}

/** Parses the path of a request URL (`/v2/…`, query ignored), or null when it names no registry endpoint. */
export function parseRegistryPath(url: string): RegistryPath | null {
  const path = url.split('?')[0]!;
  if (!path.startsWith('/v2/')) return null;
  const rest = path.slice('/v2/'.length);
  for (const [pattern, build] of patterns) {
    const match = pattern.exec(rest);
    if (match) return build(match);
  }
  return null;
}

/**
 * The token scope a request needs, for the 401 challenge: `repository:NAME:ACTIONS`, or null
 * for paths outside a repository. Uploads need push whatever the method.
 */
export function challengeScope(method: string, url: string): string | null {
  const path = parseRegistryPath(url);
  if (!path) return null;
  let actions: string;
  if (path.kind === 'uploads' || path.kind === 'upload') actions = 'pull,push';
  else if (method === 'DELETE') actions = 'delete';
  else if (method === 'GET' || method === 'HEAD') actions = 'pull';
  else actions = 'pull,push';
  return `repository:${path.name}:${actions}`;
}

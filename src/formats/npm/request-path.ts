import { KuraError } from '../../core/errors/catalogue.js';
import { rememberParses } from '../shared/remembered-parses.js';

/** What an npm registry path under the mount point addresses. */
export type NpmPath =
  | { kind: 'package'; name: string }
  | { kind: 'version'; name: string; spec: string }
  | { kind: 'tarball'; name: string; file: string }
  | { kind: 'rev'; name: string; rev: string }
  | { kind: 'tarball-rev'; name: string; file: string; rev: string };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new KuraError('BAD_REQUEST', `malformed percent-encoding in "${segment}"`);
  }
}

/**
 * Parses the path after the npm mount (`@scope%2fname`, `@scope/name/-/file.tgz`,
 * `@scope%2Fname/-rev/3-abc`, …). Scoped names may encode the slash as `%2f` or `%2F`.
 * Returns null for shapes npm never sends.
 * @throws KuraError BAD_REQUEST on malformed percent-encoding.
 */
export const parseNpmPath: (path: string) => Readonly<NpmPath> | null = rememberParses((path) => {
  const read = readPath(path);
  return read && Object.freeze(read);
}, { limit: 10_000, maxLength: 512 });

function readPath(path: string): NpmPath | null {
  const segments = path.split('/');
  let name: string;
  let rest: string[];
  const first = (segments[0] ?? '').replace(/^%40/, '@');
  if (first.startsWith('@') && /%2f/i.test(first)) {
    name = decode(first.replace(/%2f/gi, '/'));
    rest = segments.slice(1);
  } else if (first.startsWith('@')) {
    if (segments.length < 2) return null;
    name = `${decode(first)}/${decode(segments[1]!)}`;
    rest = segments.slice(2);
  } else {
    name = decode(first);
    rest = segments.slice(1);
  }
  if (!name) return null;
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return { kind: 'package', name };
  const decoded = rest.map(decode);
  if (decoded[0] === '-' && decoded.length === 2) return { kind: 'tarball', name, file: decoded[1]! };
  if (decoded[0] === '-' && decoded.length === 4 && decoded[2] === '-rev') return { kind: 'tarball-rev', name, file: decoded[1]!, rev: decoded[3]! };
  if (decoded[0] === '-rev' && decoded.length === 2) return { kind: 'rev', name, rev: decoded[1]! };
  if (decoded.length === 1 && decoded[0]) return { kind: 'version', name, spec: decoded[0] };
  return null;
}

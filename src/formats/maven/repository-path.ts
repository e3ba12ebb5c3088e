import { KuraError } from '../../core/errors/catalogue.js';
import { splitChecksumSuffix, type ChecksumAlgorithm } from './checksums.js';
import { isSnapshotVersion, isValidGroupSegment, isValidMavenId, requireMavenVersion, type ArtifactCoordinates } from './coordinates.js';

/** The file name Maven uses for repository metadata at artifact and snapshot-version level. */
export const metadataFileName = 'maven-metadata.xml';

/** What a path in the Maven repository layout addresses. */
export type RepositoryTarget =
  | { kind: 'file'; coordinates: ArtifactCoordinates; version: string; fileName: string; checksum: ChecksumAlgorithm | null }
  | { kind: 'artifact-metadata'; coordinates: ArtifactCoordinates; checksum: ChecksumAlgorithm | null }
  | { kind: 'version-metadata'; coordinates: ArtifactCoordinates; version: string; checksum: ChecksumAlgorithm | null };

/** The path after `/maven/`, decoded and checked segment by segment. */
export interface MavenRequestPath {
  owner: string;
  /** The segments after the owner: `[REPO, group…, artifactId, version, file]` or, in the owner-wide view, without REPO. */
  segments: string[];
}

const maxSegments = 64;
const maxPathLength = 2048;
/** Characters a decoded segment may hold; everything a Maven coordinate or file name uses. */
const segmentPattern = /^[A-Za-z0-9_.+~*-]+$/;

/**
 * Splits and decodes the raw (still percent-encoded) path after the mount point; a trailing
 * slash (a directory) is dropped. Refuses what could escape the layout: empty segments (`//`, absolute paths), `.` and `..` however encoded,
 * encoded slashes or backslashes, control or unusual characters.
 * @throws KuraError BAD_REQUEST naming the problem; NOT_FOUND when no owner is given.
 */
export function splitMavenPath(rawPath: string): MavenRequestPath {
  if (rawPath === '' || rawPath === '/') throw new KuraError('NOT_FOUND', 'expected /maven/OWNER/REPO/GROUP/ARTIFACT/VERSION/FILE');
  if (rawPath.length > maxPathLength) throw new KuraError('BAD_REQUEST', `the path is longer than ${maxPathLength} characters`);
  if (/%(2f|5c)/i.test(rawPath)) throw new KuraError('BAD_REQUEST', 'encoded slashes are not allowed in repository paths');
  const raw = (rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath).split('/');
  if (raw.length > maxSegments) throw new KuraError('BAD_REQUEST', `the path has more than ${maxSegments} segments`);
  const segments = raw.map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new KuraError('BAD_REQUEST', `malformed percent-encoding in "${segment}"`);
    }
    if (decoded === '') throw new KuraError('BAD_REQUEST', 'empty path segments (// or an absolute path) are not allowed');
    if (decoded === '.' || decoded === '..') throw new KuraError('BAD_REQUEST', 'relative path segments (. and ..) are not allowed');
    if (!segmentPattern.test(decoded)) throw new KuraError('BAD_REQUEST', `invalid characters in path segment "${decoded}"`);
    return decoded;
  });
  const [owner, ...rest] = segments;
  if (!owner || rest.length === 0) throw new KuraError('NOT_FOUND', 'expected /maven/OWNER/REPO/GROUP/ARTIFACT/VERSION/FILE');
  return { owner, segments: rest };
}

function coordinatesOf(groupSegments: string[], artifactId: string): ArtifactCoordinates | null {
  if (groupSegments.length === 0 || !groupSegments.every(isValidGroupSegment) || !isValidMavenId(artifactId)) return null;
  return { groupId: groupSegments.join('.'), artifactId };
}

/**
 * Reads the Maven repository layout: `group/path/artifactId/version/file`,
 * `group/path/artifactId/maven-metadata.xml` and, for `-SNAPSHOT` versions,
 * `group/path/artifactId/version/maven-metadata.xml`, each optionally with a checksum suffix.
 * Returns null for paths that address nothing in the layout (directories, group-level files).
 * @throws KuraError INVALID_VERSION for a version segment Maven could not have written.
 */
export function parseRepositoryTarget(segments: readonly string[]): RepositoryTarget | null {
  const fileName = segments[segments.length - 1];
  if (fileName === undefined) return null;
  const { base, algorithm } = splitChecksumSuffix(fileName);
  if (base === metadataFileName) {
    const parent = segments[segments.length - 2];
    if (parent !== undefined && isSnapshotVersion(parent) && segments.length >= 4) {
      const coordinates = coordinatesOf(segments.slice(0, -3), segments[segments.length - 3]!);
      return coordinates ? { kind: 'version-metadata', coordinates, version: requireMavenVersion(parent), checksum: algorithm } : null;
    }
    if (segments.length < 3) return null;
    const coordinates = coordinatesOf(segments.slice(0, -2), segments[segments.length - 2]!);
    return coordinates ? { kind: 'artifact-metadata', coordinates, checksum: algorithm } : null;
  }
  if (segments.length < 4) return null;
  const coordinates = coordinatesOf(segments.slice(0, -3), segments[segments.length - 3]!);
  if (!coordinates) return null;
  return { kind: 'file', coordinates, version: requireMavenVersion(segments[segments.length - 2]!), fileName: base, checksum: algorithm };
}

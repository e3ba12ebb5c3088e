import { KuraError } from '../../core/errors/catalogue.js';

/** The two coordinates that name a Maven package: `groupId:artifactId`. */
export interface ArtifactCoordinates {
  groupId: string;
  artifactId: string;
}

/** Maven's ID rule for groupId and artifactId (letters, digits, `_`, `-`, `.`), not starting with a dot or hyphen. */
const idPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
/** One directory of a groupId in the repository layout: dots became slashes, so none remain. */
const groupSegmentPattern = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$/;
/** Versions: what Maven accepts in a path (no `/ \ : " < > | ? *` nor spaces), conservatively. */
const versionPattern = /^[A-Za-z0-9_][A-Za-z0-9_.+~-]{0,127}$/;

const snapshotSuffix = '-SNAPSHOT';

/** Whether `value` is a valid groupId or artifactId. */
export function isValidMavenId(value: string): boolean {
  return idPattern.test(value);
}

/** Whether `value` can be one directory of a groupId path (`com`, `example`). */
export function isValidGroupSegment(value: string): boolean {
  return groupSegmentPattern.test(value);
}

/** Whether `value` is a version Kura accepts in a path or a POM. */
export function isValidMavenVersion(value: string): boolean {
  return versionPattern.test(value);
}

/** `-SNAPSHOT` versions are the mutable ones: they accept new timestamped builds. */
export function isSnapshotVersion(version: string): boolean {
  return version.endsWith(snapshotSuffix) && version.length > snapshotSuffix.length;
}

/** `1.1.0-SNAPSHOT` → `1.1.0`, the prefix of its timestamped builds (`1.1.0-20261124.034909-1`). */
export function snapshotBase(version: string): string {
  return version.slice(0, -snapshotSuffix.length);
}

/** The package name Kura stores: `groupId:artifactId`. */
export function mavenPackageName(coordinates: ArtifactCoordinates): string {
  return `${coordinates.groupId}:${coordinates.artifactId}`;
}

/** The normalized name packages are looked up by (case-insensitive, like every Kura package name). */
export function mavenNameKey(coordinates: ArtifactCoordinates): string {
  return mavenPackageName(coordinates).toLowerCase();
}

/** Parses `groupId:artifactId`, or returns null when it is not a valid Maven package name. */
export function parseMavenPackageName(name: string): ArtifactCoordinates | null {
  const parts = name.split(':');
  if (parts.length !== 2) return null;
  const [groupId, artifactId] = parts as [string, string];
  if (!isValidMavenId(groupId) || !isValidMavenId(artifactId) || groupId.split('.').some((s) => !isValidGroupSegment(s))) return null;
  return { groupId, artifactId };
}

/**
 * Checks a version taken from a path or a POM.
 * @throws KuraError INVALID_VERSION
 */
export function requireMavenVersion(version: string): string {
  if (!isValidMavenVersion(version)) {
    throw new KuraError('INVALID_VERSION', `"${version}" is not a valid Maven version (letters, digits, ".", "_", "+", "~", "-"; up to 128 characters)`);
  }
  return version;
}

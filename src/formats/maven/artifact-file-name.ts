import { isSnapshotVersion, snapshotBase } from './coordinates.js';

/** A timestamped build of a `-SNAPSHOT` version: `20261124.034909` and build number `1`. */
export interface SnapshotBuild {
  /** UTC, `yyyyMMdd.HHmmss`. */
  timestamp: string;
  buildNumber: number;
}

/** What a file name in a version directory says: `ARTIFACT-VERSION[-CLASSIFIER].EXTENSION`. */
export interface ArtifactFileName {
  classifier: string | null;
  /** Everything after the first dot that follows the version/classifier: `jar`, `pom`, `tar.gz`, `jar.asc`. */
  extension: string;
  /** Set for timestamped snapshot files (`lib-1.1-20261124.034909-3.jar`). */
  build: SnapshotBuild | null;
}

const classifierPattern = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const extensionPattern = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;
const buildPattern = /^(\d{8}\.\d{6})-([1-9]\d{0,8})/;

/** The value Maven writes in `<snapshotVersion><value>` for a build: `1.1.0-20261124.034909-1`. */
export function snapshotBuildVersion(version: string, build: SnapshotBuild): string {
  return `${snapshotBase(version)}-${build.timestamp}-${build.buildNumber}`;
}

/** Orders builds oldest first: by build number, then timestamp. */
export function compareBuilds(a: SnapshotBuild, b: SnapshotBuild): number {
  return a.buildNumber - b.buildNumber || (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0);
}

/**
 * Parses a file name inside `artifactId/version/`. Releases need the literal version; snapshot
 * versions accept the literal `-SNAPSHOT` spelling or a timestamped build. Returns null when the
 * name does not belong to that artifact and version.
 */
export function parseArtifactFileName(artifactId: string, version: string, fileName: string): ArtifactFileName | null {
  const prefix = `${artifactId}-`;
  if (!fileName.startsWith(prefix)) return null;
  const afterArtifact = fileName.slice(prefix.length);
  let rest: string | null = null;
  let build: SnapshotBuild | null = null;
  if (afterArtifact.startsWith(version)) rest = afterArtifact.slice(version.length);
  if (isSnapshotVersion(version) && rest === null) {
    const base = `${snapshotBase(version)}-`;
    const match = afterArtifact.startsWith(base) ? buildPattern.exec(afterArtifact.slice(base.length)) : null;
    if (match) {
      build = { timestamp: match[1]!, buildNumber: Number(match[2]) };
      rest = afterArtifact.slice(base.length + match[0].length);
    }
  }
  if (rest === null) return null;
  let classifier: string | null = null;
  if (rest.startsWith('-')) {
    const dot = rest.indexOf('.');
    if (dot === -1) return null;
    classifier = rest.slice(1, dot);
    if (!classifierPattern.test(classifier)) return null;
    rest = rest.slice(dot);
  }
  if (!rest.startsWith('.')) return null;
  const extension = rest.slice(1);
  if (!extensionPattern.test(extension)) return null;
  return { classifier, extension, build };
}

import { compareMavenVersions } from './comparable-version.js';
import { isSnapshotVersion } from './coordinates.js';

/** Maven's two pointers into a version list: `latest` (any version) and `release` (no `-SNAPSHOT`). */
export interface ReleasePointers {
  latest: string | null;
  release: string | null;
}

/** Versions in Maven order, oldest first. */
export function sortMavenVersions(versions: readonly string[]): string[] {
  return [...versions].sort(compareMavenVersions);
}

/** The highest version and the highest non-snapshot version, by Maven's ordering. */
export function releasePointers(versions: readonly string[]): ReleasePointers {
  const sorted = sortMavenVersions(versions);
  const releases = sorted.filter((v) => !isSnapshotVersion(v));
  return { latest: sorted[sorted.length - 1] ?? null, release: releases[releases.length - 1] ?? null };
}

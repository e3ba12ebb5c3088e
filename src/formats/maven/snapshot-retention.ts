import { compareBuilds, parseArtifactFileName, type SnapshotBuild } from './artifact-file-name.js';

const buildKey = (build: SnapshotBuild): string => `${build.timestamp}-${build.buildNumber}`;

/**
 * The files to remove so that a `-SNAPSHOT` version keeps only its `keep` newest timestamped
 * builds. Files without a build (the literal `-SNAPSHOT` spelling) are never selected.
 */
export function filesOfExpiredBuilds(artifactId: string, version: string, fileNames: readonly string[], keep: number): string[] {
  const builds = new Map<string, { build: SnapshotBuild; files: string[] }>();
  for (const name of fileNames) {
    const build = parseArtifactFileName(artifactId, version, name)?.build;
    if (!build) continue;
    const key = buildKey(build);
    const entry = builds.get(key) ?? { build, files: [] };
    entry.files.push(name);
    builds.set(key, entry);
  }
  const newestFirst = [...builds.values()].sort((a, b) => compareBuilds(b.build, a.build));
  return newestFirst.slice(keep).flatMap((entry) => entry.files);
}

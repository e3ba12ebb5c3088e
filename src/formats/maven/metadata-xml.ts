import { compareBuilds, parseArtifactFileName, snapshotBuildVersion, type SnapshotBuild } from './artifact-file-name.js';
import type { ArtifactCoordinates } from './coordinates.js';
import { releasePointers, sortMavenVersions } from './release-pointers.js';

/** A stored file as metadata generation needs it. */
export interface MetadataFile {
  name: string;
  /** ISO-8601 time the file was stored. */
  createdAt: string;
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Maven's `lastUpdated` form of an ISO time: `yyyyMMddHHmmss`, UTC. */
export function metadataTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const element = (indent: string, name: string, value: string): string => `${indent}<${name}>${escapeXml(value)}</${name}>\n`;

/**
 * The artifact-level `maven-metadata.xml`: every live version in Maven order, `latest` (the
 * highest, snapshots included) and `release` (the highest without `-SNAPSHOT`). Deterministic
 * for the same input, so its checksums can be served from the same rows.
 */
export function renderArtifactMetadata(coordinates: ArtifactCoordinates, versions: readonly string[], lastUpdated: string): Buffer {
  const pointers = releasePointers(versions);
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<metadata>\n';
  xml += element('  ', 'groupId', coordinates.groupId);
  xml += element('  ', 'artifactId', coordinates.artifactId);
  xml += '  <versioning>\n';
  if (pointers.latest) xml += element('    ', 'latest', pointers.latest);
  if (pointers.release) xml += element('    ', 'release', pointers.release);
  xml += '    <versions>\n';
  for (const version of sortMavenVersions(versions)) xml += element('      ', 'version', version);
  xml += '    </versions>\n';
  xml += element('    ', 'lastUpdated', metadataTimestamp(lastUpdated));
  xml += '  </versioning>\n</metadata>\n';
  return Buffer.from(xml, 'utf8');
}

interface SnapshotEntry {
  classifier: string | null;
  extension: string;
  build: SnapshotBuild | null;
  createdAt: string;
}

/**
 * The version-level `maven-metadata.xml` of a `-SNAPSHOT` version: the newest build
 * (timestamp and build number) and, per classifier and extension, the newest stored file
 * (`snapshotVersions`). Files that are not builds of this version are ignored.
 */
export function renderSnapshotMetadata(coordinates: ArtifactCoordinates, version: string, files: readonly MetadataFile[]): Buffer {
  const newest = new Map<string, SnapshotEntry>();
  let latestBuild: SnapshotBuild | null = null;
  let lastUpdated: string | null = null;
  for (const file of files) {
    const parsed = parseArtifactFileName(coordinates.artifactId, version, file.name);
    if (!parsed) continue;
    if (lastUpdated === null || file.createdAt > lastUpdated) lastUpdated = file.createdAt;
    if (parsed.build && (!latestBuild || compareBuilds(parsed.build, latestBuild) > 0)) latestBuild = parsed.build;
    const key = `${parsed.classifier ?? ''}|${parsed.extension}`;
    const current = newest.get(key);
    const entry: SnapshotEntry = { classifier: parsed.classifier, extension: parsed.extension, build: parsed.build, createdAt: file.createdAt };
    if (!current || isNewer(entry, current)) newest.set(key, entry);
  }
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n<metadata modelVersion="1.1.0">\n';
  xml += element('  ', 'groupId', coordinates.groupId);
  xml += element('  ', 'artifactId', coordinates.artifactId);
  xml += element('  ', 'version', version);
  xml += '  <versioning>\n';
  if (latestBuild) {
    xml += '    <snapshot>\n';
    xml += element('      ', 'timestamp', latestBuild.timestamp);
    xml += element('      ', 'buildNumber', String(latestBuild.buildNumber));
    xml += '    </snapshot>\n';
  }
  if (lastUpdated) xml += element('    ', 'lastUpdated', metadataTimestamp(lastUpdated));
  xml += '    <snapshotVersions>\n';
  const sortKey = (entry: SnapshotEntry) => `${entry.extension}|${entry.classifier ?? ''}`;
  const entries = [...newest.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  for (const entry of entries) {
    xml += '      <snapshotVersion>\n';
    if (entry.classifier) xml += element('        ', 'classifier', entry.classifier);
    xml += element('        ', 'extension', entry.extension);
    xml += element('        ', 'value', entry.build ? snapshotBuildVersion(version, entry.build) : version);
    xml += element('        ', 'updated', metadataTimestamp(entry.createdAt));
    xml += '      </snapshotVersion>\n';
  }
  xml += '    </snapshotVersions>\n  </versioning>\n</metadata>\n';
  return Buffer.from(xml, 'utf8');
}

/** A timestamped build beats the literal `-SNAPSHOT` file; between builds the newer wins. */
function isNewer(candidate: SnapshotEntry, current: SnapshotEntry): boolean {
  if (candidate.build && current.build) return compareBuilds(candidate.build, current.build) > 0;
  if (candidate.build || current.build) return candidate.build !== null;
  return candidate.createdAt > current.createdAt;
}

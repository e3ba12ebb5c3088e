import { createHash } from 'node:crypto';
import semver from 'semver';
import type { FileRecord, PackageRecord, TagRecord, VersionRecord } from '../../core/packages/package.js';
import { packagePath, parseNpmName } from './names.js';

/** Inputs to render a package's documents: one snapshot at one revision. */
export interface PackumentSource {
  pkg: PackageRecord;
  versions: VersionRecord[];
  tags: TagRecord[];
  files: FileRecord[];
  baseUrl: string;
}

/** Fields kept in the abbreviated ("corgi") document, per npm's registry API. */
const abbreviatedFields = [
  'name', 'version', 'deprecated', 'dependencies', 'optionalDependencies', 'devDependencies', 'bundleDependencies',
  'bundledDependencies', 'peerDependencies', 'peerDependenciesMeta', 'acceptDependencies', 'bin', 'directories', 'dist',
  'engines', '_hasShrinkwrap', 'hasInstallScript', 'cpu', 'os', 'libc', 'funding', 'license',
] as const;

/** Top-level fields copied from the latest version into the full document. */
const latestFields = ['description', 'homepage', 'keywords', 'repository', 'author', 'bugs', 'license', 'contributors', 'maintainers'] as const;

/** The `dist-tags`, with `latest` falling back to the highest stable version when untagged. */
export function distTags(versions: readonly VersionRecord[], tags: readonly TagRecord[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags) result[tag.name] = tag.version;
  if (!result['latest'] && versions.length > 0) {
    const numbers = versions.map((v) => v.version);
    const stable = numbers.filter((v) => !semver.prerelease(v));
    const pool = stable.length > 0 ? stable : numbers;
    result['latest'] = pool.sort(semver.rcompare)[0]!;
  }
  return result;
}

/** Renders the full packument and the abbreviated install document for the same snapshot. */
export function renderPackuments(source: PackumentSource): { full: Record<string, unknown>; abbreviated: Record<string, unknown> } {
  const { pkg, baseUrl } = source;
  const name = parseNpmName(pkg.name);
  const tarballBase = `${baseUrl}${packagePath(name)}/-/`;
  const fileByVersion = new Map<number, FileRecord>();
  for (const file of source.files) fileByVersion.set(file.versionId, file);

  const full: Record<string, Record<string, unknown>> = {};
  const abbreviated: Record<string, Record<string, unknown>> = {};
  const time: Record<string, string> = { created: pkg.createdAt, modified: pkg.updatedAt };
  for (const version of source.versions) {
    const doc = JSON.parse(version.metadata) as Record<string, unknown>;
    const file = fileByVersion.get(version.id);
    const dist = { ...(doc['dist'] as Record<string, unknown> | undefined) };
    if (file) dist['tarball'] = tarballBase + file.name;
    doc['dist'] = dist;
    if (version.deprecated) doc['deprecated'] = version.deprecated;
    else delete doc['deprecated'];
    full[version.version] = doc;
    const short: Record<string, unknown> = {};
    for (const field of abbreviatedFields) if (doc[field] !== undefined) short[field] = doc[field];
    abbreviated[version.version] = short;
    time[version.version] = version.createdAt;
  }

  const tags = distTags(source.versions, source.tags);
  const latest = source.versions.find((v) => v.version === tags['latest']);
  const latestDoc = latest ? full[latest.version] : undefined;
  const rev = `${pkg.rev}-${createHash('sha1').update(`${pkg.id}:${pkg.rev}`).digest('hex').slice(0, 16)}`;

  const fullDocument: Record<string, unknown> = {
    _id: pkg.name,
    _rev: rev,
    name: pkg.name,
    'dist-tags': tags,
    versions: full,
    time,
  };
  if (latestDoc) {
    for (const field of latestFields) if (latestDoc[field] !== undefined) fullDocument[field] = latestDoc[field];
  }
  fullDocument['readme'] = latest?.readme ?? '';
  if (latestDoc?.['readmeFilename']) fullDocument['readmeFilename'] = latestDoc['readmeFilename'];

  const abbreviatedDocument: Record<string, unknown> = {
    name: pkg.name,
    modified: pkg.updatedAt,
    'dist-tags': tags,
    versions: abbreviated,
    time,
  };
  return { full: fullDocument, abbreviated: abbreviatedDocument };
}

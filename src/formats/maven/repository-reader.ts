import type { Principal } from '../../core/access/principal.js';
import type { BlobStore } from '../../core/blobs/blob-store.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { DigestedFile, FileQueries } from '../../core/packages/file-queries.js';
import type { PackageRecord } from '../../core/packages/package.js';
import type { PackageQueries } from '../../core/packages/package-queries.js';
import type { FormatContext } from '../contract.js';
import { compareBuilds, parseArtifactFileName, type ArtifactFileName } from './artifact-file-name.js';
import { digestOf, fileDigest, type ChecksumAlgorithm } from './checksums.js';
import { isSnapshotVersion, mavenPackageName } from './coordinates.js';
import { renderArtifactMetadata, renderSnapshotMetadata } from './metadata-xml.js';
import type { RepositoryTarget } from './repository-path.js';
import type { RepositoryScope, ScopeResolver } from './repository-scope.js';

/** What a read resolves to: a stored file, bytes Kura generated, or a checksum of either. */
export type RepositoryResource =
  | { kind: 'stored'; pkg: PackageRecord; file: DigestedFile; /** True for the version's main file: a GET counts as a download. */ isDownload: boolean }
  | { kind: 'generated'; pkg: PackageRecord; bytes: Buffer; lastModified: string }
  | { kind: 'checksum'; pkg: PackageRecord; digest: string; lastModified: string };

/** Files that describe or sign an artifact rather than being one. */
const descriptorExtensions = new Set(['pom', 'module']);
const isDescriptor = (parsed: ArtifactFileName): boolean => descriptorExtensions.has(parsed.extension) || parsed.extension.endsWith('.asc');

/**
 * Resolves reads of the repository layout to stored files and generated metadata. Every read
 * goes through {@link ScopeResolver.readablePackage}, so access is decided by the access module.
 */
export class RepositoryReader {
  private readonly queries: PackageQueries;
  private readonly files: FileQueries;
  private readonly blobs: BlobStore;

  constructor(
    ctx: FormatContext,
    private readonly scopes: ScopeResolver,
  ) {
    this.queries = ctx.packages.queries;
    this.files = ctx.packages.files;
    this.blobs = ctx.blobs.store;
  }

  /** @throws KuraError UNAUTHENTICATED, NOT_FOUND */
  async resolve(principal: Principal, scope: RepositoryScope, target: RepositoryTarget): Promise<RepositoryResource> {
    const pkg = await this.scopes.readablePackage(principal, scope, target.coordinates);
    const name = mavenPackageName(target.coordinates);
    if (target.kind === 'artifact-metadata') {
      const versions = await this.queries.versions(pkg.id);
      if (versions.length === 0) throw new KuraError('NOT_FOUND', `maven package ${name} has no versions`);
      const bytes = renderArtifactMetadata(target.coordinates, versions.map((v) => v.version), pkg.updatedAt);
      return generated(pkg, bytes, pkg.updatedAt, target.checksum);
    }
    const version = await this.queries.version(pkg.id, target.version);
    if (!version || version.deletedAt) throw new KuraError('NOT_FOUND', `maven package ${name} has no version ${target.version}`);
    const files = await this.files.versionFiles(version.id);
    if (target.kind === 'version-metadata') {
      if (files.length === 0) throw new KuraError('NOT_FOUND', `${name}:${target.version} has no files`);
      const lastModified = files.reduce((max, f) => (f.createdAt > max ? f.createdAt : max), files[0]!.createdAt);
      return generated(pkg, renderSnapshotMetadata(target.coordinates, target.version, files), lastModified, target.checksum);
    }
    const found = findFile(files, target.coordinates.artifactId, target.version, target.fileName);
    if (!found) throw new KuraError('NOT_FOUND', `${name}:${target.version} has no file ${target.fileName}`);
    if (target.checksum) {
      const digest = await fileDigest(this.blobs, found.file, target.checksum);
      return { kind: 'checksum', pkg, digest, lastModified: found.file.createdAt };
    }
    return { kind: 'stored', pkg, file: found.file, isDownload: isMainFile(found.parsed, files, target.coordinates.artifactId, target.version) };
  }
}

function generated(pkg: PackageRecord, bytes: Buffer, lastModified: string, checksum: ChecksumAlgorithm | null): RepositoryResource {
  return checksum ? { kind: 'checksum', pkg, digest: digestOf(bytes, checksum), lastModified } : { kind: 'generated', pkg, bytes, lastModified };
}

/**
 * The stored file a name addresses. For a `-SNAPSHOT` version the literal spelling
 * (`lib-1.0-SNAPSHOT.jar`) falls back to the newest timestamped build of that classifier and extension.
 */
function findFile(files: readonly DigestedFile[], artifactId: string, version: string, fileName: string): { file: DigestedFile; parsed: ArtifactFileName } | null {
  const parsed = parseArtifactFileName(artifactId, version, fileName);
  if (!parsed) return null;
  const exact = files.find((f) => f.name === fileName);
  if (exact) return { file: exact, parsed };
  if (!isSnapshotVersion(version) || parsed.build) return null;
  let best: { file: DigestedFile; parsed: ArtifactFileName } | null = null;
  for (const file of files) {
    const candidate = parseArtifactFileName(artifactId, version, file.name);
    if (!candidate?.build || candidate.classifier !== parsed.classifier || candidate.extension !== parsed.extension) continue;
    if (!best || compareBuilds(candidate.build, best.parsed.build!) > 0) best = { file, parsed: candidate };
  }
  return best;
}

/**
 * Whether fetching this file is a download of the version: the artifact without a classifier
 * (the jar), or the POM when the version has no such artifact (a `pom`-packaged BOM).
 */
function isMainFile(parsed: ArtifactFileName, files: readonly DigestedFile[], artifactId: string, version: string): boolean {
  if (parsed.classifier !== null) return false;
  if (!isDescriptor(parsed)) return true;
  if (parsed.extension !== 'pom') return false;
  return !files.some((f) => {
    const other = parseArtifactFileName(artifactId, version, f.name);
    return other !== null && other.classifier === null && !isDescriptor(other);
  });
}

import { ownerTarget } from '../../core/access/access-policy.js';
import type { Principal } from '../../core/access/principal.js';
import { ingestStream } from '../../core/blobs/blob-ingest.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { PackageRecord } from '../../core/packages/package.js';
import type { AddFileResult, PublishGrant } from '../../core/packages/package-service.js';
import type { Repository } from '../../core/repos/repository.js';
import type { FormatContext } from '../contract.js';
import { parseArtifactFileName } from './artifact-file-name.js';
import { fileDigest, parseChecksumBody, type ChecksumAlgorithm } from './checksums.js';
import { isSnapshotVersion, mavenNameKey, mavenPackageName, type ArtifactCoordinates } from './coordinates.js';
import { contentTypeFor } from './content-types.js';
import { licenseSummary, type PomFacts } from './pom.js';
import { releasePointers } from './release-pointers.js';
import { readSmallText } from '../shared/small-body.js';
import type { RepositoryScope } from './repository-scope.js';
import { filesOfExpiredBuilds } from './snapshot-retention.js';
import { inspected, inspectionFor } from './upload-inspection.js';
import { XmlTreeReader } from '../shared/xml-tree-reader.js';

/** A deploy's destination: a repository the caller may read, and the artifact version in it. */
export interface DeployTarget {
  principal: Principal;
  scope: RepositoryScope & { repo: Repository };
  coordinates: ArtifactCoordinates;
  version: string;
}

const maxChecksumBytes = 1024;
const maxClientMetadataBytes = 1024 * 1024;

/**
 * Maven and Gradle deploys, file by file (`PUT`): stores artifacts (immutable for releases,
 * replaceable builds for `-SNAPSHOT`), verifies uploaded checksums against what Kura computed,
 * and accepts the clients' own `maven-metadata.xml` without storing it (Kura generates its own).
 */
export class MavenDeployer {
  private readonly snapshotKeep: number;

  constructor(private readonly ctx: FormatContext) {
    this.snapshotKeep = ctx.settings['snapshotKeep'] as number;
  }

  /**
   * Decides once whether the caller may deploy `coordinates` to the scope's repository; the
   * grant carries the existing package, if any. A package belongs to one repository; deploying
   * it to another is a conflict.
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE, ALREADY_EXISTS
   */
  async authorize(principal: Principal, scope: DeployTarget['scope'], coordinates: ArtifactCoordinates): Promise<PublishGrant> {
    const name = mavenPackageName(coordinates);
    const grant = await this.ctx.packages.authorizePublish({
      principal, owner: scope.owner, name, nameLower: mavenNameKey(coordinates), repository: scope.repo.fullName, requireLink: true,
    });
    const existing = grant.existing;
    if (existing && existing.name !== name) {
      throw new KuraError('ALREADY_EXISTS', `${scope.owner.login} already has a maven package ${existing.name}; names differing only in case cannot coexist`);
    }
    if (existing && existing.repo?.id !== scope.repo.id) {
      throw new KuraError('ALREADY_EXISTS', `maven package ${name} already belongs to another repository of ${scope.owner.login}; deploy it there`);
    }
    return grant;
  }

  /**
   * Stores one file of a version, streaming it into the blob store while checking it (POM
   * parsed and matched against the path, jars must be zip archives). Identical re-uploads are
   * accepted unchanged; a different file under a released name is refused. For `-SNAPSHOT`
   * versions, builds beyond the configured number are removed afterwards.
   * @throws KuraError NAME_MISMATCH, INVALID_MANIFEST, INVALID_ARCHIVE, PAYLOAD_TOO_LARGE, VERSION_EXISTS, plus access errors
   */
  async putFile(target: DeployTarget, fileName: string, body: AsyncIterable<Uint8Array>, declaredLength: number | null): Promise<AddFileResult['outcome']> {
    const { coordinates, version, principal, scope } = target;
    const name = mavenPackageName(coordinates);
    const grant = await this.authorize(principal, scope, coordinates);
    const parsed = parseArtifactFileName(coordinates.artifactId, version, fileName);
    if (!parsed) {
      throw new KuraError('NAME_MISMATCH', `${fileName} is not a file of ${name}:${version} (expected ${coordinates.artifactId}-${version}[-CLASSIFIER].EXTENSION)`);
    }
    const maxBytes = this.ctx.limits.maxBodyBytes;
    if (declaredLength !== null && declaredLength > maxBytes) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `${fileName} (${declaredLength} bytes) exceeds the limit of ${maxBytes} bytes`);
    }
    const inspection = inspectionFor(fileName, parsed);
    const blob = await ingestStream(this.ctx.blobs.store, inspected(body, inspection), {
      extraDigests: ['sha1', 'md5', 'sha512'],
      maxBytes,
    });
    try {
      const { pom } = inspection.finish();
      if (pom) checkPomAgainstPath(pom, coordinates, version);
      const result = await this.ctx.packages.addFile({
        principal,
        grant,
        owner: scope.owner,
        name,
        nameLower: mavenNameKey(coordinates),
        version,
        ...(pom ? { metadata: pom, description: pom.description ?? pom.name, license: licenseSummary(pom) } : {}),
        repository: scope.repo.fullName,
        requireLink: true,
        replaceExisting: isSnapshotVersion(version),
        file: { name: fileName, blob, contentType: contentTypeFor(fileName) },
      });
      if (parsed.build) await this.pruneBuilds(principal, result, coordinates.artifactId);
      if (pom) await this.updateReleaseTags(principal, result.package);
      return result.outcome;
    } finally {
      await blob.cancel();
    }
  }

  /**
   * Checks an uploaded checksum file against the digest Kura computed for its file; nothing is
   * stored (Kura serves checksums itself).
   * @throws KuraError DIGEST_MISMATCH, BAD_REQUEST (not a digest), NOT_FOUND (file not uploaded), plus access errors
   */
  async verifyChecksum(target: DeployTarget, fileName: string, algorithm: ChecksumAlgorithm, body: AsyncIterable<Uint8Array>): Promise<void> {
    const { coordinates, version, principal, scope } = target;
    const pkg = (await this.authorize(principal, scope, coordinates)).existing;
    const sent = parseChecksumBody(await readSmallText(body, maxChecksumBytes), algorithm);
    const stored = pkg ? await this.ctx.packages.queries.version(pkg.id, version) : null;
    const file = stored && !stored.deletedAt ? (await this.ctx.packages.files.versionFiles(stored.id)).find((f) => f.name === fileName) : undefined;
    if (!file) throw new KuraError('NOT_FOUND', `${fileName} was not uploaded to ${mavenPackageName(coordinates)}:${version}; upload it before its .${algorithm}`);
    const actual = await fileDigest(this.ctx.blobs.store, file, algorithm);
    if (actual !== sent) {
      throw new KuraError('DIGEST_MISMATCH', `${fileName}.${algorithm} says ${sent} but the uploaded ${fileName} has ${algorithm} ${actual}`);
    }
  }

  /**
   * Accepts a client's `maven-metadata.xml` (or its checksum) for the scope's repository: the
   * caller must be able to deploy there and the document must be well-formed, but Kura keeps
   * generating its own from what is stored, so nothing is kept.
   * @throws KuraError INVALID_MANIFEST, BAD_REQUEST, PAYLOAD_TOO_LARGE, plus access errors
   */
  async acceptClientMetadata(principal: Principal, scope: DeployTarget['scope'], checksum: ChecksumAlgorithm | null, body: AsyncIterable<Uint8Array>): Promise<void> {
    await this.ctx.access.authorize(principal, 'write', { kind: 'repository', owner: ownerTarget(scope.owner), repo: scope.repo });
    if (checksum) {
      parseChecksumBody(await readSmallText(body, maxChecksumBytes), checksum);
      return;
    }
    const reader = new XmlTreeReader('maven-metadata.xml', { maxBytes: maxClientMetadataBytes, maxDepth: 16, maxElements: 100_000 });
    for await (const chunk of body) reader.write(chunk);
    const root = reader.finish();
    if (root.name !== 'metadata') throw new KuraError('INVALID_MANIFEST', `maven-metadata.xml has root <${root.name}>, not <metadata>`);
  }

  /** Removes the files of builds beyond the configured number, newest kept. */
  private async pruneBuilds(principal: Principal, result: AddFileResult, artifactId: string): Promise<void> {
    const names = (await this.ctx.packages.files.versionFiles(result.version.id)).map((f) => f.name);
    const expired = filesOfExpiredBuilds(artifactId, result.version.version, names, this.snapshotKeep);
    if (expired.length > 0) await this.ctx.packages.removeFiles(principal, result.package, result.version, expired);
  }

  /** Points the `latest` and `release` tags where Maven's ordering puts them. */
  private async updateReleaseTags(principal: Principal, pkg: PackageRecord): Promise<void> {
    const [versions, tags] = await Promise.all([this.ctx.packages.queries.versions(pkg.id), this.ctx.packages.queries.tags(pkg.id)]);
    const pointers = releasePointers(versions.map((v) => v.version));
    for (const [tag, version] of [['latest', pointers.latest], ['release', pointers.release]] as const) {
      if (version !== null && tags.find((t) => t.name === tag)?.version !== version) await this.ctx.packages.setTag(principal, pkg, tag, version);
    }
  }
}

/**
 * A POM must describe the artifact its path names.
 * @throws KuraError INVALID_MANIFEST (coordinate missing), NAME_MISMATCH (coordinate differs)
 */
export function checkPomAgainstPath(pom: PomFacts, coordinates: ArtifactCoordinates, version: string): void {
  const expected = { groupId: coordinates.groupId, artifactId: coordinates.artifactId, version };
  for (const field of ['groupId', 'artifactId', 'version'] as const) {
    const actual = pom[field];
    if (actual === null) throw new KuraError('INVALID_MANIFEST', `the POM has no ${field} (neither its own nor its parent's)`);
    if (actual !== expected[field]) {
      throw new KuraError('NAME_MISMATCH', `the POM's ${field} is "${actual}" but the path says "${expected[field]}"`);
    }
  }
}

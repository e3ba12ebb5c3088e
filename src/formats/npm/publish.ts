import semver from 'semver';
import ssri from 'ssri';
import type { Principal } from '../../core/access/principal.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import type { PublishGrant, PublishResult } from '../../core/packages/package-service.js';
import type { FormatPackages, NoTables } from '../contract.js';
import type { Attachment } from './publish-body.js';
import { parseDistTag, tarballFileName, type NpmName } from './names.js';
import type { TarballFacts } from './tarball.js';

export interface NpmPublishInput {
  packages: FormatPackages<NoTables>;
  principal: Principal;
  /** The decision made for an existing package before the body was read. */
  grant?: PublishGrant | undefined;
  owner: Owner;
  name: NpmName;
  document: Record<string, unknown>;
  attachments: Map<string, Attachment<TarballFacts>>;
}

const asRecord = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/**
 * Validates an npm publish document against its one attachment and publishes the version:
 * names agree (URL, document, version, tarball's package.json), the version is semver, the
 * tarball is a safe gzip'd tar whose sha512/sha1 match `dist.integrity`/`dist.shasum`.
 * @throws KuraError NAME_MISMATCH, INVALID_VERSION, INVALID_MANIFEST, INVALID_ARCHIVE, DIGEST_MISMATCH, INVALID_NAME (a dist-tag), plus access and VERSION_EXISTS from the core
 */
export async function publishNpmVersion(input: NpmPublishInput): Promise<PublishResult> {
  const { document, attachments, name } = input;
  if (document['name'] !== name.full) {
    throw new KuraError('NAME_MISMATCH', `the document names "${String(document['name'])}" but the URL names "${name.full}"`);
  }
  const versions = asRecord(document['versions']);
  const entries = versions ? Object.entries(versions) : [];
  if (entries.length !== 1) throw new KuraError('INVALID_MANIFEST', `a publish must carry exactly one version (got ${entries.length})`);
  const [version, rawDoc] = entries[0]!;
  const versionDoc = asRecord(rawDoc);
  if (!versionDoc) throw new KuraError('INVALID_MANIFEST', `versions["${version}"] must be an object`);
  if (semver.valid(version) !== version) throw new KuraError('INVALID_VERSION', `"${version}" is not a valid semver version`);
  if (versionDoc['version'] !== version) throw new KuraError('INVALID_MANIFEST', `versions["${version}"].version is "${String(versionDoc['version'])}"`);
  if (versionDoc['name'] !== name.full) throw new KuraError('NAME_MISMATCH', `versions["${version}"].name is "${String(versionDoc['name'])}", not "${name.full}"`);
  if (attachments.size !== 1) throw new KuraError('INVALID_MANIFEST', `a publish must carry exactly one tarball attachment (got ${attachments.size})`);
  const [attachmentName, attachment] = [...attachments.entries()][0]!;
  const fileName = tarballFileName(name, version);
  if (attachmentName !== `${name.full}-${version}.tgz` && attachmentName !== fileName) {
    throw new KuraError('INVALID_ARCHIVE', `the attachment must be named ${name.full}-${version}.tgz, not "${attachmentName}"`);
  }
  const blob = attachment.blob;
  if (attachment.declaredLength !== null && attachment.declaredLength !== blob.size) {
    throw new KuraError('DIGEST_MISMATCH', `the tarball is ${blob.size} bytes but its declared length is ${attachment.declaredLength}`);
  }

  const dist = asRecord(versionDoc['dist']) ?? {};
  const sha512 = Buffer.from(blob.digests.sha512!, 'hex').toString('base64');
  const actualIntegrity = `sha512-${sha512}`;
  const sha1 = blob.digests.sha1!;
  const declaredIntegrity = typeof dist['integrity'] === 'string' ? dist['integrity'] : null;
  const declaredShasum = typeof dist['shasum'] === 'string' ? dist['shasum'] : null;
  if (!declaredIntegrity && !declaredShasum) throw new KuraError('INVALID_MANIFEST', 'dist.integrity or dist.shasum is required');
  if (declaredIntegrity) {
    const parsed = ssri.parse(declaredIntegrity);
    const known = { sha512: `sha512-${sha512}`, sha1: `sha1-${Buffer.from(sha1, 'hex').toString('base64')}` } as Record<string, string>;
    const checkable = parsed ? Object.entries(parsed).filter(([algorithm]) => known[algorithm]) : [];
    if (checkable.length === 0) throw new KuraError('INVALID_MANIFEST', `dist.integrity uses no supported algorithm (sha512 or sha1): ${declaredIntegrity}`);
    for (const [algorithm, hashes] of checkable) {
      if (!(hashes as Array<{ toString(): string }>).some((h) => h.toString() === known[algorithm])) {
        throw new KuraError('DIGEST_MISMATCH', `integrity mismatch: the tarball is ${actualIntegrity} but dist.integrity says ${declaredIntegrity}`);
      }
    }
  }
  if (declaredShasum && declaredShasum.toLowerCase() !== sha1) {
    throw new KuraError('DIGEST_MISMATCH', `shasum mismatch: the tarball is ${sha1} but dist.shasum says ${declaredShasum}`);
  }

  const facts = await attachment.inspection;
  if (facts.packageJson['name'] !== name.full || facts.packageJson['version'] !== version) {
    throw new KuraError('INVALID_MANIFEST', `the tarball's package.json is ${String(facts.packageJson['name'])}@${String(facts.packageJson['version'])}, not ${name.full}@${version}`);
  }

  const readme = typeof versionDoc['readme'] === 'string' && versionDoc['readme'] ? versionDoc['readme'] : facts.readme;
  const stored: Record<string, unknown> = { ...versionDoc };
  delete stored['readme'];
  stored['_id'] = `${name.full}@${version}`;
  if (facts.readmeFilename && !stored['readmeFilename']) stored['readmeFilename'] = facts.readmeFilename;
  stored['dist'] = {
    ...dist,
    integrity: actualIntegrity,
    shasum: sha1,
    tarball: fileName,
    fileCount: facts.fileCount,
    unpackedSize: facts.unpackedSize,
  };

  const distTags = asRecord(document['dist-tags']) ?? {};
  const tags = Object.entries(distTags).filter(([, v]) => v === version).map(([tag]) => parseDistTag(tag));
  return input.packages.publishVersion({
    principal: input.principal,
    grant: input.grant,
    owner: input.owner,
    name: name.full,
    nameLower: name.full.toLowerCase(),
    version,
    metadata: stored,
    description: typeof versionDoc['description'] === 'string' ? versionDoc['description'] : null,
    readme,
    license: typeof versionDoc['license'] === 'string' ? versionDoc['license'] : null,
    repository: repositoryHint(versionDoc['repository']),
    files: [{ name: fileName, blob, contentType: 'application/octet-stream' }],
    tags: tags.length > 0 ? tags : ['latest'],
  });
}

/**
 * `OWNER/REPO` from a package.json `repository` (string or `{url}`): the last two path segments
 * of a URL (`https://host/alice/tools.git`, `git+ssh://…`), or `alice/tools`, `github:alice/tools`.
 */
export function repositoryHint(value: unknown): string | null {
  const raw = typeof value === 'string' ? value : typeof asRecord(value)?.['url'] === 'string' ? (asRecord(value)!['url'] as string) : null;
  if (!raw) return null;
  const cleaned = raw.trim().replace(/^[a-z]+:(?!\/\/)/i, '').replace(/\.git$/i, '').replace(/\/+$/, '');
  const parts = cleaned.split(/[/:]/).filter(Boolean);
  if (parts.length < 2) return null;
  return `${parts[parts.length - 2]}/${parts[parts.length - 1]}`;
}

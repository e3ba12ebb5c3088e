import type { Owner } from '../../../core/owners/owner.js';
import { effectiveVisibility, type PackageRecord, type TagRecord, type VersionRecord } from '../../../core/packages/package.js';
import type { TokenRecord } from '../../../core/tokens/token-service.js';
import type { AnyPackageFormat } from '../../../formats/contract.js';

/** JSON shapes of the REST API, modelled on GitHub's REST API for packages. */
export function presentOwner(owner: Owner) {
  return {
    login: owner.login,
    id: owner.id,
    type: owner.kind === 'org' ? 'Organization' : 'User',
    site_admin: owner.isAdmin,
    created_at: owner.createdAt,
  };
}

export function presentToken(token: TokenRecord) {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    repository_id: token.repoId,
    expires_at: token.expiresAt,
    last_used_at: token.lastUsedAt,
    revoked_at: token.revokedAt,
    created_at: token.createdAt,
  };
}

export function packageApiPath(pkg: PackageRecord): string {
  const scope = pkg.ownerKind === 'org' ? 'orgs' : 'users';
  return `/api/v1/${scope}/${encodeURIComponent(pkg.ownerLogin)}/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`;
}

export function presentPackage(pkg: PackageRecord, base: string, extra: { versionCount: number; downloadCount: number }) {
  return {
    id: pkg.id,
    name: pkg.name,
    package_type: pkg.format,
    owner: { login: pkg.ownerLogin, id: pkg.ownerId, type: pkg.ownerKind === 'org' ? 'Organization' : 'User' },
    version_count: extra.versionCount,
    download_count: extra.downloadCount,
    visibility: effectiveVisibility(pkg),
    description: pkg.description,
    url: base + packageApiPath(pkg),
    html_url: `${base}/${pkg.ownerLogin}/-/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`,
    repository: pkg.repo ? { full_name: pkg.repo.fullName, visibility: pkg.repo.visibility, html_url: `${base}/${pkg.repo.fullName}` } : null,
    created_at: pkg.createdAt,
    updated_at: pkg.updatedAt,
    deleted_at: pkg.deletedAt,
  };
}

/** A version with its format's facts (under `metadata.<package_type>`) and install snippets. */
export function presentVersion(pkg: PackageRecord, version: VersionRecord, tags: TagRecord[], base: string, format: AnyPackageFormat | undefined) {
  const versionTags = tags.filter((t) => t.versionId === version.id).map((t) => t.name);
  const presentation = format && !version.deletedAt
    ? format.present({ pkg, version, metadata: parseMetadata(version.metadata), tags: versionTags, baseUrl: base })
    : null;
  return {
    id: version.id,
    name: version.version,
    url: `${base}${packageApiPath(pkg)}/versions/${version.id}`,
    package_html_url: `${base}/${pkg.ownerLogin}/-/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`,
    description: version.description,
    license: version.license,
    deprecated: version.deprecated,
    download_count: version.downloadCount,
    created_at: version.createdAt,
    updated_at: version.createdAt,
    deleted_at: version.deletedAt,
    metadata: { package_type: pkg.format, tags: versionTags, ...(presentation ? { [pkg.format]: presentation.facts } : {}) },
    install: presentation?.install ?? [],
  };
}

function parseMetadata(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

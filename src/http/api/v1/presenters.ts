import { roleAtLeast, type Role } from '../../../core/access/access-policy.js';
import type { OrgMember, OrgRole, Owner } from '../../../core/owners/owner.js';
import type { PackageMember } from '../../../core/packages/package-members.js';
import { effectiveVisibility, type PackageRecord, type TagRecord, type VersionRecord } from '../../../core/packages/package.js';
import type { RepoMember, Repository } from '../../../core/repos/repository.js';
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
    ...(owner.kind === 'user' ? { suspended_at: owner.suspendedAt } : {}),
  };
}

/** A repository in GitHub's shape; `owner` is the repository's owner. */
export function presentRepository(repo: Repository, owner: Owner, base: string) {
  return {
    id: repo.id,
    name: repo.name,
    full_name: repo.fullName,
    private: repo.visibility === 'private',
    visibility: repo.visibility,
    description: repo.description,
    owner: { login: owner.login, id: owner.id, type: owner.kind === 'org' ? 'Organization' : 'User' },
    html_url: `${base}/${repo.fullName}`,
    url: `${base}/api/v1/repos/${repo.fullName}`,
    created_at: repo.createdAt,
  };
}

/** GitHub's permission flags for a role (`maintain` and `triage` follow `admin` and `write`). */
function permissionFlags(role: Role) {
  return {
    admin: roleAtLeast(role, 'admin'),
    maintain: roleAtLeast(role, 'admin'),
    push: roleAtLeast(role, 'write'),
    triage: roleAtLeast(role, 'write'),
    pull: roleAtLeast(role, 'read'),
  };
}

/** A collaborator in GitHub's shape: the role in effect as `role_name` and `permissions`. */
export function presentCollaborator(member: RepoMember) {
  return { ...presentOwner(member.user), role_name: member.role, permissions: permissionFlags(member.role) };
}

/** GitHub's answer to "what permission has USER on the repository" (`none` without one). */
export function presentPermission(user: Owner, role: Role) {
  return { permission: role, role_name: role, user: { ...presentOwner(user), role_name: role, permissions: permissionFlags(role) } };
}

/** Kura's organization owners are GitHub's organization admins. */
export const apiOrgRole = (role: OrgRole): 'admin' | 'member' => (role === 'owner' ? 'admin' : 'member');

/** An organization member: the user with their role (`admin` or `member`). */
export function presentOrgMember(member: OrgMember) {
  return { ...presentOwner(member.user), role: apiOrgRole(member.role) };
}

/** An organization membership in GitHub's shape. */
export function presentOrgMembership(org: Owner, member: OrgMember, base: string) {
  return {
    url: `${base}/api/v1/orgs/${org.login}/memberships/${member.user.login}`,
    state: 'active',
    role: apiOrgRole(member.role),
    organization_url: `${base}/api/v1/orgs/${org.login}`,
    organization: presentOwner(org),
    user: presentOwner(member.user),
  };
}

/** A user's role on an unlinked package. */
export function presentPackageMember(member: PackageMember) {
  return { ...presentOwner(member.user), role: member.role };
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

/** The package page: `/OWNER/-/packages/TYPE/NAME`. */
function packagePagePath(pkg: PackageRecord): string {
  return `/${pkg.ownerLogin}/-/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`;
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
    html_url: base + packagePagePath(pkg),
    repository: pkg.repo ? { full_name: pkg.repo.fullName, visibility: pkg.repo.visibility, html_url: `${base}/${pkg.repo.fullName}` } : null,
    inherit_access: pkg.repo ? pkg.inheritsAccess : null,
    created_at: pkg.createdAt,
    updated_at: pkg.updatedAt,
    deleted_at: pkg.deletedAt,
  };
}

/**
 * A version in GitHub's shape (`name`, `url`, `package_html_url`, `html_url`, `license`,
 * `metadata.package_type` and the format's facts under `metadata.<package_type>`, e.g.
 * `metadata.container.tags`), plus Kura's `download_count`, `deprecated`, `metadata.tags` and
 * `install` snippets.
 */
export function presentVersion(pkg: PackageRecord, version: VersionRecord, tags: TagRecord[], base: string, format: AnyPackageFormat | undefined) {
  const versionTags = tags.filter((t) => t.versionId === version.id).map((t) => t.name);
  const presentation = format && !version.deletedAt
    ? format.present({ pkg, version, metadata: parseMetadata(version.metadata), tags: versionTags, baseUrl: base })
    : null;
  return {
    id: version.id,
    name: version.version,
    url: `${base}${packageApiPath(pkg)}/versions/${version.id}`,
    package_html_url: base + packagePagePath(pkg),
    html_url: `${base}${packagePagePath(pkg)}/versions/${encodeURIComponent(version.version)}`,
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

import type { AccessSubject, PackageTarget } from '../access/access-policy.js';
import type { Visibility } from '../repos/repository.js';

/** A package row with its owner and linked repository, as every reader sees it. */
export interface PackageRecord {
  id: number;
  format: string;
  name: string;
  ownerId: number;
  ownerLogin: string;
  ownerKind: 'user' | 'org';
  repo: { id: number; fullName: string; visibility: Visibility } | null;
  /** The package's own visibility (used when unlinked or not inheriting). Use {@link effectiveVisibility} for decisions. */
  visibility: Visibility;
  /** Whether a linked package takes its visibility and permissions from its repository (true unless its admins turned it off). */
  inheritsAccess: boolean;
  description: string | null;
  rev: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface VersionRecord {
  id: number;
  packageId: number;
  version: string;
  metadata: string;
  readme: string | null;
  description: string | null;
  license: string | null;
  deprecated: string | null;
  publisherId: number | null;
  downloadCount: number;
  createdAt: string;
  deletedAt: string | null;
  purgedAt: string | null;
}

/** A version as lists show it: no metadata, README or files. */
export type VersionSummary = Pick<VersionRecord, 'id' | 'version' | 'createdAt' | 'downloadCount' | 'deprecated' | 'deletedAt' | 'purgedAt'>;

export interface FileRecord {
  id: number;
  versionId: number;
  name: string;
  sha256: string;
  size: number;
  contentType: string | null;
  createdAt: string;
}

export interface TagRecord {
  name: string;
  versionId: number;
  version: string;
  updatedAt: string;
}

export function effectiveVisibility(pkg: PackageRecord): Visibility {
  return pkg.repo && pkg.inheritsAccess ? pkg.repo.visibility : pkg.visibility;
}

/** Whether the package's own visibility and roles apply: it is unlinked, or linked without inheriting access. */
export function hasOwnAccess(pkg: Pick<PackageRecord, 'repo' | 'inheritsAccess'>): boolean {
  return !pkg.repo || !pkg.inheritsAccess;
}

/** How a package is named in messages: `npm package @alice/widget`. */
export function packageLabel(pkg: Pick<PackageRecord, 'format' | 'name'>): string {
  return `${pkg.format} package ${pkg.name}`;
}

export function packageTarget(pkg: PackageRecord): PackageTarget {
  return {
    id: pkg.id,
    label: packageLabel(pkg),
    owner: { id: pkg.ownerId, login: pkg.ownerLogin, kind: pkg.ownerKind },
    repo: pkg.repo,
    inheritsAccess: pkg.inheritsAccess,
    visibility: pkg.visibility,
    deleted: pkg.deletedAt !== null,
  };
}

/** The package as the subject of an access question. */
export function packageSubject(pkg: PackageRecord): AccessSubject {
  return { kind: 'package', package: packageTarget(pkg) };
}

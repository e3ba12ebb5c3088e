import type { PackageRecord } from '../core/packages/package.js';

type PackageRef = Pick<PackageRecord, 'ownerLogin' | 'format' | 'name'>;

/** The package page: `/OWNER/-/packages/FORMAT/NAME`, the name as one encoded segment. */
export function packagePath(pkg: PackageRef): string {
  return `/${pkg.ownerLogin}/-/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`;
}

/** The list of every version of a package (`?page=N` pages it). */
export function versionsPath(pkg: PackageRef): string {
  return `${packagePath(pkg)}/versions`;
}

/** One version's page. */
export function versionPath(pkg: PackageRef, version: string): string {
  return `${versionsPath(pkg)}/${encodeURIComponent(version)}`;
}

/** The package's settings, for its admins. */
export function packageSettingsPath(pkg: PackageRef): string {
  return `${packagePath(pkg)}/settings`;
}

/** The sign-in page, coming back to `next` afterwards. */
export function signInPath(next: string): string {
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

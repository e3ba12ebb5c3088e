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

/** Where the settings page posts one change of the package (`visibility`, `delete`…, see package-lookup's `packageActions`). */
export function packageActionPath(pkg: PackageRef, action: string): string {
  return `${packageSettingsPath(pkg)}/${action}`;
}

/** The page that confirms deleting a version, and where its form posts. */
export function deleteVersionPath(pkg: PackageRef, version: string): string {
  return `${versionPath(pkg, version)}/delete`;
}

/** Where the versions list posts restoring a deleted version. */
export function restoreVersionPath(pkg: PackageRef, version: string): string {
  return `${versionPath(pkg, version)}/restore`;
}

/** The sign-in page, coming back to `next` afterwards. */
export function signInPath(next: string): string {
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}

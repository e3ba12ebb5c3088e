import type { Principal } from '../../core/access/principal.js';
import type { PackageRecord } from '../../core/packages/package.js';
import type { PackageQueries } from '../../core/packages/package-queries.js';
import type { PackageService } from '../../core/packages/package-service.js';

/** How a format orders its versions and tells prereleases apart. */
export interface VersionOrder {
  compare(a: string, b: string): number;
  isPrerelease(version: string): boolean;
}

/**
 * Points the `latest` tag (what the package page and the REST API show first) at the highest
 * release of `pkg`, or its highest prerelease when it has no release; nothing changes when it
 * already points there.
 */
export async function pointLatestTag(packages: { queries: PackageQueries; setTag: PackageService['setTag'] }, principal: Principal, pkg: PackageRecord, order: VersionOrder): Promise<void> {
  const [versions, tags] = await Promise.all([packages.queries.versions(pkg.id), packages.queries.tags(pkg.id)]);
  const names = versions.map((v) => v.version);
  const releases = names.filter((v) => !order.isPrerelease(v));
  const latest = (releases.length > 0 ? releases : names).sort((a, b) => order.compare(a, b)).at(-1);
  if (latest && tags.find((t) => t.name === 'latest')?.version !== latest) await packages.setTag(principal, pkg, 'latest', latest);
}

import type { Principal } from '../core/access/principal.js';
import { KuraError } from '../core/errors/catalogue.js';
import { packageLabel, packageSubject, type PackageRecord } from '../core/packages/package.js';
import type { WebDeps } from './web-deps.js';

/** Whether `principal` may see `pkg` on a page: its format is not disabled and access lets them read it. */
export function mayView(deps: WebDeps, principal: Principal, pkg: PackageRecord): Promise<boolean> {
  if (!deps.formats.isVisible(pkg.format)) return Promise.resolve(false);
  return deps.core.access.permits(principal, 'read', packageSubject(pkg));
}

/** The packages of `packages` that `principal` may see, in the same order. */
export async function visiblePackages(deps: WebDeps, principal: Principal, packages: readonly PackageRecord[]): Promise<PackageRecord[]> {
  const allowed = await Promise.all(packages.map((pkg) => mayView(deps, principal, pkg)));
  return packages.filter((_, i) => allowed[i]);
}

/**
 * Allows a page or form of `pkg` that only those who may `action` it reach (its settings:
 * `administer`; deleting and restoring versions: `delete`). Everyone else is told there is nothing
 * there, as for anything they may not see; what they could act on is decided again by core.
 * @throws KuraError NOT_FOUND
 */
export async function requirePermission(deps: WebDeps, principal: Principal, action: 'administer' | 'delete', pkg: PackageRecord): Promise<void> {
  if (!(await deps.core.access.permits(principal, action, packageSubject(pkg)))) throw new KuraError('NOT_FOUND', `${packageLabel(pkg)} not found`);
}

import { KuraError } from '../core/errors/catalogue.js';
import type { PackageRecord } from '../core/packages/package.js';
import type { AnyPackageFormat } from '../formats/contract.js';
import type { Visitor } from './visitor.js';
import { mayView } from './visible-packages.js';
import type { WebDeps } from './web-deps.js';

/** A package the visitor may see, with its format. */
export interface ViewedPackage {
  format: AnyPackageFormat;
  pkg: PackageRecord;
}

/** What a package URL's tail names: the package, its versions list, one version, or its settings. */
export type PackageView = { view: 'package' } | { view: 'versions' } | { view: 'version'; version: string } | { view: 'settings' };

/**
 * Splits the tail of `/OWNER/-/packages/FORMAT/TAIL` into the package name and what is asked of
 * it. Names are one encoded segment in Kura's links, but an image name typed with its slashes
 * (`team/app`) works too: the suffixes `versions`, `versions/VERSION` and `settings` are read off
 * the end, and when no package has the rest as its name, the whole tail is the name.
 */
export function readPackageTail(tail: string): Array<{ name: string } & PackageView> {
  const segments = tail.split('/').map((s) => safeDecode(s));
  const whole = { name: segments.join('/'), view: 'package' as const };
  const n = segments.length;
  const candidates: Array<{ name: string } & PackageView> = [];
  if (n >= 2 && segments[n - 1] === 'versions') candidates.push({ name: segments.slice(0, n - 1).join('/'), view: 'versions' });
  if (n >= 3 && segments[n - 2] === 'versions') candidates.push({ name: segments.slice(0, n - 2).join('/'), view: 'version', version: segments[n - 1]! });
  if (n >= 2 && segments[n - 1] === 'settings') candidates.push({ name: segments.slice(0, n - 1).join('/'), view: 'settings' });
  return [...candidates, whole];
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The package `name` of `formatId` under `ownerLogin`, when the visitor may see it (deleted ones
 * only with `includeDeleted`, for those who may restore them).
 * @throws KuraError NOT_FOUND (also for a package the visitor may not read, or a disabled format)
 */
export async function findViewedPackage(deps: WebDeps, visitor: Visitor, ownerLogin: string, formatId: string, name: string, includeDeleted = false): Promise<ViewedPackage | null> {
  const format = deps.formats.find(formatId);
  if (!format) return null;
  const nameLower = format.normalizeName(ownerLogin, name);
  if (!nameLower) return null;
  const pkg = await deps.core.packages.queries.find(format.id, ownerLogin, nameLower, includeDeleted);
  if (!pkg) return null;
  if (!(await mayView(deps, visitor.principal, pkg))) return null;
  return { format, pkg };
}

/**
 * Resolves a package URL's tail to the package and what is asked of it.
 * @throws KuraError NOT_FOUND
 */
export async function resolvePackageUrl(deps: WebDeps, visitor: Visitor, ownerLogin: string, formatId: string, tail: string, options: { includeDeleted?: boolean } = {}): Promise<ViewedPackage & { view: PackageView }> {
  for (const { name, ...view } of readPackageTail(tail)) {
    const found = await findViewedPackage(deps, visitor, ownerLogin, formatId, name, options.includeDeleted);
    if (found) return { ...found, view };
  }
  throw new KuraError('NOT_FOUND', `no ${formatId} package ${safeDecode(tail)} under ${ownerLogin}`);
}

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

/**
 * What a package URL's tail names: the package, its versions list, one version, the page that
 * confirms deleting a version (`versions/VERSION/delete`), or its settings.
 */
export type PackageView =
  | { view: 'package' }
  | { view: 'versions' }
  | { view: 'version'; version: string }
  | { view: 'delete-version'; version: string }
  | { view: 'settings' };

/** The changes a package's settings page posts, each to `NAME/settings/ACTION`. */
export const packageActions = ['visibility', 'link', 'unlink', 'inherit-access', 'member', 'remove-member', 'format-settings', 'delete', 'restore'] as const;
export type PackageAction = (typeof packageActions)[number];

/** What a form posted to a package URL asks: a change to the package, or to one version (`versions/VERSION/delete|restore`). */
export type PackageFormAction = { kind: 'package'; action: PackageAction } | { kind: 'version'; action: 'delete' | 'restore'; version: string };

/**
 * Splits the tail of `/OWNER/-/packages/FORMAT/TAIL` into the package name and what is asked of
 * it. Names are one encoded segment in Kura's links, but an image name typed with its slashes
 * (`team/app`) works too: the suffixes `versions`, `versions/VERSION`, `versions/VERSION/delete`
 * and `settings` are read off the end, and when no package has the rest as its name, the whole
 * tail is the name.
 */
export function readPackageTail(tail: string): Array<{ name: string } & PackageView> {
  const segments = tail.split('/').map((s) => safeDecode(s));
  const whole = { name: segments.join('/'), view: 'package' as const };
  const n = segments.length;
  const candidates: Array<{ name: string } & PackageView> = [];
  if (n >= 2 && segments[n - 1] === 'versions') candidates.push({ name: segments.slice(0, n - 1).join('/'), view: 'versions' });
  if (n >= 3 && segments[n - 2] === 'versions') candidates.push({ name: segments.slice(0, n - 2).join('/'), view: 'version', version: segments[n - 1]! });
  if (n >= 4 && segments[n - 3] === 'versions' && segments[n - 1] === 'delete') {
    candidates.push({ name: segments.slice(0, n - 3).join('/'), view: 'delete-version', version: segments[n - 2]! });
  }
  if (n >= 2 && segments[n - 1] === 'settings') candidates.push({ name: segments.slice(0, n - 1).join('/'), view: 'settings' });
  return [...candidates, whole];
}

/**
 * The readings of a package URL's tail a form may be posted to: `NAME/settings/ACTION` (one of
 * {@link packageActions}) and `NAME/versions/VERSION/delete|restore`. Empty when it names none.
 */
export function readFormTail(tail: string): Array<{ name: string } & PackageFormAction> {
  const segments = tail.split('/').map((s) => safeDecode(s));
  const n = segments.length;
  const last = segments[n - 1] ?? '';
  const candidates: Array<{ name: string } & PackageFormAction> = [];
  if (n >= 3 && segments[n - 2] === 'settings' && (packageActions as readonly string[]).includes(last)) {
    candidates.push({ name: segments.slice(0, n - 2).join('/'), kind: 'package', action: last as PackageAction });
  }
  if (n >= 4 && segments[n - 3] === 'versions' && (last === 'delete' || last === 'restore')) {
    candidates.push({ name: segments.slice(0, n - 3).join('/'), kind: 'version', action: last, version: segments[n - 2]! });
  }
  return candidates;
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
  const { found, reading: { name: _name, ...view } } = await firstFound(deps, visitor, ownerLogin, formatId, readPackageTail(tail), options.includeDeleted ?? false, tail);
  return { ...found, view };
}

/**
 * Resolves the tail of a URL a form was posted to: the package (deleted ones included, for
 * restoring) and the change asked of it.
 * @throws KuraError NOT_FOUND
 */
export async function resolvePackageForm(deps: WebDeps, visitor: Visitor, ownerLogin: string, formatId: string, tail: string): Promise<ViewedPackage & { action: PackageFormAction }> {
  const { found, reading: { name: _name, ...action } } = await firstFound(deps, visitor, ownerLogin, formatId, readFormTail(tail), true, tail);
  return { ...found, action };
}

/** The first reading of a tail that names a package the visitor may see. @throws KuraError NOT_FOUND */
async function firstFound<R extends { name: string }>(deps: WebDeps, visitor: Visitor, ownerLogin: string, formatId: string, readings: readonly R[], includeDeleted: boolean, tail: string): Promise<{ found: ViewedPackage; reading: R }> {
  for (const reading of readings) {
    const found = await findViewedPackage(deps, visitor, ownerLogin, formatId, reading.name, includeDeleted);
    if (found) return { found, reading };
  }
  throw new KuraError('NOT_FOUND', `no ${formatId} package ${safeDecode(tail)} under ${ownerLogin}`);
}

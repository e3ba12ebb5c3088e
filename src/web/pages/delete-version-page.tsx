import { KuraError } from '../../core/errors/catalogue.js';
import type { VersionRecord } from '../../core/packages/package.js';
import type { ViewedPackage } from '../package-lookup.js';
import { deleteVersionPath, packagePath, versionPath, versionsPath } from '../paths.js';
import type { Visitor } from '../visitor.js';
import { requirePermission } from '../visible-packages.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';
import { countText, dayText } from '../components/quantities.js';
import type { PageFlash } from './package-settings-page.js';

/**
 * The live version `versionName` of a package, once the visitor may delete its versions.
 * @throws KuraError NOT_FOUND (no such live version, or the visitor may not delete)
 */
export async function deletableVersion(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, versionName: string): Promise<VersionRecord> {
  const { pkg } = viewed;
  await requirePermission(deps, visitor.principal, 'delete', pkg);
  const version = await deps.core.packages.queries.version(pkg.id, versionName);
  if (!version || version.deletedAt) throw new KuraError('NOT_FOUND', `no version ${versionName} of ${pkg.name}`);
  return version;
}

/**
 * Confirms deleting one version: what deleting does, and a form where the version number must be
 * typed exactly before "Delete version" does it.
 * @throws KuraError NOT_FOUND (see {@link deletableVersion})
 */
export async function deleteVersionPage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, versionName: string, flash: PageFlash = {}): Promise<string> {
  const { pkg } = viewed;
  const version = await deletableVersion(deps, visitor, viewed, versionName);
  const days = deps.core.packages.restoreWindowDays;
  return renderPage({ title: `Delete ${pkg.name} ${version.version}`, visitor, wide: true }, (
    <>
      <section>
        <h1>Delete version {version.version} of <a href={packagePath(pkg)}>{pkg.name}</a></h1>
        <p class="muted">Published {dayText(version.createdAt)}, downloaded {countText(version.downloadCount)} {version.downloadCount === 1 ? 'time' : 'times'}.</p>
      </section>
      <Flash notice={flash.notice} error={flash.error} />
      <section aria-labelledby="confirm-heading">
        <h2 id="confirm-heading">Confirm</h2>
        <p>
          The version stops downloading, leaves the lists and loses its tags. Its number stays taken: it cannot be published again.
          The package's admins can restore it from the <a href={versionsPath(pkg)}>versions list</a> within {days} {days === 1 ? 'day' : 'days'}.
        </p>
        <form method="post" action={deleteVersionPath(pkg, version.version)} aria-labelledby="confirm-heading">
          <CsrfField visitor={visitor} />
          <label for="version-confirm">Type the version number, <code>{version.version}</code>, to confirm</label>
          <input type="text" id="version-confirm" name="confirm" required autocomplete="off" spellcheck={false} autocapitalize="off" />
          <div>
            <button type="submit" class="danger">Delete version</button> <a class="button secondary" href={versionPath(pkg, version.version)}>Cancel</a>
          </div>
        </form>
      </section>
    </>
  ));
}

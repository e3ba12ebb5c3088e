import { packageSubject, type VersionSummary } from '../../core/packages/package.js';
import type { ViewedPackage } from '../package-lookup.js';
import { deleteVersionPath, packagePath, restoreVersionPath, versionsPath } from '../paths.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';
import { countText, dayText } from '../components/quantities.js';
import type { PageFlash } from './package-settings-page.js';
import { VersionTable } from './package-page.js';

export const versionsPerPage = 50;

/**
 * Every version of a package, newest first, 50 to a page (`page` counts from 1). Those who may
 * delete and restore versions also see the deleted ones, marked, with a Delete link per live
 * version (to a page that confirms it) and a Restore button per deleted one still in the restore
 * window. One query for the page of versions, whatever they hold.
 */
export async function versionsPage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, page: number, flash: PageFlash = {}): Promise<string> {
  const { pkg } = viewed;
  const canDelete = await deps.core.access.permits(visitor.principal, 'delete', packageSubject(pkg));
  const [listed, tags] = await Promise.all([
    deps.core.packages.queries.versionPage(pkg.id, { offset: (page - 1) * versionsPerPage, limit: versionsPerPage, includeDeleted: canDelete }),
    deps.core.packages.queries.tags(pkg.id),
  ]);
  const pages = Math.max(1, Math.ceil(listed.total / versionsPerPage));
  const cell = (v: VersionSummary) => {
    if (!v.deletedAt) {
      return <a class="button danger small" href={deleteVersionPath(pkg, v.version)}>Delete<span class="sr-only"> version {v.version}</span></a>;
    }
    const until = deps.core.packages.restorableUntil(v);
    if (!until) return <span class="muted">{v.purgedAt ? 'Purged' : 'Past the restore window'}</span>;
    return (
      <form class="row" method="post" action={restoreVersionPath(pkg, v.version)}>
        <CsrfField visitor={visitor} />
        <button type="submit" class="secondary">Restore<span class="sr-only"> version {v.version}</span></button>
        <span class="muted">until {dayText(until.toISOString())}</span>
      </form>
    );
  };
  return renderPage({ title: `Versions of ${pkg.name}`, visitor, wide: true }, (
    <>
      <Flash notice={flash.notice} error={flash.error} />
      <section>
        <h1><a href={packagePath(pkg)}>{pkg.name}</a>: versions</h1>
        <p class="muted">{countText(listed.total)} {listed.total === 1 ? 'version' : 'versions'}{canDelete ? ', deleted ones included' : ''}.</p>
        <VersionTable pkg={pkg} versions={listed.versions} tags={tags} current={null} actions={canDelete ? { heading: 'Actions', cell } : undefined} />
        {pages > 1 ? (
          <nav class="pager" aria-label="Pages">
            {page > 1 ? <a href={`${versionsPath(pkg)}?page=${page - 1}`} rel="prev">Newer versions</a> : null}
            <span>Page {page} of {pages}</span>
            {page < pages ? <a href={`${versionsPath(pkg)}?page=${page + 1}`} rel="next">Older versions</a> : null}
          </nav>
        ) : null}
      </section>
    </>
  ));
}
